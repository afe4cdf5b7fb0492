/* cs-cli-flags.c: the fail-safe on the command line: --threshold options in, verdicts and flags out as JSON. */
#define G_LOG_DOMAIN "casescope-cli"

#include "config.h"

#include <math.h>

#include "cs-cli.h"
#include "cs-cli-flags.h"

/* Each --threshold NAME=VALUE[,NAME=VALUE...] into t; unset thresholds are NaN (the case base's defaults). */
int
cs_cli_thresholds_parse (const char        *cmd,
                  char             **args,
                  CsFlagThresholds  *t)
{
  double *field = (double *) t;

  for (gsize k = 0; k < sizeof (CsFlagThresholds) / sizeof (double); k++)
    field[k] = NAN;
  for (guint a = 0; args != NULL && args[a] != NULL; a++)
    {
      g_auto(GStrv) items = g_strsplit (args[a], ",", -1);

      for (guint i = 0; items[i] != NULL; i++)
        {
          g_auto(GStrv) kv = g_strsplit (items[i], "=", 2);
          char *end = NULL;
          double v;

          if (kv[0] == NULL || kv[1] == NULL)
            return cs_cli_usage_error (cmd, "--threshold: '%s' is not NAME=VALUE", items[i]);
          g_strstrip (kv[0]);
          g_strstrip (kv[1]);
          v = g_ascii_strtod (kv[1], &end);
          if (kv[1][0] == '\0' || end == kv[1] || *end != '\0' || isnan (v))
            return cs_cli_usage_error (cmd, "--threshold: value of '%s' is not a number: '%s'", kv[0], kv[1]);
          if (cs_engine_thresholds_set (t, kv[0], v) != 0)
            return cs_cli_usage_error (cmd, "--threshold: unknown threshold '%s'", kv[0]);
        }
    }
  return CS_EXIT_OK;
}

/* The engine keeps its defaults when the user's thresholds are inconsistent: say so. */
int
cs_cli_thresholds_check (const char             *cmd,
                  const CsFlagThresholds *asked,
                  const CsEngine         *engine)
{
  for (gsize k = 0; k < CS_FLAG_N_THRESHOLDS; k++)
    {
      const char *name = cs_engine_threshold_name (k);
      double v = cs_engine_thresholds_get (asked, name);

      if (!isnan (v) && v != cs_engine_thresholds_get (&engine->thresholds, name))
        return cs_cli_usage_error (cmd, "--threshold: check thresholds must be positive and not beyond "
                                   "their stop thresholds (n_eff: stop <= check)");
    }
  return CS_EXIT_OK;
}

void
cs_cli_json_thresholds (JsonBuilder            *b,
                 const CsFlagThresholds *t)
{
  json_builder_set_member_name (b, "thresholds");
  json_builder_begin_object (b);
  for (gsize i = 0; i < CS_FLAG_N_THRESHOLDS; i++)
    cs_json_add_number (b, cs_engine_threshold_name (i), cs_engine_thresholds_get (t, cs_engine_threshold_name (i)));
  json_builder_end_object (b);
}

/* "verdict" and "flags" members; full flags, or kind and severity only. */
void
cs_cli_json_flags (JsonBuilder        *b,
            const CsCaseBase   *base,
            const CsFlagReport *r,
            gboolean            full)
{
  json_builder_set_member_name (b, "verdict");
  json_builder_add_string_value (b, cs_verdict_name (r->verdict));
  json_builder_set_member_name (b, "flags");
  json_builder_begin_array (b);
  for (gsize i = 0; i < r->n_flags; i++)
    {
      const CsFlag *f = &r->flags[i];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, cs_engine_flag_name (f->kind));
      json_builder_set_member_name (b, "severity");
      json_builder_add_string_value (b, cs_severity_name (f->severity));
      if (full)
        {
          cs_json_add_number (b, "value", f->value);
          cs_json_add_number (b, "threshold", f->threshold);
          json_builder_set_member_name (b, "message");
          json_builder_add_string_value (b, f->message);
          json_builder_set_member_name (b, "measure");
          json_builder_add_string_value (b, f->measure);
          cs_json_add_number (b, "ratio", f->ratio);
          if (f->kind == CS_FLAG_OUT_OF_RANGE && f->feature >= 0 && (gsize) f->feature < base->d)
            {
              json_builder_set_member_name (b, "feature");
              json_builder_add_string_value (b, base->feature_names[f->feature]);
            }
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

