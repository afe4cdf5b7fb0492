/* cs-export.c: PNG/SVG/PDF export of charts through cairo surfaces and an atomic write. */
#define G_LOG_DOMAIN "cs-export"

#include "config.h"

#include <math.h>
#include <string.h>

#include <sys/stat.h>

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <glib/gstdio.h>

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

/* cairo 1.16 names an SVG's page group and embedded images after its process-wide surface
 * counter (id="surface43", id="image31" and xlink:href="#image31"), so the same chart exported
 * twice in one process (the window, a test) gives different bytes. Number them again in order
 * of first appearance: "surface1", "image1", ... Base64 data holds neither '"' nor '#', and
 * text is drawn as glyphs, so the pattern only meets cairo's own attributes. */
typedef struct
{
  GHashTable *numbers;   /* "image31" -> GUINT_TO_POINTER (new number) */
  guint next_surface;
  guint next_image;
} SvgIds;

static gboolean
renumber_id (const GMatchInfo *match,
             GString          *out,
             gpointer          user_data)
{
  SvgIds *ids = user_data;
  g_autofree char *lead = g_match_info_fetch (match, 1);
  g_autofree char *kind = g_match_info_fetch (match, 2);
  g_autofree char *old = g_match_info_fetch (match, 0);
  const char *key = old + strlen (lead);
  gpointer number = g_hash_table_lookup (ids->numbers, key);

  if (number == NULL)
    {
      number = GUINT_TO_POINTER (strcmp (kind, "image") == 0 ? ++ids->next_image : ++ids->next_surface);
      g_hash_table_insert (ids->numbers, g_strdup (key), number);
    }
  g_string_append_printf (out, "%s%s%u", lead, kind, GPOINTER_TO_UINT (number));
  return FALSE;
}

static GByteArray *
svg_stable_ids (GByteArray *svg)
{
  static GRegex *regex;
  SvgIds ids = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL), 0, 0 };
  g_autoptr(GError) error = NULL;
  char *text;
  GByteArray *out;

  if (g_once_init_enter (&regex))
    g_once_init_leave (&regex, g_regex_new ("(id=\"|#)(surface|image)[0-9]+(?=[\")])", G_REGEX_OPTIMIZE | G_REGEX_RAW, 0, NULL));
  text = g_regex_replace_eval (regex, (const char *) svg->data, (gssize) svg->len, 0, 0, renumber_id, &ids, &error);
  g_hash_table_destroy (ids.numbers);
  /* Only a bug in the pattern fails here (RAW: bytes, no UTF-8 check). cairo's numbering is
   * a valid SVG, just not a reproducible one: warn and keep it. */
  if (text == NULL)
    {
      g_warning ("SVG ids left as cairo wrote them: %s", error->message);
      return g_byte_array_ref (svg);
    }
  out = g_byte_array_new_take ((guint8 *) text, strlen (text));
  return out;
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
          g_autoptr(GDateTime) pinned = cs_plot_source_date_epoch ();

          surface = cairo_pdf_surface_create_for_stream (append_bytes, out, w, h);
          cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Casescope " PACKAGE_VERSION);
          /* cairo stamps the creation time otherwise: with SOURCE_DATE_EPOCH set, two runs
           * give the same PDF. */
          if (pinned != NULL)
            {
              g_autofree char *iso = g_date_time_format (pinned, "%Y-%m-%dT%H:%M:%SZ");

              cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATE_DATE, iso);
            }
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
  if (options->format == CS_EXPORT_SVG)
    {
      GByteArray *stable = svg_stable_ids (out);

      g_byte_array_unref (out);
      out = stable;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* TRUE when a and b name the same existing file (device and inode), whatever the names:
 * a symbolic link, a hard link or a detour through ".." all count. */
static gboolean
same_file (const char *a,
           const char *b)
{
  GStatBuf sa, sb;

  if (g_stat (a, &sa) != 0 || g_stat (b, &sb) != 0)
    return FALSE;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The checks that need no drawing: a name, not a protected input, not a folder. */
static gboolean
check_target (const char         *path,
              const char * const *protected_paths,
              GError            **error)
{
  GStatBuf st;

  if (path == NULL || *path == '\0')
    {
      g_set_error (error, CS_EXPORT_ERROR, CS_EXPORT_ERROR_WRITE, "No output file name given");
      return FALSE;
    }
  for (gsize i = 0; protected_paths != NULL && protected_paths[i] != NULL; i++)
    if (same_file (path, protected_paths[i]))
      {
        g_set_error (error, CS_EXPORT_ERROR, CS_EXPORT_ERROR_WOULD_OVERWRITE,
                     "%s: refusing to overwrite the input file", path);
        return FALSE;
      }
  /* rename () would fail on a folder anyway, but only after the drawing, and with a less
   * helpful message. */
  if (g_stat (path, &st) == 0 && S_ISDIR (st.st_mode))
    {
      g_set_error (error, CS_EXPORT_ERROR, CS_EXPORT_ERROR_WRITE, "%s: is a folder, not a file", path);
      return FALSE;
    }
  return TRUE;
}

/* GLib writes PATH.XXXXXX in the target's folder, fsyncs it (DURABLE: also when no old file
 * is there to lose), renames it over the target, and removes it on any failure. */
static gboolean
write_file (const char *path,
            GBytes     *bytes,
            GError    **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *dir = NULL;
  const char *reason;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  if (g_file_set_contents_full (path, data, (gssize) len,
                                G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0644, &local))
    return TRUE;
  /* GLib's message names its temporary file ("Failed to create file “chart.png.W9Q5Z3”: Not a
   * directory"); the user wants the output and its folder, and the reason, which GLib puts last. */
  reason = g_strrstr (local->message, ": ");
  reason = reason != NULL ? reason + 2 : local->message;
  dir = g_path_get_dirname (path);
  g_set_error (error, CS_EXPORT_ERROR, CS_EXPORT_ERROR_WRITE, "%s: cannot write in %s: %s", path, dir, reason);
  return FALSE;
}

gboolean
cs_export_charts (const char            *path,
                  const CsChart         *charts,
                  guint                  n_charts,
                  const CsExportOptions *options,
                  GError               **error)
{
  g_autoptr(GBytes) bytes = NULL;

  /* Refuse an input as the target before spending time on drawing. */
  if (!check_target (path, options->protected_paths, error))
    return FALSE;
  bytes = cs_export_charts_to_bytes (charts, n_charts, options, error);
  if (bytes == NULL)
    return FALSE;
  /* Again: drawing a large chart takes a while, and the target may have changed meanwhile
   * (a link to the input put in its place). */
  if (!check_target (path, options->protected_paths, error))
    return FALSE;
  return write_file (path, bytes, error);
}

gboolean
cs_export_write_bytes (const char         *path,
                       GBytes             *bytes,
                       const char * const *protected_paths,
                       GError            **error)
{
  return check_target (path, protected_paths, error) && write_file (path, bytes, error);
}
