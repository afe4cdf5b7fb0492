/* cs-cli-interval.c: --level and the spec limits on the command line, and their JSON. */
#define G_LOG_DOMAIN "cs-cli"

#include "config.h"

#include <math.h>
#include <stdio.h>

#include "cs-cli.h"
#include "cs-cli-interval.h"
#include "cs-json.h"

void
cs_cli_interval_init (CsCliInterval *iv)
{
  iv->level = CS_ENGINE_DEFAULT_LEVEL;
  iv->spec_lower = NAN;
  iv->spec_upper = NAN;
}

gboolean
cs_cli_interval_spec (const char          *command,
                      const CsCliInterval *iv,
                      CsIntervalSpec      *spec)
{
  g_autofree char *why = NULL;

  cs_interval_spec_init (spec);
  spec->level = iv->level;
  spec->spec_lower = iv->spec_lower;
  spec->spec_upper = iv->spec_upper;
  why = cs_interval_spec_check (spec);
  if (why != NULL)
    {
      cs_cli_usage_error (command, "%s", why);
      return FALSE;
    }
  return TRUE;
}

void
cs_cli_json_interval (JsonBuilder         *b,
                      const CsQueryResult *r)
{
  gboolean ok = r->report.failure == CS_FLAG_FAIL_NONE && isfinite (r->interval.level);

  json_builder_set_member_name (b, "interval");
  if (!ok)
    json_builder_add_null_value (b);
  else
    {
      json_builder_begin_object (b);
      cs_json_add_number (b, "level", r->interval.level);
      /* an end the residuals cannot reach is null (JSON has no infinity) */
      cs_json_add_number (b, "lower", r->interval.lower);
      cs_json_add_number (b, "upper", r->interval.upper);
      cs_json_add_number (b, "n_eff", r->interval.n_eff);
      json_builder_set_member_name (b, "localised");
      json_builder_add_boolean_value (b, r->interval.localised);
      json_builder_end_object (b);
    }
  if (cs_interval_spec_has_limits (&r->spec))
    {
      g_autofree char *words = ok ? cs_query_result_spec_words (r) : NULL;

      cs_json_add_number (b, "p_in_spec", ok ? r->p_in_spec : NAN);
      cs_json_add_string (b, "spec", words);
      json_builder_set_member_name (b, "spec_limits");
      json_builder_begin_object (b);
      cs_json_add_number (b, "lower", r->spec.spec_lower);
      cs_json_add_number (b, "upper", r->spec.spec_upper);
      json_builder_end_object (b);
    }
}

void
cs_cli_print_interval (const CsCaseBase    *base,
                       const CsQueryResult *r)
{
  g_autofree char *words = NULL, *spec = NULL;

  if (r->report.failure != CS_FLAG_FAIL_NONE)
    return;
  words = cs_query_result_interval_words (r, base->target_unit);
  if (words != NULL)
    printf ("  %s%s\n", words, r->interval.localised ? "" : " (from every case: too few around this one)");
  spec = cs_query_result_spec_words (r);
  if (spec != NULL)
    printf ("  spec: %s\n", spec);
}
