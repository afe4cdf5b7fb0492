/* test-cli-categories.c: category columns on the command line, spawned: inspect shows the role, fit --json
 * reports each category's penalty and levels (and --features without the column fits none), predict --query
 * takes a level name, says which used cases share it, and flags a value no case has; --model keeps them. */
#define G_LOG_DOMAIN "test-cli-categories"

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "cs-cli-test.h"

/* 600 cases: strength = 40 + 0.3 (temp - 200) + 2 sin (pressure) + 3 x supplier step + noise 0.5; the shift
 * changes nothing. */
static char *
write_base (const char *dir)
{
  static const char * const suppliers[] = { "ACME", "Borg", "Cora" };
  static const char * const shifts[] = { "early", "late" };
  g_autoptr(GRand) r = g_rand_new_with_seed (11);
  GString *s = g_string_new ("id,temp [degC],pressure [bar],supplier,shift,strength [MPa]\n");
  char *path = g_build_filename (dir, "press.csv", NULL);

  for (guint i = 0; i < 600; i++)
    {
      double t = g_rand_double_range (r, 180, 220), p = g_rand_double_range (r, 3, 7);
      gint sup = g_rand_int_range (r, 0, 3), sh = g_rand_int_range (r, 0, 2);
      double u1 = g_rand_double (r), u2 = g_rand_double (r);
      double noise = 0.5 * sqrt (-2 * log (u1 + 1e-300)) * cos (2 * G_PI * u2);
      g_string_append_printf (s, "C%u,%.2f,%.3f,%s,%s,%.3f\n", i, t, p, suppliers[sup], shifts[sh],
                              40 + 0.3 * (t - 200) + 2 * sin (p) + 3.0 * (sup - 1) + noise);
    }
  g_assert_true (g_file_set_contents (path, s->str, (gssize) s->len, NULL));
  g_string_free (s, TRUE);
  return path;
}

static JsonObject *
category (JsonObject *fit,
          const char *name)
{
  JsonArray *a = json_object_get_array_member (fit, "categories");

  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonObject *c = json_array_get_object_element (a, i);
      if (g_strcmp0 (json_object_get_string_member (c, "name"), name) == 0)
        return c;
    }
  return NULL;
}

/* The message of the category flag naming supplier, or NULL. */
static const char *
category_flag (JsonObject *o)
{
  JsonArray *flags = json_object_get_array_member (o, "flags");

  for (guint i = 0; i < json_array_get_length (flags); i++)
    {
      JsonObject *f = json_array_get_object_element (flags, i);
      if (strstr (json_object_get_string_member (f, "message"), "supplier") != NULL)
        return json_object_get_string_member (f, "message");
    }
  return NULL;
}

static gboolean
has_category_flag (JsonObject *o)
{
  return category_flag (o) != NULL;
}

