/* bench-csv.c: CSV import speed against a plain fgets + g_ascii_strtod loop (and pandas). */
#define G_LOG_DOMAIN "bench-csv"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <glib/gstdio.h>

#include "cs-csv-loader.h"

static const char *
loadavg (void)
{
  static char text[64] = "unknown\n";
  FILE *f = fopen ("/proc/loadavg", "r");

  if (f != NULL)
    {
      if (fgets (text, sizeof text, f) == NULL)
        strcpy (text, "unknown\n");
      fclose (f);
    }
  return text;
}

static double
cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* 16 columns of %.6f, like a historian export; size in MB from CS_BENCH_MB (default 100). */
static gsize
write_file (const char *path,
            gsize       mb)
{
  FILE *f = fopen (path, "w");
  GRand *rand = g_rand_new_with_seed (20261128);
  gsize rows = 0, bytes = 0;

  g_assert_nonnull (f);
  for (int j = 0; j < 16; j++)
    bytes += (gsize) fprintf (f, "%sx%d", j > 0 ? "," : "", j + 1);
  bytes += (gsize) fprintf (f, "\n");
  while (bytes < mb * 1000000)
    {
      char line[512];
      gsize len = 0;
      for (int j = 0; j < 16; j++)
        {
          char num[G_ASCII_DTOSTR_BUF_SIZE];
          double scale = j % 4 == 0 ? 1000.0 : j % 4 == 1 ? 1.0 : j % 4 == 2 ? 0.001 : 50000.0;
          g_ascii_formatd (num, sizeof num, "%.6f", g_rand_double_range (rand, -scale, scale));
          len += (gsize) g_snprintf (line + len, sizeof line - len, "%s%s", j > 0 ? "," : "", num);
        }
      line[len++] = '\n';
      fwrite (line, 1, len, f);
      bytes += len;
      rows++;
    }
  fclose (f);
  g_rand_free (rand);
  return rows;
}

/* The reference: what a straightforward importer does. */
static double
reference_loop (const char *path,
                gsize      *values,
                double     *sum)
{
  FILE *f = fopen (path, "r");
  char line[4096];
  gint64 t0 = g_get_monotonic_time ();
  gboolean header = TRUE;

  *values = 0;
  *sum = 0;
  while (fgets (line, sizeof line, f) != NULL)
    {
      char *p = line, *end;
      if (header)
        {
          header = FALSE;
          continue;
        }
      for (;;)
        {
          double v = g_ascii_strtod (p, &end);
          if (end == p)
            break;
          *sum += v;
          (*values)++;
          p = end;
          if (*p != ',')
            break;
          p++;
        }
    }
  fclose (f);
  return (g_get_monotonic_time () - t0) / 1e6;
}

static double
loader_run (const char *path,
            gsize      *n,
            double     *sum)
{
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr(CsCaseBase) cb = cs_csv_load_path (path, NULL, NULL, NULL, NULL, NULL, &error);
  double secs = (g_get_monotonic_time () - t0) / 1e6;

  g_assert_no_error (error);
  *n = cb->n * (cb->d + 1);
  *sum = 0;
  for (gsize i = 0; i < cb->n; i++)
    {
      for (gsize j = 0; j < cb->d; j++)
        *sum += cb->x[i * cb->d + j];
      *sum += cb->y[i];
    }
  return secs;
}

static double
pandas_run (const char *path)
{
  g_autofree char *script = g_strdup_printf (
    "import time, pandas\n"
    "t = time.perf_counter(); df = pandas.read_csv(%s); t = time.perf_counter() - t\n"
    "assert df.shape[1] == 16\n"
    "print(t)\n", "__import__('sys').argv[1]");
  /* Debian's python3-pandas lives with /usr/bin/python3 (a pyenv python3 may come first in PATH). */
  const char *python = g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE) ? "/usr/bin/python3" : "python3";
  const char *argv[] = { python, "-c", script, path, NULL };
  g_autofree char *out = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &out, NULL, &status, NULL) || !g_spawn_check_wait_status (status, NULL))
    return -1;
  return g_ascii_strtod (out, NULL);
}

int
main (void)
{
  const char *env = g_getenv ("CS_BENCH_MB");
  gsize mb = env != NULL ? (gsize) g_ascii_strtoull (env, NULL, 10) : 100;
  g_autofree char *dir = g_dir_make_tmp ("cs-bench-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "numeric.csv", NULL);
  gsize rows = write_file (path, mb), size, n_ref = 0, n_load = 0;
  double best_ref = G_MAXDOUBLE, best_load = G_MAXDOUBLE, sum_ref = 0, sum_load = 0, pandas;
  double cpu_ref = G_MAXDOUBLE, cpu_load = G_MAXDOUBLE;
  struct rusage ru;
  GStatBuf st;

  g_stat (path, &st);
  size = (gsize) st.st_size;
  /* Interleaved runs, best of three each: the machine is shared. */
  for (int k = 0; k < 3; k++)
    {
      double c0 = cpu_seconds (), c1, c2;
      best_ref = MIN (best_ref, reference_loop (path, &n_ref, &sum_ref));
      c1 = cpu_seconds ();
      best_load = MIN (best_load, loader_run (path, &n_load, &sum_load));
      c2 = cpu_seconds ();
      cpu_ref = MIN (cpu_ref, c1 - c0);
      cpu_load = MIN (cpu_load, c2 - c1);
    }
  if (n_ref != n_load || sum_ref != sum_load)
    {
      g_printerr ("values differ: %zu vs %zu values, sums %.17g vs %.17g\n", n_ref, n_load, sum_ref, sum_load);
      return 1;
    }
  getrusage (RUSAGE_SELF, &ru);
  printf ("file: %.1f MB, %zu rows x 16 columns of %%.6f (%s)\n", size / 1e6, rows, path);
  printf ("fgets + g_ascii_strtod: %.0f MB/s (%.3f s)\n", size / 1e6 / best_ref, best_ref);
  printf ("cs_csv_load_path:       %.0f MB/s (%.3f s), ratio %.2fx the reference; same %zu doubles\n",
          size / 1e6 / best_load, best_load, best_ref / best_load, n_load);
  printf ("CPU time (both threads): reference %.3f s, loader %.3f s (%.0f MB per CPU-second); load average %s",
          cpu_ref, cpu_load, size / 1e6 / cpu_load, loadavg ());
  printf ("peak RSS of this process: %.0f MB; parsed doubles: %.0f MB\n",
          ru.ru_maxrss / 1024.0, n_load * 8 / 1048576.0);
  pandas = g_getenv ("CS_BENCH_NO_PANDAS") == NULL ? pandas_run (path) : -1;
  if (pandas > 0)
    printf ("pandas.read_csv:        %.0f MB/s (%.3f s); cs_csv_load_path is %.2fx pandas\n",
            size / 1e6 / pandas, pandas, pandas / best_load);
  else
    printf ("pandas.read_csv: not measured (python3-pandas missing or CS_BENCH_NO_PANDAS set)\n");
  g_unlink (path);
  g_rmdir (dir);
  return 0;
}
