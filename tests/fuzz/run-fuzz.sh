#!/bin/sh
# run-fuzz.sh FUZZER SEED_DIR SECONDS: runs a libFuzzer target for a bounded time. New inputs go to
# a temporary folder, so the committed seed corpus is never modified; crashes land in the build dir.
set -eu
fuzzer=$1
seeds=$2
seconds=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/cs-fuzz-XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/corpus"
cp "$seeds"/* "$work/corpus/"
exec_dir=$(pwd)
"$fuzzer" "$work/corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$exec_dir/" -print_final_stats=1 -error_exitcode=1
