/* fuzz-replay.c: runs a libFuzzer target without libFuzzer: its seed corpus, then random inputs.
 *
 * Linked with one tests/fuzz/fuzz-*.c file; the unit suite (and the valgrind setup) run every
 * target this way, so a crash file dropped into the corpus folder is a regression test.
 * Usage: fuzz-replay-TARGET CORPUS_DIR [g_test options]
 */
#define G_LOG_DOMAIN "fuzz-replay"

#include "config.h"

#include <stdint.h>
#include <string.h>

#include <glib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char *corpus_dir;

/* With CS_FUZZ_DUMP=FILE, each random input is written there before it runs: after a crash,
 * FILE holds the input to add to the corpus as a regression test. */
static void
run_one (const guint8 *data,
         gsize         len)
{
  const char *dump = g_getenv ("CS_FUZZ_DUMP");

  if (dump != NULL)
    g_file_set_contents (dump, (const char *) data, (gssize) len, NULL);
  LLVMFuzzerTestOneInput (data, len);
}

static void
test_corpus (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (corpus_dir, 0, &error);
  const char *name;
  guint files = 0;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (corpus_dir, name, NULL);
      g_autofree char *data = NULL;
      gsize len = 0;

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        continue;
      g_file_get_contents (path, &data, &len, &error);
      g_assert_no_error (error);
      g_test_message ("input %s (%" G_GSIZE_FORMAT " bytes)", name, len);
      /* a copy of exactly len bytes, so ASan / valgrind see reads past the end */
      {
        g_autofree guint8 *copy = g_memdup2 (data, len);
        LLVMFuzzerTestOneInput (copy, len);
      }
      files++;
    }
  g_assert_cmpuint (files, >, 0);
}

static void
test_random (void)
{
  /* fewer under valgrind, which runs about 30x slower */
  guint count = g_getenv ("CS_UNDER_VALGRIND") != NULL ? 60 : 600;

  for (guint i = 0; i < count; i++)
    {
      gsize len = (gsize) g_test_rand_int_range (0, i % 10 == 0 ? 8192 : 600);
      g_autofree guint8 *buf = g_malloc (len + 1);

      for (gsize j = 0; j < len; j++)
        buf[j] = (guint8) g_test_rand_int_range (0, 256);
      run_one (buf, len);
    }
  LLVMFuzzerTestOneInput (NULL, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    {
      g_printerr ("usage: %s CORPUS_DIR\n", argv[0]);
      return 1;
    }
  corpus_dir = g_strdup (argv[1]);
  g_test_add_func ("/cs/reliability/fuzz-replay/corpus", test_corpus);
  g_test_add_func ("/cs/reliability/fuzz-replay/random", test_random);
  {
    int status = g_test_run ();
    g_free (corpus_dir);
    return status;
  }
}
