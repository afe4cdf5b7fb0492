/* cs-case-attention.c: chart 1, the cases one prediction used (weight strip, top-k bars, exact sum). */
#define G_LOG_DOMAIN "cs-case-attention"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cs-charts.h"
#include "cs-plot-interval.h"

static gsize *
iota (gsize n)
{
  gsize *idx = g_new (gsize, MAX (n, 1));

  for (gsize i = 0; i < n; i++)
    idx[i] = i;
  return idx;
}

static int
cmp_weight_desc (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  const double *w = user_data;
  gsize i = *(const gsize *) a, j = *(const gsize *) b;
  double wi = isnan (w[i]) ? -INFINITY : w[i], wj = isnan (w[j]) ? -INFINITY : w[j];

  if (wi != wj)
    return wi > wj ? -1 : 1;
  return i < j ? -1 : i > j;
}

static int
cmp_distance_asc (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  const double *d = user_data;
  gsize i = *(const gsize *) a, j = *(const gsize *) b;
  double di = isnan (d[i]) ? INFINITY : d[i], dj = isnan (d[j]) ? INFINITY : d[j];

  if (di != dj)
    return di < dj ? -1 : 1;
  return i < j ? -1 : i > j;
}

/* A weight and its case, sorted as cmp_weight_desc sorts indices: next to each other in memory, so a sort of 10^6
 * cases does not chase every comparison into the weight array. */
typedef struct
{
  double w;
  gsize i;
} WeightIndex;

static int
cmp_pair_desc (const void *a,
               const void *b)
{
  const WeightIndex *p = a, *q = b;

  if (p->w != q->w)
    return p->w > q->w ? -1 : 1;
  return p->i < q->i ? -1 : p->i > q->i;
}

/* Sorts pairs[0..m) and appends their cases to out. */
static gsize *
append_sorted (gsize       *out,
               WeightIndex *pairs,
               gsize        m)
{
  if (m > 0)
    qsort (pairs, m, sizeof *pairs, cmp_pair_desc);
  for (gsize p = 0; p < m; p++)
    *out++ = pairs[p].i;
  return out;
}

/* The positive weights' cases heaviest first, equal weights by case, into out: a stable LSD radix sort on the
 * weights' bits (a positive double's bits order as the double does; complemented, largest first), from case order,
 * so ties keep it. At 10^6 cases of a wide window (few exact zeros) the comparison sort was a third of the CPU of
 * a what-if edit. */
static void
radix_sort_positive (WeightIndex *pairs,
                     gsize        m,
                     gsize       *out)
{
  g_autofree WeightIndex *tmp = g_new (WeightIndex, MAX (m, 1));
  WeightIndex *src = pairs, *dst = tmp;

  for (int shift = 0; shift < 64; shift += 16)
    {
      g_autofree gsize *count = g_new0 (gsize, 65537);
      gboolean one_bucket;

      for (gsize p = 0; p < m; p++)
        {
          guint64 key;

          memcpy (&key, &src[p].w, sizeof key);
          count[((~key) >> shift & 0xffff) + 1]++;
        }
      one_bucket = FALSE;
      for (gsize b = 1; b <= 65536; b++)
        one_bucket |= count[b] == m;
      if (one_bucket)
        continue;   /* every key has these bits alike: the pass would not move anything */
      for (gsize b = 1; b <= 65536; b++)
        count[b] += count[b - 1];
      for (gsize p = 0; p < m; p++)
        {
          guint64 key;

          memcpy (&key, &src[p].w, sizeof key);
          dst[count[(~key) >> shift & 0xffff]++] = src[p];
        }
      {
        WeightIndex *t = src;
        src = dst;
        dst = t;
      }
    }
  for (gsize p = 0; p < m; p++)
    out[p] = src[p].i;
}

