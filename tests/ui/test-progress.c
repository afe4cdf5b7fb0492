/* test-progress.c: the progress object coalesces reports from workers onto the main loop and drops late ones. */
#include "config.h"

#include <gtk/gtk.h>

#include "cs-progress.h"

#define N_REPORTS 20000

static guint notified_fraction;

static void
count_cb (GObject    *object,
          GParamSpec *pspec,
          gpointer    user_data)
{
  notified_fraction++;
}

static gpointer
worker (gpointer data)
{
  CsProgress *progress = data;

  for (int i = 1; i <= N_REPORTS; i++)
    cs_progress_report (progress, (double) i / N_REPORTS, i == N_REPORTS ? "last stage" : NULL);
  return NULL;
}

static void
test_coalesced (void)
{
  g_autoptr(CsProgress) progress = cs_progress_new ();
  GThread *thread;

  g_signal_connect (progress, "notify::fraction", G_CALLBACK (count_cb), NULL);
  cs_progress_begin (progress, "loading");
  g_assert_true (cs_progress_get_active (progress));
  g_assert_cmpstr (cs_progress_get_message (progress), ==, "loading");

  thread = g_thread_new ("worker", worker, progress);
  g_thread_join (thread);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  /* The worker ran to the end before the main loop ran: one idle carried its last report. */
  g_assert_cmpfloat (cs_progress_get_fraction (progress), ==, 1.0);
  g_assert_cmpstr (cs_progress_get_message (progress), ==, "last stage");
  g_assert_cmpuint (notified_fraction, <, 10);
  g_assert_cmpuint (notified_fraction, >=, 1);
}

static void
test_late_report_dropped (void)
{
  g_autoptr(CsProgress) progress = cs_progress_new ();
  g_autofree char *text = NULL;

  cs_progress_begin (progress, "fitting");
  cs_progress_report (progress, 0.5, "half");
  cs_progress_end (progress);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (cs_progress_get_active (progress));
  g_assert_cmpfloat (cs_progress_get_fraction (progress), ==, 0.0);
  g_assert_cmpstr (cs_progress_get_message (progress), ==, "fitting");
  g_assert_cmpfloat (cs_progress_get_elapsed (progress), ==, 0.0);

  cs_progress_begin (progress, "again");
  cs_progress_report (progress, 2.0, NULL);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpfloat (cs_progress_get_fraction (progress), ==, 1.0);   /* clamped */
  text = cs_progress_dup_time_text (progress);
  g_assert_true (g_str_has_suffix (text, "so far") || g_str_has_suffix (text, "so far)"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cs/ui/progress/coalesced", test_coalesced);
  g_test_add_func ("/cs/ui/progress/late-report-dropped", test_late_report_dropped);
  return g_test_run ();
}
