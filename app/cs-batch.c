/* cs-batch.c: casescope-batch, the MPI front end: predict a batch of queries, or every case leave-one-out
 * (audit), over a case base split across ranks by byte range. Softmax attention splits exactly: per query a
 * shard's prediction, its log-normaliser (max score + log of the sum of exponentials) and its weighted sums
 * merge by the log-sum-exp rule in a custom MPI reduction; the top cases merge as top-k lists on rank 0.
 * Each shard's pass is the engine's own prediction pass (cs_attention_predict on the shard's cases with the
 * model file's standardisation and metric). A second round takes what one pass cannot merge: with the merged
 * normaliser known, the ranks sum a weight histogram to truncate exactly as cs_weights_keep does on the whole
 * base, and send the kept cases to the rank that finishes the query (rank 0 for predict, the query's owner for
 * audit), which takes the window's quantiles, cs_local_fit and cs_flags_evaluate against the baselines the
 * model file (version 3) stores, and the prediction interval by the engine's own cs_interval_compute over the
 * attended set (global case numbers and weights) and the leave-one-out residuals and residual scales the model
 * file stores (above CS_ENGINE_EXACT_MAX, over the loss sample, whose rows every rank gathers), with
 * p_in_spec for the spec limits (--spec-lower, --spec-upper: the command line's options and checks). Category
 * columns: every rank numbers the levels as the model file does (its levels, in the fit's first-seen order), so
 * a shard's mismatch penalties, the queries' levels and the fail-safe's category rule agree across ranks; a
 * value the model never saw is refused with its line. A file with a quoted line break is refused (records
 * would span ranges). */
#define G_LOG_DOMAIN "casescope-batch"

#include "config.h"

#include <errno.h>
#include <time.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <mpi.h>

#include "cs-cli.h"
#include "cs-cli-query.h"
#include "cs-cli-flags.h"
#include "cs-cli-interval.h"
#include "cs-csv-loader.h"
#include "cs-data-error.h"
#include "cs-engine.h"
#include "cs-json.h"
#include "cs-atomic-file.h"
#include "cs-csv-writer.h"
#include "cs-attention-private.h"   /* cs_weighted_quantile: the window's quantile, as the engine takes it */
#include "cs-diagnostics.h"
#include "cs-flags.h"

static int rank, nranks;

/* Messages from every rank reach stderr in rank order: each rank collects its own, and rank 0 prints them all
 * at the next flush point (a collective). */
static GString *messages;

static void G_GNUC_PRINTF (1, 2)
say (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_string_append_vprintf (messages, fmt, ap);
  va_end (ap);
  g_string_append_c (messages, '\n');
}

