/* cs-case-base.h: an immutable, reference-counted table of past cases.
 *
 * A case base is what the importer produces and what every other layer reads:
 * n usable cases, d numeric features in their original units, one numeric
 * outcome, per-feature statistics, and for each case the physical line of the
 * source file it came from. It never changes after it is built, so it can be
 * shared between the main thread and workers without locks.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _CsCaseBase CsCaseBase;

struct _CsCaseBase
{
  /*< private >*/
  gint ref_count;

  /*< public, read-only >*/
  char *source;           /* display name of the source (file base name or resource name) */
  char *source_path;      /* full path or URI, NULL for in-memory bases */
  char *sha256;           /* hex SHA-256 of the source bytes, NULL if unknown */

  gsize n;                /* usable cases */
  gsize d;                /* numeric features */

  char **feature_names;   /* d names, as in the header (units stripped) */
  char **feature_units;   /* d units ("" when none), from "name [unit]" or "name (unit)" headers */
  char *target_name;
  char *target_unit;

  double *x;              /* n * d row-major, original units */
  double *y;              /* n outcomes */
  guint *line;            /* n physical source lines (1-based) */
  char **ids;             /* n labels (text column) or NULL when the file has none */
  char *id_name;          /* name of the label column or NULL */

  double *mean;           /* d feature means */
  double *sd;             /* d feature standard deviations (0 for a constant feature) */
  double *min;            /* d */
  double *max;            /* d */
  double y_mean, y_sd, y_min, y_max;

  /* Category columns (text columns with few distinct values, role "category"): features besides the d
   * numeric ones, compared by equality. A missing value is the level "" (its own level: no row is lost). */
  gsize n_cat;
  char **cat_names;       /* n_cat + 1 names (NULL-terminated) */
  char ***cat_levels;     /* n_cat NULL-terminated level names, in the order first seen in the file */
  gsize *cat_n_levels;    /* n_cat */
  gint *cat_codes;        /* n * n_cat, row-major: case i's level index in column c */
};

CsCaseBase *cs_case_base_new        (gsize               n,
                                     gsize               d);
CsCaseBase *cs_case_base_ref        (CsCaseBase        *self);
void        cs_case_base_unref      (CsCaseBase        *self);

void        cs_case_base_set_feature (CsCaseBase       *self,
                                      gsize             j,
                                      const char       *name,
                                      const char       *unit);
void        cs_case_base_set_target  (CsCaseBase       *self,
                                      const char       *name,
                                      const char       *unit);
void        cs_case_base_compute_stats (CsCaseBase     *self);

gssize      cs_case_base_find_feature (const CsCaseBase *self,
                                       const char       *name);
void        cs_split_name_unit        (const char       *header,
                                       char            **name,
                                       char            **unit);

/* Standardised copy of the features: (x - mean) / sd, sd == 0 treated as 1.
 * Returns a newly allocated n * d array (g_free). */
double     *cs_case_base_standardise  (const CsCaseBase *self);
/* The same arithmetic for rows [first, end) of any n x d array: z = (x - mean) / sd, an sd
 * that is not positive treated as 1. z may be x (in place). */
void        cs_standardise_rows       (const double     *x,
                                       double           *z,
                                       gsize             d,
                                       const double     *mean,
                                       const double     *sd,
                                       gsize             first,
                                       gsize             end);

/* A new case base: self's cases followed by m more (rows of d features, outcomes, source lines, labels; ids may
 * be NULL, read only when self has labels). Names, units and source are self's; the statistics are the new
 * base's; sha256 is NULL (the file has grown since it was hashed). self is not changed (follow mode builds a
 * new version while views read the old one). */
CsCaseBase *cs_case_base_append      (const CsCaseBase  *self,
                                      const double      *x,
                                      const double      *y,
                                      const guint       *lines,
                                      const char * const *ids,
                                      gsize              m);

/* Category columns: takes names (n_cat + 1, NULL-terminated), levels (n_cat NULL-terminated arrays) and
 * codes (n * n_cat). Replaces any the base had. */
void        cs_case_base_take_categories (CsCaseBase    *self,
                                          gsize          n_cat,
                                          char         **names,
                                          char        ***levels,
                                          gint          *codes);
/* dst's categories from src: every level of src (so codes stay the same), case k of dst being case rows[k]
 * of src (rows NULL: the same case index). */
void        cs_case_base_copy_categories (CsCaseBase       *dst,
                                          const CsCaseBase *src,
                                          const gsize      *rows);
/* Index of a category column by name, or -1. */
gssize      cs_case_base_find_category (const CsCaseBase *self,
                                        const char       *name);
/* Index of a level of category column c, or -1 when no case has it. */
/* A query's level codes besides 0 .. n_levels - 1: a value no case has, and a category the query did not give
 * (left out of the query, or a column the queries file lacks). Both match no case; the fail-safe's words differ. */
#define CS_LEVEL_UNKNOWN   (-1)
#define CS_LEVEL_NOT_GIVEN (-2)

gint        cs_case_base_find_level   (const CsCaseBase *self,
                                       gsize             c,
                                       const char       *level);

/* cs_case_base_append with the category values of the m new cases (m * n_cat level names, row-major; NULL: the
 * level ""). A value the base has not seen becomes a new level at the end of its column's list, so the codes of
 * the earlier cases keep their meaning. */
CsCaseBase *cs_case_base_append_full (const CsCaseBase  *self,
                                      const double      *x,
                                      const double      *y,
                                      const guint       *lines,
                                      const char * const *ids,
                                      const char * const *cats,
                                      gsize              m);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsCaseBase, cs_case_base_unref)

G_END_DECLS
