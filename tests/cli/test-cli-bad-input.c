/* test-cli-bad-input.c: every casescope-cli sub-command against bad input, table-driven. */
#define G_LOG_DOMAIN "test-cli-bad-input"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

/* Every command must answer within this many seconds, or the row fails. */
#define ROW_TIMEOUT_S 30

enum
{
  ROW_JSON = 1 << 0,     /* stdout must be exactly one JSON object */
  ROW_FSIZE = 1 << 1,    /* run with RLIMIT_FSIZE = 64 KiB (a full disk) */
  ROW_CREATES = 1 << 2,  /* success row: @OUT@ must exist afterwards */
  ROW_STDIN_CSV = 1 << 3, /* feed good.csv on standard input */
  ROW_QUICK = 1 << 4,    /* must answer within 5 s (a command that may block forever: FIFOs) */
  ROW_FSIZE_4K = 1 << 5, /* run with RLIMIT_FSIZE = 4 KiB (for small outputs such as model files) */
};

typedef struct
{
  const char *command;   /* the sub-command the row belongs to ("" for the top level) */
  const char *name;      /* short test name */
  const char *args;      /* shell-quoted arguments after casescope-cli, with @PLACEHOLDERS@ */
  int exit_code;         /* the documented exit status */
  const char *stderr_re; /* regex stderr must match (NULL: anything; failures always need a message) */
  const char *stdout_re; /* regex stdout must match (NULL: empty on failure, anything on success) */
  guint flags;
  const char *known;     /* a known bug owned by another area: reported as incomplete (TODO), not a failure */
} Row;

/* Placeholders, all inside a fresh folder per row:
 *   @GOOD@ a small valid case base (columns id, temp, pressure, gap, y)   @EMPTY@ an empty file
 *   @BINARY@ random bytes with NULs    @HEADER@ a header and no rows      @ONECOL@ one column
 *   @RAGGED@ a row with too few fields (line 4)    @TEXT@ text in a numeric column (line 3)
 *   @QUOTE@ an unterminated quote (line 3)    @UTF16@ UTF-16 without BOM handling
 *   @CONST@ every feature constant    @NAN@ 'nan' and 'inf' values (line 3)
 *   @MISSING@ a file that does not exist    @DIR@ a folder    @UNREADABLE@ /proc/self/mem (EIO on read, even as root)
 *   @OUT@ an output path that does not exist yet    @OLD@ an existing output whose content must survive
 *   @NODIR@ an output in a missing folder    @ROFS@ an output in read-only /proc */
