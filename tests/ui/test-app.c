/* test-app.c: the casescope executable itself: version, option errors, an offscreen screenshot of each page. */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <string.h>
#include <sys/wait.h>

static const char *app_path;

static int
run (const char * const *args,
     char              **out,
     char              **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_ptr_array_add (argv, (gpointer) app_path);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status,
                               &error));
  g_assert_no_error (error);
  return g_spawn_check_wait_status (status, NULL) ? 0 : WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
test_version_and_usage (void)
{
  g_autofree char *out = NULL, *err = NULL;
  const char *version[] = { "--version", NULL };
  const char *bad_page[] = { "--page", "nowhere", "--screenshot", "/nonexistent/x.png", NULL };
  const char *bad_sample[] = { "--sample", "nothing", NULL };
  /* The letter O for a zero, and limits the wrong way round: refused before any window opens. */
  const char *bad_spec[] = { "--spec-lower", "250", "--spec-upper", "3O0", "--screenshot", "/nonexistent/x.png",
                             NULL };
  const char *crossed_spec[] = { "--spec-lower", "300", "--spec-upper", "250", "--screenshot", "/nonexistent/x.png",
                                 NULL };

  g_test_summary ("--version prints the version; an unknown page or sample, or spec limits that are not numbers "
                  "or are crossed, exit 2 with a message");
  g_assert_cmpint (run (version, &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "casescope " PACKAGE_VERSION "\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (bad_page, &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "unknown page"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (bad_sample, &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "unknown sample"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (bad_spec, &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--spec-upper wants a number"));
  g_assert_nonnull (strstr (err, "“3O0”"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (crossed_spec, &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "must be below"));
}

static void
test_screenshots (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-app-XXXXXX", NULL);
  const char *pages[] = { "operator", "manager" };

  g_test_summary ("The real app renders each page offscreen to a PNG and exits 0");
  for (guint p = 0; p < G_N_ELEMENTS (pages); p++)
    {
      g_autofree char *path = g_strdup_printf ("%s/%s.png", dir, pages[p]);
      g_autofree char *out = NULL, *err = NULL;
      const char *args[] = { "--sample", p == 0 ? "kiln" : "press-line", "--page", pages[p], "--case", "3",
                             "--screenshot", path, NULL };
      g_autoptr(GdkTexture) texture = NULL;
      g_autoptr(GError) error = NULL;

          if (run (args, &out, &err) != 0)
        g_error ("casescope failed: %s", err);
      texture = gdk_texture_new_from_filename (path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (gdk_texture_get_width (texture), >=, 800);
      g_assert_cmpint (gdk_texture_get_height (texture), >=, 500);
      g_remove (path);
    }
  /* An unwritable target is a failure, not a silent success. */
  {
    g_autofree char *path = g_strdup_printf ("%s/missing/shot.png", dir);
    g_autofree char *out = NULL, *err = NULL;
    const char *args[] = { "--sample", "kiln", "--screenshot", path, NULL };

    g_assert_cmpint (run (args, &out, &err), ==, 1);
    g_assert_nonnull (strstr (err, "could not write the screenshot"));
  }
  g_rmdir (dir);
}

/* --follow FILE with --screenshot: the file is imported and followed; the app says "following PATH" once it
 * watches it, rows appended then are read, and the shot is written. */
static void
test_follow (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-app-XXXXXX", NULL);
  g_autofree char *csv = g_build_filename (dir, "line.csv", NULL);
  g_autofree char *png = g_build_filename (dir, "follow.png", NULL);
  g_autofree char *expected = g_strdup_printf ("following %s\n", csv);
  g_autofree char *line = NULL;
  g_autoptr(GString) text = g_string_new ("batch,temperature,pressure,strength\n");
  g_autoptr(GIOChannel) channel = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { app_path, "--follow", "--screenshot", png, csv, NULL };
  GPid pid;
  int out_fd = -1, status = 0;
  FILE *f;

  g_test_summary ("--follow FILE imports and follows the file; a screenshot run says when it watches and exits 0");
  for (int i = 0; i < 60; i++)
    {
      double t = 160 + (i * 37) % 80, p = 1 + (i * 13) % 40 / 10.0;
      g_string_append_printf (text, "B%02d,%.1f,%.2f,%.3f\n", i, t, p, 0.1 * t + 2 * p + (i % 7 - 3) * 0.1);
    }
  g_assert_true (g_file_set_contents (csv, text->str, -1, NULL));
  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
                                           NULL, &out_fd, NULL, &error));
  g_assert_no_error (error);
  channel = g_io_channel_unix_new (out_fd);
  g_io_channel_set_close_on_unref (channel, TRUE);
  g_assert_cmpint (g_io_channel_read_line (channel, &line, NULL, NULL, &error), ==, G_IO_STATUS_NORMAL);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, expected);
  /* Two waiting rows and the first one's completion, in one write as a logger would. */
  f = fopen (csv, "a");
  g_assert_nonnull (f);
  fputs ("Q1,201.0,3.20,\nQ2,175.0,2.00,\nQ1,201.0,3.20,26.5\n", f);
  g_assert_cmpint (fclose (f), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  texture = gdk_texture_new_from_filename (png, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), >=, 800);
  g_remove (png);
  g_remove (csv);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    {
      g_printerr ("usage: test-app PATH-TO-CASESCOPE\n");
      return 1;
    }
  app_path = argv[1];
  /* GTK 4.8's GtkRecentManager leaks a GDateTime when it clamps the recent list to its maximum age, which it
   * does at shutdown; the app under test reads its GTK settings from the test's config home. */
  {
    g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "gtk-4.0", NULL);
    g_autofree char *ini = g_build_filename (dir, "settings.ini", NULL);
    g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
    g_assert_true (g_file_set_contents (ini, "[Settings]\ngtk-recent-files-max-age=-1\n", -1, NULL));
  }
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }
  g_test_add_func ("/cs/ui/app/version-and-usage", test_version_and_usage);
  g_test_add_func ("/cs/ui/app/screenshots", test_screenshots);
  g_test_add_func ("/cs/ui/app/follow", test_follow);
  return g_test_run ();
}
