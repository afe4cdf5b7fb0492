/* cs-case-table-cells.c: the case table's columns: one factory and one sorter per column, each with a small
 * closure (the table and the column) instead of data hung on the factory. */
#define G_LOG_DOMAIN "cs-case-table"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cs-case-list.h"
#include "cs-case-table-private.h"
#include "cs-set-aside.h"

/* What a column's factory and sorter need: the table and the column (a CsCaseTableColumn or 0..d). */
typedef struct
{
  CsCaseTable *table;
  int column;
} CellColumn;

char *
_cs_case_table_column_title (const char *name,
              const char *unit)
{
  return unit != NULL && *unit != '\0' ? g_strdup_printf ("%s [%s]", name, unit) : g_strdup (name);
}

static gboolean
is_text_column (int column)
{
  return column == CS_CASE_TABLE_COLUMN_ID || column == CS_CASE_TABLE_COLUMN_FLAGS;
}

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               CellColumn               *cc)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), is_text_column (cc->column) ? 0.0 : 1.0);
  if (!is_text_column (cc->column))
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static const char *
verdict_text (CsVerdict v)
{
  switch (v)
    {
    case CS_VERDICT_OK: return _("ok");
    case CS_VERDICT_CHECK: return _("⚠ check");
    case CS_VERDICT_STOP: return _("✖ stop");
    default: return "";
    }
}

gboolean
_cs_case_table_has_verdicts (CsCaseTable *self,
              gsize        i)
{
  return self->engine != NULL && self->engine->case_verdict != NULL && i < self->engine->cases->n;
}

static void
set_flag_label (CsCaseTable *self,
                GtkLabel    *label,
                gsize        i)
{
  g_autoptr(GString) s = g_string_new (NULL);

  gtk_widget_remove_css_class (GTK_WIDGET (label), "flag-check");
  gtk_widget_remove_css_class (GTK_WIDGET (label), "flag-stop");
  if (_cs_case_table_has_verdicts (self, i))
    {
      g_string_append (s, verdict_text (self->engine->case_verdict[i]));
      for (int f = 0; f < CS_FLAG_N_KINDS; f++)
        if (self->engine->case_flags[i] & (1u << f))
          g_string_append_printf (s, " %s", cs_engine_flag_name ((CsFlagKind) f));
      if (self->engine->case_verdict[i] == CS_VERDICT_CHECK)
        gtk_widget_add_css_class (GTK_WIDGET (label), "flag-check");
      else if (self->engine->case_verdict[i] == CS_VERDICT_STOP)
        gtk_widget_add_css_class (GTK_WIDGET (label), "flag-stop");
    }
  gtk_label_set_text (label, s->str);
}

