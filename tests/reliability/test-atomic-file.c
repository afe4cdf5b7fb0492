/* test-atomic-file.c: no data lost when an output cannot be written. */
#define G_LOG_DOMAIN "test-atomic-file"
#define _GNU_SOURCE   /* unshare () */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "cs-atomic-file.h"
#include "cs-data-error.h"

/* A fresh folder per test, removed (with anything left in it) at the end. */
typedef struct
{
  char *dir;
} Fixture;

static void
rm_rf (const char *path)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode))
    {
      GDir *d = g_dir_open (path, 0, NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          rm_rf (child);
        }
      if (d != NULL)
        g_dir_close (d);
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("cs-rel-atomic-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  rm_rf (f->dir);
  g_free (f->dir);
}

/* Sorted, comma-joined names in a folder: "" when empty. */
static char *
list_dir (const char *dir)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_dir_close (d);
  for (guint i = 1; i < names->len; i++)
    for (guint j = i; j > 0 && strcmp (names->pdata[j - 1], names->pdata[j]) > 0; j--)
      {
        gpointer t = names->pdata[j];
        names->pdata[j] = names->pdata[j - 1];
        names->pdata[j - 1] = t;
      }
  g_ptr_array_add (names, NULL);
  return g_strjoinv (",", (char **) names->pdata);
}

static void
write_plain (const char *path,
             const char *content)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, content, -1, &error);
  g_assert_no_error (error);
}

static void
assert_content (const char *path,
                const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;

  g_file_get_contents (path, &text, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, ==, strlen (expected));
  g_assert_cmpstr (text, ==, expected);
}

/* A payload of len bytes that changes with the seed, so a stale or partial file cannot pass. */
static char *
payload (gsize   len,
         guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  char *buf = g_malloc (len + 1);

  for (gsize i = 0; i < len; i++)
    buf[i] = (char) ('a' + g_rand_int_range (rand, 0, 26));
  if (len > 0)
    buf[len - 1] = '\n';
  buf[len] = '\0';
  return buf;
}

/* ---- successes, as the baseline the failure cases are measured against ---- */

static void
test_replace_ok (Fixture      *f,
                 gconstpointer data)
{
  g_autofree char *target = g_build_filename (f->dir, "out.csv", NULL);
  guint32 seed = g_test_rand_int ();

  write_plain (target, "old content\n");
  for (int round = 0; round < 5; round++)
    {
      g_autoptr(GError) error = NULL;
      gsize len = (gsize) g_test_rand_int_range (0, 200000);
      g_autofree char *text = payload (len, seed + (guint32) round);
      g_autofree char *listing = NULL;

      g_assert_true (cs_atomic_write (target, NULL, text, len, &error));
      g_assert_no_error (error);
      assert_content (target, text);
      listing = list_dir (f->dir);
      g_assert_cmpstr (listing, ==, "out.csv");
    }
}