gsize *
cs_case_attention_order (const CsCaseAttentionData *data)
{
  gsize *idx, *out;
  g_autofree WeightIndex *pos = NULL, *rest = NULL;
  g_autofree gsize *zero = NULL;
  gsize n_pos = 0, n_rest = 0, n_zero = 0;

  if (data->n == 0 || data->weights == NULL)
    return g_new0 (gsize, 1);
  if (data->sort == CS_CASE_SORT_DISTANCE && data->distances != NULL)
    {
      idx = iota (data->n);
      g_qsort_with_data (idx, (gint) data->n, sizeof (gsize), cmp_distance_asc, (gpointer) data->distances);
      return idx;
    }
  /* cmp_weight_desc's order in three groups: the positive weights sorted, then the zeros in case order (ties go
   * by index: no sort needed), then the rest (negative, NaN as -inf) sorted. With a narrow window most of a large
   * base's weights underflow to exactly 0. */
  pos = g_new (WeightIndex, data->n);
  zero = g_new (gsize, data->n);
  for (gsize i = 0; i < data->n; i++)
    {
      double w = data->weights[i];

      if (w > 0)
        pos[n_pos++] = (WeightIndex) { w, i };
      else if (w == 0)
        zero[n_zero++] = i;
      else
        {
          if (rest == NULL)
            rest = g_new (WeightIndex, data->n);
          rest[n_rest++] = (WeightIndex) { isnan (w) ? -INFINITY : w, i };
        }
    }
  idx = g_new (gsize, data->n);
  radix_sort_positive (pos, n_pos, idx);
  out = idx + n_pos;
  memcpy (out, zero, n_zero * sizeof (gsize));
  out += n_zero;
  append_sorted (out, rest, n_rest);
  return idx;
}

gsize *
cs_case_attention_top (const CsCaseAttentionData *data,
                       guint                      k)
{
  gsize *top = g_new (gsize, MAX (k, 1));
  guint m = 0;

  if (data->weights == NULL)
    k = 0;
  /* One pass keeping the k heaviest so far in order: a case enters only when heavier than the k-th (cases come in
   * index order, so an equal weight never displaces an earlier case, as in cmp_weight_desc). */
  for (gsize i = 0; i < data->n && k > 0; i++)
    {
      guint p;

      if (m == k && cmp_weight_desc (&i, &top[k - 1], (gpointer) data->weights) >= 0)
        continue;
      p = m < k ? m++ : k - 1;
      while (p > 0 && cmp_weight_desc (&i, &top[p - 1], (gpointer) data->weights) < 0)
        {
          top[p] = top[p - 1];
          p--;
        }
      top[p] = i;
    }
  return top;
}

static guint
top_k (const CsCaseAttentionData *data)
{
  guint k = data->top_k > 0 ? data->top_k : 10;

  return (guint) MIN ((gsize) k, data->n);
}

void
cs_case_attention_sums (const CsCaseAttentionData *data,
                        double                    *sum_wy,
                        double                    *sum_w,
                        double                    *top_k_wy)
{
  /* Neumaier-compensated sums: the chart claims the decomposition is exact. */
  double s = 0, c = 0, sw = 0, cw = 0, st = 0;
  g_autofree gsize *by_weight = NULL;
  guint k = top_k (data);

  for (gsize i = 0; i < data->n; i++)
    {
      double terms[2] = { data->weights[i] * data->outcomes[i], data->weights[i] };
      double *acc[2] = { &s, &sw }, *comp[2] = { &c, &cw };

      for (int t = 0; t < 2; t++)
        {
          double sum = *acc[t] + terms[t];

          if (fabs (*acc[t]) >= fabs (terms[t]))
            *comp[t] += (*acc[t] - sum) + terms[t];
          else
            *comp[t] += (terms[t] - sum) + *acc[t];
          *acc[t] = sum;
        }
    }
  if (data->n > 0)
    {
      by_weight = cs_case_attention_top (data, k);
      for (guint i = 0; i < k; i++)
        st += data->weights[by_weight[i]] * data->outcomes[by_weight[i]];
    }
  if (sum_wy != NULL)
    *sum_wy = s + c;
  if (sum_w != NULL)
    *sum_w = sw + cw;
  if (top_k_wy != NULL)
    *top_k_wy = st;
}

static char *
case_name (const CsCaseAttentionData *data,
           gsize                      i)
{
  if (data->ids != NULL && data->ids[i] != NULL && data->ids[i][0] != '\0')
    return g_strdup (data->ids[i]);
  if (data->lines != NULL)
    return g_strdup_printf ("line %u", data->lines[i]);
  return g_strdup_printf ("case %" G_GSIZE_FORMAT, i + 1);
}

static char *
with_unit (double      v,
           const char *unit)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (buf, sizeof buf, "%.4g", v);
  if (unit != NULL && unit[0] != '\0')
    return g_strdup_printf ("%s %s", buf, unit);
  return g_strdup (buf);
}

static double
weight_scale_max (const CsCaseAttentionData *data,
                  const CsPlotStyle         *style)
{
  double m = 0;

  if (!style->stretch_to_max)
    return 1.0;
  for (gsize i = 0; i < data->n; i++)
    if (data->weights[i] > m)
      m = data->weights[i];
  return m > 0 ? m : 1.0;
}

