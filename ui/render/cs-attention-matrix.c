/* cs-attention-matrix.c: chart 3, queries x cases weights binned into one image (one pixel per bin). */
#define G_LOG_DOMAIN "cs-attention-matrix"

#include "config.h"

#include <math.h>

#include "cs-charts.h"

float *
cs_attention_matrix_bin (const CsAttentionMatrixData *data,
                         guint                        max_w,
                         guint                        max_h,
                         guint                       *bins_w,
                         guint                       *bins_h)
{
  gsize stride = data->stride > 0 ? data->stride : data->cols;
  guint bw = (guint) MIN ((gsize) MAX (max_w, 1), MAX (data->cols, 1));
  guint bh = (guint) MIN ((gsize) MAX (max_h, 1), MAX (data->rows, 1));
  float *bins = g_new0 (float, (gsize) bw * bh);
  g_autofree guint *col_bin = g_new (guint, MAX (data->cols, 1));
  g_autofree gsize *col_src = g_new (gsize, MAX (data->cols, 1));
  g_autofree guint *bin_count = NULL;
  gboolean mean = data->bin == CS_BIN_MEAN;

  *bins_w = bw;
  *bins_h = bh;
  if (data->rows == 0 || data->cols == 0 || data->weights == NULL)
    return bins;

  for (gsize q = 0; q < data->cols; q++)
    {
      col_bin[q] = (guint) ((q * (guint64) bw) / data->cols);
      col_src[q] = data->col_order != NULL ? data->col_order[q] : q;
    }
  if (mean)
    {
      /* Cells per bin, from the row and column bin widths. */
      g_autofree guint *ccount = g_new0 (guint, bw);
      g_autofree guint *rcount = g_new0 (guint, bh);

      bin_count = g_new (guint, (gsize) bw * bh);
      for (gsize q = 0; q < data->cols; q++)
        ccount[col_bin[q]]++;
      for (gsize p = 0; p < data->rows; p++)
        rcount[(p * (guint64) bh) / data->rows]++;
      for (guint by = 0; by < bh; by++)
        for (guint bx = 0; bx < bw; bx++)
          bin_count[(gsize) by * bw + bx] = rcount[by] * ccount[bx];
    }

  for (gsize p = 0; p < data->rows; p++)
    {
      gsize src_row = data->row_order != NULL ? data->row_order[p] : p;
      const float *row = data->weights + src_row * stride;
      float *out = bins + ((p * (guint64) bh) / data->rows) * bw;

      if (mean)
        {
          if (data->col_order == NULL)
            for (gsize q = 0; q < data->cols; q++)
              out[col_bin[q]] += row[q];
          else
            for (gsize q = 0; q < data->cols; q++)
              out[col_bin[q]] += row[col_src[q]];
        }
      else if (data->col_order == NULL && bw == data->cols)
        {
          for (gsize q = 0; q < data->cols; q++)
            out[q] = row[q] > out[q] ? row[q] : out[q];
        }
      else
        for (gsize q = 0; q < data->cols; q++)
          {
            float v = row[col_src[q]];
            guint b = col_bin[q];

            out[b] = v > out[b] ? v : out[b];
          }
    }
  if (mean)
    for (gsize i = 0; i < (gsize) bw * bh; i++)
      bins[i] = bin_count[i] > 0 ? bins[i] / bin_count[i] : 0;
  return bins;
}

void
cs_attention_matrix_render (cairo_t                     *cr,
                            const CsAttentionMatrixData *data,
                            const CsPlotStyle           *style,
                            double                       width,
                            double                       height)
{
  g_autofree char *title = NULL;
  g_autofree char *bar_label = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree float *bins = NULL;
  CsAxis xa = { NULL, 0, 1, FALSE, FALSE }, ya = { NULL, 0, 1, FALSE, FALSE };
  CsColorbar bar = { style->weight_map, 0, 1, FALSE, NULL, FALSE, 0 };
  CsPlotFrame frame;
  CsRect r, cb_r;
  double cbw, scale, vmax = 0;
  guint bw, bh;
  guint32 lut[256];
  cairo_surface_t *img;
  guint32 *px;
  int stride_px;

  title = g_strdup (data->title != NULL ? data->title : "Attention matrix: which cases each query used");
  if (data->rows > 0 && data->cols > 0)
    subtitle = g_strdup_printf ("%" G_GSIZE_FORMAT " queries x %" G_GSIZE_FORMAT " cases, %s weight per pixel bin",
                                data->rows, data->cols, data->bin == CS_BIN_MEAN ? "mean" : "largest");
  r = cs_plot_begin (cr, style, width, height, title, subtitle);
  if (data->rows == 0 || data->cols == 0 || data->weights == NULL)
    {
      cs_plot_empty (cr, style, &r, "No weights to show.");
      return;
    }

  bar_label = g_strdup_printf ("%s wᵢ in bin (%s, %s)", data->bin == CS_BIN_MEAN ? "mean" : "max",
                               cs_colormap_name (style->weight_map),
                               style->stretch_to_max ? "stretched to max" : "fixed 0–1");
  bar.label = bar_label;
  cbw = cs_plot_colorbar_width (cr, style, &bar);
  r = cs_rect_inset (r, 0, 0, cbw, 0);

  xa.label = data->col_label != NULL ? data->col_label : "cases (position in the case base)";
  ya.label = data->row_label != NULL ? data->row_label : "queries (position)";
  xa.min = 0;
  xa.max = (double) data->cols;
  ya.min = 0;
  ya.max = (double) data->rows;
  cs_plot_frame_layout (cr, style, &r, &xa, &ya, &frame);
  frame.no_grid = TRUE;
  /* Row 0 at the top, as in a table: flip the y axis. */
  frame.y.min = (double) data->rows;
  frame.y.max = 0;

  scale = cs_plot_raster_scale (cr);
  bins = cs_attention_matrix_bin (data, (guint) MAX (ceil (frame.area.w * scale), 1),
                                  (guint) MAX (ceil (frame.area.h * scale), 1), &bw, &bh);
  for (gsize i = 0; i < (gsize) bw * bh; i++)
    vmax = MAX (vmax, bins[i]);
  if (style->stretch_to_max && vmax > 0)
    bar.vmax = vmax;

  cs_colormap_fill_lut (bar.map, lut, 256);
  img = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) bw, (int) bh);
  cairo_surface_flush (img);
  px = (guint32 *) cairo_image_surface_get_data (img);
  stride_px = cairo_image_surface_get_stride (img) / 4;
  {
    float inv = (float) (255.0 / (bar.vmax - bar.vmin));

    for (guint y = 0; y < bh; y++)
      {
        const float *in = bins + (gsize) y * bw;
        guint32 *out = px + (gsize) y * stride_px;

        for (guint x = 0; x < bw; x++)
          {
            float t = in[x] * inv;
            int l = t >= 255.f ? 255 : t > 0 ? (int) (t + 0.5f) : 0;
            out[x] = lut[l];
          }
      }
  }
  cairo_surface_mark_dirty (img);
  cs_plot_paint_image (cr, img, &frame.area);
  cairo_surface_destroy (img);

  /* Axes with the flipped y: position 0 at the top. */
  cs_plot_frame_draw (cr, style, &frame);
  cb_r = (CsRect) { frame.area.x + frame.area.w, frame.area.y, cbw, frame.area.h };
  cs_plot_colorbar_draw (cr, style, &bar, &cb_r);
}
