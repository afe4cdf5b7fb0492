/* cs-export.c: PNG/SVG/PDF export of charts through cairo surfaces and an atomic write. */
#define G_LOG_DOMAIN "cs-export"

#include "config.h"

#include <math.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo-svg.h>

#include "cs-atomic-file.h"
#include "cs-export.h"

G_DEFINE_QUARK (cs-export-error-quark, cs_export_error)

void
cs_export_options_init (CsExportOptions *options,
                        CsExportPreset   preset)
{
  memset (options, 0, sizeof *options);
  options->format = CS_EXPORT_PNG;
  options->weight_map = CS_COLORMAP_VIRIDIS;
  switch (preset)
    {
    case CS_EXPORT_PRESET_SLIDE_4_3:
      options->width = 1600;
      options->height = 1200;
      options->dpi = 150;
      break;
    case CS_EXPORT_PRESET_A4_LANDSCAPE:
      options->width = 3508;
      options->height = 2480;
      options->dpi = 300;
      break;
    case CS_EXPORT_PRESET_CUSTOM:
      options->width = 800;
      options->height = 600;
      options->dpi = 96;
      break;
    case CS_EXPORT_PRESET_SLIDE_16_9:
    default:
      options->width = 1920;
      options->height = 1080;
      options->dpi = 144;
      break;
    }
}

gboolean
cs_export_options_validate (const CsExportOptions *options,
                            GError               **error)
{
  if (options->width < 1 || options->height < 1 || options->width > CS_EXPORT_MAX_SIDE
      || options->height > CS_EXPORT_MAX_SIDE)
    {
      g_set_error (error, CS_EXPORT_ERROR, CS_EXPORT_ERROR_INVALID,
                   "Image size %dx%d is out of range: each side must be 1 to %d pixels", options->width,
                   options->height, CS_EXPORT_MAX_SIDE);
      return FALSE;
    }
  if ((gint64) options->width * options->height > CS_EXPORT_MAX_PIXELS)
    {
      g_set_error (error, CS_EXPORT_ERROR, CS_EXPORT_ERROR_INVALID,
                   "Image size %dx%d has more than %d million pixels", options->width, options->height,
                   CS_EXPORT_MAX_PIXELS / 1000000);
      return FALSE;
    }
  if (!(options->dpi >= CS_EXPORT_MIN_DPI && options->dpi <= CS_EXPORT_MAX_DPI))
    {
      g_set_error (error, CS_EXPORT_ERROR, CS_EXPORT_ERROR_INVALID, "Resolution %g dpi is out of range (%g to %g)",
                   options->dpi, CS_EXPORT_MIN_DPI, CS_EXPORT_MAX_DPI);
      return FALSE;
    }
  if (options->format != CS_EXPORT_PNG && options->format != CS_EXPORT_SVG && options->format != CS_EXPORT_PDF)
    {
      g_set_error (error, CS_EXPORT_ERROR, CS_EXPORT_ERROR_INVALID, "Unknown export format %d", options->format);
      return FALSE;
    }
  return TRUE;
}

gboolean
cs_export_format_from_name (const char     *name,
                            CsExportFormat *format)
{
  if (name == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (name, "png") == 0)
    *format = CS_EXPORT_PNG;
  else if (g_ascii_strcasecmp (name, "svg") == 0)
    *format = CS_EXPORT_SVG;
  else if (g_ascii_strcasecmp (name, "pdf") == 0)
    *format = CS_EXPORT_PDF;
  else
    return FALSE;
  return TRUE;
}

const char *
cs_export_format_name (CsExportFormat format)
{
  switch (format)
    {
    case CS_EXPORT_PNG: return "png";
    case CS_EXPORT_SVG: return "svg";
    case CS_EXPORT_PDF: return "pdf";
    default: return "unknown";
    }
}

void
cs_export_style (const CsExportOptions *options,
                 CsPlotStyle           *style)
{
  cs_plot_style_init_export (style, options->format == CS_EXPORT_PNG ? options->dpi / 72.0 : 1.0);
  style->transparent = options->transparent;
  style->provenance = options->provenance;
  style->weight_map = options->weight_map;
  style->stretch_to_max = options->stretch_to_max;
}

