#!/bin/bash
# bench-scale.sh: a large case base through the command line, with time and peak memory per step.
#
#   tests/tools/bench-scale.sh [BUILD_DIR]   (default: build; N, D, Q, FIT_QUERIES, SEED, CHARTS,
#                                      STEP_TIMEOUT, KEEP from the environment)
#
# Generates a case base of N rows x D features (default 10^6 x 20) plus an outcome, then runs,
# each as its own casescope-cli process under /usr/bin/time -v: inspect (load), fit (scalar
# window), predict (Q = 1000 queries from a file, with the fitted model) and export (charts).
# For each step it prints the wall time, the peak resident memory and the ratio to the budget of
# issue 8: 2 x the numeric payload (N x (D + 1) doubles) + 100 MB. Steps whose sub-command does
# not exist yet are reported as such; a step still running after STEP_TIMEOUT seconds (default
# 900) is stopped and reported. Exit status 1 when a step fails or exceeds the budget.
#
# The exact leave-one-out fit costs N^2 query-case pairs per pass (10^12 at N = 10^6), and so do
# the charts that score every case against every other (attention-matrix, window, diagnostics).
# So above 20,000 cases the command line scores its loss, noise and per-case charts on 1,000
# evenly spaced cases, each against the whole base (O(1000 n) per pass); predict and export use
# the fitted model file. CHARTS="..." chooses the charts; each PNG is checked afterwards.
set -u -o pipefail

BUILD=${1:-build}
N=${N:-1000000}
D=${D:-20}
Q=${Q:-1000}
SEED=${SEED:-8}
CHARTS=${CHARTS:-case-attention feature-map window diagnostics attention-matrix}
STEP_TIMEOUT=${STEP_TIMEOUT:-900}
CLI="$BUILD/app/casescope-cli"
TIME=/usr/bin/time

if [ ! -x "$CLI" ]; then
  echo "bench-scale: $CLI not found (build first: ninja -C $BUILD)" >&2
  exit 2
fi
if [ ! -x "$TIME" ]; then
  echo "bench-scale: $TIME not found (apt-get install time)" >&2
  exit 2
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cs-scale-XXXXXX")
if [ -z "${KEEP:-}" ]; then
  trap 'rm -rf "$WORK"' EXIT
fi
CSV="$WORK/cases.csv"
QUERIES="$WORK/queries.csv"

# Features uniform in [-1, 1] at different scales and offsets (so standardisation matters), the
# outcome a smooth function of the first three plus noise; the other features are irrelevant.
gen_csv () {   # rows seed file
  awk -v n="$1" -v d="$D" -v seed="$2" -v target="$3" 'BEGIN {
    srand (seed);
    line = "";
    for (j = 1; j <= d; j++) line = line sprintf ("x%02d,", j);
    print (target ? line "y" : substr (line, 1, length (line) - 1));
    for (i = 0; i < n; i++) {
      line = ""; s = 0;
      for (j = 1; j <= d; j++) {
        v = 2 * rand () - 1;
        if (j <= 3) s += sin (2.5 * v * j);
        line = line sprintf ("%.6f,", v * (10 ^ (j % 4)) + 100 * (j % 3));
      }
      if (target) print line sprintf ("%.6f", s + 0.1 * (rand () + rand () + rand () - 1.5));
      else print substr (line, 1, length (line) - 1);
    }
  }' > "$4"
}

has_command () {
  "$CLI" --help 2>/dev/null | grep -q "^  $1 "
}

payload=$(( N * (D + 1) * 8 ))
budget=$(( 2 * payload + 100 * 1024 * 1024 ))
status=0

echo "# bench-scale: N=$N D=$D Q=$Q seed=$SEED, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
t0=$(date +%s.%N)
gen_csv "$N" "$SEED" 1 "$CSV"
gen_csv "$Q" $((SEED + 1)) 0 "$QUERIES"
t1=$(date +%s.%N)
awk -v f="$CSV" -v mb=$(( $(stat -c %s "$CSV") / 1048576 )) -v t0="$t0" -v t1="$t1" -v p="$payload" -v b="$budget" \
  'BEGIN { printf "# generated %s (%d MB) in %.1f s; numeric payload %.1f MB, budget 2 x payload + 100 MB = %.1f MB\n", f, mb, t1 - t0, p / 1048576, b / 1048576 }'