static void
test_categories (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-cli-cat-XXXXXX", NULL);
  g_autofree char *csv = write_base (dir);
  g_autofree char *model = g_build_filename (dir, "m.json", NULL), *model_cases = g_strconcat (model, ".cases", NULL);
  g_autofree char *out = NULL;
  double with_mse, without_mse;

  /* inspect: the role */
  g_assert_cmpint (cs_cli_test_run (&out, "inspect", csv, "--json", NULL), ==, 0);
  {
    g_autoptr(JsonParser) p = json_parser_new ();
    JsonArray *cols = json_object_get_array_member (cs_cli_test_parse (p, out), "columns");
    JsonObject *sup = json_array_get_object_element (cols, 3), *id = json_array_get_object_element (cols, 0);
    g_assert_cmpstr (json_object_get_string_member (sup, "role"), ==, "category");
    g_assert_cmpint (json_object_get_int_member (sup, "levels"), ==, 3);
    g_assert_cmpstr (json_object_get_string_member (id, "role"), ==, "label");
  }
  g_clear_pointer (&out, g_free);

  /* fit: the supplier's penalty, none for the shift; without the column the error is larger */
  g_assert_cmpint (cs_cli_test_run (&out, "fit", csv, "--target", "strength", "--json", "--save", model, NULL), ==, 0);
  {
    g_autoptr(JsonParser) p = json_parser_new ();
    JsonObject *o = cs_cli_test_parse (p, out), *sup = category (o, "supplier"), *sh = category (o, "shift");
    JsonArray *levels;
    g_assert_nonnull (sup);
    g_assert_nonnull (sh);
    g_assert_cmpfloat (json_object_get_double_member (sup, "lambda"), >, 1.0);
    g_assert_cmpfloat (json_object_get_double_member (sh, "lambda"), <=, 0.05);
    levels = json_object_get_array_member (sup, "levels");
    g_assert_cmpuint (json_array_get_length (levels), ==, 3);
    with_mse = json_object_get_double_member (o, "loo_mse");
  }
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (cs_cli_test_run (&out, "fit", csv, "--target", "strength", "--features", "temp,pressure",
                                    "--json", NULL), ==, 0);
  {
    g_autoptr(JsonParser) p = json_parser_new ();
    JsonObject *o = cs_cli_test_parse (p, out);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "categories")), ==, 0);
    without_mse = json_object_get_double_member (o, "loo_mse");
  }
  g_clear_pointer (&out, g_free);
  g_assert_cmpfloat (with_mse, <=, 0.7 * without_mse);

  /* predict: a level by name; the used cases share it; a value no case has is flagged, not refused */
  g_assert_cmpint (cs_cli_test_run (&out, "predict", csv, "--target", "strength", "--query",
                                    "temp=200,pressure=5,supplier=Cora,shift=late", "--json", NULL), ==, 0);
  {
    g_autoptr(JsonParser) p = json_parser_new ();
    JsonObject *o = cs_cli_test_parse (p, out), *q = json_object_get_object_member (o, "query");
    JsonArray *top = json_object_get_array_member (o, "top");
    g_assert_cmpstr (json_object_get_string_member (q, "supplier"), ==, "Cora");
    g_assert_cmpuint (json_array_get_length (top), >, 0);
    for (guint i = 0; i < json_array_get_length (top); i++)
      g_assert_true (json_object_get_boolean_member (json_object_get_object_member (
                       json_array_get_object_element (top, i), "same"), "supplier"));
    g_assert_false (has_category_flag (o));
    /* 40 + 2 sin 5 + 3: the Cora level, not the average over suppliers */
    g_assert_cmpfloat (fabs (json_object_get_double_member (o, "prediction") - (43 + 2 * sin (5.0))), <, 1.0);
  }
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (cs_cli_test_run (&out, "predict", csv, "--target", "strength", "--query",
                                    "temp=200,pressure=5,supplier=Zeta,shift=late", "--json", NULL), ==, 0);
  {
    g_autoptr(JsonParser) p = json_parser_new ();
    JsonObject *o = cs_cli_test_parse (p, out);
    g_assert_true (json_object_get_null_member (json_object_get_object_member (o, "query"), "supplier"));
    g_assert_true (has_category_flag (o));
    g_assert_nonnull (strstr (category_flag (o), "supplier has a value no past case has"));
    g_assert_null (strstr (category_flag (o), "not given"));
    g_assert_true (isfinite (json_object_get_double_member (o, "prediction")));
  }
  g_clear_pointer (&out, g_free);
  /* a category left out of the query: predicted, and the flag says it was not given (not an unknown value) */
  g_assert_cmpint (cs_cli_test_run (&out, "predict", csv, "--target", "strength", "--query",
                                    "temp=200,pressure=5,shift=late", "--json", NULL), ==, 0);
  {
    g_autoptr(JsonParser) p = json_parser_new ();
    JsonObject *o = cs_cli_test_parse (p, out);
    g_assert_true (has_category_flag (o));
    g_assert_nonnull (strstr (category_flag (o), "supplier was not given"));
    g_assert_null (strstr (category_flag (o), "no past case has"));
    g_assert_true (isfinite (json_object_get_double_member (o, "prediction")));
  }
  g_clear_pointer (&out, g_free);

  /* --model: the saved penalties and an unknown value flagged the same way */
  g_assert_cmpint (cs_cli_test_run (&out, "predict", csv, "--model", model, "--query",
                                    "temp=200,pressure=5,supplier=Zeta,shift=late", "--json", NULL), ==, 0);
  {
    g_autoptr(JsonParser) p = json_parser_new ();
    g_assert_true (has_category_flag (cs_cli_test_parse (p, out)));
  }
  g_clear_pointer (&out, g_free);
  /* a category name given twice is a usage error */
  g_assert_cmpint (cs_cli_test_run (NULL, "predict", csv, "--target", "strength", "--query",
                                    "temp=200,pressure=5,supplier=Cora,supplier=Borg", NULL), ==, 2);

  g_unlink (model_cases);
  g_unlink (model);
  g_unlink (csv);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    {
      g_printerr ("usage: %s PATH-TO-casescope-cli\n", argv[0]);
      return 2;
    }
  cs_cli_test_set_path (argv[1]);
  g_test_add_func ("/cs/cli/categories", test_categories);
  return g_test_run ();
}