/* The "In spec" cell: "97 %", the share rounded as cs_query_result_spec_words rounds it; empty when not computed. */
static void
set_spec_label (CsCaseTable *self,
                GtkLabel    *label,
                gsize        i)
{
  char buf[16] = "";

  if (self->case_p_in_spec != NULL && self->cases != NULL && i < self->cases->n
      && isfinite (self->case_p_in_spec[i]))
    g_snprintf (buf, sizeof buf, "%.0f %%", floor (100 * self->case_p_in_spec[i] + 0.5));
  gtk_label_set_text (label, buf);
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              CellColumn               *cc)
{
  CsCaseTable *self = cc->table;
  CsCaseRow *row = gtk_list_item_get_item (item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  CsCaseBase *cases = cs_case_row_get_cases (row);
  guint i = cs_case_row_get_index (row);
  char buf[64];

  gtk_widget_remove_css_class (GTK_WIDGET (label), "flag-check");
  gtk_widget_remove_css_class (GTK_WIDGET (label), "flag-stop");
  g_hash_table_insert (self->cell_lines, label, GUINT_TO_POINTER (cases->line[i]));   /* the "Set Aside…" menu */
  switch (cc->column)
    {
    case CS_CASE_TABLE_COLUMN_ID:
      gtk_label_set_text (label, cases->ids != NULL ? cases->ids[i] : "");
      return;
    case CS_CASE_TABLE_COLUMN_FLAGS:
      g_hash_table_insert (self->flag_labels, label, GUINT_TO_POINTER (i + 1));
      set_flag_label (self, label, i);
      return;
    case CS_CASE_TABLE_COLUMN_IN_SPEC:
      g_hash_table_insert (self->spec_labels, label, GUINT_TO_POINTER (i + 1));
      set_spec_label (self, label, i);
      return;
    case CS_CASE_TABLE_COLUMN_LINE:
      g_snprintf (buf, sizeof buf, "%u", cases->line[i]);
      break;
    default:
      if ((gsize) cc->column > cases->d)   /* a category column: its value's name */
        {
          gsize c = (gsize) cc->column - cases->d - 1;
          gint v = cases->cat_codes[i * cases->n_cat + c];

          gtk_label_set_text (label, v >= 0 ? cases->cat_levels[c][v] : "");
          return;
        }
      g_snprintf (buf, sizeof buf, "%.6g", cs_case_row_get_value (row, (guint) cc->column));
      break;
    }
  gtk_label_set_text (label, buf);
}

static void
unbind_cell_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                CellColumn               *cc)
{
  g_hash_table_remove (cc->table->cell_lines, gtk_list_item_get_child (item));
  if (cc->column == CS_CASE_TABLE_COLUMN_FLAGS)
    g_hash_table_remove (cc->table->flag_labels, gtk_list_item_get_child (item));
  else if (cc->column == CS_CASE_TABLE_COLUMN_IN_SPEC)
    g_hash_table_remove (cc->table->spec_labels, gtk_list_item_get_child (item));
}

/* GTK 4.8 cannot tell which column the view sorts by (gtk_column_view_sorter_get_primary_sort_column is 4.10):
 * while this table probes, its column sorters report who was asked first and the view's answer tells the order.
 * The view's sorter is never attached to a model (a million rows would sort on the main thread). */
static int
compare_rows_cb (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  CellColumn *cc = user_data;

  if (cc->table->probing && cc->table->probe_column == CS_CASE_TABLE_PROBE_NONE)
    cc->table->probe_column = cc->column;
  return GTK_ORDERING_SMALLER;
}

static void
cell_column_free (gpointer  data,
                  GClosure *closure)
{
  g_free (data);
}

GtkColumnViewColumn *
_cs_case_table_add_column (CsCaseTable *self,
                           const char  *title,
                           int          column)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  CellColumn *cc = g_new0 (CellColumn, 1);
  CellColumn *key = g_new0 (CellColumn, 1);
  GtkColumnViewColumn *col;
  GtkSorter *sorter;

  /* The table outlives its columns (they go in rebuild_table and dispose), so the closures borrow it. */
  *cc = (CellColumn) { self, column };
  *key = *cc;
  g_signal_connect_data (factory, "setup", G_CALLBACK (setup_cell_cb), cc, cell_column_free, 0);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb), cc);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell_cb), cc);
  col = gtk_column_view_column_new (title, factory);
  sorter = GTK_SORTER (gtk_custom_sorter_new (compare_rows_cb, key, g_free));
  gtk_column_view_column_set_sorter (col, sorter);
  g_object_unref (sorter);
  gtk_column_view_column_set_resizable (col, TRUE);
  gtk_column_view_append_column (GTK_COLUMN_VIEW (self->column_view), col);
  g_object_unref (col);
  return col;
}

/* The engine or the shares changed: the rows on screen show the new flags / shares. */
void
_cs_case_table_refresh_flag_labels (CsCaseTable *self)
{
  GHashTableIter iter;
  gpointer label, index;

  g_hash_table_iter_init (&iter, self->flag_labels);
  while (g_hash_table_iter_next (&iter, &label, &index))
    set_flag_label (self, label, GPOINTER_TO_UINT (index) - 1);
}

void
_cs_case_table_refresh_spec_labels (CsCaseTable *self)
{
  GHashTableIter iter;
  gpointer label, index;

  g_hash_table_iter_init (&iter, self->spec_labels);
  while (g_hash_table_iter_next (&iter, &label, &index))
    set_spec_label (self, label, GPOINTER_TO_UINT (index) - 1);
}