printf '%-16s %8s %10s %8s  %s\n' step seconds peak_MB budget% result

run_step () {   # name command...
  local name=$1; shift
  local log="$WORK/$name.time" out="$WORK/$name.out" err="$WORK/$name.err"
  if ! has_command "$1"; then
    printf '%-16s %8s %10s %8s  %s\n' "$name" - - - "not run: casescope-cli has no '$1' command yet"
    return
  fi
  # the peak so far is sampled from /proc (VmHWM) too, for steps stopped at the timeout
  timeout -s INT -k 10 "$STEP_TIMEOUT" "$TIME" -v -o "$log" "$CLI" "$@" > "$out" 2> "$err" &
  local tpid=$! hwm=0 kb_now child
  while kill -0 "$tpid" 2>/dev/null; do
    for child in $(pgrep -f "^$CLI $1 " 2>/dev/null); do
      kb_now=$(awk '/VmHWM/ { print $2 }' "/proc/$child/status" 2>/dev/null)
      [ -n "$kb_now" ] && [ "$kb_now" -gt "$hwm" ] && hwm=$kb_now
    done
    sleep 1
  done
  wait "$tpid"
  local rc=$?
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 130 ] || [ ! -s "$log" ]; then
    printf '%-16s %8s %10.1f %7d%%  %s\n' "$name" ">$STEP_TIMEOUT" "$(awk -v k="$hwm" 'BEGIN { print k / 1024 }')" \
      $(( hwm * 1024 * 100 / budget )) "stopped after $STEP_TIMEOUT s (peak so far)"
    status=1
    return
  fi
  local kb secs
  kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log")
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split ($2, a, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + a[i]; print s }' "$log")
  local pct=$(( kb * 1024 * 100 / budget ))
  local result="ok"
  if [ "$rc" -ne 0 ]; then
    result="FAILED (exit $rc): $(head -c 300 "$err" | tr '\n' ' ')"
    status=1
  elif [ $(( kb * 1024 )) -gt "$budget" ]; then
    result="OVER BUDGET"
    status=1
  fi
  printf '%-16s %8.2f %10.1f %7d%%  %s\n' "$name" "$secs" "$(awk -v k="$kb" 'BEGIN { print k / 1024 }')" "$pct" "$result"
}

run_step load inspect "$CSV" --target y --json
# The scalar window on the whole base: above 20,000 cases its loss is over 1,000 evenly spaced
# cases (FIT_QUERIES overrides), each predicted from all the others.
run_step fit fit "$CSV" --target y --metric scalar ${FIT_QUERIES:+--queries "$FIT_QUERIES"} \
  --save "$WORK/model.json" --json
if [ -s "$WORK/model.json" ]; then
  run_step predict predict "$CSV" --target y --model "$WORK/model.json" --queries "$QUERIES" --top 5 --json
  for chart in $CHARTS; do
    run_step "$chart" export "$CSV" --chart "$chart" --model "$WORK/model.json" --format png --size 1920x1080 \
      --out "$WORK/$chart.png"
  done
else
  echo "# no model file: predict and export not run"
  status=1
fi
for chart in $CHARTS; do
  if [ -s "$WORK/$chart.png" ]; then
    python3 -c 'import sys, struct
d = open (sys.argv[1], "rb").read (32)
assert d[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack (">II", d[16:24])
print ("# %s: PNG %dx%d, %d bytes" % (sys.argv[2], w, h, len (open (sys.argv[1], "rb").read ())))' "$WORK/$chart.png" "$chart" \
      || status=1
  fi
done

if [ -n "${KEEP:-}" ]; then
  echo "# kept $WORK"
fi
exit $status