static const Row rows[] = {
  /* top level */
  { "", "no-args", "", 2, "Usage: casescope-cli", NULL, 0 },
  { "", "help", "--help", 0, NULL, "^Usage: casescope-cli", 0 },
  { "", "version", "--version", 0, NULL, "^casescope-cli [0-9]+\\.[0-9]+\\.[0-9]+\n$", 0 },
  { "", "unknown-command", "frobnicate", 2, "unknown command 'frobnicate'(.|\n)*Usage:", NULL, 0 },
  { "", "unknown-option", "--frobnicate", 2, "unknown option '--frobnicate'(.|\n)*Usage:", NULL, 0 },
  { "", "empty-command", "''", 2, "Usage:", NULL, 0 },

  /* generate */
  { "generate", "help", "generate --help", 0, NULL, "Usage:(.|\n)*--sample", 0 },
  { "generate", "no-sample", "generate", 2, "--sample(.|\n)*Usage:", NULL, 0 },
  { "generate", "unknown-sample", "generate --sample nope", 2, "unknown sample 'nope'", NULL, 0 },
  { "generate", "unknown-option", "generate --sample kiln --frobnicate", 2, "frobnicate(.|\n)*Usage:", NULL, 0 },
  { "generate", "extra-arg", "generate --sample kiln extra", 2, "unexpected argument 'extra'", NULL, 0 },
  { "generate", "n-zero", "generate --sample kiln --n 0", 2, "--n", NULL, 0 },
  { "generate", "n-negative", "generate --sample kiln --n -1", 2, "--n", NULL, 0 },
  { "generate", "n-negative-2", "generate --sample kiln --n -2", 2, "--n", NULL, 0 },
  { "generate", "seed-negative", "generate --sample kiln --seed -7", 2, "--seed", NULL, 0 },
  { "generate", "n-huge", "generate --sample kiln --n 1000000000000", 2, "--n", NULL, 0 },
  { "generate", "n-text", "generate --sample kiln --n many", 2, "many", NULL, 0 },
  { "generate", "n-float", "generate --sample kiln --n 1e9", 2, "1e9", NULL, 0 },
  { "generate", "n-overflow", "generate --sample kiln --n 99999999999999999999999", 2, "9999", NULL, 0 },
  { "generate", "seed-text", "generate --sample kiln --seed nan", 2, "nan", NULL, 0 },
  { "generate", "out-missing-folder", "generate --sample kiln -o @NODIR@", 4, "out\\.csv", NULL, 0 },
  { "generate", "out-parent-is-file", "generate --sample kiln -o @GOOD@/x.csv", 4, "x\\.csv", NULL, 0 },
  { "generate", "out-is-folder", "generate --sample kiln -o @DIR@", 4, "folder", NULL, 0 },
  { "generate", "out-read-only", "generate --sample kiln -o @ROFS@", 4, "casescope-out\\.csv", NULL, 0 },
  { "generate", "out-empty-name", "generate --sample kiln -o ''", 4, "file name", NULL, 0 },
  { "generate", "out-full-disk-new", "generate --sample press-line --n 20000 -o @OUT@", 4, "out\\.csv", NULL, ROW_FSIZE },
  { "generate", "out-full-disk-old", "generate --sample press-line --n 20000 -o @OLD@", 4, "old\\.csv", NULL, ROW_FSIZE },
  /* inspect: reading a CSV. It prints what it detected even when the file is unusable (stdout
   * accepted); with --json that report is the one JSON object. */
#define DET "delimiter"
  { "inspect", "help", "inspect --help", 0, NULL, "Usage:", 0 },
  { "inspect", "no-file", "inspect", 2, "no input file(.|\n)*Usage:", NULL, 0 },
  { "inspect", "two-files", "inspect @GOOD@ @GOOD@", 2, "one input file", NULL, 0 },
  { "inspect", "missing", "inspect @MISSING@", 3, "missing\\.csv: ", NULL, 0 },
  { "inspect", "folder", "inspect @DIR@", 3, "folder: ", NULL, 0 },
  { "inspect", "unreadable", "inspect @UNREADABLE@", 3, "mem: (?!the file is empty)", DET, 0 },
  { "inspect", "fifo-no-writer", "inspect @FIFO@", 3, "fifo\\.csv: (?!the file is empty)", DET, ROW_QUICK },
  { "fit", "fifo-no-writer", "fit @FIFO@ --target y", 3, "fifo\\.csv: ", NULL, ROW_QUICK },
  { "inspect", "empty", "inspect @EMPTY@", 3, "empty\\.csv: .*empty", DET, 0 },
  { "inspect", "binary", "inspect @BINARY@", 3, "binary\\.csv:1:1: .*(NUL|text)", DET, 0 },
  { "inspect", "binary-json", "inspect @BINARY@ --json", 3, "binary\\.csv:1:1:", NULL, ROW_JSON },
  { "inspect", "header-only", "inspect @HEADER@", 3, "header\\.csv", DET, 0 },
  { "inspect", "one-column", "inspect @ONECOL@", 3, "onecol\\.csv: .*feature", DET, 0 },
  { "inspect", "ragged-lenient", "inspect @RAGGED@", 0, "ragged\\.csv:4:3: ", DET, 0 },
  { "inspect", "ragged-strict", "inspect @RAGGED@ --strict", 3, "ragged\\.csv:4:3: ", DET, 0 },
  { "inspect", "ragged-strict-json", "inspect @RAGGED@ --strict --json", 3, "ragged\\.csv:4:3: ", NULL, ROW_JSON },
  { "inspect", "text-in-number-strict", "inspect @TEXT@ --strict", 3, "text\\.csv:3:2: .*abc", DET, 0 },
  { "inspect", "unterminated-quote", "inspect @QUOTE@", 3, "quote\\.csv:3:2: .*quote", DET, 0 },
  { "inspect", "nan-strict", "inspect @NAN@ --strict", 3, "nan\\.csv:3:1: ", DET, 0 },
  { "inspect", "wrong-target", "inspect @GOOD@ --target nope", 3, "good\\.csv: .*nope", DET, 0 },
  { "inspect", "bad-delimiter", "inspect @GOOD@ --delimiter xx", 2, "--delimiter", NULL, 0 },
  { "inspect", "ok-json", "inspect @GOOD@ --json", 0, NULL, NULL, ROW_JSON },
  { "inspect", "ok-utf16", "inspect @UTF16@ --json", 0, NULL, NULL, ROW_JSON },
  { "inspect", "ok-const-json", "inspect @CONST@ --json", 0, "constant", NULL, ROW_JSON },
#undef DET

  /* fit */
  { "fit", "help", "fit --help", 0, NULL, "Usage:", 0 },
  { "fit", "no-target", "fit @GOOD@", 2, "--target(.|\n)*Usage:", NULL, 0 },
  { "fit", "no-file", "fit --target y", 2, "Usage:", NULL, 0 },
  { "fit", "missing", "fit @MISSING@ --target y", 3, "missing\\.csv: ", NULL, 0 },
  { "fit", "folder", "fit @DIR@ --target y", 3, "folder: ", NULL, 0 },
  { "fit", "unreadable", "fit @UNREADABLE@ --target y", 3, "mem: (?!the file is empty)", NULL, 0 },
  { "fit", "empty", "fit @EMPTY@ --target y", 3, "empty\\.csv", NULL, 0 },
  { "fit", "binary", "fit @BINARY@ --target y", 3, "binary\\.csv:1:1: ", NULL, 0 },
  { "fit", "binary-json", "fit @BINARY@ --target y --json", 3, "binary\\.csv:1:1: ", NULL, ROW_JSON },
  { "fit", "header-only", "fit @HEADER@ --target y", 3, "header\\.csv", NULL, 0 },
  { "fit", "one-column", "fit @ONECOL@ --target y", 3, "onecol\\.csv", NULL, 0 },
  { "fit", "unterminated-quote", "fit @QUOTE@ --target y", 3, "quote\\.csv:3:2: ", NULL, 0 },
  { "fit", "wrong-target", "fit @GOOD@ --target nope", 3, "nope", NULL, 0 },
  { "fit", "wrong-feature", "fit @GOOD@ --target y --features temp,nope", 2, "nope", NULL, 0 },
  { "fit", "metric-unknown", "fit @GOOD@ --target y --metric cosine", 2, "cosine", NULL, 0 },
  { "fit", "rank-negative", "fit @GOOD@ --target y --metric full --rank -1", 2, "--rank", NULL, 0 },
  { "fit", "rank-over-d", "fit @GOOD@ --target y --metric full --rank 9", 2, "--rank", NULL, 0 },
  { "fit", "save-over-input", "fit @GOOD@ --target y --save @GOOD@", 4, "good\\.csv: .*input", NULL, 0 },
  { "fit", "save-folder", "fit @GOOD@ --target y --save @DIR@", 4, "folder", NULL, 0 },
  { "fit", "save-missing-folder", "fit @GOOD@ --target y --save @NODIR@", 4, "out\\.csv", NULL, 0 },
  { "fit", "save-read-only", "fit @GOOD@ --target y --save @ROFS@", 4, "casescope-out\\.csv", NULL, 0 },
  { "fit", "save-full-disk", "fit @BIG@ --target y --metric full --save @OLD@", 4, "old\\.csv", NULL, ROW_FSIZE_4K },
  { "fit", "queries-one", "fit @GOOD@ --target y --queries 1", 2, "--queries", NULL, 0 },
  { "fit", "queries-negative", "fit @GOOD@ --target y --queries -5", 2, "--queries", NULL, 0 },
  { "fit", "queries-text", "fit @GOOD@ --target y --queries many", 2, "many", NULL, 0 },
  { "fit", "ok-queries-json", "fit @GOOD@ --target y --queries 2 --json", 0, NULL, "\"loss_cases\" : 2", ROW_JSON },
  { "fit", "ok-json", "fit @GOOD@ --target y --json", 0, NULL, NULL, ROW_JSON },
  { "fit", "ok-save", "fit @GOOD@ --target y --save @OUT@", 0, NULL, NULL, ROW_CREATES },
  { "fit", "ok-const", "fit @CONST@ --target y --json", 0, NULL, NULL, ROW_JSON },

  /* predict: the --query parser, query files, model files */
#define PQ "predict @GOOD@ --target y "
#define QOK "--query 'temp=200,pressure=5,gap=1' "
  { "predict", "help", "predict --help", 0, NULL, "Usage:", 0 },
  { "predict", "no-query", PQ, 2, "--query(.|\n)*Usage:", NULL, 0 },
  { "predict", "query-and-queries", PQ QOK "--queries @QUERIES@", 2, "--query", NULL, 0 },
  { "predict", "missing-base", "predict @MISSING@ --target y " QOK, 3, "missing\\.csv: ", NULL, 0 },
  { "predict", "binary-base", "predict @BINARY@ --target y " QOK, 3, "binary\\.csv:1:1: ", NULL, 0 },
  { "predict", "top-negative", PQ QOK "--top -1", 2, "--top", NULL, 0 },
  { "predict", "top-huge", PQ QOK "--top 99999999999", 2, "--top", NULL, 0 },
  { "predict", "top-text", PQ QOK "--top many", 2, "many", NULL, 0 },
  { "predict", "metric-unknown", PQ QOK "--metric cosine", 2, "auto, scalar or diagonal(.|\n)*Usage:", NULL, 0 },
  { "predict", "metric-full", PQ QOK "--metric full", 2, "--metric must be", NULL, 0 },
  { "predict", "metric-and-model", PQ QOK "--model @MODEL@ --metric scalar", 2, "--model", NULL, 0 },
  { "predict", "ok-metric-auto", PQ QOK "--metric auto --json", 0, NULL, NULL, ROW_JSON },
  { "predict", "query-nan", PQ "--query 'temp=nan,pressure=5,gap=1'", 2, "temp", NULL, 0 },
  { "predict", "query-nan-json", PQ "--query 'temp=nan,pressure=5,gap=1' --json", 2, "temp", NULL, ROW_JSON },
  { "predict", "query-overflow", PQ "--query 'temp=1e999,pressure=5,gap=1'", 2, "temp", NULL, 0 },
  { "predict", "query-inf", PQ "--query 'temp=-inf,pressure=5,gap=1'", 2, "temp", NULL, 0 },
  { "predict", "query-hex", PQ "--query 'temp=0x10,pressure=5,gap=1'", 2, "temp", NULL, 0 },
  /* a feature left out or empty is a missing value: predicted from the others (the missing_feature flag) */
  { "predict", "query-missing-feature", PQ "--query 'temp=200' --json", 0, NULL, "missing_feature", ROW_JSON },
  { "predict", "query-empty-feature", PQ "--query 'temp=200,pressure=,gap=1' --json", 0, NULL, "missing_feature",
    ROW_JSON },
  { "predict", "query-no-value", PQ "--query 'temp=,pressure=,gap='", 2, "no feature has a value", NULL, 0 },
  { "predict", "query-twice", PQ "--query 'temp=1,temp=2,pressure=5,gap=1'", 2, "twice", NULL, 0 },
  { "predict", "query-no-equals", PQ "--query 'bogus'", 2, "bogus", NULL, 0 },
  { "predict", "query-empty-names", PQ "--query '=,=,='", 2, "--query", NULL, 0 },
  { "predict", "query-empty", PQ "--query ''", 2, "--query", NULL, 0 },
  { "predict", "query-trailing-garbage", PQ "--query 'temp=200x,pressure=5,gap=1'", 2, "200x", NULL, 0 },
  { "predict", "query-unknown-feature", PQ "--query 'temp=1,pressure=5,gap=1,speed=3'", 2, "speed", NULL, 0 },
  { "predict", "query-target-as-feature", PQ "--query 'temp=1,pressure=5,gap=1,y=3'", 2, "'y'", NULL, 0 },
  { "predict", "query-nul-bytes", PQ "--query 'temp=1,pressure=5,gap=1,\x01\x02=3'", 2, "--query", NULL, 0 },
  { "predict", "queries-missing", PQ "--queries @MISSING@", 3, "missing\\.csv", NULL, 0 },
  { "predict", "queries-folder", PQ "--queries @DIR@", 3, "folder", NULL, 0 },
  { "predict", "queries-fifo", PQ "--queries @FIFO@", 3, "fifo\\.csv", NULL, ROW_QUICK },
  { "predict", "model-fifo", PQ QOK "--model @FIFO@", 3, "fifo\\.csv", NULL, ROW_QUICK },
  { "predict", "queries-empty", PQ "--queries @EMPTY@", 3, "empty\\.csv:1:1: ", NULL, 0 },
  { "predict", "queries-binary", PQ "--queries @BINARY@", 3, "binary\\.csv:1:1: .*(NUL|text)", NULL, 0 },
  { "predict", "queries-header-only", PQ "--queries @HEADER@", 3, "header\\.csv:1:1: ", NULL, 0 },
  { "predict", "queries-wrong-columns", PQ "--queries @TEXT@", 3, "text\\.csv:1:1: .*gap", NULL, 0 },
  { "predict", "queries-bad-value", PQ "--queries @BADQ@", 3, "badq\\.csv:3:2: ", NULL, 0 },
  { "predict", "queries-bad-value-json", PQ "--queries @BADQ@ --json", 3, "badq\\.csv:3:2: ", NULL, ROW_JSON },
  { "predict", "model-missing", PQ QOK "--model @MISSING@", 3, "missing\\.csv", NULL, 0 },
  { "predict", "model-folder", PQ QOK "--model @DIR@", 3, "folder", NULL, 0 },
  { "predict", "model-empty", PQ QOK "--model @EMPTY@", 3, "empty\\.csv: ", NULL, 0 },
  { "predict", "model-binary", PQ QOK "--model @BINARY@", 3, "binary\\.csv: ", NULL, 0 },
  { "predict", "model-csv", PQ QOK "--model @GOOD@", 3, "good\\.csv: .*JSON", NULL, 0 },
  { "predict", "model-truncated", PQ QOK "--model @MTRUNC@", 3, "m-trunc\\.json", NULL, 0 },
  { "predict", "model-version", PQ QOK "--model @MV99@", 3, "m-v99\\.json: .*version", NULL, 0 },
  { "predict", "model-negative-scale", PQ QOK "--model @MNEG@", 3, "m-neg\\.json: .*scale", NULL, 0 },
  { "predict", "model-zero-sd", PQ QOK "--model @MSD0@", 3, "m-sd0\\.json: .*sd", NULL, 0 },
  { "predict", "model-nan-text", PQ QOK "--model @MNAN@", 3, "m-nan\\.json", NULL, 0 },
  { "predict", "model-other-columns", PQ QOK "--model @MOTHER@", 3, "m-other\\.json: .*features", NULL, 0 },
  { "predict", "model-kind", PQ QOK "--model @MKIND@", 3, "m-kind\\.json: .*kind", NULL, 0 },
  { "predict", "model-array", PQ QOK "--model @MARR@", 3, "m-arr\\.json: ", NULL, 0 },
  { "predict", "model-json", PQ QOK "--model @MTRUNC@ --json", 3, "m-trunc\\.json", NULL, ROW_JSON },
  { "predict", "ok-json", PQ QOK "--json", 0, NULL, NULL, ROW_JSON },
  { "predict", "ok-model-json", PQ QOK "--model @MODEL@ --json", 0, NULL, NULL, ROW_JSON },
  { "predict", "ok-queries-json", PQ "--queries @QUERIES@ --top 3 --json", 0, NULL, NULL, ROW_JSON },
  { "predict", "ok-far-query", PQ "--query 'temp=1e300,pressure=-1e300,gap=0' --json", 0, NULL, NULL, ROW_JSON },
#undef PQ

  /* diagnose */
  { "diagnose", "help", "diagnose --help", 0, NULL, "Usage:", 0 },
  { "diagnose", "no-target", "diagnose @GOOD@", 2, "--target", NULL, 0 },
  { "diagnose", "missing", "diagnose @MISSING@ --target y", 3, "missing\\.csv: ", NULL, 0 },
  { "diagnose", "folder", "diagnose @DIR@ --target y", 3, "folder: ", NULL, 0 },
  { "diagnose", "empty", "diagnose @EMPTY@ --target y", 3, "empty\\.csv", NULL, 0 },
  { "diagnose", "binary", "diagnose @BINARY@ --target y", 3, "binary\\.csv:1:1: ", NULL, 0 },
  { "diagnose", "binary-json", "diagnose @BINARY@ --target y --json", 3, "binary\\.csv:1:1: ", NULL, ROW_JSON },
  { "diagnose", "one-column", "diagnose @ONECOL@ --target y", 3, "onecol\\.csv", NULL, 0 },
  { "diagnose", "wrong-target", "diagnose @GOOD@ --target nope", 3, "nope", NULL, 0 },
  { "diagnose", "model-binary", "diagnose @GOOD@ --target y --model @BINARY@", 3, "binary\\.csv: ", NULL, 0 },
  { "diagnose", "model-other", "diagnose @GOOD@ --target y --model @MOTHER@", 3, "m-other\\.json: ", NULL, 0 },
  { "diagnose", "ok-json", "diagnose @GOOD@ --target y --json", 0, NULL, NULL, ROW_JSON },
  { "diagnose", "ok-const-json", "diagnose @CONST@ --target y --json", 0, NULL, NULL, ROW_JSON },

  /* bench: sizes only */
  { "bench", "help", "bench --help", 0, NULL, "Usage:", 0 },
  { "bench", "n-zero", "bench --n 0", 2, "range", NULL, 0 },
  { "bench", "n-negative", "bench --n -5", 2, "range", NULL, 0 },
  { "bench", "n-huge", "bench --n 99999999999", 2, "range", NULL, 0 },
  { "bench", "d-zero", "bench --d 0", 2, "range", NULL, 0 },
  { "bench", "queries-zero", "bench --queries 0", 2, "range", NULL, 0 },
  { "bench", "fit-n-one", "bench --fit-n 1", 2, "range", NULL, 0 },
  { "bench", "n-text", "bench --n lots", 2, "lots", NULL, 0 },
  { "bench", "ok-tiny-json", "bench --n 500 --d 2 --queries 5 --fit-n 50 --fit-d 2 --json", 0, NULL, NULL, ROW_JSON },

  /* export: charts to files */
#define EX "export @GOOD@ --target y "
  { "export", "help", "export --help", 0, NULL, "Usage:(.|\n)*case-attention", 0 },
  { "export", "missing", "export @MISSING@ --chart window --out @OUT@", 3, "missing\\.csv: ", NULL, 0 },
  { "export", "folder", "export @DIR@ --chart window --out @OUT@", 3, "folder: ", NULL, 0 },
  { "export", "empty", "export @EMPTY@ --chart window --out @OUT@", 3, "empty\\.csv", NULL, 0 },
  { "export", "binary", "export @BINARY@ --chart window --out @OUT@", 3, "binary\\.csv:1:1: ", NULL, 0 },
  { "export", "header-only", "export @HEADER@ --chart window --out @OUT@", 3, "header\\.csv", NULL, 0 },
  { "export", "unterminated-quote", "export @QUOTE@ --chart window --out @OUT@", 3, "quote\\.csv:3:2: ", NULL, 0 },
  { "export", "no-chart-default-name", "export @BINARY@ --chart window", 3, "binary\\.csv", NULL, 0 },
  { "export", "chart-unknown", EX "--chart pie --out @OUT@", 2, "pie", NULL, 0 },
  { "export", "size-zero", EX "--chart window --size 0x0 --out @OUT@", 2, "0x0", NULL, 0 },
  { "export", "size-negative", EX "--chart window --size -5x10 --out @OUT@", 2, "--size", NULL, 0 },
  { "export", "size-huge", EX "--chart window --size 100000x100000 --out @OUT@", 2, "100000", NULL, 0 },
  { "export", "size-overflow", EX "--chart window --size 99999999999999999999x2 --out @OUT@", 2, "size", NULL, 0 },
  { "export", "size-text", EX "--chart window --size big --out @OUT@", 2, "--size", NULL, 0 },
  { "export", "dpi-huge", EX "--chart window --dpi 1e9 --out @OUT@", 2, "dpi", NULL, 0 },
  { "export", "dpi-zero", EX "--chart window --dpi 0 --out @OUT@", 2, "dpi", NULL, 0 },
  { "export", "dpi-nan", EX "--chart window --dpi nan --out @OUT@", 2, "--dpi", NULL, 0 },
  { "export", "dpi-nan-json", EX "--chart window --dpi nan --json --out @OUT@", 2, "--dpi", NULL, ROW_JSON },
  { "export", "format-unknown", EX "--chart window --format bmp --out @OUT@", 2, "bmp", NULL, 0 },
  { "export", "all-as-png", EX "--chart all --format png --out @OUT@", 2, "pdf", NULL, 0 },
  { "export", "top-k-negative", EX "--chart case-attention --top-k -1 --out @OUT@", 2, "--top-k", NULL, 0 },
  { "export", "query-no-case", EX "--chart case-attention --query 99999 --out @OUT@", 2, "99999", NULL, 0 },
  { "export", "query-nan", EX "--chart case-attention --query 'temp=nan,pressure=1,gap=1' --out @OUT@", 2, "nan", NULL, 0 },
  { "export", "query-garbage", EX "--chart case-attention --query '==,,x' --out @OUT@", 2, "--query", NULL, 0 },
  { "export", "x-unknown", EX "--chart feature-map --x nope --out @OUT@", 2, "nope", NULL, 0 },
  { "export", "colormap-unknown", EX "--chart window --colormap jet --out @OUT@", 2, "jet", NULL, 0 },
  { "export", "out-over-input", EX "--chart window --out @GOOD@", 4, "good\\.csv: .*input", NULL, 0 },
  { "export", "out-folder", EX "--chart window --out @DIR@", 4, "folder", NULL, 0 },
  { "export", "out-missing-folder", EX "--chart window --out @NODIR@", 4, "out\\.csv", NULL, 0 },
  { "export", "out-read-only", EX "--chart window --out @ROFS@", 4, "casescope-out\\.csv", NULL, 0 },
  { "export", "out-full-disk", EX "--chart window --format png --size 3000x2000 --out @OLD@", 4, "old\\.csv", NULL, ROW_FSIZE },
  { "export", "out-full-disk-pdf", EX "--chart all --format pdf --out @OLD@", 4, "old\\.csv", NULL, ROW_FSIZE },
  { "export", "model-missing", EX "--chart window --model @MISSING@ --out @OUT@", 3, "missing\\.csv", NULL, 0 },
  { "export", "model-csv", EX "--chart window --model @GOOD@ --out @OUT@", 3, "good\\.csv: .*JSON", NULL, 0 },
  { "export", "model-version", EX "--chart window --model @MV99@ --out @OUT@", 3, "m-v99\\.json: .*version", NULL, 0 },
  { "export", "model-zero-sd", EX "--chart window --model @MSD0@ --out @OUT@", 3, "m-sd0\\.json: .*sd", NULL, 0 },
  { "export", "model-and-metric", EX "--chart window --model @MODEL@ --metric scalar --out @OUT@", 2, "--model", NULL, 0 },
  { "export", "ok-model", EX "--chart window --model @MODEL@ --format png --size 320x240 --out @OUT@", 0, NULL, NULL,
    ROW_CREATES },
  { "export", "ok-png", EX "--chart window --format png --size 320x240 --out @OUT@", 0, NULL, NULL, ROW_CREATES },
  { "export", "ok-json", EX "--chart case-attention --format svg --size 320x240 --out @OUT@ --json", 0, NULL, NULL,
    ROW_CREATES | ROW_JSON },
#undef EX
#undef QOK

  /* follow (rows appended over time are tested in test-cli-follow.c) */
  { "follow", "help", "follow --help", 0, NULL, "Usage:(.|\n)*--spec-lower", 0 },
  { "follow", "no-file", "follow --target y", 2, "one FILE", NULL, 0 },
  { "follow", "missing", "follow @MISSING@ --target y --json", 3, "missing\\.csv: ", NULL, 0 },
  { "follow", "folder", "follow @DIR@ --target y", 3, "folder: ", NULL, 0 },
  { "follow", "fifo-no-writer", "follow @FIFO@ --target y", 3, "fifo\\.csv: ", NULL, ROW_QUICK },
  { "follow", "empty", "follow @EMPTY@ --target y", 3, "empty\\.csv", NULL, 0 },
  { "follow", "no-target-column", "follow @GOOD@ --target nope", 3, "nope", NULL, 0 },
  { "follow", "level-one", "follow @GOOD@ --target y --level 1", 2, "--level", NULL, 0 },
  { "follow", "spec-nan", "follow @GOOD@ --target y --spec-lower nan", 2, "--spec-lower", NULL, 0 },
  { "follow", "spec-order", "follow @GOOD@ --target y --spec-lower 5 --spec-upper 1", 2, "--spec-lower", NULL, 0 },
  { "follow", "interval-zero", "follow @GOOD@ --target y --interval-ms 0", 2, "--interval-ms", NULL, 0 },

  /* pretrain (no input files: absurd option values) */
#define PT "pretrain --class relu --d 2 --n 40 --steps 3 --tasks 64 "
  { "pretrain", "help", "pretrain --help", 0, NULL, "Usage:(.|\n)*--class", 0 },
  { "pretrain", "no-options", "pretrain", 2, "required(.|\n)*Usage:", NULL, 0 },
  { "pretrain", "L-nan", PT "--L nan --sigma 0.5", 2, "--L(.|\n)*Usage:", NULL, 0 },
  { "pretrain", "L-nan-json", PT "--L nan --sigma 0.5 --json", 2, "--L", NULL, ROW_JSON },
  { "pretrain", "L-inf", PT "--L inf --sigma 0.5", 2, "--L", NULL, 0 },
  { "pretrain", "L-negative", PT "--L -1 --sigma 0.5", 2, "--L", NULL, 0 },
  { "pretrain", "L-zero", PT "--L 0 --sigma 0.5", 2, "--L", NULL, 0 },
  { "pretrain", "L-huge", PT "--L 1e308 --sigma 0.5", 2, "--L", NULL, 0 },
  { "pretrain", "L-text", PT "--L one --sigma 0.5", 2, "one", NULL, 0 },
  { "pretrain", "sigma-negative", PT "--L 1 --sigma -0.5", 2, "--sigma", NULL, 0 },
  { "pretrain", "sigma-nan", PT "--L 1 --sigma nan", 2, "--sigma", NULL, 0 },
  { "pretrain", "d-zero", PT "--L 1 --sigma 0.5 --d 0", 2, "--d", NULL, 0 },
  { "pretrain", "d-huge", PT "--L 1 --sigma 0.5 --d 1000000", 2, "--d", NULL, 0 },
  { "pretrain", "n-zero", PT "--L 1 --sigma 0.5 --n 0", 2, "--n", NULL, 0 },
  { "pretrain", "n-huge", PT "--L 1 --sigma 0.5 --n 99999999999", 2, "--n", NULL, 0 },
  { "pretrain", "steps-negative", PT "--L 1 --sigma 0.5 --steps -1", 2, "--steps", NULL, 0 },
  { "pretrain", "rank-over-d", PT "--L 1 --sigma 0.5 --rank 9", 2, "--rank", NULL, 0 },
  { "pretrain", "rank-negative", PT "--L 1 --sigma 0.5 --rank -1", 2, "--rank", NULL, 0 },
  { "pretrain", "class-unknown", PT "--L 1 --sigma 0.5 --class quadratic", 2, "quadratic", NULL, 0 },
  { "pretrain", "metric-unknown", PT "--L 1 --sigma 0.5 --metric cosine", 2, "cosine", NULL, 0 },
  { "pretrain", "seed-negative", PT "--L 1 --sigma 0.5 --seed -3", 2, "--seed", NULL, 0 },
  { "pretrain", "tasks-zero", PT "--L 1 --sigma 0.5 --tasks 0", 2, "--tasks", NULL, 0 },
  { "pretrain", "test-L-nan", PT "--L 1 --sigma 0.5 --test-L nan", 2, "--test-L", NULL, 0 },
  { "pretrain", "sweep-no-values", PT "--L 1 --sigma 0.5 --sweep L", 2, "--values", NULL, 0 },
  { "pretrain", "sweep-nan-value", PT "--sigma 0.5 --sweep L --values 1,nan", 2, "nan", NULL, 0 },
  { "pretrain", "sweep-empty-values", PT "--sigma 0.5 --sweep L --values ,,", 2, "--values", NULL, 0 },
  { "pretrain", "sweep-unknown", PT "--L 1 --sigma 0.5 --sweep x --values 1", 2, "--sweep", NULL, 0 },
  { "pretrain", "extra-arg", PT "--L 1 --sigma 0.5 extra", 2, "unexpected argument 'extra'", NULL, 0 },
  { "pretrain", "ok-json", PT "--L 1 --sigma 0.5 --json", 0, NULL, NULL, ROW_JSON },
  { "pretrain", "ok-json-tiny-L", PT "--L 1e-300 --sigma 0.5 --json", 0, NULL, NULL, ROW_JSON },
  { "pretrain", "ok-json-noise-free", PT "--L 1 --sigma 0 --json", 0, NULL, NULL, ROW_JSON },
#undef PT

  { "generate", "ok-out", "generate --sample circle --n 50 --seed 3 -o @OUT@", 0, NULL, "^$", ROW_CREATES },
  { "generate", "ok-stdout", "generate --sample kiln --n 3 --seed 1", 0, NULL, "^[^\n]+\n([^,\n]*,)+[^,\n]+\n([^,\n]*,)+[^,\n]+\n([^,\n]*,)+[^,\n]+\n$", 0 },
};

