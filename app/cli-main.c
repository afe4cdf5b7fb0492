/* cli-main.c: casescope-cli, the headless command line over the same libraries. */
#define G_LOG_DOMAIN "casescope-cli"

#include "config.h"

#include <locale.h>
#include <string.h>

#include "cs-cli.h"

static const CsCliCommand commands[] = {
  { "fit", "Fit the attention metric on a CSV case base (leave-one-out)", cs_cli_fit },
  { "predict", "Predict new cases from a CSV case base and show the cases used", cs_cli_predict },
  { "diagnose", "Noise, local variation and window diagnostics of a case base", cs_cli_diagnose },
  { "bench", "Measure the machine and the engine against each other", cs_cli_bench },
  { "generate", "Write a seeded sample case base (with ground truth) as CSV", cs_cli_generate },
  { "pretrain", "Pretrain softmax attention on synthetic tasks (the paper's setting)", cs_cli_pretrain },
  { "inspect", "Show how a CSV file is read: dialect, columns with roles and statistics, problems", cs_cli_inspect },
  { "follow", "Predict the rows appended to a CSV case base as they arrive", cs_cli_follow },
  { "export", "Draw charts of a case base as PNG, SVG or PDF (one chart, or all in one PDF)", cs_cli_export },
  { "report", "A meeting report of one query as a multi-page PDF (prediction, cases used, charts)", cs_cli_report },
  { "exclude", "Set past cases aside with a reason (a side file next to the CSV), take them back, list them",
    cs_cli_exclude },
  { "backtest", "Predict each case from the cases before it in time order; drift alarms (CUSUM)", cs_cli_backtest },
};

static void
print_help (FILE *out)
{
  fprintf (out,
           "Usage: casescope-cli [--help] [--version] COMMAND [OPTION...]\n\n"
           "Casescope predicts an outcome from past cases with softmax attention and shows\n"
           "which cases it used. Commands:\n\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (out,
           "\nEvery command takes --help. --json prints one JSON object on standard output.\n"
           "Exit status: 0 success, 1 failure, 2 usage error, 3 bad input data, 4 cannot write output.\n");
}

int
main (int    argc,
      char **argv)
{
  /* Numbers are read and written in the C locale whatever the user's locale. */
  setlocale (LC_ALL, "C");

  if (argc < 2)
    {
      print_help (stderr);
      return CS_EXIT_USAGE;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "help") == 0)
    {
      print_help (stdout);
      return CS_EXIT_OK;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("casescope-cli %s\n", PACKAGE_VERSION);
      return CS_EXIT_OK;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      {
        g_autofree char *prgname = g_strdup_printf ("casescope-cli %s", commands[i].name);
        g_set_prgname (prgname);
        return commands[i].func (argc - 1, argv + 1);
      }

  if (argv[1][0] == '-')
    g_printerr ("casescope-cli: unknown option '%s'\n", argv[1]);
  else
    g_printerr ("casescope-cli: unknown command '%s'\n", argv[1]);
  g_printerr ("Usage: casescope-cli [--help] [--version] COMMAND [OPTION...]\n");
  return CS_EXIT_USAGE;
}