/* Above this many cases the strip's rank axis is logarithmic, so the few heavy cases get room. */
#define LOG_RANK_FROM 100

static void
draw_strip (cairo_t                   *cr,
            const CsPlotStyle         *style,
            const CsCaseAttentionData *data,
            const gsize               *order,
            const CsColorbar          *bar,
            const CsRect              *rect)
{
  gboolean logx = data->n >= LOG_RANK_FROM;
  CsAxis xa = { NULL, logx ? 1 : 0.5, logx ? (double) data->n : data->n + 0.5, logx, FALSE };
  CsAxis ya = { NULL, 0, 1, FALSE, TRUE };
  g_autofree char *xlabel = NULL;
  CsPlotFrame frame;
  double scale = cs_plot_raster_scale (cr);
  guint bw;
  cairo_surface_t *img;
  guint32 *px;
  guint32 lut[256];
  float *bins;

  xlabel = g_strdup_printf ("all %" G_GSIZE_FORMAT " cases by %s (rank%s; colour = weight)", data->n,
                            data->sort == CS_CASE_SORT_DISTANCE && data->distances != NULL ? "distance, nearest first"
                                                                                          : "weight, heaviest first",
                            logx ? ", log scale" : "");
  xa.label = xlabel;
  cs_plot_frame_layout (cr, style, rect, &xa, &ya, &frame);
  frame.no_grid = TRUE;

  bw = (guint) CLAMP (ceil (frame.area.w * scale), 1, logx ? 1e5 : (double) data->n);
  bins = g_new0 (float, bw);
  if (!logx)
    for (gsize p = 0; p < data->n; p++)
      {
        guint b = (guint) ((double) p * bw / data->n);
        float w = (float) data->weights[order[p]];

        if (w > bins[b])
          bins[b] = w;
      }
  else
    {
      /* Pixel b spans ranks [n^(b/bw), n^((b+1)/bw)) on the 1-based rank axis; a pixel narrower
       * than one rank shows the rank under its centre. */
      double ln = log ((double) data->n);

      for (guint b = 0; b < bw; b++)
        {
          double r0 = exp (ln * b / bw), r1 = exp (ln * (b + 1) / bw), rc = exp (ln * (b + 0.5) / bw);
          gsize p0 = (gsize) floor (r0 - 0.5), p1 = (gsize) ceil (r1 - 0.5);

          if (p1 <= p0)
            p0 = p1 = (gsize) floor (rc - 0.5), p1 = p0 + 1;
          for (gsize p = p0; p < p1 && p < data->n; p++)
            {
              float w = (float) data->weights[order[p]];
              if (w > bins[b])
                bins[b] = w;
            }
        }
    }
  cs_colormap_fill_lut (bar->map, lut, 256);
  img = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) bw, 1);
  cairo_surface_flush (img);
  px = (guint32 *) cairo_image_surface_get_data (img);
  for (guint b = 0; b < bw; b++)
    px[b] = lut[(int) lround (cs_colorbar_t (bar, bins[b]) * 255)];
  cairo_surface_mark_dirty (img);
  cs_plot_paint_image (cr, img, &frame.area);
  cairo_surface_destroy (img);
  g_free (bins);
  cs_plot_frame_draw (cr, style, &frame);
}

/* The chart has no outcome axis of its own: with an interval, a thin one under the sums shows the band from lower
 * to upper, the prediction in it and where the heaviest cases' outcomes fall. */
