/* main.c: casescope, the GTK 4 dashboard. */
#include "config.h"

#include "cs-application.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(CsApplication) app = cs_application_new ();
  int status = g_application_run (G_APPLICATION (app), argc, argv);

  return status == 0 && cs_application_get_failed (app) ? 1 : status;
}
