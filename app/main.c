/* main.c: casescope, the GTK 4 dashboard. */
#include "config.h"

#include "cs-application.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(CsApplication) app = cs_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
