#!/bin/bash
# Installs the .deb that `mvn -Ppackage package` built, checks it as an operator would use it, and removes it
# again, checking that nothing is left. Run as root on Debian 12; needs xvfb and xdotool (for the window check)
# and leaves the machine as it found it (the package is purged even when a check fails).
#
#   packaging/check-deb.sh [target/dist/lockscope_*.deb]
set -euo pipefail
deb=$(realpath "${1:-$(ls "$(dirname "$0")"/../target/dist/lockscope_*.deb)}")
export DEBIAN_FRONTEND=noninteractive
work=$(mktemp -d)
xvfb_pid=
gui_pid=

fail() { echo "check-deb: FAIL: $*" >&2; exit 1; }
cleanup() {
  set +e
  [ -n "$gui_pid" ] && kill "$gui_pid" 2>/dev/null
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null
  dpkg -s lockscope >/dev/null 2>&1 && apt-get purge -y -qq lockscope >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

dpkg -s lockscope >/dev/null 2>&1 && fail "lockscope is already installed; remove it first"
apt-get install -y -qq -o DPkg::Lock::Timeout=300 "$deb" >/dev/null
dpkg -L lockscope | sort >"$work/files"
echo "check-deb: installed $(wc -l <"$work/files") paths; .deb $(du -k "$deb" | cut -f1) KiB," \
  "installed $(dpkg-query -W -f='${Installed-Size}' lockscope) KiB"

# 1. the CLI on the PATH, with the jar's exit codes
[ "$(command -v lockscope)" = /usr/bin/lockscope ] || fail "lockscope is not /usr/bin/lockscope"
lockscope --version | grep -q '^lockscope ' || fail "--version"
mkdir "$work/locks"
lockscope run "$work/locks/job.lock" -- true || fail "run"
lockscope ls "$work/locks" >/dev/null || fail "ls"
set +e
lockscope run "$work/locks/job.lock" -- sh -c 'exit 7'; [ $? -eq 7 ] || fail "run does not return CMD's exit code"
lockscope ls "$work/missing" 2>/dev/null; [ $? -eq 74 ] || fail "ls of a missing directory is not 74"
lockscope no-such-command 2>/dev/null; [ $? -eq 64 ] || fail "an unknown command is not a usage error (64)"
set -e
lockscope ls --format prometheus "$work/locks" | grep -q '^lockscope_scan_success{' || fail "ls --format prometheus"

# 2. bash completion: the installed completion function completes `lockscope re<TAB>`
completion=$(bash -c 'source /usr/share/bash-completion/completions/lockscope
  COMP_WORDS=(lockscope re); COMP_CWORD=1; COMP_LINE="lockscope re"; COMP_POINT=${#COMP_LINE}
  _complete_lockscope 2>/dev/null; echo "${COMPREPLY[*]}"')
[ "$completion" = records ] || fail "lockscope re<TAB> completed to '$completion'"

# 3. the man page renders
MANWIDTH=80 man lockscope 2>/dev/null | grep -q 'lockscope - NFS-safe' || fail "man lockscope"
man -w lockscope-ls >/dev/null || fail "man lockscope-ls"

# 4. the desktop entry and icon
grep -q '^Exec=/usr/bin/lockscope' /usr/share/applications/lockscope.desktop || fail ".desktop entry"
[ -f /usr/share/icons/hicolor/16x16/apps/lockscope.png ] || fail "16 px icon"

# 5. the GUI opens a window (under Xvfb)
display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 1280x800x24 >/dev/null 2>&1 &
xvfb_pid=$!
DISPLAY=$display HOME=$work lockscope >"$work/gui.log" 2>&1 &
gui_pid=$!
window=
for _ in $(seq 1 120); do
  window=$(DISPLAY=$display xdotool search --name 'Lockscope Inspector' 2>/dev/null | head -1) || true
  [ -n "$window" ] && break
  kill -0 "$gui_pid" 2>/dev/null || fail "the GUI exited: $(cat "$work/gui.log")"
  sleep 1
done
[ -n "$window" ] || fail "no 'Lockscope Inspector' window within 120 s: $(cat "$work/gui.log")"
echo "check-deb: window '$(DISPLAY=$display xdotool getwindowname "$window")' is up"
kill "$gui_pid"; wait "$gui_pid" 2>/dev/null || true; gui_pid=
kill "$xvfb_pid"; wait "$xvfb_pid" 2>/dev/null || true; xvfb_pid=

# 6. removal leaves nothing behind
apt-get purge -y -qq lockscope >/dev/null
left=$(while read -r f; do if [ -e "$f" ] && [ ! -d "$f" ]; then echo "$f"; fi; done <"$work/files")
[ -z "$left" ] || fail "left after purge: $left"
[ ! -e /opt/lockscope ] || fail "/opt/lockscope is left after purge"
echo "check-deb: OK (installed, CLI, completion, man page, desktop entry, window, clean removal)"