static char *cli_path;

/* ---- fixtures ---- */

static void
put (const char *dir,
     const char *name,
     const char *content,
     gssize      len)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, content, len, &error);
  g_assert_no_error (error);
}

static void
make_fixtures (const char *dir,
               GRand      *rand)
{
  g_autoptr(GString) good = g_string_new ("id,temp [degC],pressure [bar],gap [mm],y\n");
  g_autofree char *folder = g_build_filename (dir, "folder", NULL);
  guint8 binary[4096];
  int n = g_rand_int_range (rand, 20, 80);

  for (int i = 0; i < n; i++)
    {
      double t = g_rand_double_range (rand, 150, 250);
      double p = g_rand_double_range (rand, 1, 9);
      double gap = g_rand_double_range (rand, 0.1, 2);
      char buf[4][G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append_printf (good, "C%03d,%s,%s,%s,%s\n", i + 1,
                              g_ascii_formatd (buf[0], sizeof buf[0], "%.3f", t),
                              g_ascii_formatd (buf[1], sizeof buf[1], "%.3f", p),
                              g_ascii_formatd (buf[2], sizeof buf[2], "%.4f", gap),
                              g_ascii_formatd (buf[3], sizeof buf[3], "%.4f", 0.01 * t + p * gap));
    }
  put (dir, "good.csv", good->str, (gssize) good->len);
  put (dir, "empty.csv", "", 0);
  for (gsize i = 0; i < sizeof binary; i++)
    binary[i] = (guint8) g_rand_int_range (rand, 0, 256);
  binary[0] = 0;
  binary[100] = 0;
  put (dir, "binary.csv", (const char *) binary, sizeof binary);
  put (dir, "header.csv", "id,temp,pressure,gap,y\n", -1);
  put (dir, "onecol.csv", "y\n1\n2\n3\n4\n", -1);
  put (dir, "ragged.csv", "temp,pressure,y\n1,2,3\n4,5,6\n7,8\n9,10,11\n", -1);
  put (dir, "text.csv", "temp,pressure,y\n1,2,3\n4,abc,6\n7,8,9\n10,11,12\n", -1);
  put (dir, "quote.csv", "temp,pressure,y\n1,2,3\n4,\"5,6\n7,8,9\n", -1);
  {
    gsize len = 0;
    g_autofree char *utf16 = g_convert ("temp,pressure,y\n1,2,3\n4,5,6\n7,8,9\n", -1, "UTF-16LE", "UTF-8",
                                        NULL, &len, NULL);
    g_assert_nonnull (utf16);
    put (dir, "utf16.csv", utf16, (gssize) len);
  }
  put (dir, "const.csv", "temp,pressure,y\n1,2,3\n1,2,4\n1,2,5\n1,2,6\n", -1);
  put (dir, "nan.csv", "temp,pressure,y\n1,2,3\nnan,inf,6\n7,8,9\n10,11,12\n", -1);
  put (dir, "old.csv", "OLD CONTENT\n", -1);
  put (dir, "queries.csv", "temp,pressure,gap\n200,5,1\n210.5,4,1.5\n160,8.5,0.2\n", -1);
  put (dir, "badq.csv", "temp,pressure,gap\n200,5,1\n210,x4,1.5\n", -1);
  {
    /* a valid model for good.csv's columns, and broken variants of it */
    static const struct { const char *name, *from, *to; } models[] = {
      { "model.json", NULL, NULL },
      { "m-v99.json", "\"version\":1", "\"version\":99" },
      { "m-neg.json", "\"scale\":2.0", "\"scale\":-2.0" },
      { "m-sd0.json", "\"sd\":[25,", "\"sd\":[0," },
      { "m-nan.json", "\"scale\":2.0", "\"scale\":NaN" },
      { "m-other.json", "\"temp\",\"pressure\",\"gap\"", "\"a\",\"b\",\"c\"" },
      { "m-kind.json", "\"kind\":\"scalar\"", "\"kind\":\"cubic\"" },
    };
    const char *model =
      "{\"format\":\"casescope-model\",\"version\":1,\"source\":\"good.csv\",\"target\":\"y\","
      "\"features\":[\"temp\",\"pressure\",\"gap\"],\"mean\":[200,5,1],\"sd\":[25,2.3,0.55],"
      "\"score\":\"distance\",\"metric\":{\"kind\":\"scalar\",\"scale\":2.0,\"diag\":null,\"rank\":0,"
      "\"A\":null,\"M\":[[2,0,0],[0,2,0],[0,0,2]]},"
      "\"fit\":{\"n\":50,\"loo_mse\":1.0,\"loo_mse_linear\":0.2,\"passes\":6,\"noise_sd\":1.0}}\n";

    for (gsize i = 0; i < G_N_ELEMENTS (models); i++)
      {
        g_autoptr(GString) m = g_string_new (model);
        if (models[i].from != NULL)
          g_assert_cmpuint (g_string_replace (m, models[i].from, models[i].to, 1), ==, 1);
        put (dir, models[i].name, m->str, (gssize) m->len);
      }
    put (dir, "m-trunc.json", model, (gssize) strlen (model) / 2);
    put (dir, "m-arr.json", "[1,2,3]\n", -1);
  }
  {
    /* a base large enough that a full-metric model or a chart does not fit in 64 KiB */
    g_autoptr(GString) big = g_string_new (NULL);
    int d = 24;
    for (int j = 0; j < d; j++)
      g_string_append_printf (big, "x%02d,", j);
    g_string_append (big, "y\n");
    for (int i = 0; i < 120; i++)
      {
        for (int j = 0; j < d; j++)
          g_string_append_printf (big, "%d.%03d,", g_rand_int_range (rand, 0, 100), g_rand_int_range (rand, 0, 1000));
        g_string_append_printf (big, "%d.%03d\n", g_rand_int_range (rand, 0, 100), g_rand_int_range (rand, 0, 1000));
      }
    put (dir, "big.csv", big->str, (gssize) big->len);
  }
  {
    g_autofree char *fifo = g_build_filename (dir, "fifo.csv", NULL);
    g_assert_cmpint (mkfifo (fifo, 0644), ==, 0);
  }
  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
}

static char *
expand (const char *arg,
        const char *dir)
{
  static const struct { const char *key, *value; } map[] = {
    { "@GOOD@", "good.csv" }, { "@EMPTY@", "empty.csv" }, { "@BINARY@", "binary.csv" },
    { "@HEADER@", "header.csv" }, { "@ONECOL@", "onecol.csv" }, { "@RAGGED@", "ragged.csv" },
    { "@TEXT@", "text.csv" }, { "@QUOTE@", "quote.csv" }, { "@UTF16@", "utf16.csv" },
    { "@CONST@", "const.csv" }, { "@NAN@", "nan.csv" }, { "@MISSING@", "missing.csv" },
    { "@DIR@", "folder" }, { "@OUT@", "out.csv" }, { "@OLD@", "old.csv" },
    { "@NODIR@", "no-such-folder/out.csv" }, { "@FIFO@", "fifo.csv" }, { "@QUERIES@", "queries.csv" },
    { "@BADQ@", "badq.csv" }, { "@MODEL@", "model.json" }, { "@MV99@", "m-v99.json" }, { "@MNEG@", "m-neg.json" },
    { "@MSD0@", "m-sd0.json" }, { "@MNAN@", "m-nan.json" }, { "@MOTHER@", "m-other.json" },
    { "@MKIND@", "m-kind.json" }, { "@MTRUNC@", "m-trunc.json" }, { "@MARR@", "m-arr.json" }, { "@BIG@", "big.csv" },
  };
  g_autoptr(GString) s = g_string_new (arg);

  g_string_replace (s, "@UNREADABLE@", "/proc/self/mem", 0);
  g_string_replace (s, "@ROFS@", "/proc/self/casescope-out.csv", 0);
  for (gsize i = 0; i < G_N_ELEMENTS (map); i++)
    {
      g_autofree char *full = g_build_filename (dir, map[i].value, NULL);
      g_string_replace (s, map[i].key, full, 0);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* name -> content of every file under dir (recursive), to prove a failed command changed nothing. */
static void
snapshot_into (GHashTable *table,
               const char *dir,
               const char *prefix)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *key = g_strconcat (prefix, name, NULL);

      GStatBuf st;

      if (g_lstat (path, &st) == 0 && !S_ISDIR (st.st_mode) && !S_ISREG (st.st_mode))
        {
          /* FIFOs and links: never opened (a FIFO would block), only their kind and size */
          g_hash_table_insert (table, g_steal_pointer (&key),
                               g_strdup_printf ("<special %o %ld>", (unsigned) (st.st_mode & S_IFMT), (long) st.st_size));
          continue;
        }
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          g_autofree char *sub = g_strconcat (key, "/", NULL);
          g_hash_table_insert (table, g_strdup (sub), g_strdup ("<dir>"));
          snapshot_into (table, path, sub);
        }
      else
        {
          char *content = NULL;
          gsize len = 0;
          g_file_get_contents (path, &content, &len, NULL);
          g_hash_table_insert (table, g_steal_pointer (&key),
                               g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) content, len));
          g_free (content);
        }
    }
  g_dir_close (d);
}

