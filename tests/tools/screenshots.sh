#!/bin/sh
# screenshots.sh BUILD_DIR: the app's screenshots, rendered offscreen by the real app (casescope --screenshot).
# Called by `make screenshots` inside dbus-run-session and xvfb-run. The large views get their own, larger
# X server when xvfb-run is available (a window cannot be larger than its screen).
set -eu

build=${1:-build}
app="$build/app/casescope"
out=screenshots
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ ! -x "$app" ]; then
  echo "screenshots.sh: $app is missing; build first (make build)" >&2
  exit 1
fi
mkdir -p "$out"

# Keep the user's settings and recent files out of it; the same renderer as the tests.
export XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data"
export GSK_RENDERER=cairo GDK_DEBUG=gl-disable GTK_A11Y=none LC_ALL=C.UTF-8

# shot NAME normal|big ARGS...: run the app with ARGS and --screenshot screenshots/NAME.
shot() {
  name=$1
  size=$2
  shift 2
  echo "  $out/$name"
  rm -f "$out/$name"
  if [ "$size" = big ] && command -v xvfb-run >/dev/null 2>&1; then
    timeout 180 xvfb-run -a -s '-screen 0 1600x1160x24' "$app" "$@" --screenshot "$out/$name"
  else
    timeout 180 "$app" "$@" --screenshot "$out/$name"
  fi
  test -s "$out/$name"
}

echo "Writing screenshots with $app:"
# The first window as it opens on the embedded sample, at the usual screen size.
shot window.png normal
# The operator view on a case of the sample's noisy region (the fail-safe panel has something to say), with
# spec limits typed in, so the prediction card gives the interval and the spec verdict.
shot operator.png big --case 1001 --spec-lower 290 --spec-upper 330
# The same case against limits its interval lies below: the card says "out of spec".
shot operator-out-of-spec.png big --case 1001 --spec-lower 300 --spec-upper 330
# The same operator view in German (the build tree's catalogue; numbers with the locale's decimal comma).
if locale -a 2>/dev/null | grep -qi '^de_DE.utf-\?8$'; then
  (export LC_ALL=de_DE.UTF-8 LANG=de_DE.UTF-8 LANGUAGE=de CASESCOPE_LOCALEDIR="$(cd "$build" && pwd)/po"
   shot operator-de.png big --case 1001 --spec-lower 290 --spec-upper 330)
else
  echo "  (no de_DE.UTF-8 locale: operator-de.png kept; make test generates the locale)"
fi
# The manager view, with the paper sweeps run.
shot manager.png big --page manager --sweeps
# Follow mode on a copy of the sample: once the app says it watches the file, a logger's rows are appended in
# one write: six batches without a strength (they wait), then five of them with the strength measured
# (they complete and join; the strip chart shows their predicted against actual). The rows are the means of two
# of the sample's rows, so they look like the line's batches and are the same on every run.
cp data/samples/press-line.csv "$tmp/press-line.csv"
awk -F, 'NR > 1 && NR <= 61 && NR % 10 == 1 { a[++n] = $0 }
         NR > 1 && NR <= 66 && NR % 10 == 6 { b[++m] = $0 }
         END {
           for (i = 1; i <= 6; i++) {
             split(a[i], x, ","); split(b[i], y, ",")
             row[i] = sprintf("PL-%05d,%.2f,%.2f,%.3f,%.1f", 9000 + i, (x[2] + y[2]) / 2, (x[3] + y[3]) / 2,
                              (x[4] + y[4]) / 2, (x[5] + y[5]) / 2)
             out[i] = sprintf("%.3f", (x[6] + y[6]) / 2)
             printf "%s,\n", row[i]
           }
           for (i = 1; i <= 5; i++)
             printf "%s,%s\n", row[i], out[i]
         }' data/samples/press-line.csv > "$tmp/appended.csv"
echo "  $out/follow.png"
rm -f "$out/follow.png"
: > "$tmp/follow-out"
if command -v xvfb-run >/dev/null 2>&1; then
  timeout 180 xvfb-run -a -s '-screen 0 1600x1160x24' "$build/app/casescope" --follow \
    --screenshot "$out/follow.png" "$tmp/press-line.csv" > "$tmp/follow-out" &
else
  timeout 180 "$build/app/casescope" --follow --screenshot "$out/follow.png" \
    "$tmp/press-line.csv" > "$tmp/follow-out" &
fi
follow_pid=$!
# Wait for "following PATH", append, then let the app finish (it shoots once the rows are predicted).
while ! grep -q '^following ' "$tmp/follow-out" && kill -0 "$follow_pid" 2>/dev/null; do
  sleep 0.2
done
if grep -q '^following ' "$tmp/follow-out"; then
  cat "$tmp/appended.csv" >> "$tmp/press-line.csv"
else
  echo "screenshots.sh: the app never started following $tmp/press-line.csv" >&2
fi
wait "$follow_pid"
test -s "$out/follow.png"
# The import preview on a European-style CSV with a broken row and a missing value.
cat > "$tmp/line-7.csv" <<'CSV'
batch;temperature [degC];pressure [bar];speed [m/min];strength [MPa]
B-001;212,5;81,2;14,1;288,4
B-002;219,0;77,9;15,3;291,0
B-003;201,7;90,4;12,8;281,7
B-004;225,3;;16,0;297,2
B-005;208,8;84,1;13,5
B-006;216,4;79,0;abc;289,9
B-007;222,1;76,5;15,9;294,8
B-008;205,2;88,3;13,1;284,0
CSV
shot import-preview.png normal --dialog import "$tmp/line-7.csv"
shot export-dialog.png normal --dialog export
# Exported charts, drawn by the command line with the same functions as the screen (case 17, leave-one-out).
cli="$build/app/casescope-cli"
for chart in case-attention feature-map attention-matrix window window-sweep diagnostics softmax-vs-linear; do
  extra=""
  case $chart in case-attention|feature-map|attention-matrix) extra=--stretch ;; esac
  echo "  $out/chart-$chart.png"
  timeout 300 "$cli" export data/samples/press-line.csv --target strength --chart $chart --query 17 \
    --size 1600x900 --dpi 120 $extra --out "$out/chart-$chart.png"
done
echo "  $out/chart-softmax-vs-linear-paper.png"
timeout 300 "$cli" export data/samples/press-line.csv --target strength --chart softmax-vs-linear --paper \
  --size 1600x900 --dpi 120 --out "$out/chart-softmax-vs-linear-paper.png"
echo "Done."