static cairo_status_t
append_bytes (void                *closure,
              const unsigned char *data,
              unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static gboolean
check_status (cairo_status_t status,
              GError       **error)
{
  if (status == CAIRO_STATUS_SUCCESS)
    return TRUE;
  g_set_error (error, CS_EXPORT_ERROR, CS_EXPORT_ERROR_DRAW, "Drawing the chart failed: %s",
               cairo_status_to_string (status));
  return FALSE;
}

GBytes *
cs_export_charts_to_bytes (const CsChart         *charts,
                           guint                  n_charts,
                           const CsExportOptions *options,
                           GError               **error)
{
  g_autoptr(GByteArray) out = NULL;
  CsPlotStyle style;
  cairo_surface_t *surface;
  cairo_status_t status;
  double w, h;

  if (!cs_export_options_validate (options, error))
    return NULL;
  if (n_charts == 0)
    {
      g_set_error (error, CS_EXPORT_ERROR, CS_EXPORT_ERROR_INVALID, "No chart to export");
      return NULL;
    }
  if (n_charts > 1 && options->format != CS_EXPORT_PDF)
    {
      g_set_error (error, CS_EXPORT_ERROR, CS_EXPORT_ERROR_FORMAT,
                   "%s holds one chart; use PDF for several charts (one per page)",
                   options->format == CS_EXPORT_PNG ? "PNG" : "SVG");
      return NULL;
    }
  cs_export_style (options, &style);
  out = g_byte_array_new ();

  if (options->format == CS_EXPORT_PNG)
    {
      w = options->width;
      h = options->height;
      surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, options->width, options->height);
    }
  else
    {
      /* Vector pages are measured in points: pixels at the DPI, converted to inches. */
      w = options->width * 72.0 / options->dpi;
      h = options->height * 72.0 / options->dpi;
      if (options->format == CS_EXPORT_SVG)
        {
          surface = cairo_svg_surface_create_for_stream (append_bytes, out, w, h);
          cairo_svg_surface_restrict_to_version (surface, CAIRO_SVG_VERSION_1_1);
        }
      else
        {
          surface = cairo_pdf_surface_create_for_stream (append_bytes, out, w, h);
          cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Casescope " PACKAGE_VERSION);
          cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE,
                                          n_charts == 1 ? cs_chart_kind_name (charts[0].kind) : "Casescope charts");
        }
    }
  if (!check_status (cairo_surface_status (surface), error))
    {
      cairo_surface_destroy (surface);
      return NULL;
    }

  for (guint i = 0; i < n_charts; i++)
    {
      cairo_t *cr = cairo_create (surface);

      cs_chart_render (cr, &charts[i], &style, w, h);
      status = cairo_status (cr);
      cairo_destroy (cr);
      if (!check_status (status, error))
        {
          cairo_surface_destroy (surface);
          return NULL;
        }
      if (options->format == CS_EXPORT_PDF)
        cairo_surface_show_page (surface);
    }

  if (options->format == CS_EXPORT_PNG)
    {
      cairo_surface_flush (surface);
      status = cairo_surface_write_to_png_stream (surface, append_bytes, out);
    }
  else
    {
      cairo_surface_finish (surface);
      status = cairo_surface_status (surface);
    }
  cairo_surface_destroy (surface);
  if (!check_status (status, error))
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

gboolean
cs_export_charts (const char            *path,
                  const CsChart         *charts,
                  guint                  n_charts,
                  const CsExportOptions *options,
                  GError               **error)
{
  g_autoptr(GBytes) bytes = NULL;
  gsize len;
  const void *data;

  /* Refuse an input as the target before spending time on drawing. */
  if (options->protected_paths != NULL)
    for (guint i = 0; options->protected_paths[i] != NULL; i++)
      if (cs_same_file (path, options->protected_paths[i]))
        return cs_atomic_write (path, options->protected_paths, "", 0, error);

  bytes = cs_export_charts_to_bytes (charts, n_charts, options, error);
  if (bytes == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &len);
  return cs_atomic_write (path, options->protected_paths, data, len, error);
}
