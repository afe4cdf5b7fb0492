/* cs-export.h: charts to PNG, SVG and PDF files, written atomically (no GTK).
 *
 * The exporter draws with the same functions as the screen, on an image, SVG
 * or PDF surface, always with the light palette (white unless transparent).
 * Sizes are in pixels at a DPI: PNGs get exactly width x height pixels and
 * fonts of style->font_pt points at that DPI; vector pages measure
 * width/dpi x height/dpi inches. Files are written whole into a temporary
 * file in the target's folder, flushed to disk and renamed over the target
 * (GLib only, so the render library needs nothing from data/): complete or
 * absent, never over a protected input.
 */
#pragma once

#include <glib.h>

#include "cs-charts.h"

G_BEGIN_DECLS

#define CS_EXPORT_ERROR (cs_export_error_quark ())

typedef enum
{
  CS_EXPORT_ERROR_INVALID,   /* size, DPI or format out of range */
  CS_EXPORT_ERROR_DRAW,      /* cairo failed (out of memory, ...) */
  CS_EXPORT_ERROR_FORMAT,    /* the format cannot hold the request (several pages in a PNG) */
  CS_EXPORT_ERROR_WRITE,     /* the file cannot be written (no name, a folder, no such folder, disk full) */
  CS_EXPORT_ERROR_WOULD_OVERWRITE, /* the target is one of options->protected_paths */
} CsExportError;

typedef enum
{
  CS_EXPORT_PNG,
  CS_EXPORT_SVG,
  CS_EXPORT_PDF,
} CsExportFormat;

typedef enum
{
  CS_EXPORT_PRESET_SLIDE_16_9,   /* 1920 x 1080 px at 144 dpi (13.33 x 7.5 in) */
  CS_EXPORT_PRESET_SLIDE_4_3,    /* 1600 x 1200 px at 150 dpi */
  CS_EXPORT_PRESET_A4_LANDSCAPE, /* 3508 x 2480 px at 300 dpi (297 x 210 mm) */
  CS_EXPORT_PRESET_CUSTOM,
} CsExportPreset;

/* Limits checked by cs_export_options_validate. */
#define CS_EXPORT_MAX_SIDE 20000
#define CS_EXPORT_MAX_PIXELS (64 * 1000 * 1000)
#define CS_EXPORT_MIN_DPI 10.0
#define CS_EXPORT_MAX_DPI 2400.0

typedef struct
{
  CsExportFormat format;
  int width;                 /* pixels */
  int height;
  double dpi;
  gboolean transparent;      /* transparent background (PNG, SVG, PDF) */
  const CsProvenance *provenance; /* footer on every page, NULL: none */
  CsColormap weight_map;
  gboolean stretch_to_max;
  const char * const *protected_paths; /* NULL-terminated inputs that must never be overwritten
                                        * (the same file by any name: links count) */
} CsExportOptions;

GQuark      cs_export_error_quark      (void);

void        cs_export_options_init     (CsExportOptions       *options,
                                        CsExportPreset         preset);
gboolean    cs_export_options_validate (const CsExportOptions *options,
                                        GError               **error);
/* "png" / "svg" / "pdf" (case-insensitive); FALSE for anything else. */
gboolean    cs_export_format_from_name (const char            *name,
                                        CsExportFormat        *format);
const char *cs_export_format_name      (CsExportFormat         format);
/* The light export style for these options (px_per_pt = dpi / 72 for PNG, 1 for vector). */
void        cs_export_style            (const CsExportOptions *options,
                                        CsPlotStyle           *style);

/* One chart per page; PNG and SVG take exactly one chart, PDF any number (one page each).
 * Errors naming path are CS_EXPORT_ERROR_WRITE or _WOULD_OVERWRITE (a write problem: the
 * command line's exit status 4); the others are problems with the request. */
gboolean    cs_export_charts           (const char            *path,
                                        const CsChart         *charts,
                                        guint                  n_charts,
                                        const CsExportOptions *options,
                                        GError               **error);
/* Bytes drawn elsewhere (a report) written as the exports are: the target checked (a name, not a folder, not one
 * of protected_paths), then a temporary file in its folder, flushed and renamed. Errors as cs_export_charts. */
gboolean    cs_export_write_bytes      (const char            *path,
                                        GBytes                *bytes,
                                        const char * const    *protected_paths,
                                        GError               **error);
/* The same into memory (tests, clipboard). */
GBytes     *cs_export_charts_to_bytes  (const CsChart         *charts,
                                        guint                  n_charts,
                                        const CsExportOptions *options,
                                        GError               **error);

G_END_DECLS
