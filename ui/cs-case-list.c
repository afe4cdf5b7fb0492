/* cs-case-list.c: lazily created row objects, so a million cases cost nothing until shown. */
#define G_LOG_DOMAIN "cs-case-list"

#include "config.h"

#include "cs-case-list.h"

struct _CsCaseRow
{
  GObject parent_instance;

  CsCaseBase *cases;
  guint index;
};

G_DEFINE_FINAL_TYPE (CsCaseRow, cs_case_row, G_TYPE_OBJECT)

static void
cs_case_row_finalize (GObject *object)
{
  CsCaseRow *self = CS_CASE_ROW (object);

  g_clear_pointer (&self->cases, cs_case_base_unref);
  G_OBJECT_CLASS (cs_case_row_parent_class)->finalize (object);
}

static void
cs_case_row_class_init (CsCaseRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cs_case_row_finalize;
}

static void
cs_case_row_init (CsCaseRow *self)
{
}

guint
cs_case_row_get_index (CsCaseRow *self)
{
  g_return_val_if_fail (CS_IS_CASE_ROW (self), 0);
  return self->index;
}

CsCaseBase *
cs_case_row_get_cases (CsCaseRow *self)
{
  g_return_val_if_fail (CS_IS_CASE_ROW (self), NULL);
  return self->cases;
}

double
cs_case_row_get_value (CsCaseRow *self,
                       guint      column)
{
  g_return_val_if_fail (CS_IS_CASE_ROW (self), 0);
  if (column < self->cases->d)
    return self->cases->x[(gsize) self->index * self->cases->d + column];
  return self->cases->y[self->index];
}

struct _CsCaseList
{
  GObject parent_instance;

  CsCaseBase *cases;
  guint *order;             /* display position -> case index, or NULL (file order) */
};

static GType
cs_case_list_get_item_type (GListModel *model)
{
  return CS_TYPE_CASE_ROW;
}

static guint
cs_case_list_get_n_items (GListModel *model)
{
  CsCaseList *self = CS_CASE_LIST (model);

  return self->cases != NULL ? (guint) self->cases->n : 0;
}

static gpointer
cs_case_list_get_item (GListModel *model,
                       guint       position)
{
  CsCaseList *self = CS_CASE_LIST (model);
  CsCaseRow *row;

  if (self->cases == NULL || position >= self->cases->n)
    return NULL;
  row = g_object_new (CS_TYPE_CASE_ROW, NULL);
  row->cases = cs_case_base_ref (self->cases);
  row->index = self->order != NULL ? self->order[position] : position;
  return row;
}

static void
cs_case_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = cs_case_list_get_item_type;
  iface->get_n_items = cs_case_list_get_n_items;
  iface->get_item = cs_case_list_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (CsCaseList, cs_case_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, cs_case_list_model_init))

static void
cs_case_list_finalize (GObject *object)
{
  CsCaseList *self = CS_CASE_LIST (object);

  g_clear_pointer (&self->cases, cs_case_base_unref);
  g_free (self->order);
  G_OBJECT_CLASS (cs_case_list_parent_class)->finalize (object);
}

static void
cs_case_list_class_init (CsCaseListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cs_case_list_finalize;
}

static void
cs_case_list_init (CsCaseList *self)
{
}

CsCaseList *
cs_case_list_new (CsCaseBase *cases)
{
  CsCaseList *self = g_object_new (CS_TYPE_CASE_LIST, NULL);

  self->cases = cases != NULL ? cs_case_base_ref (cases) : NULL;
  return self;
}

CsCaseBase *
cs_case_list_get_cases (CsCaseList *self)
{
  g_return_val_if_fail (CS_IS_CASE_LIST (self), NULL);
  return self->cases;
}

void
cs_case_list_set_order (CsCaseList *self,
                        guint      *order)
{
  guint n;

  g_return_if_fail (CS_IS_CASE_LIST (self));
  if (order == NULL && self->order == NULL)
    return;
  g_free (self->order);
  self->order = order;
  n = self->cases != NULL ? (guint) self->cases->n : 0;
  if (n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, n, n);
}

const guint *
cs_case_list_get_order (CsCaseList *self)
{
  g_return_val_if_fail (CS_IS_CASE_LIST (self), NULL);
  return self->order;
}