static void
test_stream_abort (Fixture      *f,
                   gconstpointer data)
{
  g_autofree char *target = g_build_filename (f->dir, "model.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *listing = NULL;
  g_autofree char *temp = NULL;
  CsAtomicFile *af;

  write_plain (target, "{\"old\": true}\n");
  af = cs_atomic_file_begin (target, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (af);
  temp = g_strdup (cs_atomic_file_get_temp_path (af));
  /* the temporary file is in the target's folder (so rename is atomic), not the target */
  {
    g_autofree char *tdir = g_path_get_dirname (temp);
    g_assert_cmpstr (tdir, ==, f->dir);
    g_assert_cmpstr (temp, !=, target);
  }
  fputs ("{\"new\": tru", cs_atomic_file_get_stream (af));
  fflush (cs_atomic_file_get_stream (af));
  g_assert_true (g_file_test (temp, G_FILE_TEST_EXISTS));
  /* until commit, the old file is what a reader sees */
  assert_content (target, "{\"old\": true}\n");
  cs_atomic_file_abort (af);
  g_assert_false (g_file_test (temp, G_FILE_TEST_EXISTS));
  assert_content (target, "{\"old\": true}\n");
  listing = list_dir (f->dir);
  g_assert_cmpstr (listing, ==, "model.json");
}

/* ---- refusals: nothing written, nothing left ---- */

static void
assert_write_fails (const char *target,
                    const char *const *protected_paths,
                    int         expected_code,
                    const char *must_mention)
{
  g_autoptr(GError) error = NULL;
  const char *text = "new content that must not appear\n";

  g_assert_false (cs_atomic_write (target, protected_paths, text, strlen (text), &error));
  g_assert_error (error, CS_DATA_ERROR, expected_code);
  g_assert_nonnull (strstr (error->message, must_mention));
}

static void
test_refuse_input (Fixture      *f,
                   gconstpointer data)
{
  g_autofree char *input = g_build_filename (f->dir, "cases.csv", NULL);
  g_autofree char *soft = g_build_filename (f->dir, "link.csv", NULL);
  g_autofree char *hard = g_build_filename (f->dir, "hard.csv", NULL);
  g_autofree char *sub = g_build_filename (f->dir, "sub", NULL);
  g_autofree char *dotted = g_build_filename (f->dir, "sub", "..", "cases.csv", NULL);
  g_autofree char *other = g_build_filename (f->dir, "other.csv", NULL);
  g_autofree char *listing = NULL;
  const char *protect[] = { other, input, NULL };
  const char *content = "a,b,y\n1,2,3\n4,5,6\n";

  write_plain (input, content);
  write_plain (other, "x\n");
  g_assert_cmpint (symlink ("cases.csv", soft), ==, 0);
  g_assert_cmpint (link (input, hard), ==, 0);
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);

  /* the same file by its name, a symbolic link, a hard link and a detour */
  assert_write_fails (input, protect, CS_DATA_ERROR_WOULD_OVERWRITE, "cases.csv");
  assert_write_fails (soft, protect, CS_DATA_ERROR_WOULD_OVERWRITE, "link.csv");
  assert_write_fails (hard, protect, CS_DATA_ERROR_WOULD_OVERWRITE, "hard.csv");
  assert_write_fails (dotted, protect, CS_DATA_ERROR_WOULD_OVERWRITE, "cases.csv");
  assert_content (input, content);
  assert_content (other, "x\n");
  listing = list_dir (f->dir);
  g_assert_cmpstr (listing, ==, "cases.csv,hard.csv,link.csv,other.csv,sub");

  /* a different file next to the protected one is allowed */
  {
    g_autofree char *free_target = g_build_filename (f->dir, "export.csv", NULL);
    g_autoptr(GError) error = NULL;
    g_assert_true (cs_atomic_write (free_target, protect, "ok\n", 3, &error));
    g_assert_no_error (error);
    assert_content (free_target, "ok\n");
  }
}

static void
test_missing_folder (Fixture      *f,
                     gconstpointer data)
{
  g_autofree char *target = g_build_filename (f->dir, "no-such-folder", "out.png", NULL);
  g_autofree char *listing = NULL;

  assert_write_fails (target, NULL, CS_DATA_ERROR_WRITE, "no-such-folder");
  g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));
  listing = list_dir (f->dir);
  g_assert_cmpstr (listing, ==, "");
}

static void
test_parent_is_file (Fixture      *f,
                     gconstpointer data)
{
  g_autofree char *file = g_build_filename (f->dir, "plain", NULL);
  g_autofree char *target = g_build_filename (f->dir, "plain", "out.pdf", NULL);
  g_autofree char *listing = NULL;

  write_plain (file, "I am a file\n");
  assert_write_fails (target, NULL, CS_DATA_ERROR_WRITE, "out.pdf");
  assert_content (file, "I am a file\n");
  listing = list_dir (f->dir);
  g_assert_cmpstr (listing, ==, "plain");
}

static void
test_target_is_folder (Fixture      *f,
                       gconstpointer data)
{
  g_autofree char *target = g_build_filename (f->dir, "charts", NULL);
  g_autofree char *inner = g_build_filename (target, "keep.txt", NULL);
  g_autofree char *listing = NULL;
  g_autofree char *inner_listing = NULL;

  g_assert_cmpint (g_mkdir (target, 0755), ==, 0);
  write_plain (inner, "keep\n");
  assert_write_fails (target, NULL, CS_DATA_ERROR_WRITE, "charts");
  g_assert_true (g_file_test (target, G_FILE_TEST_IS_DIR));
  assert_content (inner, "keep\n");
  listing = list_dir (f->dir);
  g_assert_cmpstr (listing, ==, "charts");
  inner_listing = list_dir (target);
  g_assert_cmpstr (inner_listing, ==, "keep.txt");
}

static void
test_empty_name (Fixture      *f,
                 gconstpointer data)
{
  assert_write_fails ("", NULL, CS_DATA_ERROR_WRITE, "No output file");
}

