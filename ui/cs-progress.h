/* cs-progress.h: one progress object for every long task (fraction and message, coalesced onto the main loop). */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CS_TYPE_PROGRESS (cs_progress_get_type ())
G_DECLARE_FINAL_TYPE (CsProgress, cs_progress, CS, PROGRESS, GObject)

/* Reports from worker threads are stored under a lock and applied on the main context the object was made on, in
 * at most one pending idle at G_PRIORITY_LOW (as Sysprof relays its recorder's progress): a worker that reports a
 * million times costs the main loop one redraw per frame, and the properties "fraction", "message" and "active"
 * change, and notify, on the main thread only. */
CsProgress *cs_progress_new              (void);

/* Main thread. begin resets the fraction to 0, sets the message and "active"; end clears "active". A report that
 * arrives after end (a worker's last words racing its completion) is dropped. */
void        cs_progress_begin            (CsProgress  *self,
                                          const char  *message);
void        cs_progress_end              (CsProgress  *self);

/* Any thread. message may be NULL (keep the current one). */
void        cs_progress_report           (CsProgress  *self,
                                          double       fraction,
                                          const char  *message);

/* The engine's CsEngineProgress signature, user_data a CsProgress. */
void        cs_progress_engine_cb        (double       fraction,
                                          const char  *stage,
                                          gpointer     progress);

double      cs_progress_get_fraction     (CsProgress  *self);
const char *cs_progress_get_message      (CsProgress  *self);
gboolean    cs_progress_get_active       (CsProgress  *self);
/* Seconds since begin (0 when not active). */
double      cs_progress_get_elapsed      (CsProgress  *self);
/* "40 % done, about 12 s left (8.0 s so far)", or "0.2 s so far" before there is enough to estimate. */
char       *cs_progress_dup_time_text    (CsProgress  *self);

/* Binds a progress bar to the object: its fraction, its text (the message) and its visibility ("active"). */
void        cs_progress_bind_bar         (CsProgress     *self,
                                          GtkProgressBar *bar);

G_END_DECLS