static void
draw_interval_axis (cairo_t                   *cr,
                    const CsPlotStyle         *style,
                    const CsCaseAttentionData *data,
                    const CsRect              *rect)
{
  g_autofree char *label = cs_plot_axis_label (data->target_name != NULL ? data->target_name : _("outcome"),
                                               data->target_unit);
  CsAxis xa = { label, data->interval_lower, data->interval_upper, FALSE, FALSE };
  CsAxis ya = { NULL, 0, 1, FALSE, TRUE };
  guint k = top_k (data);
  g_autofree gsize *by_weight = cs_case_attention_top (data, k);
  CsPlotFrame frame;
  double x0, x1, xp;

  xa.min = MIN (xa.min, data->prediction);
  xa.max = MAX (xa.max, data->prediction);
  for (guint q = 0; q < k; q++)
    if (isfinite (data->outcomes[by_weight[q]]))
      {
        xa.min = MIN (xa.min, data->outcomes[by_weight[q]]);
        xa.max = MAX (xa.max, data->outcomes[by_weight[q]]);
      }
  cs_plot_pad_range (&xa.min, &xa.max, 0.06, FALSE);
  cs_plot_frame_layout (cr, style, rect, &xa, &ya, &frame);
  frame.no_grid = TRUE;
  cs_plot_frame_draw (cr, style, &frame);
  cairo_save (cr);
  cs_plot_frame_clip (cr, &frame);
  x0 = cs_plot_frame_x (&frame, data->interval_lower);
  x1 = cs_plot_frame_x (&frame, data->interval_upper);
  xp = cs_plot_frame_x (&frame, data->prediction);
  cairo_rectangle (cr, x0, frame.area.y, x1 - x0, frame.area.h);
  cs_plot_interval_fill (cr, style);
  for (guint q = 0; q < k; q++)
    if (isfinite (data->outcomes[by_weight[q]]))
      cs_plot_marker (cr, style, CS_MARK_CIRCLE, cs_plot_frame_x (&frame, data->outcomes[by_weight[q]]),
                      frame.area.y + frame.area.h / 2, cs_plot_pt (style, 4), style->foreground, style->foreground);
  cairo_move_to (cr, xp, frame.area.y);
  cairo_line_to (cr, xp, frame.area.y + frame.area.h);
  cs_plot_set_color (cr, style->accent, 1.0);
  cairo_set_line_width (cr, cs_plot_pt (style, 2));
  cairo_stroke (cr);
  cairo_restore (cr);
}

