/* cs-cli-test.h: what the command-line test programs share: spawning casescope-cli and reading its JSON. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The casescope-cli to spawn (the test's first argument), set once in main. */
void        cs_cli_test_set_path (const char  *cli);
/* Run casescope-cli with the NULL-terminated args; returns its exit status, its stdout in *out (may be NULL);
 * its stderr goes to the test log when it fails. */
int         cs_cli_test_run      (char       **out,
                                  const char  *first,
                                  ...) G_GNUC_NULL_TERMINATED;
/* text as one JSON object (the test fails otherwise), owned by p. */
JsonObject *cs_cli_test_parse    (JsonParser  *p,
                                  const char  *text);

G_END_DECLS