static GHashTable *
snapshot (const char *dir)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  snapshot_into (table, dir, "");
  return table;
}

/* The list of differences between two snapshots, "" when none. */
static char *
snapshot_diff (GHashTable *before,
               GHashTable *after)
{
  GString *s = g_string_new (NULL);
  GHashTableIter it;
  gpointer k, v;

  g_hash_table_iter_init (&it, after);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      const char *old = g_hash_table_lookup (before, k);
      if (old == NULL)
        g_string_append_printf (s, " new:%s", (char *) k);
      else if (strcmp (old, v) != 0)
        g_string_append_printf (s, " changed:%s", (char *) k);
    }
  g_hash_table_iter_init (&it, before);
  while (g_hash_table_iter_next (&it, &k, &v))
    if (!g_hash_table_contains (after, k))
      g_string_append_printf (s, " removed:%s", (char *) k);
  return g_string_free (s, FALSE);
}

static void
rm_rf (const char *path)
{
  GDir *d;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_unlink (path);
      return;
    }
  d = g_dir_open (path, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      rm_rf (child);
    }
  if (d != NULL)
    g_dir_close (d);
  g_rmdir (path);
}

/* ---- running one command ---- */

typedef struct
{
  gboolean done;
  gboolean timed_out;
  char *out;
  char *err;
  GError *error;
} Run;