static void
flush_messages (void)
{
  int len = (int) messages->len;
  g_autofree int *lens = rank == 0 ? g_new0 (int, nranks) : NULL;
  g_autofree int *offs = rank == 0 ? g_new0 (int, nranks) : NULL;
  g_autofree char *all = NULL;
  int total = 0;

  MPI_Gather (&len, 1, MPI_INT, lens, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (rank == 0)
    for (int r = 0; r < nranks; r++)
      {
        offs[r] = total;
        total += lens[r];
      }
  all = rank == 0 ? g_malloc (MAX (total, 1)) : NULL;
  MPI_Gatherv (messages->str, len, MPI_CHAR, all, lens, offs, MPI_CHAR, 0, MPI_COMM_WORLD);
  if (rank == 0 && total > 0)
    {
      fwrite (all, 1, (size_t) total, stderr);
      fflush (stderr);
    }
  g_string_truncate (messages, 0);
}

/* TRUE on every rank when any rank failed; the messages are printed first. */
static gboolean
any_failed (gboolean failed)
{
  int f = failed, any = 0;
  flush_messages ();
  MPI_Allreduce (&f, &any, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
  return any != 0;
}

/* ---- the shard: this rank's byte range of the case file ---------------------------------------------- */

typedef struct
{
  CsCaseBase *base;          /* this rank's cases (NULL when the range holds no record) */
  gsize offset;              /* global index of the first case */
  gsize n_total;
  guint first_line;          /* physical line of the range's first byte */
  double *z;                 /* standardised by the model */
  gint *cat;                 /* n x the model's category columns: each case's level as the model numbers them
                              * (every shard's loader numbers its own in first-seen order), or NULL */
  CsAttention *ctx;
} Shard;

static char *
read_range (FILE *f, gsize from, gsize to)
{
  char *buf = g_malloc (to - from + 1);
  if (fseeko (f, (off_t) from, SEEK_SET) != 0 || fread (buf, 1, to - from, f) != to - from)
    {
      g_free (buf);
      return NULL;
    }
  buf[to - from] = '\0';
  return buf;
}

/* Start of the first record at or after byte pos (just after a newline), or size. */
static gsize
record_start (FILE *f, gsize pos, gsize size)
{
  int c;
  if (pos >= size)
    return size;
  if (fseeko (f, (off_t) (pos - 1), SEEK_SET) != 0)
    return size;
  for (gsize p = pos - 1; p < size; p++)
    if ((c = fgetc (f)) == '\n' || c == EOF)
      return p + 1;
  return size;
}

/* The shard's category levels renumbered as the model numbers them (its levels in first-seen order on the
 * base it was fitted on): a level is the same number on every rank and in the queries. A value the model never
 * saw is refused: casescope-cli would give it a number of its own, which no rank can agree on here. */
static gboolean
shard_levels (Shard *s, const CsModelFile *model, const char *path)
{
  gsize nc = model->n_cat, n = s->base->n;

  s->cat = g_new (gint, MAX (n * nc, 1));
  for (gsize c = 0; c < nc; c++)
    {
      gssize k = -1;
      g_autofree gint *map = NULL;

      for (gsize j = 0; j < s->base->n_cat; j++)
        if (g_strcmp0 (s->base->cat_names[j], model->cat_names[c]) == 0)
          k = (gssize) j;
      if (k < 0)
        {
          say ("%s (lines from %u): no category column '%s' (the model's)", path, s->first_line, model->cat_names[c]);
          return FALSE;
        }
      map = g_new (gint, MAX (s->base->cat_n_levels[k], 1));
      for (gsize v = 0; v < s->base->cat_n_levels[k]; v++)
        {
          const char *level = s->base->cat_levels[k][v];
          map[v] = -1;
          for (gsize m = 0; model->cat_levels[c][m] != NULL; m++)
            if (strcmp (model->cat_levels[c][m], level) == 0)
              map[v] = (gint) m;
          if (map[v] < 0)
            {
              for (gsize i = 0; i < n; i++)
                if (s->base->cat_codes[i * s->base->n_cat + (gsize) k] == (gint) v)
                  {
                    say ("%s:%u: '%s' in column '%s' is a value the model was not fitted with (casescope-batch "
                         "takes the model's levels; fit on this file, or use casescope-cli)", path, s->base->line[i],
                         level, model->cat_names[c]);
                    break;
                  }
              return FALSE;
            }
        }
      for (gsize i = 0; i < n; i++)
        s->cat[i * nc + c] = map[s->base->cat_codes[i * s->base->n_cat + (gsize) k]];
    }
  return TRUE;
}

static gboolean
load_shard (const char *path, const CsModelFile *model, const char *model_path, Shard *s)
{
  g_autoptr(GError) error = NULL;
  FILE *f = fopen (path, "rb");
  gsize size, header_end, start, end;
  g_autofree guint64 *starts = g_new (guint64, nranks + 1);
  g_autofree char *header = NULL, *chunk = NULL;
  guint64 my_start, newlines = 0, before = 0;
  int parity = 0, parity_before = 0, inside;
  gboolean failed = FALSE;

  if (f == NULL || fseeko (f, 0, SEEK_END) != 0)
    {
      say ("%s: cannot read the case file: %s", path, g_strerror (errno));
      failed = TRUE;
    }
  if (any_failed (failed))
    {
      if (f != NULL)
        fclose (f);
      return FALSE;
    }
  size = (gsize) ftello (f);
  header_end = record_start (f, 1, size);
  start = rank == 0 ? header_end : MAX (record_start (f, header_end + size * rank / nranks - header_end * rank / nranks, size), header_end);
  my_start = start;
  MPI_Allgather (&my_start, 1, MPI_UINT64_T, starts, 1, MPI_UINT64_T, MPI_COMM_WORLD);
  starts[nranks] = size;
  end = starts[rank + 1];
  for (int r = rank + 1; r <= nranks; r++)   /* a later rank whose range was empty starts at size */
    end = MIN (end, starts[r]);
  end = MAX (end, start);
  header = read_range (f, 0, header_end);
  chunk = read_range (f, start, end);
  fclose (f);
  if (header == NULL || chunk == NULL)
    {
      say ("%s: cannot read bytes %zu to %zu of the case file", path, start, end);
      failed = TRUE;
    }
  if (any_failed (failed))
    return FALSE;

  /* Which line each range starts on, and whether it starts inside a quoted field (an odd number of quotes
   * before it): a newline inside quotes would make records span ranges, which this tool refuses. */
  for (gsize p = 0; p < end - start; p++)
    {
      newlines += chunk[p] == '\n';
      parity ^= chunk[p] == '"';
    }
  MPI_Exscan (&newlines, &before, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
  MPI_Exscan (&parity, &parity_before, 1, MPI_INT, MPI_BXOR, MPI_COMM_WORLD);
  if (rank == 0)
    before = 0, parity_before = 0;
  s->first_line = 2 + (guint) before;
  inside = parity_before;
  {
    guint line = s->first_line;
    for (gsize p = 0; p < end - start && !failed; p++)
      {
        if (chunk[p] == '"')
          inside ^= 1;
        else if (chunk[p] == '\n')
          {
            if (inside)
              {
                say ("%s:%u: a quoted field holds a line break; casescope-batch splits the file at line breaks "
                     "and cannot read such a file (casescope-cli can)", path, line);
                failed = TRUE;
              }
            line++;
          }
      }
  }
  if (any_failed (failed))
    return FALSE;

  /* The shard is the header plus this range, loaded by the command line's own loader: the same rows are left
   * out for the same reasons. Column roles as casescope-cli predict --model sets them. */
  {
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(CsCsvReport) report = NULL, first = NULL;
    CsCsvOptions options;
    gboolean blank = TRUE;
    g_autofree char *text = g_strconcat (header, header_end > 0 && header[header_end - 1] != '\n' ? "\n" : "",
                                         chunk, NULL);

    for (gsize p = 0; p < end - start; p++)
      blank &= g_ascii_isspace (chunk[p]);
    cs_csv_options_init (&options);
    options.target = model->target;
    options.header = 1;
    options.threads = 1;
    bytes = g_bytes_new (text, strlen (text));
    s->base = cs_csv_load_bytes (bytes, path, &options, &report, NULL, &error);
    if (s->base == NULL && g_error_matches (error, CS_DATA_ERROR, CS_DATA_ERROR_MISSING_COLUMN))
      {
        g_autofree char *mfeat = g_strjoinv (", ", model->features);
        if (rank == 0)
          say ("%s: this model was fitted for features (%s) -> %s, which %s does not have: %s", model_path, mfeat,
               model->target, path, error->message);
        failed = TRUE;
      }
    else if (s->base != NULL)
      {
        guint nc = report->columns->len;
        g_autofree const char **names = g_new0 (const char *, nc + 1);
        g_autofree CsColumnRole *roles = g_new0 (CsColumnRole, nc + 1);

        for (gsize j = 0; model->features[j] != NULL && !failed; j++)
          {
            gboolean found = FALSE;
            for (guint c = 0; c < nc; c++)
              found |= g_strcmp0 (((CsCsvColumn *) report->columns->pdata[c])->name, model->features[j]) == 0;
            if (!found)
              {
                g_autofree char *mfeat = g_strjoinv (", ", model->features);
                if (rank == 0)
                  say ("%s: this model was fitted for features (%s) -> %s; %s has no column '%s'", model_path, mfeat,
                       model->target, path, model->features[j]);
                failed = TRUE;
              }
          }
        for (guint c = 0; c < nc && !failed; c++)
          {
            CsCsvColumn *col = report->columns->pdata[c];
            names[c] = col->name;
            if (g_strv_contains ((const char * const *) model->features, col->name))
              roles[c] = CS_ROLE_FEATURE;
            else if (model->n_cat > 0 && g_strv_contains ((const char * const *) model->cat_names, col->name))
              roles[c] = CS_ROLE_CATEGORY;
            else if (col->role == CS_ROLE_TARGET || col->role == CS_ROLE_LABEL)
              roles[c] = col->role;
            else
              roles[c] = CS_ROLE_IGNORED;
          }
        if (!failed)
          {
            options.role_names = names;
            options.roles = roles;
            first = g_steal_pointer (&report);
            g_clear_pointer (&s->base, cs_case_base_unref);
            g_clear_error (&error);
            s->base = cs_csv_load_bytes (bytes, path, &options, &report, NULL, &error);
          }
      }
    if (!failed && report != NULL)
      for (guint i = 0; i < report->problems->len; i++)
        {
          CsCsvProblem *p = report->problems->pdata[i];
          if (p->warning || p->line < 2)
            continue;   /* notes on whole columns concern the shard, not the file */
          say ("%s:%u:%u: %s", path, p->line - 2 + s->first_line, p->column, p->message);
        }
    if (!failed && s->base == NULL && !blank)
      {
        say ("%s (lines from %u): %s", path, s->first_line, error != NULL ? error->message : "no usable rows");
        failed = TRUE;
      }
    if (!failed && s->base != NULL && !cs_model_file_check_columns (model, s->base, &error))
      {
        if (rank == 0)
          say ("%s: %s", model_path, error->message);
        failed = TRUE;
      }
    if (s->base != NULL)
      for (gsize i = 0; i < s->base->n; i++)
        s->base->line[i] = s->base->line[i] - 2 + s->first_line;
    if (!failed && s->base != NULL && model->n_cat > 0)
      failed = !shard_levels (s, model, path);
  }
  if (any_failed (failed))
    return FALSE;
  {
    guint64 n = s->base != NULL ? s->base->n : 0, off = 0, total = 0;
    MPI_Exscan (&n, &off, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    MPI_Allreduce (&n, &total, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    s->offset = rank == 0 ? 0 : (gsize) off;
    s->n_total = (gsize) total;
  }
  if (s->n_total == 0)
    {
      if (rank == 0)
        say ("%s: no usable cases with numeric features and a target", path);
      any_failed (TRUE);
      return FALSE;
    }
  return TRUE;
}

/* ---- the log-sum-exp merge ---------------------------------------------------------------------------- */

/* One shard's part of one query's prediction. logz: the log of the shard's normaliser sum_i exp(s_i) (the
 * max score plus the log of the sum of exp(s_i - max)); -inf when the shard holds no case for the query. The
 * other members are the shard's own softmax averages; two parts merge by their weights exp(logz - logz_all). */
typedef struct
{
  double logz;
  double mean;        /* sum w y */
  double sum_w2;      /* sum w^2 */
  double m2;          /* sum w (y - mean)^2 */
  double mean_distance;
  double nearest_distance;
  double nearest_index;   /* global case index (exact in a double up to 2^53) */
} Part;

#define PART_DOUBLES 7

static void
part_merge (const Part *a, Part *b)
{
  double lz, wa, wb, delta;

  if (a->logz == -INFINITY)
    return;
  if (b->logz == -INFINITY)
    {
      *b = *a;
      return;
    }
  lz = MAX (a->logz, b->logz) + log1p (exp (-fabs (a->logz - b->logz)));
  wa = exp (a->logz - lz);
  wb = exp (b->logz - lz);
  delta = a->mean - b->mean;
  b->m2 = wa * a->m2 + wb * b->m2 + wa * wb * delta * delta;
  b->mean = wa * a->mean + wb * b->mean;
  b->sum_w2 = wa * wa * a->sum_w2 + wb * wb * b->sum_w2;
  b->mean_distance = wa * a->mean_distance + wb * b->mean_distance;
  /* the nearest case: the smaller distance, the lower index on a tie (the engine scans in case order) */
  if (a->nearest_distance < b->nearest_distance
      || (a->nearest_distance == b->nearest_distance && a->nearest_index < b->nearest_index))
    {
      b->nearest_distance = a->nearest_distance;
      b->nearest_index = a->nearest_index;
    }
  b->logz = lz;
}

static void
part_op (void *in, void *inout, int *len, MPI_Datatype *type)
{
  const Part *a = in;
  Part *b = inout;
  (void) type;
  for (int i = 0; i < *len; i++)
    part_merge (&a[i], &b[i]);
}

/* A top case as a shard found it: its weight within the shard, and the shard's log-normaliser. */
typedef struct
{
  double weight, logz, distance, y, index, line;
} TopPart;

static int
top_cmp (const void *pa, const void *pb)
{
  const CsUsedCase *a = pa, *b = pb;
  if (a->weight != b->weight)
    return a->weight > b->weight ? -1 : 1;
  return a->index < b->index ? -1 : a->index > b->index;
}

typedef struct
{
  double prediction, std_error, n_eff, local_sd, mean_distance, nearest_distance, weight_sum;
  gsize nearest_index;
  guint k;
  CsUsedCase top[64];
  guint top_line[64];
  /* the second round (with --flags, the default): the window over the attended set, the local fit, the
   * fail-safe report; tie: a measure within 1e-9 relative of a threshold */
  gboolean have_report;
  double radius90, weight_dropped;
  gsize n_kept;
  double half_width[64];
  CsLocalDiagnostics local;
  CsFlagReport report;
  gboolean tie;
  CsInterval interval;   /* the engine's (cs_interval_compute over the attended set); level NaN: none */
  double p_in_spec;      /* with spec limits, its share of the same residuals inside them; NaN: none */
} Merged;

/* What the second round needs besides the shard. */
typedef struct
{
  const CsModelFile *model;
  double epsilon;
  gboolean flags;
  CsFlagBase flag_base;
  CsFlagThresholds thresholds;
  const CsMetric *metric;
  const double *xq;          /* q x d queries in original units (for the range rule) */
  const double *yq;          /* audit: each query's own outcome, else NULL */
  /* audit: every rank holds every case (standardised, original, outcome), so the second round sends only
   * (index, weight) pairs, and each query's window and local fit run on its owner rank (t mod ranks) */
  const double *all_z, *all_x, *all_y;
  /* the prediction interval (with the second round): the model file's residuals, the level, and above
   * CS_ENGINE_EXACT_MAX (loss_cases < n) the loss sample's rows and their standardised values (every rank) */
  const CsIntervalResiduals *residuals;
  CsIntervalSpec spec;
  gsize loss_cases;
  const size_t *sample_rows;
  const double *sample_z;
  const CsMetricRows *rows;  /* the metric for the distance scores (the engine's cs_metric_rows_score) */
  /* category columns (the model's, in its order): the queries' levels (q x n_cat, -1: a value no case has),
   * every case's (audit), the penalties */
  gsize n_cat;
  const gint *lq;
  const gint *all_cat;
  const double *cat_lambda;
} Job;

/* The category part of a case's score for a query: -lambda_c for each column whose levels differ (a query
 * level of -1 differs from every case's), as cs-attention.h scores it. */
static double
category_penalty (const Job *job, const gint *case_levels, const gint *query_levels)
{
  double p = 0;
  for (gsize c = 0; c < job->n_cat; c++)
    if (query_levels[c] < 0 || case_levels[c] != query_levels[c])
      p += job->cat_lambda[c];
  return p;
}

/* Buckets of cs_weights_keep (model/cs-numeric.c), by the binary exponent of w / total; the tail past 2^-126
 * shares one bucket here (its weights sum to at most n 2^-127, far below any epsilon the tool accepts). */
#define KEEP_BUCKETS 128

static gsize
keep_bucket (double r)
{
  int e;
  if (!(r > 0))
    return KEEP_BUCKETS;
  (void) frexp (r, &e);
  if (e > 0)
    return 0;
  return (gsize) -e < KEEP_BUCKETS - 1 ? (gsize) -e : KEEP_BUCKETS - 1;
}

/* The verdict and flags with the thresholds moved by rel either way: a tie when they differ. */
static gboolean
near_threshold (const CsFlagBase *base, const CsFlagThresholds *t, const CsFlagQuery *fq, const CsFlagReport *r)
{
  for (int sign = -1; sign <= 1; sign += 2)
    {
      CsFlagThresholds moved = *t;
      CsFlagReport other;
      for (gsize i = 0; cs_flag_threshold_name (i) != NULL; i++)
        {
          const char *name = cs_flag_threshold_name (i);
          cs_flag_thresholds_set (&moved, name, cs_flag_thresholds_get (t, name) * (1 + sign * 1e-9));
        }
      cs_flags_evaluate (base, &moved, fq, &other);
      if (other.verdict != r->verdict || other.n_flags != r->n_flags)
        return TRUE;
      for (gsize f = 0; f < r->n_flags; f++)
        if (other.flags[f].kind != r->flags[f].kind || other.flags[f].severity != r->flags[f].severity)
          return TRUE;
    }
  return FALSE;
}

/* The fail-safe's category rule as the engine applies it (cs-engine.c, category_flag): a low-support check
 * when a level of the query is one no case has, or no attended case (weight > 0) has all its levels. */
static void
category_rule (const Job *job, Merged *m, const gint *ql, gsize mk, const double *kw, const gint *kcat)
{
  gsize nc = job->n_cat;
  gboolean seen = FALSE;
  g_autofree char *msg = NULL;

  for (gsize a = 0; a < mk && !seen; a++)
    {
      gboolean same = kw[a] > 0;
      for (gsize c = 0; c < nc && same; c++)
        same = kcat[a * nc + c] == ql[c];
      seen = same;
    }
  if (seen)
    return;
  msg = cs_engine_category_message ((const char * const *) job->model->cat_names,
                                    (const char * const * const *) job->model->cat_levels, nc, ql);
  cs_flags_add_category (&m->report, msg);
}

/* The prediction interval as the engine takes it (cs_engine_interval_compute): up to CS_ENGINE_EXACT_MAX cases
 * the attended set's cases (kglob, global numbers) with their weights, else the loss sample with the query's
 * distance scores over it; then the one cs_interval_compute. */
static void
interval_query (const Job *job, Merged *m, const double *qz, gsize mk, const double *kw, const gsize *kglob,
                size_t self_index)
{
  gsize d = g_strv_length (job->model->features), c = 0;

  if (job->loss_cases >= job->residuals->n)
    {
      g_autofree size_t *index = g_new (size_t, MAX (mk, 1));
      g_autofree double *logw = g_new (double, MAX (mk, 1));
      for (gsize k = 0; k < mk; k++)
        if (kw[k] > 0)
          {
            index[c] = kglob[k];
            logw[c] = log (kw[k]);
            c++;
          }
      cs_interval_compute (job->residuals, c, index, logw, self_index, m->prediction, m->local_sd, &job->spec, NULL,
                           NULL, &m->interval, &m->p_in_spec);
    }
  else
    {
      /* the engine's scores over the sample (sample_log_weight), so both weigh it alike to the last bit */
      g_autofree double *logw = g_new (double, MAX (job->loss_cases, 1)), *t = g_new (double, MAX (d, 1));
      for (gsize k = 0; k < job->loss_cases; k++)
        logw[k] = cs_metric_rows_score (job->rows, job->sample_z + k * d, qz, t);
      cs_interval_compute (job->residuals, job->loss_cases, job->sample_rows, logw, self_index, m->prediction,
                           m->local_sd, &job->spec, NULL, NULL, &m->interval, &m->p_in_spec);
    }
}

/* q queries (standardised, zq q x d), each against every rank's shard; self: global index to leave out per
 * query, or NULL. Rank 0 gets out[q]. */
/* One query's second round on the rank that has its attended set (mk cases: kw weights against the whole
 * base, kz standardised, kx original values, ky outcomes, kidx 0 .. mk-1): the window's quantiles, the local fit
 * and the flag rules, as the engine's prediction pass, cs_local_fit_batch and cs_flags_evaluate take them. */
static gboolean
finish_query (const Job *job, Merged *m, const double *qz, gsize t, double dropped, gsize mk, size_t *kidx, double *kw,
              double *kz, double *ky, const double *kx, const double *nearest_x, const gsize *kglob, size_t self_index,
              const gint *kcat)
{
  gsize d = g_strv_length (job->model->features);
  g_autofree CsVW *vw = g_new (CsVW, MAX (mk, 1));
  CsAttended att = { 0 };
  CsAttention *ctx = NULL;
  CsFlagQuery fq = { 0 };
  CsStatus st = CS_OK;

  m->interval = (CsInterval) { NAN, NAN, NAN, NAN, NAN, FALSE, FALSE };
  m->p_in_spec = NAN;
  if (!isfinite (m->prediction) || mk == 0)
    return TRUE;
  m->n_kept = mk;
  m->weight_dropped = dropped;
  /* the window: weighted 90 % quantiles over the attended set, as the prediction pass takes them */
  for (gsize c = 0; c < mk; c++)
    {
      double s2 = 0;
      for (gsize j = 0; j < d; j++)
        s2 += (kz[c * d + j] - qz[j]) * (kz[c * d + j] - qz[j]);
      vw[c].v = sqrt (s2);
      vw[c].w = kw[c];
    }
  m->radius90 = cs_weighted_quantile (vw, mk, 0.9);
  for (gsize j = 0; j < d && j < 64; j++)
    {
      for (gsize c = 0; c < mk; c++)
        {
          vw[c].v = fabs (kz[c * d + j] - qz[j]);
          vw[c].w = kw[c];
        }
      m->half_width[j] = cs_weighted_quantile (vw, mk, 0.9) * job->model->sd[j];
    }
  /* the local fit on a context over the attended cases alone (it reads no other case) */
  st = cs_attention_new_full (kz, ky, mk, d, CS_SCORE_DISTANCE, CS_ATTENTION_SHARE_INPUT | CS_ATTENTION_NO_FLOAT,
                              NULL, NULL, &ctx);
  if (st == CS_OK)
    st = cs_attention_set_metric (ctx, job->metric);
  att.m = mk;
  att.index = kidx;
  att.weight = kw;
  att.dropped = m->weight_dropped;
  if (st == CS_OK)
    st = cs_local_fit (ctx, qz, &att, job->yq != NULL ? job->yq[t] : NAN, &m->local);
  if (ctx != NULL)
    cs_attention_free (ctx);
  if (st != CS_OK)
    {
      say ("casescope-batch: the local fit of query %zu failed: %s", t + 1, cs_status_message (st));
      return FALSE;
    }
  m->local.prediction = m->prediction;
  m->local.n_eff = m->n_eff;
  m->local.local_sd = m->local_sd;
  if (job->residuals != NULL)
    interval_query (job, m, qz, mk, kw, kglob, self_index);

  fq.failure = CS_FLAG_FAIL_NONE;
  fq.x = job->xq + t * d;
  fq.y_hat = m->prediction;
  fq.local_spread = m->local_sd;
  fq.local_noise = m->local.local_noise_sd;
  fq.local_lipschitz = m->local.local_lipschitz;
  fq.n_eff = m->n_eff;
  fq.nearest_distance = m->nearest_distance;
  fq.nearest_x = nearest_x;
  fq.local_variation = m->local.local_variation;
  fq.metric_distance = m->local.metric_distance;
  fq.df_resid = m->local.df_resid;
  if (isfinite (job->flag_base.metric_nn_distance) && m->local.metric_nearest < mk)
    fq.nearest_x = kx + m->local.metric_nearest * d;   /* the case the support rule measures */
  cs_flags_evaluate (&job->flag_base, &job->thresholds, &fq, &m->report);
  m->tie = near_threshold (&job->flag_base, &job->thresholds, &fq, &m->report);
  if (job->n_cat > 0)
    category_rule (job, m, job->lq + t * job->n_cat, mk, kw, kcat);
  m->have_report = TRUE;
  return TRUE;
}

#define REC_HEAD 10
#define REC_INTERVAL 6   /* level, lower, upper, n_eff, localised, p_in_spec */

/* The audit's second round: each query's kept cases go to its owner as (index, weight) pairs (every rank
 * holds every case's values), the owner finishes the query, and rank 0 receives the compact results (a sum
 * in which only the owner's entries are nonzero, so it is exact). */
static gboolean
audit_round (Shard *s, const Job *job, const double *zq, gsize q, const gsize *self, const double *W,
             const double *scale, const double *total_all, const double *cut, const Part *merged, Merged *out)
{
  gsize n = s->base != NULL ? s->base->n : 0, d = g_strv_length (job->model->features);
  gsize IV = REC_HEAD + 2 * CS_FLAG_N_KINDS + d, R = IV + REC_INTERVAL;
  g_autofree int *scount = g_new0 (int, nranks), *rcount = g_new0 (int, nranks);
  g_autofree int *sdispl = g_new0 (int, nranks), *rdispl = g_new0 (int, nranks);
  g_autofree double *rec = g_new0 (double, MAX (q * R, 1)), *rec_all = rank == 0 ? g_new0 (double, MAX (q * R, 1)) : NULL;
  g_autofree double *recv = NULL;
  GArray *send = g_array_new (FALSE, FALSE, sizeof (double));
  gboolean failed = FALSE;
  gsize total_recv = 0;

  for (int r = 0; r < nranks; r++)
    {
      sdispl[r] = (int) send->len;
      for (gsize t = (gsize) r; t < q; t += (gsize) nranks)
        {
          gsize at = send->len;
          double c = 0;
          g_array_append_val (send, c);
          for (gsize i = 0; i < n; i++)
            {
              double w = W[t * n + i] * scale[t];
              if (w > 0 && keep_bucket (w / total_all[t]) <= (gsize) cut[2 * t])
                {
                  double pair[2] = { (double) (s->offset + i), w };
                  g_array_append_vals (send, pair, 2);
                  c++;
                }
            }
          g_array_index (send, double, at) = c;
        }
      scount[r] = (int) send->len - sdispl[r];
    }
  MPI_Alltoall (scount, 1, MPI_INT, rcount, 1, MPI_INT, MPI_COMM_WORLD);
  for (int r = 0; r < nranks; r++)
    {
      rdispl[r] = (int) total_recv;
      total_recv += (gsize) rcount[r];
    }
  recv = g_new (double, MAX (total_recv, 1));
  MPI_Alltoallv (send->data, scount, sdispl, MPI_DOUBLE, recv, rcount, rdispl, MPI_DOUBLE, MPI_COMM_WORLD);
  g_array_free (send, TRUE);

  {
    g_autofree gsize *pos = g_new0 (gsize, nranks);
    for (gsize t = (gsize) rank; t < q && !failed; t += (gsize) nranks)
      {
        const Part *p = &merged[t];
        Merged m = { 0 };
        gsize mk = 0, c = 0;
        g_autofree double *kz = NULL, *ky = NULL, *kx = NULL, *kw = NULL;
        g_autofree size_t *kidx = NULL;
        g_autofree gsize *kglob = NULL;
        g_autofree gint *kcat = NULL;
        double *o = rec + t * R;

        for (int r = 0; r < nranks; r++)
          mk += (gsize) recv[rdispl[r] + pos[r]];
        kz = g_new (double, MAX (mk * d, 1));
        kx = g_new (double, MAX (mk * d, 1));
        ky = g_new (double, MAX (mk, 1));
        kw = g_new (double, MAX (mk, 1));
        kidx = g_new (size_t, MAX (mk, 1));
        kglob = g_new (gsize, MAX (mk, 1));
        kcat = g_new (gint, MAX (mk * job->n_cat, 1));
        for (int r = 0; r < nranks; r++)
          {
            const double *e = recv + rdispl[r] + pos[r];
            gsize cr = (gsize) e[0];
            for (gsize j = 0; j < cr; j++, c++)
              {
                gsize gi = (gsize) e[1 + 2 * j];
                kw[c] = e[2 + 2 * j];
                ky[c] = job->all_y[gi];
                memcpy (kz + c * d, job->all_z + gi * d, d * sizeof (double));
                memcpy (kx + c * d, job->all_x + gi * d, d * sizeof (double));
                kidx[c] = c;
                kglob[c] = gi;
                if (job->n_cat > 0)
                  memcpy (kcat + c * job->n_cat, job->all_cat + gi * job->n_cat, job->n_cat * sizeof (gint));
              }
            pos[r] += 1 + 2 * cr;
          }
        if (p->logz == -INFINITY)
          continue;
        m.prediction = p->mean;
        m.n_eff = 1.0 / p->sum_w2;
        m.local_sd = sqrt (p->m2);
        m.nearest_distance = p->nearest_distance;
        {
          if (!finish_query (job, &m, zq + t * d, t, cut[2 * t + 1], mk, kidx, kw, kz, ky, kx,
                             job->all_x + (gsize) p->nearest_index * d, kglob, self[t], kcat))
            {
              failed = TRUE;
              break;
            }
        }
        if (!m.have_report)
          continue;
        o[0] = 1;
        o[1] = m.radius90;
        o[2] = m.weight_dropped;
        o[3] = (double) m.n_kept;
        o[4] = m.local.local_lipschitz;
        o[5] = m.local.local_noise_sd;
        o[6] = m.local.local_variation;
        o[7] = m.report.verdict;
        o[8] = (double) m.report.n_flags;
        o[9] = m.tie;
        for (gsize f = 0; f < m.report.n_flags; f++)
          {
            o[REC_HEAD + 2 * f] = m.report.flags[f].kind;
            o[REC_HEAD + 2 * f + 1] = m.report.flags[f].severity;
          }
        for (gsize j = 0; j < d; j++)
          o[REC_HEAD + 2 * CS_FLAG_N_KINDS + j] = m.half_width[j];
        o[IV] = m.interval.level;
        o[IV + 1] = m.interval.lower;
        o[IV + 2] = m.interval.upper;
        o[IV + 3] = m.interval.n_eff;
        o[IV + 4] = m.interval.localised;
        o[IV + 5] = m.p_in_spec;
      }
  }
  if (any_failed (failed))
    return FALSE;
  MPI_Reduce (rec, rec_all, (int) (q * R), MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0)
    for (gsize t = 0; t < q; t++)
      {
        const double *o = rec_all + t * R;
        Merged *m = &out[t];
        if (o[0] != 1)
          continue;
        m->have_report = TRUE;
        m->radius90 = o[1];
        m->weight_dropped = o[2];
        m->n_kept = (gsize) o[3];
        m->local.local_lipschitz = o[4];
        m->local.local_noise_sd = o[5];
        m->local.local_variation = o[6];
        m->report.verdict = (CsVerdict) o[7];
        m->report.n_flags = (gsize) o[8];
        m->tie = o[9] != 0;
        for (gsize f = 0; f < m->report.n_flags; f++)
          {
            m->report.flags[f].kind = (CsFlagKind) o[REC_HEAD + 2 * f];
            m->report.flags[f].severity = (CsSeverity) o[REC_HEAD + 2 * f + 1];
          }
        for (gsize j = 0; j < d; j++)
          m->half_width[j] = o[REC_HEAD + 2 * CS_FLAG_N_KINDS + j];
        /* the owner's values plus zeros (a NaN or an infinite end stays what it is) */
        m->interval = (CsInterval) { o[IV], o[IV + 1], o[IV + 2], o[IV + 3], NAN, o[IV + 4] != 0, FALSE };
        m->p_in_spec = o[IV + 5];
      }
  return TRUE;
}

static gboolean second_round (Shard *s, const Job *job, const double *zq, gsize q, const gsize *self,
                              const double *W, const Part *parts, const Part *merged, Merged *out);

static gboolean
predict_block (Shard *s, const Job *job, const CsMetricRows *rows, double noise_sd, const double *zq, gsize q,
               const gsize *self, guint k, MPI_Op op, MPI_Datatype part_type, Merged *out)
{
  gsize n = s->base != NULL ? s->base->n : 0, d = s->base != NULL ? s->base->d : 0;
  g_autofree Part *parts = g_new (Part, MAX (q, 1));
  g_autofree Part *merged = rank == 0 ? g_new (Part, MAX (q, 1)) : NULL;
  g_autofree CsPrediction *pred = g_new0 (CsPrediction, MAX (q, 1));
  g_autofree CsTopCase *top = g_new0 (CsTopCase, MAX (q * k, 1));
  g_autofree size_t *self_local = g_new (size_t, MAX (q, 1));
  g_autofree TopPart *tp = g_new (TopPart, MAX (q * k, 1));
  g_autofree TopPart *all_tp = rank == 0 ? g_new (TopPart, MAX (q * k * nranks, 1)) : NULL;
  /* with the flags, every weight of the shard for the second round (the block is sized for it) */
  g_autofree double *W = job->flags && n > 0 ? g_new (double, q * n) : NULL;
  g_autofree double *t_scratch = g_new (double, MAX (d, 1));
  gboolean failed = FALSE;

  if (n > 0)
    {
      CsPredictOptions o;
      CsStatus st;
      for (gsize t = 0; t < q; t++)
        self_local[t] = self != NULL && self[t] >= s->offset && self[t] < s->offset + n ? self[t] - s->offset
                                                                                          : CS_NO_CASE;
      cs_predict_options_init (&o);
      o.top_k = MAX (k, 1);   /* the max-score case gives the normaliser */
      o.top = top;
      o.self_index = self != NULL ? self_local : NULL;
      o.n_threads = 1;
      o.weights = W;
      o.levels = job->n_cat > 0 ? job->lq : NULL;
      if (k == 0)
        o.top = g_new0 (CsTopCase, MAX (q, 1));
      st = cs_attention_predict (s->ctx, zq, q, &o, pred);
      if (k == 0)
        {
          for (gsize t = 0; t < q; t++)
            top[t] = o.top[t];
          g_free (o.top);
        }
      if (st != CS_OK)
        {
          say ("rank %d: prediction failed: %s", rank, cs_status_message (st));
          failed = TRUE;
        }
    }
  if (any_failed (failed))
    return FALSE;
  for (gsize t = 0; t < q; t++)
    {
      Part *p = &parts[t];
      const CsPrediction *pr = &pred[t];
      gsize kk = MAX (k, 1);
      *p = (Part) { -INFINITY, 0, 0, 0, 0, INFINITY, 0 };
      if (n > 0 && isfinite (pr->prediction) && top[t * kk].index != CS_NO_CASE)
        {
          /* max_weight = 1 / sum_i exp(s_i - s_max): the shard's normaliser is s_max - log(max_weight) */
          double smax = cs_metric_rows_score (rows, s->z + top[t * kk].index * d, zq + t * d, t_scratch);
          if (job->n_cat > 0)
            smax -= category_penalty (job, s->cat + top[t * kk].index * job->n_cat, job->lq + t * job->n_cat);
          p->logz = smax - log (pr->max_weight);
          p->mean = pr->prediction;
          p->sum_w2 = 1.0 / pr->n_eff;
          p->m2 = pr->local_sd * pr->local_sd;
          p->mean_distance = pr->mean_distance;
          p->nearest_distance = pr->nearest_distance;
          p->nearest_index = (double) (s->offset + pr->nearest_index);
        }
      for (guint j = 0; j < k; j++)
        {
          const CsTopCase *tc = &top[t * k + j];
          TopPart *o = &tp[t * k + j];
          if (n == 0 || tc->index == CS_NO_CASE)
            *o = (TopPart) { 0, -INFINITY, 0, 0, -1, 0 };
          else
            *o = (TopPart) { tc->weight, p->logz, tc->distance, s->base->y[tc->index],
                             (double) (s->offset + tc->index), s->base->line[tc->index] };
        }
    }
  if (job->all_z != NULL && job->flags)
    {
      /* every owner needs its queries' merged sums */
      g_free (merged);
      merged = g_new (Part, MAX (q, 1));
      MPI_Allreduce (parts, merged, (int) q, part_type, op, MPI_COMM_WORLD);
    }
  else
    MPI_Reduce (parts, merged, (int) q, part_type, op, 0, MPI_COMM_WORLD);
  if (k > 0)
    MPI_Gather (tp, (int) (q * k * 6), MPI_DOUBLE, all_tp, (int) (q * k * 6), MPI_DOUBLE, 0, MPI_COMM_WORLD);
  if (rank == 0)
  for (gsize t = 0; t < q; t++)
    {
      Part *p = &merged[t];
      Merged *m = &out[t];
      g_autofree CsUsedCase *cand = g_new (CsUsedCase, MAX (k * nranks, 1));
      g_autofree guint *cand_line = g_new (guint, MAX (k * nranks, 1));
      guint nc = 0;

      memset (m, 0, sizeof *m);
      if (p->logz == -INFINITY)
        {
          m->prediction = m->std_error = m->local_sd = m->mean_distance = m->nearest_distance = NAN;
          m->n_eff = 0;
          m->nearest_index = CS_NO_CASE;
          continue;
        }
      m->prediction = p->mean;
      m->n_eff = 1.0 / p->sum_w2;
      m->local_sd = sqrt (p->m2);
      m->std_error = (noise_sd > 0 ? noise_sd : m->local_sd) * sqrt (p->sum_w2);
      m->mean_distance = p->mean_distance;
      m->nearest_distance = p->nearest_distance;
      m->nearest_index = (gsize) p->nearest_index;
      for (int r = 0; r < nranks; r++)
        for (guint j = 0; j < k; j++)
          {
            const TopPart *o = &all_tp[((gsize) r * q + t) * k + j];
            if (o->index < 0)
              continue;
            cand[nc] = (CsUsedCase) { (gsize) o->index, o->weight * exp (o->logz - p->logz), o->y, o->distance };
            cand_line[nc] = (guint) o->line;
            nc++;
          }
      /* lines travel with their case: looked up by index after the sort */
      {
        g_autofree CsUsedCase *sorted = g_memdup2 (cand, sizeof (CsUsedCase) * MAX (nc, 1));
        qsort (sorted, nc, sizeof (CsUsedCase), top_cmp);
        m->k = MIN (nc, k);
        for (guint j = 0; j < m->k; j++)
          {
            m->top[j] = sorted[j];
            for (guint a = 0; a < nc; a++)
              if (cand[a].index == sorted[j].index)
                m->top_line[j] = cand_line[a];
          }
      }
    }
  if (job->flags)
    return second_round (s, job, zq, q, self, W, parts, merged, out);
  return TRUE;
}

/* The second round: once the normaliser of each query is known (rank 0 broadcasts it), each rank weighs its
 * cases against it, the weight histogram by binary exponent is summed over the ranks to find the truncation
 * exactly as cs_weights_keep finds it on the whole base, and each rank sends rank 0 its kept cases. Rank 0
 * then takes the window's quantiles, the local fit (cs_local_fit on a context over the attended set) and the
 * flag rules (cs_flags_evaluate) as the engine does. */
static gboolean
second_round (Shard *s, const Job *job, const double *zq, gsize q, const gsize *self, const double *W,
              const Part *parts, const Part *merged, Merged *out)
{
  gsize n = s->base != NULL ? s->base->n : 0, d = g_strv_length (job->model->features);
  gsize nc = job->n_cat, stride = 3 + 2 * d + nc;
  g_autofree double *logz = g_new (double, MAX (q, 1)), *nearest = g_new (double, MAX (q, 1));
  g_autofree double *total = g_new0 (double, MAX (q, 1)), *total_all = g_new0 (double, MAX (q, 1));
  g_autofree double *hist = g_new0 (double, MAX (q * KEEP_BUCKETS, 1));
  g_autofree double *hist_all = rank == 0 ? g_new0 (double, MAX (q * KEEP_BUCKETS, 1)) : NULL;
  g_autofree double *nx = g_new0 (double, MAX (q * d, 1)), *nx_all = rank == 0 ? g_new0 (double, MAX (q * d, 1)) : NULL;
  g_autofree double *cut = g_new (double, MAX (2 * q, 1));   /* per query: last kept bucket, total */
  g_autofree int *counts = g_new0 (int, MAX (q, 1)), *all_counts = rank == 0 ? g_new0 (int, MAX (q * nranks, 1)) : NULL;
  GArray *sendbuf = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree int *rank_len = rank == 0 ? g_new0 (int, nranks) : NULL, *rank_off = rank == 0 ? g_new0 (int, nranks) : NULL;
  g_autofree double *recv = NULL;
  gboolean failed = FALSE;
  int mine;

  for (gsize t = 0; t < q; t++)
    {
      logz[t] = rank == 0 ? merged[t].logz : 0;
      nearest[t] = rank == 0 ? merged[t].nearest_index : 0;
    }
  MPI_Bcast (logz, (int) q, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  MPI_Bcast (nearest, (int) q, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  /* the nearest case's values in original units, from the rank that holds it (a sum of one nonzero term) */
  for (gsize t = 0; t < q; t++)
    if (isfinite (logz[t]) && nearest[t] >= (double) s->offset && nearest[t] < (double) (s->offset + n))
      memcpy (nx + t * d, s->base->x + ((gsize) nearest[t] - s->offset) * d, d * sizeof (double));
  MPI_Reduce (nx, nx_all, (int) (q * d), MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);

  /* global weights: the shard's own times exp(logz_shard - logz) */
  {
    g_autofree double *scale = g_new (double, MAX (q, 1));
    for (gsize t = 0; t < q; t++)
      {
        scale[t] = isfinite (logz[t]) && parts[t].logz > -INFINITY ? exp (parts[t].logz - logz[t]) : 0;
        for (gsize i = 0; i < n; i++)
          if (W[t * n + i] * scale[t] > 0)
            total[t] += W[t * n + i] * scale[t];
      }
    MPI_Allreduce (total, total_all, (int) q, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    for (gsize t = 0; t < q; t++)
      for (gsize i = 0; i < n; i++)
        {
          gsize b = keep_bucket (W[t * n + i] * scale[t] / total_all[t]);
          if (b < KEEP_BUCKETS)
            hist[t * KEEP_BUCKETS + b] += W[t * n + i] * scale[t];
        }
    MPI_Reduce (hist, hist_all, (int) (q * KEEP_BUCKETS), MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    if (rank == 0)
      for (gsize t = 0; t < q; t++)
        {
          const double *h = hist_all + t * KEEP_BUCKETS;
          gsize top = 0, last = KEEP_BUCKETS - 1;
          double cum = 0;
          if (job->epsilon > 0 && total_all[t] > 0)
            {
              while (top < KEEP_BUCKETS - 1 && h[top] == 0)
                top++;
              last = top;
              for (gsize b = KEEP_BUCKETS - 1; b > top; b--)
                {
                  if (cum + h[b] > job->epsilon * total_all[t])
                    {
                      last = b;
                      break;
                    }
                  cum += h[b];
                }
            }
          cut[2 * t] = (double) last;
          cut[2 * t + 1] = total_all[t] > 0 ? cum / total_all[t] : 0;
        }
    MPI_Bcast (cut, (int) (2 * q), MPI_DOUBLE, 0, MPI_COMM_WORLD);
    if (job->all_z != NULL)
      return audit_round (s, job, zq, q, self, W, scale, total_all, cut, merged, out);
    for (gsize t = 0; t < q; t++)
      for (gsize i = 0; i < n; i++)
        {
          double w = W[t * n + i] * scale[t];
          if (w > 0 && keep_bucket (w / total_all[t]) <= (gsize) cut[2 * t])
            {
              double head[3] = { (double) (s->offset + i), w, s->base->y[i] };
              g_array_append_vals (sendbuf, head, 3);
              g_array_append_vals (sendbuf, s->z + i * d, d);
              g_array_append_vals (sendbuf, s->base->x + i * d, d);
              for (gsize c = 0; c < nc; c++)
                {
                  double code = s->cat[i * nc + c];   /* exact in a double */
                  g_array_append_val (sendbuf, code);
                }
              counts[t]++;
            }
        }
  }
  MPI_Gather (counts, (int) q, MPI_INT, all_counts, (int) q, MPI_INT, 0, MPI_COMM_WORLD);
  mine = (int) sendbuf->len;
  MPI_Gather (&mine, 1, MPI_INT, rank_len, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (rank == 0)
    {
      gsize acc = 0;
      for (int r = 0; r < nranks; r++)
        rank_off[r] = (int) acc, acc += (gsize) rank_len[r];
      recv = g_new (double, MAX (acc, 1));
    }
  MPI_Gatherv (sendbuf->data, mine, MPI_DOUBLE, recv, rank_len, rank_off, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  g_array_free (sendbuf, TRUE);
  if (rank == 0)
  {
    g_autofree gsize *pos = g_new0 (gsize, nranks);   /* read position in each rank's part, in doubles */
    for (gsize t = 0; t < q && !failed; t++)
      {
        Merged *m = &out[t];
        gsize mk = 0;
        g_autofree double *kz = NULL, *ky = NULL, *kx = NULL, *kw = NULL;
        g_autofree size_t *kidx = NULL;
        g_autofree gsize *kglob = NULL;
        g_autofree gint *kcat = NULL;

        for (int r = 0; r < nranks; r++)
          mk += (gsize) all_counts[r * q + t];
        kz = g_new (double, MAX (mk * d, 1));
        kx = g_new (double, MAX (mk * d, 1));
        ky = g_new (double, MAX (mk, 1));
        kw = g_new (double, MAX (mk, 1));
        kidx = g_new (size_t, MAX (mk, 1));
        kglob = g_new (gsize, MAX (mk, 1));
        kcat = g_new (gint, MAX (mk * nc, 1));
        /* ranks hold consecutive case ranges, so rank order is case order: the set stays increasing */
        for (int r = 0, c = 0; r < nranks; r++)
          for (int j = 0; j < all_counts[r * q + t]; j++, c++)
            {
              const double *e = recv + rank_off[r] + pos[r];
              kglob[c] = (gsize) e[0];
              kw[c] = e[1];
              ky[c] = e[2];
              memcpy (kz + c * d, e + 3, d * sizeof (double));
              memcpy (kx + c * d, e + 3 + d, d * sizeof (double));
              for (gsize k = 0; k < nc; k++)
                kcat[c * nc + k] = (gint) e[3 + 2 * d + k];
              kidx[c] = (size_t) c;
              pos[r] += stride;
            }
        if (!finish_query (job, m, zq + t * d, t, cut[2 * t + 1], mk, kidx, kw, kz, ky, kx, nx_all + t * d, kglob,
                           CS_NO_CASE, kcat))
          {
            failed = TRUE;
            break;
          }
      }
  }
  return !any_failed (failed);
}

/* ---- output ----------------------------------------------------------------------------------------- */

/* The query's interval and spec as the engine's result holds them, for the command line's JSON and words. */
static void
merged_result (const Merged *m, const CsIntervalSpec *spec, CsQueryResult *r)
{
  memset (r, 0, sizeof *r);
  r->report.failure = CS_FLAG_FAIL_NONE;
  r->spec = *spec;
  r->interval = m->have_report ? m->interval : (CsInterval) { NAN, NAN, NAN, NAN, NAN, FALSE, FALSE };
  r->p_in_spec = m->have_report ? m->p_in_spec : NAN;
}

static void
merged_json (JsonBuilder *b, const CsModelFile *model, const CsIntervalSpec *spec, const double *query,
             const gint *levels, const Merged *m, gboolean audit)
{
  gsize d = g_strv_length (model->features);
  CsCaseBase names = { 0 };
  CsQueryResult r;

  names.d = d;
  names.feature_names = model->features;

  if (query != NULL)
    {
      json_builder_set_member_name (b, "query");
      json_builder_begin_object (b);
      for (gsize j = 0; j < d; j++)
        cs_json_add_number (b, model->features[j], query[j]);
      for (gsize c = 0; levels != NULL && c < model->n_cat; c++)   /* a level, or null for one no case has */
        cs_json_add_string (b, model->cat_names[c], levels[c] >= 0 ? model->cat_levels[c][levels[c]] : NULL);
      json_builder_end_object (b);
    }
  cs_json_add_number (b, "prediction", m->prediction);
  /* casescope-cli's members: "interval" (null without one: --no-flags, no prediction), and with limits
   * "p_in_spec", "spec" (the words) and "spec_limits" */
  merged_result (m, spec, &r);
  cs_cli_json_interval (b, &r);
  if (m->have_report)
    {
      cs_cli_json_flags (b, &names, &m->report, !audit);
      if (audit)
        {
          cs_json_add_number (b, "local_lipschitz", m->local.local_lipschitz);
          cs_json_add_number (b, "local_noise_sd", m->local.local_noise_sd);
          cs_json_add_number (b, "local_variation", m->local.local_variation);
        }
      cs_json_add_number (b, "radius90", m->radius90);
      cs_json_add_number (b, "weight_dropped", m->weight_dropped);
      json_builder_set_member_name (b, "n_kept");
      json_builder_add_int_value (b, (gint64) m->n_kept);
      json_builder_set_member_name (b, "half_width");
      json_builder_begin_object (b);
      for (gsize j = 0; j < d; j++)
        cs_json_add_number (b, model->features[j], m->half_width[j]);
      json_builder_end_object (b);
    }
  cs_json_add_number (b, "stderr", m->std_error);
  cs_json_add_number (b, "n_eff", m->n_eff);
  cs_json_add_number (b, "local_sd", m->local_sd);
  cs_json_add_number (b, "mean_distance", m->mean_distance);
  cs_json_add_number (b, "nearest_distance", m->nearest_distance);
  json_builder_set_member_name (b, "top");
  json_builder_begin_array (b);
  for (guint t = 0; t < m->k; t++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "row");
      json_builder_add_int_value (b, m->top_line[t]);
      cs_json_add_number (b, "weight", m->top[t].weight);
      cs_json_add_number (b, "y", m->top[t].y);
      cs_json_add_number (b, "distance", m->top[t].distance);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* Rank 0 writes to a temporary file renamed into place (or stdout): no partial output. */
static gboolean
write_output (const char *out, const char *input, const char *text)
{
  g_autoptr(GError) error = NULL;
  const char *protected[] = { input, NULL };

  if (out == NULL)
    {
      fputs (text, stdout);
      fflush (stdout);
      return TRUE;
    }
  if (!cs_atomic_write (out, protected, text, strlen (text), &error))
    {
      say ("%s: %s", out, error->message);
      return FALSE;
    }
  return TRUE;
}

static char *
csv_number (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  if (!isfinite (v))
    return g_strdup ("");
  return g_strdup (g_ascii_dtostr (buf, sizeof buf, v));
}

/* ---- the prediction interval's material ---------------------------------------------------------------- */

/* The model file's leave-one-out residuals and residual scales (an engine opened from the model takes the
 * same; the shards cannot measure them), the outcome's sd over the whole base (the scales' floor), and above
 * CS_ENGINE_EXACT_MAX the loss sample's standardised rows on every rank (each from the rank that holds it, the
 * others adding zeros, so the sum is exact). FALSE after a message (rank 0). */
static gboolean
prepare_intervals (const Shard *s, const CsModelFile *model, const char *model_path, double epsilon,
                   const CsIntervalSpec *spec, Job *job, CsIntervalResiduals *residuals, double **loo_residual, double **loo_spread,
                   double **loo_abs_scale, size_t **sample_rows, double **sample_z)
{
  gsize n = s->base != NULL ? s->base->n : 0, d = g_strv_length (model->features), loss = 0;
  g_autofree char *why = NULL;
  double sums[2] = { 0, (double) n }, all[2] = { 0, 0 }, ss = 0, ss_all = 0, mean;

  if (!cs_model_file_interval_residuals (model, s->n_total, d, epsilon, loo_residual, loo_spread, loo_abs_scale, &loss,
                                         &why))
    {
      if (rank == 0)
        say ("%s: %s (fit and save it again with casescope-cli fit --save%s, or run with --no-flags)", model_path, why,
             epsilon != 1e-6 ? " and this --epsilon" : "");
      return FALSE;
    }
  /* the outcome's sd as CsCaseBase takes it: the mean first, then the squares about it */
  for (gsize i = 0; i < n; i++)
    sums[0] += s->base->y[i];
  MPI_Allreduce (sums, all, 2, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  mean = all[0] / MAX (all[1], 1);
  for (gsize i = 0; i < n; i++)
    ss += (s->base->y[i] - mean) * (s->base->y[i] - mean);
  MPI_Allreduce (&ss, &ss_all, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  cs_interval_residuals_init (residuals, s->n_total, *loo_residual, *loo_abs_scale, *loo_spread,
                              sqrt (ss_all / MAX (all[1], 1)));
  job->residuals = residuals;
  job->spec = *spec;
  job->loss_cases = loss;
  if (loss < s->n_total)
    {
      g_autofree double *mine = g_new0 (double, loss * d);
      *sample_rows = g_new (size_t, loss);
      *sample_z = g_new (double, loss * d);
      cs_sample_gather (NULL, s->n_total, 0, loss, *sample_rows, NULL);
      for (gsize k = 0; k < loss; k++)
        if ((*sample_rows)[k] >= s->offset && (*sample_rows)[k] < s->offset + n)
          memcpy (mine + k * d, s->z + ((*sample_rows)[k] - s->offset) * d, d * sizeof (double));
      MPI_Allreduce (mine, *sample_z, (int) (loss * d), MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
      job->sample_rows = *sample_rows;
      job->sample_z = *sample_z;
    }
  return TRUE;
}

/* ---- main ------------------------------------------------------------------------------------------- */

#define BLOCK 1024

static int
run (int argc, char **argv)
{
  g_autofree char *target = NULL, *model_path = NULL, *queries = NULL, *out = NULL;
  gboolean json = FALSE, no_flags = FALSE, stats = FALSE;
  gint64 top_k = 5, audit_cases = 0;
  double epsilon = 1e-6;
  CsCliInterval interval_opts;
  CsIntervalSpec spec;
  gboolean limits;
  const GOptionEntry entries[] = {
    { "target", 0, 0, G_OPTION_ARG_STRING, &target, "Outcome column (the model's)", "COL" },
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &model_path, "A model file from casescope-cli fit --save (required)", "M.json" },
    { "queries", 0, 0, G_OPTION_ARG_FILENAME, &queries, "predict: a CSV of queries", "Q.csv" },
    { "top", 0, 0, G_OPTION_ARG_INT64, &top_k, "Number of most-attended cases to list (default 5, at most 64)", "K" },
    { "epsilon", 0, 0, G_OPTION_ARG_DOUBLE, &epsilon, "Weight the window may leave out, in [0, 1) (default 1e-6)", "E" },
    { "cases", 0, 0, G_OPTION_ARG_INT64, &audit_cases, "audit: this many evenly spaced cases (the engine's rule), each "
      "against all the others (default: every case)", "M" },
    { "stats", 0, 0, G_OPTION_ARG_NONE, &stats, "Print each rank's CPU and wall seconds on stderr (rank order)", NULL },
    { "no-flags", 0, 0, G_OPTION_ARG_NONE, &no_flags, "Predictions only: no second round (window, local fits, flags, "
      "intervals)", NULL },
    CS_CLI_INTERVAL_ENTRIES (interval_opts),   /* --level, --spec-lower, --spec-upper: casescope-cli's */
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object (the default)", NULL },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, "Write a CSV here (atomically) instead", "F.csv" },
    { NULL }
  };
  g_autoptr(GOptionContext) oc = g_option_context_new ("predict|audit FILE - batch scoring over MPI ranks");
  g_autoptr(GError) error = NULL;
  g_autoptr(CsModelFile) model = NULL;
  CsEngineOptions eo;
  CsMetric metric = { 0 };
  Shard s = { 0 };
  gboolean audit, failed = FALSE;
  const char *path;
  gsize d, q = 0;
  g_autofree double *xq = NULL, *zq = NULL;
  CsMetricRows metric_rows = { 0 };
  g_autofree Merged *res = NULL;
  g_autofree double *yq = NULL, *fmin = NULL, *fmax = NULL;
  Job job = { 0 };
  g_autofree double *all_x = NULL, *all_y = NULL, *all_zc = NULL;
  g_autofree double *loo_residual = NULL, *loo_spread = NULL, *loo_abs_scale = NULL, *sample_z = NULL;
  g_autofree size_t *sample_rows = NULL;
  CsIntervalResiduals residuals;
  g_autofree gint *lq = NULL, *all_cat = NULL;
  g_autofree size_t *n_levels = NULL;
  gsize nc = 0;
  gsize block = BLOCK;
  g_autofree gsize *self = NULL;
  MPI_Op op;
  MPI_Datatype part_type;
  int rc = 1;

  cs_cli_interval_init (&interval_opts);
  g_option_context_add_main_entries (oc, entries, NULL);
  if (!g_option_context_parse (oc, &argc, &argv, &error))
    {
      if (rank == 0)
        say ("casescope-batch: %s", error->message);
      any_failed (TRUE);
      return 2;
    }
  if (argc != 3 || (g_strcmp0 (argv[1], "predict") != 0 && g_strcmp0 (argv[1], "audit") != 0))
    failed = TRUE, rank == 0 ? say ("usage: casescope-batch predict|audit FILE --model M [--target COL] "
                                    "[--queries Q.csv] [--level P] [--spec-lower X] [--spec-upper Y] "
                                    "[--json | --out F.csv]") : (void) 0;
  audit = argc == 3 && g_strcmp0 (argv[1], "audit") == 0;
  if (!failed && model_path == NULL)
    failed = TRUE, rank == 0 ? say ("casescope-batch: --model is required") : (void) 0;
  if (!failed && !audit && queries == NULL)
    failed = TRUE, rank == 0 ? say ("casescope-batch predict: --queries is required") : (void) 0;
  if (!failed && (top_k < 0 || top_k > 64))
    failed = TRUE, rank == 0 ? say ("casescope-batch: --top must be between 0 and 64") : (void) 0;
  if (!failed && !(epsilon >= 0 && epsilon < 1))
    failed = TRUE, rank == 0 ? say ("casescope-batch: --epsilon must be in [0, 1), got %g", epsilon) : (void) 0;
  if (!failed && !(interval_opts.level > 0 && interval_opts.level < 1))
    failed = TRUE, rank == 0 ? say ("casescope-batch: --level must be between 0 and 1 (0.9 for 90 %%), not %g",
                                    interval_opts.level) : (void) 0;
  /* the limits checked by the engine's own rule, the one behind casescope-cli's cs_cli_interval_spec (which
   * prints on every rank), so the words are the command line's */
  cs_interval_spec_init (&spec);
  spec.level = interval_opts.level;
  spec.spec_lower = interval_opts.spec_lower;
  spec.spec_upper = interval_opts.spec_upper;
  limits = cs_interval_spec_has_limits (&spec);
  if (!failed)
    {
      g_autofree char *why = cs_interval_spec_check (&spec);
      if (why != NULL)
        failed = TRUE, rank == 0 ? say ("casescope-batch %s: %s", argv[1], why) : (void) 0;
    }
  if (!failed && json && out != NULL)
    failed = TRUE, rank == 0 ? say ("casescope-batch: give --json or --out, not both") : (void) 0;
  if (any_failed (failed))
    return 2;
  path = argv[2];
  model = cs_model_file_load (model_path, &error);
  if (model == NULL)
    failed = TRUE, rank == 0 ? say ("%s: %s", model_path, error->message) : (void) 0;
  else if (target != NULL && g_strcmp0 (target, model->target) != 0)
    failed = TRUE, rank == 0 ? say ("%s: this model predicts '%s', not '%s'", model_path, model->target, target) : (void) 0;
  if (!failed)
    {
      cs_engine_options_init (&eo);
      if (!cs_engine_options_use_model (&eo, model, &metric, &error))
        failed = TRUE, rank == 0 ? say ("%s: %s", model_path, error->message) : (void) 0;
    }
  if (any_failed (failed))
    return 3;
  d = g_strv_length (model->features);
  if (!load_shard (path, model, model_path, &s))
    return 3;

  /* the model's category columns: their levels (the model's numbering, shard_levels) and penalties */
  nc = model->n_cat;
  n_levels = g_new (size_t, MAX (nc, 1));
  for (gsize c = 0; c < nc; c++)
    n_levels[c] = g_strv_length (model->cat_levels[c]);
  if (nc > 0 && cs_metric_set_categories (&metric, nc, model->cat_lambda) != CS_OK)
    failed = TRUE, rank == 0 ? say ("%s: the category penalties are not usable", model_path) : (void) 0;

  /* the shard's context, with the model's standardisation and metric, as the engine builds its own */
  if (s.base != NULL && !failed)
    {
      CsStatus st;
      s.z = g_new (double, s.base->n * d);
      cs_standardise_rows (s.base->x, s.z, d, model->mean, model->sd, 0, s.base->n);
      st = cs_attention_new_full (s.z, s.base->y, s.base->n, d, model->dot ? CS_SCORE_DOT : CS_SCORE_DISTANCE,
                                  CS_ATTENTION_SHARE_INPUT | CS_ATTENTION_NO_FLOAT, NULL, NULL, &s.ctx);
      if (st == CS_OK && nc > 0)
        st = cs_attention_set_categories (s.ctx, nc, s.cat, n_levels);
      if (st == CS_OK)
        st = cs_attention_set_metric (s.ctx, &metric);
      if (st != CS_OK)
        failed = TRUE, say ("%s: rank %d: %s", path, rank, cs_status_message (st));
    }
  if (model->dot)
    failed = TRUE, rank == 0 ? say ("%s: casescope-batch merges the distance score form only", model_path) : (void) 0;
  if (any_failed (failed))
    return 3;
  cs_metric_rows_init (&metric_rows, &metric, d);

  /* the queries: read by rank 0 (as casescope-cli reads them), sent to all */
  if (!audit)
    {
      guint64 nq = 0;
      if (rank == 0)
        {
          CsCaseBase names = { 0 };
          gssize r;
          names.d = d;
          names.feature_names = model->features;
          /* category values by the model's levels (-1: a value it never saw, as casescope-cli's -1) */
          names.n_cat = nc;
          names.cat_names = model->cat_names;
          names.cat_levels = model->cat_levels;
          names.cat_n_levels = n_levels;
          r = nc > 0 ? cs_cli_read_queries_levels (queries, &names, &xq, &lq) : cs_cli_read_queries (queries, &names, &xq);
          failed = r < 0;
          nq = r < 0 ? 0 : (guint64) r;
        }
      if (any_failed (failed))
        return 3;
      MPI_Bcast (&nq, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
      q = (gsize) nq;
      if (rank != 0)
        xq = g_new (double, q * d);
      MPI_Bcast (xq, (int) (q * d), MPI_DOUBLE, 0, MPI_COMM_WORLD);
      if (nc > 0)
        {
          if (rank != 0)
            lq = g_new (gint, MAX (q * nc, 1));
          MPI_Bcast (lq, (int) (q * nc), MPI_INT, 0, MPI_COMM_WORLD);
        }
      zq = g_new (double, q * d);
      cs_standardise_rows (xq, zq, d, model->mean, model->sd, 0, q);
    }
  else
    {
      /* every case is a query, left out of its own prediction: the shards' cases go to every rank */
      g_autofree int *counts = g_new (int, nranks), *displs = g_new (int, nranks);
      int mine = (int) ((s.base != NULL ? s.base->n : 0) * d), acc = 0;
      int my_n = (int) (s.base != NULL ? s.base->n : 0);
      MPI_Allgather (&mine, 1, MPI_INT, counts, 1, MPI_INT, MPI_COMM_WORLD);
      for (int r = 0; r < nranks; r++)
        displs[r] = acc, acc += counts[r];
      q = s.n_total;
      /* the cases in original units, standardised here as the engine standardises its cases */
      xq = g_new (double, MAX (q * d, 1));
      MPI_Allgatherv (s.base != NULL ? s.base->x : NULL, mine, MPI_DOUBLE, xq, counts, displs, MPI_DOUBLE,
                      MPI_COMM_WORLD);
      zq = g_new (double, MAX (q * d, 1));
      cs_standardise_rows (xq, zq, d, model->mean, model->sd, 0, q);
      acc = 0;
      MPI_Allgather (&my_n, 1, MPI_INT, counts, 1, MPI_INT, MPI_COMM_WORLD);
      for (int r = 0; r < nranks; r++)
        displs[r] = acc, acc += counts[r];
      yq = g_new (double, MAX (q, 1));
      MPI_Allgatherv (s.base != NULL ? s.base->y : NULL, my_n, MPI_DOUBLE, yq, counts, displs, MPI_DOUBLE,
                      MPI_COMM_WORLD);
      if (nc > 0)
        {
          /* every case's levels: each case is a query with its own (as the engine's leave-one-out takes them) */
          int my_c = my_n * (int) nc;
          acc = 0;
          MPI_Allgather (&my_c, 1, MPI_INT, counts, 1, MPI_INT, MPI_COMM_WORLD);
          for (int r = 0; r < nranks; r++)
            displs[r] = acc, acc += counts[r];
          all_cat = g_new (gint, MAX (q * nc, 1));
          MPI_Allgatherv (s.cat, my_c, MPI_INT, all_cat, counts, displs, MPI_INT, MPI_COMM_WORLD);
          lq = g_memdup2 (all_cat, MAX (q * nc, 1) * sizeof (gint));
        }
      self = g_new (gsize, MAX (q, 1));
      for (gsize t = 0; t < q; t++)
        self[t] = t;
      if (audit_cases > 0 && (gsize) audit_cases < q)
        {
          /* a sample of the cases as queries; the base stays whole (job.all_*) */
          gsize m = (gsize) audit_cases;
          g_autofree size_t *rows = g_new (size_t, m);
          all_x = g_steal_pointer (&xq);
          all_y = g_steal_pointer (&yq);
          all_zc = g_steal_pointer (&zq);
          cs_sample_gather (all_x, q, d, m, rows, NULL);
          xq = g_new (double, m * d);
          zq = g_new (double, m * d);
          yq = g_new (double, m);
          for (gsize t = 0; t < m; t++)
            {
              self[t] = rows[t];
              memcpy (xq + t * d, all_x + rows[t] * d, d * sizeof (double));
              memcpy (zq + t * d, all_zc + rows[t] * d, d * sizeof (double));
              yq[t] = all_y[rows[t]];
              if (nc > 0)
                memcpy (lq + t * nc, all_cat + rows[t] * nc, nc * sizeof (gint));
            }
          q = m;
        }
    }

  /* the second round's baselines: what the model file measured on this case base (version 3), the ranges of
   * the whole base (a reduction), the model's sd; thresholds derived from them as the engine derives its own */
  job.model = model;
  job.epsilon = epsilon;
  job.flags = !no_flags;
  job.metric = &metric;
  job.xq = xq;
  job.yq = yq;
  job.n_cat = nc;
  job.lq = lq;
  job.all_cat = all_cat;
  job.cat_lambda = model->cat_lambda;
  if (audit)
    {
      job.all_z = all_zc != NULL ? all_zc : zq;
      job.all_x = all_x != NULL ? all_x : xq;
      job.all_y = all_y != NULL ? all_y : yq;
    }
  if (job.flags)
    {
      static const char *const measured[] = { "noise_sd", "lipschitz", "nn_distance", "nn_distance_high", "window",
                                              "usual_noise", "metric_nn_distance", "metric_nn_distance_high" };
      double *field[] = { &job.flag_base.noise_sd, &job.flag_base.lipschitz, &job.flag_base.nn_distance,
                          &job.flag_base.nn_distance_high, &job.flag_base.window, &job.flag_base.usual_noise,
                          &job.flag_base.metric_nn_distance, &job.flag_base.metric_nn_distance_high };
      g_autofree double *lo = g_new (double, d), *hi = g_new (double, d);
      guint64 my_n = s.base != NULL ? s.base->n : 0, max_n = 0;

      for (gsize k = 0; k < G_N_ELEMENTS (measured) && !failed; k++)
        if (!cs_model_file_lookup_number (model, "baselines", measured[k], field[k]))
          failed = TRUE, rank == 0 ? say ("%s: the model file has no baseline \"%s\" (fit and save it again with "
                                          "casescope-cli fit --save, or run with --no-flags)", model_path, measured[k]) : (void) 0;
      if (!failed && model->source_rows != 0 && model->source_rows != s.n_total)
        failed = TRUE, rank == 0 ? say ("%s: the model's baselines were measured on %zu cases, %s has %zu usable ones "
                                        "(run with --no-flags, or fit on this file)", model_path, model->source_rows,
                                        path, s.n_total) : (void) 0;
      for (gsize j = 0; j < d; j++)
        {
          lo[j] = s.base != NULL ? s.base->min[j] : INFINITY;
          hi[j] = s.base != NULL ? s.base->max[j] : -INFINITY;
        }
      fmin = g_new (double, d);
      fmax = g_new (double, d);
      MPI_Allreduce (lo, fmin, (int) d, MPI_DOUBLE, MPI_MIN, MPI_COMM_WORLD);
      MPI_Allreduce (hi, fmax, (int) d, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
      MPI_Allreduce (&my_n, &max_n, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
      job.flag_base.d = d;
      job.flag_base.n_cases = s.n_total;
      job.flag_base.feature_names = (const char * const *) model->features;
      job.flag_base.feature_units = s.base != NULL ? (const char * const *) s.base->feature_units : NULL;
      job.flag_base.feature_min = fmin;
      job.flag_base.feature_max = fmax;
      job.flag_base.feature_sd = model->sd;
      job.flag_base.target_name = model->target;
      job.flag_base.target_unit = s.base != NULL ? s.base->target_unit : NULL;
      cs_flag_thresholds_init_for_base (&job.thresholds, &job.flag_base);
      if (!failed)
        failed = !prepare_intervals (&s, model, model_path, epsilon, &spec, &job, &residuals, &loo_residual,
                                     &loo_spread, &loo_abs_scale, &sample_rows, &sample_z);
      job.rows = &metric_rows;
      /* each block holds every weight of the shard for its queries: about 32 MB of them */
      block = CLAMP ((gsize) ((1u << 22) / MAX (max_n, 1)), 1, BLOCK);
      if (d > 64)
        failed = TRUE, rank == 0 ? say ("casescope-batch: at most 64 features with the flags") : (void) 0;
    }
  if (any_failed (failed))
    goto done_early;

  double wall0 = MPI_Wtime (), cpu0 = (double) clock () / CLOCKS_PER_SEC;
  MPI_Type_contiguous (PART_DOUBLES, MPI_DOUBLE, &part_type);
  MPI_Type_commit (&part_type);
  MPI_Op_create (part_op, 1, &op);
  res = g_new0 (Merged, MAX (q, 1));
  for (gsize t0 = 0; t0 < q; t0 += block)
    {
      Job bj = job;
      bj.xq = xq + t0 * d;
      bj.yq = yq != NULL ? yq + t0 : NULL;
      bj.lq = lq != NULL ? lq + t0 * nc : NULL;
      if (!predict_block (&s, &bj, &metric_rows, isfinite (model->noise_sd) ? model->noise_sd : 0, zq + t0 * d,
                          MIN (block, q - t0), self != NULL ? self + t0 : NULL, (guint) top_k, op, part_type, res + t0))
        goto done;
    }

  if (stats)
    say ("rank %d: %zu cases, %zu queries: %.2f s CPU, %.2f s wall (scoring, merging, second round)", rank,
         s.base != NULL ? s.base->n : 0, q, (double) clock () / CLOCKS_PER_SEC - cpu0, MPI_Wtime () - wall0);
  /* audit: each case's line and outcome, gathered to rank 0 */
  {
    g_autofree double *yl = NULL, *all = NULL;
    g_autoptr(GString) text = g_string_new (NULL);
    if (audit)
      {
        g_autofree int *counts = g_new (int, nranks), *displs = g_new (int, nranks);
        gsize n = s.base != NULL ? s.base->n : 0;
        int mine = (int) (2 * n), acc = 0;
        yl = g_new (double, MAX (2 * n, 1));
        for (gsize i = 0; i < n; i++)
          yl[2 * i] = s.base->line[i], yl[2 * i + 1] = s.base->y[i];
        MPI_Gather (&mine, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD);
        if (rank == 0)
          for (int r = 0; r < nranks; r++)
            displs[r] = acc, acc += counts[r];
        all = rank == 0 ? g_new (double, MAX (2 * s.n_total, 1)) : NULL;
        MPI_Gatherv (yl, mine, MPI_DOUBLE, all, counts, displs, MPI_DOUBLE, 0, MPI_COMM_WORLD);
      }
    if (rank == 0 && out == NULL)
      {
        g_autoptr(JsonBuilder) b = json_builder_new ();
        JsonNode *root;
        g_autofree char *str = NULL;
        json_builder_begin_object (b);
        json_builder_set_member_name (b, audit ? "cases" : "predictions");
        json_builder_begin_array (b);
        for (gsize t = 0; t < q; t++)
          {
            json_builder_begin_object (b);
            if (audit)
              {
                json_builder_set_member_name (b, "row");
                json_builder_add_int_value (b, (gint64) all[2 * self[t]]);
                cs_json_add_number (b, "y", all[2 * self[t] + 1]);
              }
            merged_json (b, model, &spec, audit ? NULL : xq + t * d, !audit && lq != NULL ? lq + t * nc : NULL, &res[t], audit);
            json_builder_end_object (b);
          }
        json_builder_end_array (b);
        /* predictions whose flags or verdict a 1e-9 relative change of a threshold would change */
        json_builder_set_member_name (b, "ties");
        json_builder_begin_array (b);
        for (gsize t = 0; t < q; t++)
          if (res[t].tie)
            json_builder_add_int_value (b, (gint64) t);
        json_builder_end_array (b);
        if (audit && !no_flags)
          {
            json_builder_set_member_name (b, "flagged");
            json_builder_begin_array (b);
            for (gsize t = 0; t < q; t++)
              if (res[t].have_report && res[t].report.n_flags > 0)
                json_builder_add_int_value (b, (gint64) all[2 * self[t]]);
            json_builder_end_array (b);
          }
        json_builder_set_member_name (b, "ranks");
        json_builder_add_int_value (b, nranks);
        json_builder_set_member_name (b, "n");
        json_builder_add_int_value (b, (gint64) s.n_total);
        json_builder_end_object (b);
        root = json_builder_get_root (b);
        str = cs_json_to_string (root);
        json_node_unref (root);
        g_string_append (text, str);
        g_string_append_c (text, '\n');
      }
    else if (rank == 0)
      {
        g_string_append (text, audit ? "row,y,prediction,stderr,n_eff,local_sd,nearest_distance"
                                     : "query,prediction,stderr,n_eff,local_sd,nearest_distance");
        g_string_append (text, ",interval_level,interval_lower,interval_upper");
        /* with limits, the case table export's p_in_spec and spec (the words), then the limits themselves */
        g_string_append (text, limits ? ",p_in_spec,spec,spec_lower,spec_upper\n" : "\n");
        for (gsize t = 0; t < q; t++)
          {
            gboolean iv = res[t].have_report && isfinite (res[t].interval.level);
            g_autofree char *p = csv_number (res[t].prediction), *se = csv_number (res[t].std_error),
                            *ne = csv_number (res[t].n_eff), *ls = csv_number (res[t].local_sd),
                            *nd = csv_number (res[t].nearest_distance), *yy = audit ? csv_number (all[2 * self[t] + 1]) : NULL,
                            *il = csv_number (iv ? res[t].interval.level : NAN),
                            *lo = csv_number (iv ? res[t].interval.lower : NAN),
                            *hi = csv_number (iv ? res[t].interval.upper : NAN);
            if (audit)
              g_string_append_printf (text, "%u,%s,%s,%s,%s,%s,%s", (guint) all[2 * self[t]], yy, p, se, ne, ls, nd);
            else
              g_string_append_printf (text, "%zu,%s,%s,%s,%s,%s", t + 1, p, se, ne, ls, nd);
            /* an empty end: none, or one the residuals cannot reach (infinite) */
            g_string_append_printf (text, ",%s,%s,%s", il, lo, hi);
            if (limits)
              {
                CsQueryResult r;
                g_autofree char *words = NULL, *cell = NULL, *ps = NULL, *sl = NULL, *su = NULL;
                merged_result (&res[t], &spec, &r);
                /* as the JSON: none without an interval */
                ps = csv_number (iv ? r.p_in_spec : NAN);
                words = iv ? cs_query_result_spec_words (&r) : NULL;
                cell = cs_csv_format_text (words != NULL ? words : "", ',');
                sl = csv_number (spec.spec_lower);
                su = csv_number (spec.spec_upper);
                g_string_append_printf (text, ",%s,%s,%s,%s", ps, cell, sl, su);
              }
            g_string_append_c (text, '\n');
          }
      }
    failed = rank == 0 && !write_output (out, path, text->str);
  }
  rc = any_failed (failed) ? 4 : 0;
done:
  MPI_Op_free (&op);
  MPI_Type_free (&part_type);
done_early:
  if (s.ctx != NULL)
    cs_attention_free (s.ctx);
  g_free (s.z);
  g_free (s.cat);
  if (s.base != NULL)
    cs_case_base_unref (s.base);
  cs_metric_clear (&metric);
  cs_metric_rows_clear (&metric_rows);
  return rc;
}

int
main (int argc, char **argv)
{
  int rc;

  MPI_Init (&argc, &argv);
  /* a rank that dies takes the job down with a message (mpirun's), never a hang */
  MPI_Comm_set_errhandler (MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
  MPI_Comm_rank (MPI_COMM_WORLD, &rank);
  MPI_Comm_size (MPI_COMM_WORLD, &nranks);
  messages = g_string_new (NULL);
  rc = run (argc, argv);
  flush_messages ();
  g_string_free (messages, TRUE);
  MPI_Finalize ();
  return rc;
}