/* /proc is a read-only folder even for root: a real "cannot create here" case. */
static void
test_readonly_proc (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  const char *text = "x\n";

  if (!g_file_test ("/proc/self", G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("no /proc");
      return;
    }
  g_assert_false (cs_atomic_write ("/proc/self/casescope-out.csv", NULL, text, 2, &error));
  g_assert_error (error, CS_DATA_ERROR, CS_DATA_ERROR_WRITE);
  g_assert_nonnull (strstr (error->message, "casescope-out.csv"));
  g_assert_false (g_file_test ("/proc/self/casescope-out.csv", G_FILE_TEST_EXISTS));
}

/* ---- a full disk: RLIMIT_FSIZE in a child, where writes past the limit fail with EFBIG ---- */

/* Subprocess tests: the parent makes the folder and passes it in the environment. */
static const char *
child_dir (void)
{
  const char *dir = g_getenv ("CS_REL_DIR");

  if (dir == NULL)
    exit (99);
  return dir;
}

static char *
parent_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("cs-rel-atomic-XXXXXX", &error);

  g_assert_no_error (error);
  g_setenv ("CS_REL_DIR", dir, TRUE);
  return dir;
}

static void
child_write_over_limit (void)
{
  struct rlimit rl = { 64 * 1024, 64 * 1024 };
  g_autofree char *target = g_build_filename (child_dir (), "export.csv", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  signal (SIGXFSZ, SIG_IGN);   /* otherwise the kernel kills us instead of failing the write */
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &rl), ==, 0);

  /* Just over the limit, or far over it: both must fail and leave nothing. */
  len = 64 * 1024 + 1 + (gsize) g_random_int_range (0, 3) * 1000000;
  text = payload (len, 7);
  if (cs_atomic_write (target, NULL, text, len, &error))
    {
      g_printerr ("write of %" G_GSIZE_FORMAT " bytes succeeded over a %d-byte limit\n", len, 64 * 1024);
      exit (10);
    }
  g_printerr ("expected error: %s\n", error->message);
  if (!g_error_matches (error, CS_DATA_ERROR, CS_DATA_ERROR_WRITE) || strstr (error->message, "export.csv") == NULL)
    exit (11);

  /* The streaming interface fails the same way, at commit at the latest. */
  {
    g_autoptr(GError) error2 = NULL;
    CsAtomicFile *af = cs_atomic_file_begin (target, NULL, &error2);
    FILE *out;

    if (af == NULL)
      exit (12);
    out = cs_atomic_file_get_stream (af);
    for (int i = 0; i < 2000; i++)
      fprintf (out, "%d,%.17g,%.17g\n", i, i * 0.1, i * 1e-7);
    for (int i = 0; i < 40; i++)
      fputs (text, out);   /* errors ignored here on purpose: commit must notice */
    if (cs_atomic_file_commit (af, &error2))
      exit (13);
    g_printerr ("expected error: %s\n", error2->message);
  }
  exit (0);
}

static void
test_full_disk_rlimit (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *target = NULL;
  g_autofree char *listing = NULL;
  g_autofree char *old = NULL;

  if (g_test_subprocess ())
    {
      child_write_over_limit ();
      return;
    }
  dir = parent_dir ();
  target = g_build_filename (dir, "export.csv", NULL);
  old = payload (5000, g_test_rand_int ());
  write_plain (target, old);
  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*expected error:*export.csv*expected error:*export.csv*");
  assert_content (target, old);
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "export.csv");
  rm_rf (dir);
}

/* ---- a real full disk and a read-only folder: a small tmpfs in a private mount namespace ---- */

/* In a child process: a private mount namespace so nothing leaks to the system. FALSE if not permitted. */
static gboolean
private_tmpfs (const char *dir,
               const char *options,
               unsigned long flags)
{
  if (unshare (CLONE_NEWNS) != 0)
    return FALSE;
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    return FALSE;
  return mount ("tmpfs", dir, "tmpfs", flags, options) == 0;
}

/* Probe in a throw-away child (only system calls before _exit). */
static gboolean
can_private_mount (void)
{
  char probe[] = "/tmp/cs-rel-probe-XXXXXX";
  gboolean ok = FALSE;
  pid_t pid;
  int status = 0;

  if (g_mkdtemp (probe) == NULL)
    return FALSE;
  pid = fork ();
  if (pid == 0)
    _exit (private_tmpfs (probe, "size=16k", 0) ? 0 : 1);
  if (pid > 0 && waitpid (pid, &status, 0) == pid)
    ok = WIFEXITED (status) && WEXITSTATUS (status) == 0;
  g_rmdir (probe);
  return ok;
}