static void
communicate_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Run *run = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &run->out, &run->err, &run->error);
  run->done = TRUE;
}

static gboolean
timeout_cb (gpointer user_data)
{
  Run *run = user_data;

  run->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static void
child_setup_fsize (gpointer user_data)
{
  rlim_t limit = GPOINTER_TO_UINT (user_data);
  struct rlimit rl = { limit, limit };

  signal (SIGXFSZ, SIG_IGN);   /* the write fails with EFBIG instead of killing the process */
  setrlimit (RLIMIT_FSIZE, &rl);
}

static gboolean
is_one_json_object (const char *text,
                    char      **why)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_data (parser, text, -1, &error))
    {
      *why = g_strdup (error->message);
      return FALSE;
    }
  if (json_parser_get_root (parser) == NULL || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      *why = g_strdup ("not one JSON object");
      return FALSE;
    }
  return TRUE;
}

static char *
clip (const char *text)
{
  if (strlen (text) <= 600)
    return g_strdup (text);
  return g_strdup_printf ("%.600s... (%" G_GSIZE_FORMAT " bytes)", text, strlen (text));
}

/* NULL when the outcome is what the row documents, else what went wrong. */
static char *
check_outcome (const Row   *row,
               const char  *cmdline,
               GSubprocess *proc,
               const char  *out,
               const char  *err,
               GHashTable  *before,
               const char  *dir)
{
  g_autoptr(GHashTable) after = NULL;
  g_autofree char *diff = NULL;
  g_autofree char *cout = clip (out);
  g_autofree char *cerr = clip (err);
  g_autofree char *msg = g_strstrip (g_strdup (err));
  static const char *const forbidden[] = { "CRITICAL", "assertion", "(null)", "Segmentation", "Sanitizer",
                                            "runtime error", "GLib-", "Gtk-", "g_return", "g_assert" };

  if (g_subprocess_get_if_signaled (proc))
    return g_strdup_printf ("%s: killed by signal %d\nstderr: %s", cmdline, g_subprocess_get_term_sig (proc), cerr);
  if (!g_subprocess_get_if_exited (proc))
    return g_strdup_printf ("%s: did not exit", cmdline);

  after = snapshot (dir);
  diff = snapshot_diff (before, after);

  if (g_subprocess_get_exit_status (proc) != row->exit_code)
    return g_strdup_printf ("%s: exit %d, expected %d\nstdout: %s\nstderr: %s", cmdline,
                            g_subprocess_get_exit_status (proc), row->exit_code, cout, cerr);

  /* never internal diagnostics instead of a message */
  for (gsize i = 0; i < G_N_ELEMENTS (forbidden); i++)
    if (strstr (err, forbidden[i]) != NULL)
      return g_strdup_printf ("%s: stderr contains '%s':\n%s", cmdline, forbidden[i], cerr);
  if (row->stderr_re != NULL && !g_regex_match_simple (row->stderr_re, err, 0, 0))
    return g_strdup_printf ("%s: stderr does not match /%s/:\n%s", cmdline, row->stderr_re, cerr);

  if (row->exit_code != 0)
    {
      /* a failure says why, and writes nothing: no partial output, no temporary file, input intact */
      if (msg[0] == '\0')
        return g_strdup_printf ("%s: exit %d with nothing on stderr", cmdline, row->exit_code);
      if (diff[0] != '\0')
        return g_strdup_printf ("%s failed but changed its folder:%s", cmdline, diff);
      if (row->flags & ROW_JSON)
        {
          g_autofree char *why = NULL;
          if (out[0] != '\0' && !is_one_json_object (out, &why))
            return g_strdup_printf ("%s: stdout is neither empty nor one JSON object (%s):\n%s", cmdline, why, cout);
        }
      else if (row->stdout_re == NULL && out[0] != '\0')
        return g_strdup_printf ("%s: failed but wrote on stdout:\n%s", cmdline, cout);
    }
  else
    {
      if (row->flags & ROW_JSON)
        {
          g_autofree char *why = NULL;
          if (!is_one_json_object (out, &why))
            return g_strdup_printf ("%s: stdout is not one JSON object (%s):\n%s", cmdline, why, cout);
        }
      if (row->flags & ROW_CREATES)
        {
          /* only the output is new: no temporary file left next to it (a model file since version 3 is the JSON
           * and its sidecar of per-case columns, MODEL.cases) */
          const char *want = strstr (cmdline, "--save") != NULL ? "new:out.csv.cases new:out.csv" : "new:out.csv";
          if (strcmp (g_strstrip (diff), want) != 0)
            return g_strdup_printf ("%s: expected only %s to be created, got:%s", cmdline, want + 4, diff);
        }
      else if (diff[0] != '\0')
        return g_strdup_printf ("%s changed its folder:%s", cmdline, diff);
    }
  if (row->stdout_re != NULL && !g_regex_match_simple (row->stdout_re, out, 0, 0))
    return g_strdup_printf ("%s: stdout does not match /%s/:\n%s", cmdline, row->stdout_re, cout);
  return NULL;
}

