/* cs-window-private.h: what cs-window.c, cs-window-actions.c, cs-window-files.c and cs-window-dnd.c share (the instance struct and
 * the _cs_window_* functions), and the test-only accessors. Not installed, not for other widgets. */
#pragma once

#include "cs-chart-view.h"
#include "cs-progress.h"
#include "cs-window.h"

G_BEGIN_DECLS

struct _CsWindow
{
  GtkApplicationWindow parent_instance;

  /* Template widgets (ui/cs-window.ui) */
  GtkWidget *switcher;
  GtkWidget *source_label;
  GtkWidget *stack;
  GtkWidget *operator_view;
  GtkWidget *manager_view;
  GtkWidget *info_bar;
  GtkWidget *info_label;
  GtkWidget *spinner;
  GtkWidget *progress_bar;
  GtkWidget *notice_revealer;
  GtkWidget *notice_label;
  GtkWidget *notice_button;
  GtkWidget *drop_overlay;
  GMenu *recent_section;

  /* Owned references */
  CsProgress *progress;            /* the engine's preparation, bound to progress_bar and spinner */
  CsCaseBase *cases;
  CsEngine *engine;
  GCancellable *cancellable;
  GtkFileChooserNative *chooser;
  char *chooser_kind;              /* the table the open chooser exports ("cases" or "used"), else NULL */
  GtkWidget *import_dialog;
  GtkWidget *export_dialog;
  GFile *notice_folder;
  char *message;
  char *notice;
  char *table_path;
  guint notice_id;
  CsChartView *last_chart;
  CsColormap colormap;             /* the weight colour map of every chart (each view's "weight-map") */
  CsSetAside *set_aside;           /* the cases set aside of the shown case base (cs-set-aside.c) */
  GtkWidget *follow_panel;         /* the "follow" page while following the shown file, else NULL */

  /* The record of the shown case base for model files: known from the import or computed in a worker. */
  gsize import_columns;            /* columns of the file from the import report (0: unknown) */
  char *source_sha256;
  gsize source_columns;
  gboolean record_pending;
};

/* cs-window.c */
void        _cs_window_set_engine            (CsWindow       *self,
                                              CsEngine       *engine);
/* Cancels the window's running work (a fit, a record, an export) and starts a fresh cancellable. */
void        _cs_window_renew_cancellable     (CsWindow       *self);
/* fit CS_ENGINE_FIT_NONE with metric: the engine of a given metric (an opened model), no fit. */
void        _cs_window_prepare_engine_with   (CsWindow       *self,
                                              CsEngineFit     fit,
                                              const CsMetric *metric,
                                              const char     *metric_label);
/* Every chart of both pages (a new array of borrowed pointers). */
GPtrArray  *_cs_window_all_charts            (CsWindow       *self);
/* "Exported NAME" with an "Open folder" button for path's folder. */
void        _cs_window_notice_exported       (CsWindow       *self,
                                              const char     *path);
void        _cs_window_notify_following      (CsWindow       *self);
void        _cs_window_notify_colormap       (CsWindow       *self);
/* The import preview now shown (a borrowed pointer, NULL when it is gone): notifies "import-dialog". */
void        _cs_window_set_import_dialog     (CsWindow       *self,
                                              GtkWidget      *dialog);
/* A new snapshot of the followed file: both pages show engine and its case base (reloaded: read again whole). */
void        _cs_window_show_followed         (CsWindow       *self,
                                              CsEngine       *engine,
                                              gboolean        reloaded);

/* cs-window-files.c */
/* The hash and column count of the shown case base's file for model files (at once or from a worker). */
void        _cs_window_start_source_record   (CsWindow       *self);

/* cs-window-actions.c */
/* The focused chart, else the last one focused, else NULL. */
CsChartView *_cs_window_current_chart        (CsWindow       *self);
void        _cs_window_class_init_actions    (GtkWidgetClass *widget_class);
void        _cs_window_init_actions          (CsWindow       *self);
void        _cs_window_dispose_actions       (CsWindow       *self);
void        _cs_window_set_colormap          (CsWindow       *self,
                                              const char     *name);
const char *_cs_window_get_colormap          (CsWindow       *self);
void        _cs_window_set_following         (CsWindow       *self,
                                              gboolean        on);
void        _cs_window_stop_follow           (CsWindow       *self);
void        _cs_window_add_recent            (CsWindow       *self,
                                              GFile          *file);

/* cs-window-dnd.c */
void        _cs_window_init_dnd              (CsWindow       *self);

/* Test-only accessors: what the message area and the last notice say. */
const char *cs_window_get_message            (CsWindow       *self);
const char *cs_window_get_notice             (CsWindow       *self);

G_END_DECLS