static void
child_tmpfs_full (const char *dir)
{
  g_autofree char *target = g_build_filename (dir, "chart.png", NULL);
  g_autofree char *listing = NULL;
  g_autofree char *old = payload (20000, 99);
  g_autofree char *big = payload (1 << 20, 5);
  g_autoptr(GError) error = NULL;

  if (!private_tmpfs (dir, "size=128k,mode=0755", 0))
    {
      g_printerr ("cannot mount in the child\n");
      exit (40);
    }
  write_plain (target, old);
  if (cs_atomic_write (target, NULL, big, 1 << 20, &error))
    exit (20);
  if (!g_error_matches (error, CS_DATA_ERROR, CS_DATA_ERROR_WRITE) || strstr (error->message, "chart.png") == NULL)
    exit (21);
  g_printerr ("expected error: %s\n", error->message);
  assert_content (target, old);
  listing = list_dir (dir);
  if (g_strcmp0 (listing, "chart.png") != 0)
    {
      g_printerr ("left behind: %s\n", listing);
      exit (22);
    }
  /* once the disk has room again, the same write goes through */
  g_clear_error (&error);
  if (!cs_atomic_write (target, NULL, big, 64 * 1024, &error))
    exit (23);
  g_print ("mounted\n");
  exit (0);
}

static void
test_full_disk_tmpfs (void)
{
  g_autofree char *dir = NULL;

  if (g_test_subprocess ())
    {
      child_tmpfs_full (child_dir ());
      return;
    }
  if (!can_private_mount ())
    {
      g_test_skip ("cannot mount a private tmpfs here (needs CAP_SYS_ADMIN and unshare, which valgrind does not pass on); covered by RLIMIT_FSIZE");
      return;
    }
  dir = parent_dir ();
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  rm_rf (dir);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*mounted*");
}

static void
child_tmpfs_readonly (const char *dir)
{
  g_autofree char *target = g_build_filename (dir, "settings.ini", NULL);
  g_autoptr(GError) error = NULL;

  /* first a writable tmpfs with the old file, then remounted read-only */
  if (!private_tmpfs (dir, "size=64k,mode=0755", 0))
    {
      g_printerr ("cannot mount in the child\n");
      exit (40);
    }
  write_plain (target, "[old]\nkeep=1\n");
  if (mount (NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL) != 0)
    {
      g_printerr ("cannot mount in the child\n");
      exit (40);
    }
  if (cs_atomic_write (target, NULL, "[new]\n", 6, &error))
    exit (30);
  if (!g_error_matches (error, CS_DATA_ERROR, CS_DATA_ERROR_WRITE) || strstr (error->message, "settings.ini") == NULL)
    exit (31);
  g_printerr ("expected error: %s\n", error->message);
  assert_content (target, "[old]\nkeep=1\n");
  {
    g_autofree char *listing = list_dir (dir);
    if (g_strcmp0 (listing, "settings.ini") != 0)
      exit (32);
  }
  g_print ("mounted\n");
  exit (0);
}

static void
test_readonly_tmpfs (void)
{
  g_autofree char *dir = NULL;

  if (g_test_subprocess ())
    {
      child_tmpfs_readonly (child_dir ());
      return;
    }
  if (!can_private_mount ())
    {
      g_test_skip ("cannot mount a private tmpfs here (needs CAP_SYS_ADMIN and unshare, which valgrind does not pass on); covered by /proc");
      return;
    }
  dir = parent_dir ();
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  rm_rf (dir);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*mounted*");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add ("/cs/reliability/atomic/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("replace-ok", test_replace_ok);
  ADD ("stream-abort", test_stream_abort);
  ADD ("refuse-input", test_refuse_input);
  ADD ("missing-folder", test_missing_folder);
  ADD ("parent-is-file", test_parent_is_file);
  ADD ("target-is-folder", test_target_is_folder);
  ADD ("empty-name", test_empty_name);
  ADD ("readonly-proc", test_readonly_proc);
#undef ADD
  g_test_add_func ("/cs/reliability/atomic/full-disk-rlimit", test_full_disk_rlimit);
  g_test_add_func ("/cs/reliability/atomic/full-disk-tmpfs", test_full_disk_tmpfs);
  g_test_add_func ("/cs/reliability/atomic/readonly-tmpfs", test_readonly_tmpfs);

  return g_test_run ();
}
