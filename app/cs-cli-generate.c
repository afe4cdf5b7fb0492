/* cs-cli-generate.c: casescope-cli generate, the seeded sample generator. */
#define G_LOG_DOMAIN "casescope-cli"

#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "cs-atomic-file.h"
#include "cs-cli.h"
#include "cs-sample-gen.h"

/* Writes a generated sample as CSV: an optional id column, the features as
 * "name [unit]", the target, and (with truth) the noise-free outcome and region. */
static gboolean
write_sample (const CsSample *s,
              FILE           *out,
              gboolean        truth)
{
  if (s->id_name != NULL)
    fprintf (out, "%s,", s->id_name);
  for (size_t j = 0; j < s->d; j++)
    {
      if (s->feature_units[j][0] != '\0')
        fprintf (out, "%s [%s],", s->feature_names[j], s->feature_units[j]);
      else
        fprintf (out, "%s,", s->feature_names[j]);
    }
  if (s->target_unit[0] != '\0')
    fprintf (out, "%s [%s]", s->target_name, s->target_unit);
  else
    fprintf (out, "%s", s->target_name);
  if (truth)
    fprintf (out, ",truth,region");
  fputc ('\n', out);

  for (size_t i = 0; i < s->n; i++)
    {
      if (s->id_name != NULL)
        fprintf (out, "%s%05zu,", s->id_prefix, i + 1);
      for (size_t j = 0; j < s->d; j++)
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];
          g_ascii_formatd (buf, sizeof buf, s->feature_formats[j], s->x[i * s->d + j]);
          fprintf (out, "%s,", buf);
        }
      {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];
        g_ascii_formatd (buf, sizeof buf, s->target_format, s->y[i]);
        fputs (buf, out);
      }
      if (truth)
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];
          g_ascii_formatd (buf, sizeof buf, "%.6f", s->f[i]);
          fprintf (out, ",%s,%s", buf, cs_region_name ((CsRegion) s->region[i]));
        }
      fputc ('\n', out);
    }
  return !ferror (out);
}

int
cs_cli_generate (int    argc,
                 char **argv)
{
  g_autofree char *sample = NULL;
  g_autofree char *out_path = NULL;
  g_autofree char *seed_text = NULL;
  g_autofree char *n_text = NULL;
  guint64 seed = 0, n = 0;
  gboolean truth = FALSE;
  const GOptionEntry entries[] = {
    { "sample", 0, 0, G_OPTION_ARG_STRING, &sample, "Sample kind: press-line, kiln or circle", "KIND" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text, "Random seed, 0 or more (default: the committed sample's)", "N" },
    { "n", 0, 0, G_OPTION_ARG_STRING, &n_text, "Number of cases, 1 to 100000000 (default: the committed sample's)", "N" },
    { "truth", 0, 0, G_OPTION_ARG_NONE, &truth, "Add the noise-free outcome and the region as columns", NULL },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_path, "Output file (default: standard output)", "PATH" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- write a seeded sample case base as CSV");
  CsSample *s;
  int kind;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (ctx,
    "The committed samples in data/samples/ are exactly:\n"
    "  casescope-cli generate --sample press-line -o data/samples/press-line.csv\n"
    "  casescope-cli generate --sample kiln -o data/samples/kiln.csv\n"
    "  casescope-cli generate --sample circle -o data/samples/circle.csv\n");
  if (!cs_cli_parse (ctx, "generate", &argc, &argv))
    return CS_EXIT_USAGE;
  if (argc > 1)
    return cs_cli_usage_error ("generate", "unexpected argument '%s'", argv[1]);
  if (sample == NULL)
    return cs_cli_usage_error ("generate", "--sample is required (press-line, kiln or circle)");
  kind = cs_sample_kind_from_name (sample);
  if (kind < 0)
    return cs_cli_usage_error ("generate", "unknown sample '%s' (press-line, kiln or circle)", sample);
  /* Whole decimal numbers only: a negative or malformed value is an error, never "the default". */
  if (n_text != NULL && !g_ascii_string_to_unsigned (n_text, 10, 1, 100000000, &n, NULL))
    return cs_cli_usage_error ("generate", "--n must be a whole number from 1 to 100000000, not '%s'", n_text);
  if (seed_text != NULL && !g_ascii_string_to_unsigned (seed_text, 10, 0, G_MAXINT64, &seed, NULL))
    return cs_cli_usage_error ("generate", "--seed must be a whole number from 0 to %" G_GINT64_FORMAT ", not '%s'",
                               G_MAXINT64, seed_text);

  s = cs_sample_new ((CsSampleKind) kind,
                     seed_text != NULL ? seed : cs_sample_default_seed ((CsSampleKind) kind),
                     n_text != NULL ? (gsize) n : cs_sample_default_n ((CsSampleKind) kind));
  if (s == NULL)
    {
      g_printerr ("casescope-cli generate: out of memory\n");
      return CS_EXIT_FAILURE;
    }

  if (out_path == NULL)
    {
      gboolean ok = write_sample (s, stdout, truth) && fflush (stdout) == 0;
      cs_sample_free (s);
      return ok ? CS_EXIT_OK : CS_EXIT_WRITE;
    }
  else
    {
      g_autoptr(GError) error = NULL;
      CsAtomicFile *f = cs_atomic_file_begin (out_path, NULL, &error);

      if (f == NULL)
        {
          cs_sample_free (s);
          return cs_cli_fail ("generate", error);
        }
      if (!write_sample (s, cs_atomic_file_get_stream (f), truth))
        {
          int saved = errno;
          cs_atomic_file_abort (f);
          cs_sample_free (s);
          g_printerr ("%s: cannot write: %s\n", out_path, g_strerror (saved));
          return CS_EXIT_WRITE;
        }
      cs_sample_free (s);
      if (!cs_atomic_file_commit (f, &error))
        return cs_cli_fail ("generate", error);
      return CS_EXIT_OK;
    }
}
