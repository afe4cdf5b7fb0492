/* cs-report.c: a meeting report drawn page after page into a PDF (text, a table, charts), written atomically. */
#define G_LOG_DOMAIN "cs-report"

#include "config.h"

#include <math.h>
#include <string.h>

#include <cairo-pdf.h>

#include "cs-charts.h"
#include "cs-report.h"

typedef struct
{
  cairo_surface_t *surface;
  const CsPlotStyle *style;
  double width, height;
  guint pages;
  cairo_status_t status;     /* the first drawing error, kept to the end */
} Pager;

static cairo_t *
page_begin (Pager      *p,
            const char *title,
            gboolean    continued,
            CsRect     *rect)
{
  cairo_t *cr = cairo_create (p->surface);
  g_autofree char *t = continued ? g_strdup_printf ("%s (continued)", title) : g_strdup (title);

  *rect = cs_plot_begin (cr, p->style, p->width, p->height, t, NULL);
  return cr;
}

static void
page_end (Pager   *p,
          cairo_t *cr)
{
  if (p->status == CAIRO_STATUS_SUCCESS)
    p->status = cairo_status (cr);
  cairo_destroy (cr);
  cairo_surface_show_page (p->surface);
  p->pages++;
}

/* A paragraph wrapped at width (cs_plot_layout ellipsises; a report must show every word). */
static PangoLayout *
wrapped (cairo_t           *cr,
         const CsPlotStyle *style,
         CsTextRole         role,
         const char        *text,
         double             width)
{
  PangoLayout *layout = cs_plot_layout (cr, style, role, text, 0);

  pango_layout_set_width (layout, (int) (MAX (width, 1) * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  return layout;
}

static double
layout_height (PangoLayout *layout)
{
  double w, h;

  cs_plot_layout_size (layout, &w, &h);
  return h;
}

static void
show_layout (cairo_t     *cr,
             PangoLayout *layout,
             CsRgb        color,
             double       x,
             double       y)
{
  cs_plot_set_color (cr, color, 1.0);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
}

static CsRgb
verdict_color (const char *word)
{
  /* Okabe-Ito bluish green, orange and vermillion: told apart with any colour vision, and the word is written. */
  if (g_strcmp0 (word, "ok") == 0)
    return (CsRgb) { 0.0, 0.62, 0.45 };
  if (g_strcmp0 (word, "check") == 0)
    return (CsRgb) { 0.90, 0.62, 0.0 };
  return (CsRgb) { 0.84, 0.37, 0.0 };
}

/* Height of one line, and draws it when draw is set. */
static double
text_line (cairo_t            *cr,
           const CsPlotStyle  *style,
           const CsReportLine *line,
           const CsRect       *rect,
           double              label_w,
           double              y,
           gboolean            at_top,
           gboolean            draw)
{
  double gap = cs_plot_pt (style, 10), pad = cs_plot_pt (style, 3), h = 0;

  switch (line->kind)
    {
    case CS_REPORT_LINE_HEADING:
      {
        double before = at_top ? 0 : cs_plot_pt (style, 9);

        h = before + cs_plot_text_height (cr, style, CS_TEXT_BOLD) + pad;
        if (draw)
          {
            cs_plot_text (cr, style, CS_TEXT_BOLD, style->foreground, line->text, rect->x, y + before, 0, 0, rect->w);
            cs_plot_set_color (cr, style->grid, 1.0);
            cairo_set_line_width (cr, cs_plot_pt (style, 0.75));
            cairo_move_to (cr, rect->x, y + h - pad / 2);
            cairo_line_to (cr, rect->x + rect->w, y + h - pad / 2);
            cairo_stroke (cr);
          }
        return h;
      }
    case CS_REPORT_LINE_FIELD:
      {
        g_autoptr(PangoLayout) value = wrapped (cr, style, CS_TEXT_NORMAL, line->text, rect->w - label_w - gap);

        h = MAX (layout_height (value), cs_plot_text_height (cr, style, CS_TEXT_NORMAL)) + pad;
        if (draw)
          {
            cs_plot_text (cr, style, CS_TEXT_NORMAL, style->muted, line->label, rect->x, y, 0, 0, label_w);
            show_layout (cr, value, style->foreground, rect->x + label_w + gap, y);
          }
        return h;
      }
    case CS_REPORT_LINE_VERDICT:
      {
        double word_h = cs_plot_text_height (cr, style, CS_TEXT_TITLE);
        double box_h = word_h + 2 * pad, box_w = label_w;
        CsRgb white = { 1, 1, 1 };

        h = box_h + 2 * pad;
        if (draw)
          {
            cs_plot_set_color (cr, verdict_color (line->label), 1.0);
            cairo_rectangle (cr, rect->x, y + pad, box_w, box_h);
            cairo_fill (cr);
            cs_plot_text (cr, style, CS_TEXT_TITLE, white, line->label, rect->x + box_w / 2, y + pad + box_h / 2,
                          0.5, 0.5, box_w);
            cs_plot_text (cr, style, CS_TEXT_BOLD, style->foreground, line->text, rect->x + label_w + gap,
                          y + pad + box_h / 2, 0, 0.5, rect->w - label_w - gap);
          }
        return h;
      }
    case CS_REPORT_LINE_TEXT:
    default:
      {
        g_autoptr(PangoLayout) text = wrapped (cr, style, CS_TEXT_NORMAL, line->text, rect->w - label_w - gap);

        h = layout_height (text) + pad;
        if (draw)
          show_layout (cr, text, style->foreground, rect->x + label_w + gap, y);
        return h;
      }
    }
}

static void
draw_text_page (Pager              *p,
                const CsReportPage *page)
{
  gsize i = 0;
  gboolean continued = FALSE;

  do
    {
      CsRect rect;
      cairo_t *cr = page_begin (p, page->title, continued, &rect);
      double y = rect.y, label_w = 0;

      /* The labels' column: as wide as the widest label, at most a third of the page. */
      for (gsize k = 0; k < page->n_lines; k++)
        if (page->lines[k].kind == CS_REPORT_LINE_FIELD)
          label_w = MAX (label_w, cs_plot_text_width (cr, p->style, CS_TEXT_NORMAL, page->lines[k].label));
      label_w = MIN (MAX (label_w, cs_plot_pt (p->style, 60)), rect.w / 3);

      for (; i < page->n_lines; i++)
        {
          double h = text_line (cr, p->style, &page->lines[i], &rect, label_w, y, y == rect.y, FALSE);

          /* A page holds at least one line, so an enormous line cannot loop for ever. */
          if (y + h > rect.y + rect.h && y > rect.y)
            break;
          text_line (cr, p->style, &page->lines[i], &rect, label_w, y, y == rect.y, TRUE);
          y += h;
        }
      page_end (p, cr);
      continued = TRUE;
    }
  while (i < page->n_lines);
}

static void
draw_table_page (Pager              *p,
                 const CsReportPage *page)
{
  g_autofree double *col_w = g_new0 (double, MAX (page->n_cols, 1));
  gsize row = 0;
  gboolean continued = FALSE, note_done = page->note == NULL;

  do
    {
      CsRect rect;
      cairo_t *cr = page_begin (p, page->title, continued, &rect);
      const CsPlotStyle *s = p->style;
      double gap = cs_plot_pt (s, 14), row_h = cs_plot_text_height (cr, s, CS_TEXT_NORMAL) * 1.35;
      double y = rect.y, x = rect.x, table_right = rect.x;

      if (!continued)
        {
          /* Each column as wide as its widest cell, at most a quarter of the page (longer ids are ellipsised). */
          for (guint c = 0; c < page->n_cols; c++)
            {
              col_w[c] = cs_plot_text_width (cr, s, CS_TEXT_BOLD, page->headers[c]);
              for (gsize r = 0; r < page->n_rows; r++)
                col_w[c] = MAX (col_w[c], cs_plot_text_width (cr, s, CS_TEXT_NORMAL,
                                                              page->cells[r * page->n_cols + c]));
              col_w[c] = MIN (col_w[c], rect.w / 4);
            }
        }
      for (guint c = 0; c < page->n_cols; c++)
        table_right += col_w[c] + (c > 0 ? gap : 0);
      table_right = MIN (table_right, rect.x + rect.w);

      if (row < page->n_rows)
        {
          x = rect.x;
          for (guint c = 0; c < page->n_cols; c++)
            {
              gboolean right = page->numeric != NULL && page->numeric[c];

              cs_plot_text (cr, s, CS_TEXT_BOLD, s->foreground, page->headers[c], right ? x + col_w[c] : x, y,
                            right ? 1 : 0, 0, col_w[c]);
              x += col_w[c] + gap;
            }
          y += row_h;
          cs_plot_set_color (cr, s->frame, 1.0);
          cairo_set_line_width (cr, cs_plot_pt (s, 0.75));
          cairo_move_to (cr, rect.x, y - row_h * 0.12);
          cairo_line_to (cr, table_right, y - row_h * 0.12);
          cairo_stroke (cr);
        }
      for (; row < page->n_rows && (y + row_h <= rect.y + rect.h || y == rect.y); row++)
        {
          if (row % 2 == 1)
            {
              /* Zebra rows: the eye follows a row across the columns. */
              cs_plot_set_color (cr, s->grid, 0.35);
              cairo_rectangle (cr, rect.x, y - row_h * 0.12, table_right - rect.x, row_h);
              cairo_fill (cr);
            }
          x = rect.x;
          for (guint c = 0; c < page->n_cols; c++)
            {
              gboolean right = page->numeric != NULL && page->numeric[c];

              cs_plot_text (cr, s, CS_TEXT_NORMAL, s->foreground, page->cells[row * page->n_cols + c],
                            right ? x + col_w[c] : x, y, right ? 1 : 0, 0, col_w[c]);
              x += col_w[c] + gap;
            }
          y += row_h;
        }
      if (row == page->n_rows && !note_done)
        {
          g_autoptr(PangoLayout) note = wrapped (cr, s, CS_TEXT_NORMAL, page->note, rect.w);
          double h = layout_height (note), top = y + (y > rect.y ? row_h * 0.5 : 0);

          if (top + h <= rect.y + rect.h || y == rect.y)
            {
              show_layout (cr, note, s->muted, rect.x, top);
              note_done = TRUE;
            }
        }
      page_end (p, cr);
      continued = TRUE;
    }
  while (row < page->n_rows || !note_done);
}

guint
cs_report_draw (cairo_surface_t    *surface,
                const CsReportData *data,
                const CsPlotStyle  *style,
                double              width,
                double              height)
{
  Pager p = { surface, style, width, height, 0, CAIRO_STATUS_SUCCESS };

  for (guint k = 0; k < data->n_pages; k++)
    {
      const CsReportPage *page = &data->pages[k];

      switch (page->kind)
        {
        case CS_REPORT_PAGE_TEXT:
          draw_text_page (&p, page);
          break;
        case CS_REPORT_PAGE_TABLE:
          draw_table_page (&p, page);
          break;
        case CS_REPORT_PAGE_CHART:
        default:
          {
            cairo_t *cr = cairo_create (surface);

            cs_chart_render (cr, &page->chart, style, width, height);
            page_end (&p, cr);
          }
          break;
        }
    }
  return p.status == CAIRO_STATUS_SUCCESS ? p.pages : 0;
}

static cairo_status_t
append_bytes (void                *closure,
              const unsigned char *data,
              unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

GBytes *
cs_report_to_bytes (const CsReportData    *data,
                    const CsExportOptions *options,
                    GError               **error)
{
  g_autoptr(GByteArray) out = NULL;
  g_autoptr(GDateTime) pinned = cs_plot_source_date_epoch ();
  CsPlotStyle style;
  cairo_surface_t *surface;
  cairo_status_t status;
  double w, h;
  guint pages;

  if (!cs_export_options_validate (options, error))
    return NULL;
  if (options->format != CS_EXPORT_PDF)
    {
      g_set_error (error, CS_EXPORT_ERROR, CS_EXPORT_ERROR_FORMAT, "A report has several pages: it is a PDF");
      return NULL;
    }
  if (data->n_pages == 0)
    {
      g_set_error (error, CS_EXPORT_ERROR, CS_EXPORT_ERROR_INVALID, "The report has no page");
      return NULL;
    }
  cs_export_style (options, &style);
  style.provenance = data->provenance;
  out = g_byte_array_new ();
  /* Pages in points: pixels at the DPI, converted to inches, as cs_export_charts lays out vector pages. */
  w = options->width * 72.0 / options->dpi;
  h = options->height * 72.0 / options->dpi;
  surface = cairo_pdf_surface_create_for_stream (append_bytes, out, w, h);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Casescope " PACKAGE_VERSION);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE,
                                  data->title != NULL ? data->title : "Casescope report");
  /* cairo stamps the creation time otherwise: with SOURCE_DATE_EPOCH set, two runs give the same PDF. */
  if (pinned != NULL)
    {
      g_autofree char *iso = g_date_time_format (pinned, "%Y-%m-%dT%H:%M:%SZ");

      cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATE_DATE, iso);
    }
  pages = cairo_surface_status (surface) == CAIRO_STATUS_SUCCESS ? cs_report_draw (surface, data, &style, w, h) : 0;
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS || pages == 0)
    {
      g_set_error (error, CS_EXPORT_ERROR, CS_EXPORT_ERROR_DRAW, "Drawing the report failed: %s",
                   cairo_status_to_string (status != CAIRO_STATUS_SUCCESS ? status : CAIRO_STATUS_NO_MEMORY));
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

gboolean
cs_report_export (const char            *path,
                  const CsReportData    *data,
                  const CsExportOptions *options,
                  GError               **error)
{
  g_autoptr(GBytes) bytes = NULL;

  /* The target's checks first (a name, not a folder, not an input): no drawing for a file that cannot be
   * written. cs_export_write_bytes checks again before the rename. */
  if (path == NULL || *path == '\0')
    {
      g_set_error (error, CS_EXPORT_ERROR, CS_EXPORT_ERROR_WRITE, "No output file name given");
      return FALSE;
    }
  bytes = cs_report_to_bytes (data, options, error);
  if (bytes == NULL)
    return FALSE;
  return cs_export_write_bytes (path, bytes, options->protected_paths, error);
}
