/* cs-import-dialog-private.h: what tests of the import dialog read beyond the public API. */
#pragma once

#include "cs-import-dialog.h"
#include "cs-progress.h"

G_BEGIN_DECLS

/* The load's progress object ("active" while a file is read). */
CsProgress *cs_import_dialog_get_progress (CsImportDialog *self);

G_END_DECLS
