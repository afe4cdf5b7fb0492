/* cs-follow-panel.h: "Follow this file": the window's page for a case base a line's logger appends to.
 *
 * The panel watches the file (GFileMonitor, and a timer besides: notifications are not delivered in every
 * container or network file system), reads and predicts appended rows in a worker (cs-csv-follow.h,
 * cs-engine-follow.h: one worker at a time, so the follower and the follow state have one owner), lists the
 * predictions that wait for their outcome and draws recent predictions against actual outcomes
 * (cs_follow_strip_render). Joins make new snapshots; the window's pages keep the one they show until the user
 * asks for the grown one ("Show the grown case base") or the file is reloaded, when "engine-changed" fires.
 * Cases set aside in FILE.exclusions.json (read at the start and whenever it changes) never join or count. */
#pragma once

#include <gtk/gtk.h>

#include "cs-engine-follow.h"

G_BEGIN_DECLS

#define CS_TYPE_FOLLOW_PANEL (cs_follow_panel_get_type ())
G_DECLARE_FINAL_TYPE (CsFollowPanel, cs_follow_panel, CS, FOLLOW_PANEL, GtkBox)

/* Follow path, whose case base engine was built over (its metric and standardisation are kept; a file that
 * changed since is loaded again with them). target: the outcome column's name. Starts at once. */
GtkWidget  *cs_follow_panel_new          (const char    *path,
                                          CsEngine      *engine,
                                          gboolean       dark);
/* Stop watching (the worker running finishes and its result is dropped). */
void        cs_follow_panel_stop         (CsFollowPanel *self);
/* The newest snapshot as of the last finished worker (borrowed), NULL before the start finished. */
CsEngine   *cs_follow_panel_get_engine   (CsFollowPanel *self);
/* TRUE while a worker runs or a change waits for one. */
gboolean    cs_follow_panel_is_busy      (CsFollowPanel *self);
/* Every event so far (CsFollowEvent*, oldest first, borrowed), for tests and exports. */
GPtrArray  *cs_follow_panel_get_events   (CsFollowPanel *self);
/* Waiting predictions (borrowed CsFollowEvent*), NULL while a worker runs (it changes them). */
GPtrArray  *cs_follow_panel_get_waiting  (CsFollowPanel *self);
guint       cs_follow_panel_get_reloads  (CsFollowPanel *self);
/* The last problem or notice line shown ("line.csv:34:2: ..."), or "". */
const char *cs_follow_panel_get_status   (CsFollowPanel *self);
/* The last drift alarm in words (live, cs_follow_alarms), or NULL before any fired. */
const char *cs_follow_panel_get_drift    (CsFollowPanel *self);
/* The interval level and spec limits of the predictions from now on (the window's, per case-base file; NULL: level
 * 0.9, no limits): each waiting row then lists its interval and, with limits, p_in_spec in words. */
void        cs_follow_panel_set_spec     (CsFollowPanel        *self,
                                          const CsIntervalSpec *spec);
void        cs_follow_panel_set_dark     (CsFollowPanel *self,
                                          gboolean       dark);

G_END_DECLS
