#!/bin/bash
# The inspector's window under a real window manager (openbox on Xvfb): it must open at a usable size
# (>= 1000x700; JavaFX 21 opens it at 200x200 there, JDK-8316423) and reopen at the size it was closed at.
# Usage: .ci/window-geometry.sh [DISPLAY_NUMBER]   (needs xvfb openbox xdotool libgtk-3-0 and target/lockscope.jar)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-97}
export DISPLAY=:$N
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
# Only this run's inspector window counts: its title names its own directory.
trap cleanup EXIT
Xvfb "$DISPLAY" -screen 0 1440x900x24 >/dev/null 2>&1 & PIDS+=($!)
for _ in $(seq 50); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.2; done
openbox >/dev/null 2>&1 & PIDS+=($!)
mkdir "$WORK/locks"

launch() { # starts the inspector, waits for its window, prints "WIDTH HEIGHT" of it
  java -Dlockscope.config.dir="$WORK/config" -jar target/lockscope.jar gui "$WORK/locks" >"$WORK/app.log" 2>&1 &
  APP=$!
  PIDS+=($APP)
  local w=""
  for _ in $(seq 60); do w=$(xdotool search --name "Lockscope Inspector .* $WORK/locks" 2>/dev/null | head -1 || true); [ -n "$w" ] && break; sleep 0.5; done
  [ -n "$w" ] || { echo "no inspector window appeared"; cat "$WORK/app.log"; exit 1; }
  WIN=$w
  # The size settles after the window manager's first answer: read it until it is stable.
  local prev="" now=""
  for _ in $(seq 20); do sleep 0.5; now=$(xdotool getwindowgeometry --shell "$WIN" | grep -E '^(WIDTH|HEIGHT)=' | tr '\n' ' '); [ "$now" = "$prev" ] && break; prev=$now; done
  eval "$now"
}

launch
echo "first launch: ${WIDTH}x${HEIGHT}"
[ "$WIDTH" -ge 1000 ] && [ "$HEIGHT" -ge 700 ] || { echo "FAIL: window opened at ${WIDTH}x${HEIGHT}, below 1000x700"; exit 1; }
xdotool windowsize "$WIN" 1040 720
sleep 1
xdotool windowactivate --sync "$WIN" key ctrl+q
wait "$APP" || true
launch
echo "second launch: ${WIDTH}x${HEIGHT} (closed at 1040x720)"
kill "$APP"
[ "$WIDTH" -eq 1040 ] && [ "$HEIGHT" -eq 720 ] || { echo "FAIL: the remembered size 1040x720 was not restored"; exit 1; }
echo "window geometry OK"
