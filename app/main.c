/* main.c: casescope, the GTK 4 dashboard. */
#include "config.h"

#include "cs-application.h"
#include "cs-i18n.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(CsApplication) app = NULL;
  int status;

  /* Before anything prints or parses options: --help and the command-line errors are translated too. */
  cs_i18n_init ();
  app = cs_application_new ();
  status = g_application_run (G_APPLICATION (app), argc, argv);

  return status == 0 && cs_application_get_failed (app) ? 1 : status;
}
