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
# The operator view on a case of the sample's noisy region (the fail-safe panel has something to say).
shot operator.png big --case 1001
# The manager view, with the paper sweeps run.
shot manager.png big --page manager --sweeps
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