static void
run_row (gconstpointer data)
{
  const Row *row = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  g_autofree char *dir = g_dir_make_tmp ("cs-cli-XXXXXX", &error);
  g_auto(GStrv) raw = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GHashTable) before = NULL;
  g_autofree char *cmdline = NULL;
  g_autofree char *failure = NULL;
  Run run = { 0 };
  guint timeout_id;
  int argc = 0;

  g_assert_no_error (error);
  make_fixtures (dir, rand);
  before = snapshot (dir);

  g_ptr_array_add (argv, g_strdup (cli_path));
  if (row->args[0] != '\0')
    {
      g_shell_parse_argv (row->args, &argc, &raw, &error);
      g_assert_no_error (error);
      for (int i = 0; i < argc; i++)
        g_ptr_array_add (argv, expand (raw[i], dir));
    }
  g_ptr_array_add (argv, NULL);
  cmdline = g_strjoinv (" ", (char **) argv->pdata);
  g_test_message ("running: %s", cmdline);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_cwd (launcher, dir);
  if (row->flags & ROW_STDIN_CSV)
    {
      g_autofree char *good = g_build_filename (dir, "good.csv", NULL);
      g_subprocess_launcher_set_stdin_file_path (launcher, good);
    }
  else
    g_subprocess_launcher_set_stdin_file_path (launcher, "/dev/null");
  if (row->flags & (ROW_FSIZE | ROW_FSIZE_4K))
    g_subprocess_launcher_set_child_setup (launcher, child_setup_fsize,
                                           GUINT_TO_POINTER ((row->flags & ROW_FSIZE_4K) ? 4096 : 65536), NULL);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8_async (proc, NULL, NULL, communicate_cb, &run);
  {
    /* valgrind (--setup valgrind traces children) runs the command about 30x slower */
    guint limit = (row->flags & ROW_QUICK) ? 5 : ROW_TIMEOUT_S;
    if (g_getenv ("CS_UNDER_VALGRIND") != NULL)
      limit *= 6;
    timeout_id = g_timeout_add_seconds (limit, timeout_cb, &run);
    while (!run.done && !run.timed_out)
      g_main_context_iteration (NULL, TRUE);
    if (run.timed_out)
      {
        g_subprocess_force_exit (proc);
        while (!run.done)
          g_main_context_iteration (NULL, TRUE);
        g_clear_error (&run.error);
        failure = g_strdup_printf ("%s: no answer within %u s", cmdline, limit);
      }
    else
      g_source_remove (timeout_id);
  }
  if (failure == NULL && run.error != NULL)
    failure = g_strdup_printf ("%s: %s", cmdline, run.error->message);   /* e.g. output that is not UTF-8 */
  g_clear_error (&run.error);
  if (failure != NULL)
    {
      g_free (run.out);
      g_free (run.err);
      rm_rf (dir);
      if (row->known != NULL)
        {
          g_autofree char *msg = g_strdup_printf ("known bug: %s", row->known);
          g_test_message ("%s", failure);
          g_test_incomplete (msg);
        }
      else
        {
          g_test_message ("%s", failure);
          g_test_fail ();
        }
      return;
    }
  g_subprocess_wait (proc, NULL, NULL);
  failure = check_outcome (row, cmdline, proc, run.out, run.err, before, dir);
  g_free (run.out);
  g_free (run.err);
  rm_rf (dir);
  if (failure != NULL && row->known != NULL)
    {
      g_autofree char *msg = g_strdup_printf ("known bug: %s", row->known);
      g_test_message ("%s", failure);
      g_test_incomplete (msg);
    }
  else if (failure != NULL)
    {
      g_test_message ("%s", failure);
      g_test_fail ();
    }
  else if (row->known != NULL)
    g_test_message ("row marked as a known bug passes now: drop its note");
}