void
cs_case_attention_render (cairo_t                   *cr,
                          const CsCaseAttentionData *data,
                          const CsPlotStyle         *style,
                          double                     width,
                          double                     height)
{
  g_autofree char *title = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *detail = NULL;
  g_autofree gsize *order = NULL;
  g_autofree gsize *top = NULL;
  CsColorbar bar = { style->weight_map, 0, 1, FALSE, NULL, FALSE, 0 };
  g_autofree char *bar_label = NULL;
  double sum_wy, sum_w, top_wy, vmax;
  double line_h, small_h, cbw;
  guint k;
  CsRect r, strip_r, bars_r, cb_r;
  CsLegendItem legend[5];
  guint n_legend = 3;
  g_autofree char *interval_label = NULL;
  gboolean has_interval = !isnan (data->prediction) && isfinite (data->prediction)
                          && cs_plot_interval_valid (data->interval_level, data->interval_lower, data->interval_upper);

  title = data->title != NULL ? g_strdup (data->title)
                              : g_strdup_printf ("Cases used for %s", data->query_label != NULL ? data->query_label
                                                                                                : "the query");
  r = cs_plot_begin (cr, style, width, height, title, NULL);
  if (data->n == 0 || data->weights == NULL || data->outcomes == NULL)
    {
      cs_plot_empty (cr, style, &r, "No cases: nothing to explain.");
      return;
    }

  k = top_k (data);
  order = cs_case_attention_order (data);
  cs_case_attention_sums (data, &sum_wy, &sum_w, &top_wy);
  vmax = weight_scale_max (data, style);
  bar.vmax = vmax;
  bar_label = g_strdup_printf ("weight wᵢ (%s, %s)", cs_colormap_name (style->weight_map),
                               style->stretch_to_max ? "stretched to max" : "fixed 0–1");
  bar.label = bar_label;

  /* The exact decomposition, in the outcome's unit. */
  {
    g_autofree char *s = with_unit (sum_wy, data->target_unit);
    g_autofree char *t = with_unit (top_wy, data->target_unit);
    g_autofree char *rest = with_unit (sum_wy - top_wy, data->target_unit);
    char sw[G_ASCII_DTOSTR_BUF_SIZE];
    const char *target = data->target_name != NULL ? data->target_name : "outcome";

    g_ascii_formatd (sw, sizeof sw, "%.6f", sum_w);
    if (!isnan (data->prediction))
      {
        g_autofree char *p = with_unit (data->prediction, data->target_unit);
        g_autofree char *band = NULL;

        /* the prediction interval beside the prediction it belongs to (the chart has no outcome axis to draw
         * it on) */
        if (data->interval_level > 0 && data->interval_level < 1 && isfinite (data->interval_lower)
            && isfinite (data->interval_upper))
          {
            g_autofree char *lo = with_unit (data->interval_lower, NULL);
            g_autofree char *hi = with_unit (data->interval_upper, data->target_unit);
            band = g_strdup_printf (" (%g %%: %s – %s)", 100 * data->interval_level, lo, hi);
          }
        summary = g_strdup_printf ("predicted %s ŷ = %s%s  =  Σ wᵢ·yᵢ = %s over %" G_GSIZE_FORMAT " cases (Σ wᵢ = %s)",
                                   target, p, band != NULL ? band : "", s, data->n, sw);
      }
    else
      summary = g_strdup_printf ("Σ wᵢ·yᵢ = %s over %" G_GSIZE_FORMAT " cases (Σ wᵢ = %s)", s, data->n, sw);
    detail = g_strdup_printf ("the %u heaviest cases contribute %s, the other %" G_GSIZE_FORMAT " contribute %s", k, t,
                              data->n - k, rest);
  }
  line_h = cs_plot_text_height (cr, style, CS_TEXT_BOLD);
  small_h = cs_plot_text_height (cr, style, CS_TEXT_SMALL);
  cs_plot_text (cr, style, CS_TEXT_BOLD, style->foreground, summary, r.x, r.y, 0, 0, r.w);
  cs_plot_text (cr, style, CS_TEXT_SMALL, style->muted, detail, r.x, r.y + line_h, 0, 0, r.w);
  r = cs_rect_inset (r, 0, line_h + small_h + cs_plot_pt (style, 4), 0, 0);

  legend[0] = (CsLegendItem) { "bar length and colour: weight wᵢ", CS_LEGEND_SWATCH,
                               cs_colormap_eval (style->weight_map, 0.75), CS_MARK_NONE, FALSE };
  legend[1] = (CsLegendItem) { "label: case, outcome yᵢ", CS_LEGEND_MARKER, style->foreground, CS_MARK_SQUARE, FALSE };
  legend[2] = (CsLegendItem) { "contribution wᵢ·yᵢ right of the bar", CS_LEGEND_LINE, style->muted, CS_MARK_NONE,
                               FALSE };
  if (has_interval)
    {
      interval_label = cs_plot_interval_label (data->interval_level);
      legend[n_legend++] = (CsLegendItem) { interval_label, CS_LEGEND_SWATCH, cs_plot_interval_color (style),
                                            CS_MARK_NONE, FALSE };
      legend[n_legend++] = (CsLegendItem) { _("prediction ŷ (outcome axis, dots: heaviest cases)"), CS_LEGEND_LINE,
                                            style->accent, CS_MARK_NONE, FALSE };
    }
  r = cs_rect_inset (r, 0, cs_plot_legend (cr, style, &r, legend, n_legend), 0, 0);
  if (has_interval)
    {
      CsRect axis_r = r;

      axis_r.h = MIN (r.h * 0.25, cs_plot_pt (style, 16) + cs_plot_text_height (cr, style, CS_TEXT_NORMAL)
                      + small_h + cs_plot_pt (style, 10));
      draw_interval_axis (cr, style, data, &axis_r);
      r = cs_rect_inset (r, 0, axis_r.h + cs_plot_pt (style, 6), 0, 0);
    }

  cbw = cs_plot_colorbar_width (cr, style, &bar);
  cb_r = (CsRect) { r.x + r.w - cbw, r.y + cs_plot_pt (style, 4), cbw, r.h - cs_plot_pt (style, 8) };
  r = cs_rect_inset (r, 0, 0, cbw, 0);
  cs_plot_colorbar_draw (cr, style, &bar, &cb_r);

  /* The strip of all cases, then the top-k bars. */
  strip_r = r;
  strip_r.h = MIN (r.h * 0.3, cs_plot_pt (style, 14) + cs_plot_text_height (cr, style, CS_TEXT_NORMAL)
                   + small_h + cs_plot_pt (style, 12));
  draw_strip (cr, style, data, order, &bar, &strip_r);
  bars_r = cs_rect_inset (r, 0, strip_r.h + cs_plot_pt (style, 8), 0, 0);

  {
    CsAxis xa = { "attention weight wᵢ", 0, 0, FALSE, FALSE };
    CsAxis ya = { NULL, 0, 1, FALSE, TRUE };
    CsPlotFrame frame;
    double label_w = 0, max_w = 0, row_h, value_w = 0;
    g_autofree char **labels = g_new0 (char *, k + 1);
    g_autofree char **values = g_new0 (char *, k + 1);
    gsize j = 0;

    /* The top-k cases by weight, shown in the chosen order. */
    top = g_new (gsize, k);
    {
      g_autofree gsize *by_weight = cs_case_attention_top (data, k);

      for (gsize p = 0; p < data->n && j < k; p++)
        {
          gsize i = order[p];
          gboolean in_top = FALSE;

          for (guint q = 0; q < k; q++)
            in_top |= by_weight[q] == i;
          if (in_top)
            top[j++] = i;
        }
    }
    for (guint q = 0; q < k; q++)
      {
        g_autofree char *name = case_name (data, top[q]);
        g_autofree char *y = with_unit (data->outcomes[top[q]], data->target_unit);
        char wbuf[G_ASCII_DTOSTR_BUF_SIZE], cbuf[G_ASCII_DTOSTR_BUF_SIZE];

        if (data->sort == CS_CASE_SORT_DISTANCE && data->distances != NULL)
          {
            char dbuf[G_ASCII_DTOSTR_BUF_SIZE];

            g_ascii_formatd (dbuf, sizeof dbuf, "%.3g", data->distances[top[q]]);
            labels[q] = g_strdup_printf ("%s  y = %s  d = %s", name, y, dbuf);
          }
        else
          labels[q] = g_strdup_printf ("%s  y = %s", name, y);
        g_ascii_formatd (wbuf, sizeof wbuf, "%.3f", data->weights[top[q]]);
        g_ascii_formatd (cbuf, sizeof cbuf, "%.3g", data->weights[top[q]] * data->outcomes[top[q]]);
        values[q] = g_strdup_printf ("%s  (%s)", wbuf, cbuf);
        label_w = MAX (label_w, cs_plot_text_width (cr, style, CS_TEXT_SMALL, labels[q]));
        value_w = MAX (value_w, cs_plot_text_width (cr, style, CS_TEXT_SMALL, values[q]));
        max_w = MAX (max_w, data->weights[top[q]]);
      }
    label_w = MIN (label_w, bars_r.w * 0.4) + cs_plot_pt (style, 6);
    xa.max = max_w > 0 ? max_w : 1;
    cs_plot_pad_range (&xa.min, &xa.max, 0.0, FALSE);
    xa.min = 0;
    cs_plot_frame_layout (cr, style, &bars_r, &xa, &ya, &frame);
    /* Room on the left for the case labels, on the right for the value text. */
    frame.area = cs_rect_inset (frame.area, label_w, 0, 0, 0);
    {
      /* Let the longest bar end before its value text. */
      double frac = value_w / MAX (frame.area.w, 1);
      if (frac < 0.6)
        frame.x.max = xa.max / (1 - frac - 0.02);
    }
    cs_plot_frame_draw (cr, style, &frame);
    row_h = frame.area.h / MAX (k, 1);
    for (guint q = 0; q < k; q++)
      {
        double w = data->weights[top[q]];
        double cy = frame.area.y + (q + 0.5) * row_h;
        double bh = MIN (row_h * 0.72, cs_plot_pt (style, 16));
        double x1 = cs_plot_frame_x (&frame, w);
        CsRgb c = cs_colormap_eval (bar.map, cs_colorbar_t (&bar, w));

        cairo_save (cr);
        cairo_rectangle (cr, frame.area.x, cy - bh / 2, MAX (x1 - frame.area.x, cs_plot_pt (style, 0.5)), bh);
        cs_plot_set_color (cr, c, 1.0);
        cairo_fill_preserve (cr);
        cs_plot_set_color (cr, style->frame, 1.0);
        cairo_set_line_width (cr, cs_plot_pt (style, 0.5));
        cairo_stroke (cr);
        cairo_restore (cr);
        if (row_h >= small_h * 0.8)
          {
            cs_plot_text (cr, style, CS_TEXT_SMALL, style->foreground, labels[q], frame.area.x - cs_plot_pt (style, 4),
                          cy, 1, 0.5, label_w - cs_plot_pt (style, 6));
            cs_plot_text (cr, style, CS_TEXT_SMALL, style->foreground, values[q], x1 + cs_plot_pt (style, 3), cy, 0,
                          0.5, 0);
          }
      }
    if (row_h >= small_h * 0.8)
      cs_plot_text (cr, style, CS_TEXT_SMALL, style->muted, "case, outcome", frame.area.x - cs_plot_pt (style, 4),
                    frame.area.y + frame.area.h + cs_plot_pt (style, 4), 1, 0, label_w);
    for (guint q = 0; q < k; q++)
      {
        g_free (labels[q]);
        g_free (values[q]);
      }
  }
}
