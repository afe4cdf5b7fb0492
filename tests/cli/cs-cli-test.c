/* cs-cli-test.c: see cs-cli-test.h. */
#include "config.h"

#include <sys/wait.h>

#include "cs-cli-test.h"

static const char *cli_path;

void
cs_cli_test_set_path (const char *cli)
{
  cli_path = cli;
}

int
cs_cli_test_run (char       **out,
                 const char  *first,
                 ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *o = NULL, *e = NULL;
  const char *a;
  va_list ap;
  int status = 0;

  g_assert_nonnull (cli_path);
  g_ptr_array_add (argv, (gpointer) cli_path);
  va_start (ap, first);
  for (a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &o, &e, &status,
                               &error));
  g_assert_no_error (error);
  if (out != NULL)
    *out = g_steal_pointer (&o);
  if (!g_spawn_check_wait_status (status, NULL))
    g_test_message ("stderr: %s", e);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

JsonObject *
cs_cli_test_parse (JsonParser *p,
                   const char *text)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (p, text, -1, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (p));
}