/* Commands listed by casescope-cli --help, to report those the table does not cover yet. */
static void
test_every_command_has_rows (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  const char *argv[] = { cli_path, "--help", NULL };
  g_autoptr(GString) missing = g_string_new (NULL);
  int status = 0, listed = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  lines = g_strsplit (out, "\n", -1);
  for (int i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *cmd = NULL;
      gboolean covered = FALSE;

      /* command lines are "  name  summary" */
      if (strncmp (lines[i], "  ", 2) != 0 || lines[i][2] == ' ' || lines[i][2] == '-')
        continue;
      cmd = g_strndup (lines[i] + 2, strcspn (lines[i] + 2, " "));
      listed++;
      for (gsize r = 0; r < G_N_ELEMENTS (rows); r++)
        if (strcmp (rows[r].command, cmd) == 0 && rows[r].exit_code != 0)
          covered = TRUE;
      if (!covered)
        g_string_append_printf (missing, " %s", cmd);
    }
  g_assert_cmpint (listed, >, 0);
  if (missing->len > 0)
    {
      g_autofree char *msg = g_strdup_printf ("no bad-input rows yet for:%s", missing->str);
      g_test_incomplete (msg);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("CASESCOPE_CLI") != NULL)
    cli_path = g_canonicalize_filename (g_getenv ("CASESCOPE_CLI"), NULL);
  else if (argc > 1)
    cli_path = g_canonicalize_filename (argv[1], NULL);
  if (cli_path == NULL || !g_file_test (cli_path, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_printerr ("set CASESCOPE_CLI or pass the path of casescope-cli\n");
      return 1;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cs/cli/bad-input/%s/%s",
                                               rows[i].command[0] != '\0' ? rows[i].command : "top",
                                               rows[i].name);
      g_test_add_data_func (path, &rows[i], run_row);
    }
  g_test_add_func ("/cs/cli/bad-input/every-command-has-rows", test_every_command_has_rows);

  {
    int status = g_test_run ();
    g_free (cli_path);
    return status;
  }
}
