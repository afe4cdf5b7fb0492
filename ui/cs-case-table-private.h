/* cs-case-table-private.h: the case table's state, shared by its three source files, and accessors for tests. */
#pragma once

#include "cs-case-table.h"

G_BEGIN_DECLS

/* Column ids of the table's columns: 0..d-1 the features, d the target, d + 1 + c category column c, and these
 * for the others. */
typedef enum
{
  CS_CASE_TABLE_COLUMN_ID = -1,        /* the case's id (when the case base has an id column) */
  CS_CASE_TABLE_COLUMN_LINE = -2,      /* its line in the source file */
  CS_CASE_TABLE_COLUMN_FLAGS = -3,     /* its leave-one-out verdict and flags */
  CS_CASE_TABLE_COLUMN_IN_SPEC = -4,   /* its leave-one-out share inside the spec limits */
} CsCaseTableColumn;

/* The positions of the verdict filter's items. */
typedef enum
{
  CS_CASE_TABLE_VERDICT_ALL,
  CS_CASE_TABLE_VERDICT_FLAGGED,       /* check or stop */
  CS_CASE_TABLE_VERDICT_STOP,
} CsCaseTableVerdictFilter;

/* The positions of the spec filter's items (the words' cut-offs of cs_query_result_spec_words). */
typedef enum
{
  CS_CASE_TABLE_SPEC_ANY,
  CS_CASE_TABLE_SPEC_IN,               /* share at least 0.9 */
  CS_CASE_TABLE_SPEC_OUT,              /* share at most 0.1 */
  CS_CASE_TABLE_SPEC_BORDERLINE,       /* between */
} CsCaseTableSpecFilter;

/* TRUE while a column sort is computed in a worker. */
gboolean  cs_case_table_is_sorting        (CsCaseTable *self);
/* TRUE while a wide case base's feature columns are still being shown, a few a frame (table on screen). */
gboolean  cs_case_table_is_showing_columns (CsCaseTable *self);
/* TRUE while the "In spec" column's leave-one-out shares are being computed (limits set, engine ready). */
gboolean  cs_case_table_is_spec_pending   (CsCaseTable *self);
/* Case index's leave-one-out p_in_spec as the "In spec" column shows it; NaN without limits, before the worker
 * is done, or for a case outside the per-case sample. */
double    cs_case_table_get_case_p_in_spec (CsCaseTable *self,
                                            gsize        index);

/* ---- Shared by cs-case-table.c, cs-case-table-cells.c and cs-case-table-jobs.c ------------------------ */

/* No column asked yet: the probe's empty answer (column ids are -4 .. d). */
#define CS_CASE_TABLE_PROBE_NONE G_MININT

struct _CsCaseTable
{
  GtkWidget parent_instance;

  /* Template widgets */
  GtkWidget *box;
  GtkWidget *search_entry;
  GtkWidget *flag_filter;
  GtkWidget *spec_filter;       /* all / in spec / out of spec / borderline, beside the verdict filter */
  GtkWidget *count_label;
  GtkWidget *column_view;

  CsCaseBase *cases;
  CsEngine *engine;
  CsIntervalSpec spec;          /* the default level and this case base's spec limits */

  GtkSingleSelection *selection;
  GtkFilterListModel *filter_model;
  GtkCustomFilter *filter;
  CsCaseList *case_list;        /* borrowed from the filter model */
  guint *inverse;               /* case index -> position in case_list, NULL in file order */
  GHashTable *flag_labels;      /* bound flag-column labels -> case index + 1 */
  GHashTable *cell_lines;       /* every bound cell label -> its case's physical line (the context menu) */
  GHashTable *spec_labels;      /* bound "In spec" labels -> case index + 1 */
  GtkColumnViewColumn *spec_column; /* borrowed from the column view; hidden without limits */
  gssize selected;              /* the table's case (the user's choice or cs_case_table_select's), -1 for none */
  gboolean selected_shown;      /* its row is the selected row (FALSE: filtered out or not back yet) */
  gboolean reselect;            /* the rows were reordered: select the selected case again once its row is back */
  guint reselect_id;            /* idle of that, once the filter is done */
  GPtrArray *hidden_columns;    /* feature columns not shown yet (rebuild_table), revealed a few a frame */
  guint reveal_id;              /* the tick callback revealing them */
  gboolean quiet;               /* selection changes now are not the user's (reordering, cs_case_table_select) */
  gboolean disposed;

  /* Sorting: the column the view sorts by is learnt by asking its sorter once (probe_column), the rows are
   * ordered in a worker. */
  GCancellable *sort_cancellable;
  gboolean sorting;
  gboolean probing;
  int probe_column;

  /* The "In spec" column */
  double *case_p_in_spec;       /* n leave-one-out p_in_spec (NaN: not computed, outside the per-case sample or
                                 * no prediction); NULL without limits or while computing */
  GCancellable *spec_cancellable;
  gboolean spec_pending;
};

/* cs-case-table.c */
void                 _cs_case_table_filter_changed      (CsCaseTable     *self);
/* After a reorder: the filter brings the rows back in steps, the selected case is selected again when its row is
 * back (now, or once the filter is done). */
void                 _cs_case_table_reselect            (CsCaseTable     *self);
/* cs-case-table-cells.c */
char                *_cs_case_table_column_title        (const char      *name,
                                                         const char      *unit);
GtkColumnViewColumn *_cs_case_table_add_column          (CsCaseTable     *self,
                                                         const char      *title,
                                                         int              column);
gboolean             _cs_case_table_has_verdicts        (CsCaseTable     *self,
                                                         gsize            i);
void                 _cs_case_table_refresh_flag_labels (CsCaseTable     *self);
void                 _cs_case_table_refresh_spec_labels (CsCaseTable     *self);
/* cs-case-table-jobs.c: the view's sorter changed (a column header was clicked): sort in a worker. */
void                 _cs_case_table_sorter_changed      (GtkSorter       *sorter,
                                                         GtkSorterChange  change,
                                                         CsCaseTable     *self);
/* Limits, engine or case base changed: drop the old shares and compute the new ones (or hide the column). */
void                 _cs_case_table_refresh_case_spec   (CsCaseTable     *self);

G_END_DECLS
