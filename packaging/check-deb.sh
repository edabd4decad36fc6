#!/bin/bash
# Installs the .deb that `mvn -Ppackage package` built, checks it as an operator would use it, and removes it
# again, checking that nothing is left. Run as root on Debian 12; needs xvfb and xdotool (for the window check)
# and man-db. It leaves the machine as it found it: the package is purged, and checked for leftovers, also when
# a check fails or the script is interrupted. `.ci/run` runs it after `mvn -B -Ppackage -DskipTests package`.
#
#   packaging/check-deb.sh [target/dist/lockscope_*.deb]
set -euo pipefail
if [ $# -ge 1 ]; then
  deb=$1
else
  debs=("$(dirname "$0")"/../target/dist/lockscope_*.deb)
  [ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || { echo "check-deb: expected one target/dist/lockscope_*.deb, found: ${debs[*]}" >&2; exit 1; }
  deb=${debs[0]}
fi
deb=$(realpath "$deb")
export DEBIAN_FRONTEND=noninteractive
work=$(mktemp -d)
installed=       # set once we have asked apt to install: only then is the package ours to purge
xvfb_pid=
gui_pid=
# The files the issue names, checked by path after the purge in addition to everything `dpkg -L` listed.
named_files=(/usr/bin/lockscope /usr/share/applications/lockscope.desktop
  /usr/share/icons/hicolor/16x16/apps/lockscope.png /usr/share/icons/hicolor/scalable/apps/lockscope.svg
  /usr/share/bash-completion/completions/lockscope /usr/share/zsh/vendor-completions/_lockscope
  /usr/share/man/man1/lockscope.1.gz /usr/share/man/man1/lockscope-ls.1.gz /opt/lockscope)

fail() { echo "check-deb: FAIL: $*" >&2; exit 1; }

# Processes started from the installed runtime (the GUI's demo holders among them); none may outlive a check.
lockscope_processes() {
  local p exe
  for p in /proc/[0-9]*; do
    exe=$(readlink "$p/exe" 2>/dev/null) || continue
    case $exe in /opt/lockscope/*) echo "${p#/proc/}: $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null | cut -c1-160)" ;; esac
  done
}

# Purges the package and prints every file of it that is still there (nothing when the removal was clean).
purge_and_list_leftovers() {
  apt-get purge -y -qq -o DPkg::Lock::Timeout=300 lockscope >/dev/null
  local f
  if [ -f "$work/files" ]; then
    while read -r f; do
      if [ -e "$f" ] && [ ! -d "$f" ]; then echo "$f"; fi
    done <"$work/files"
  fi
  for f in "${named_files[@]}"; do
    if [ -e "$f" ] || [ -L "$f" ]; then echo "$f"; fi
  done
}

cleanup() {
  local status=$?
  set +e
  [ -n "$gui_pid" ] && kill "$gui_pid" 2>/dev/null && wait "$gui_pid" 2>/dev/null
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null && wait "$xvfb_pid" 2>/dev/null
  if [ -n "$installed" ]; then
    echo "check-deb: purging lockscope (the check failed or was interrupted)" >&2
    left=$(purge_and_list_leftovers | sort -u)
    [ -z "$left" ] || echo "check-deb: left after purge: $left" >&2
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# A package installed before this check is not ours to test or remove.
dpkg -s lockscope >/dev/null 2>&1 && { echo "check-deb: lockscope is already installed; remove it first" >&2; exit 1; }
installed=yes
start=$SECONDS
apt-get install -y -qq -o DPkg::Lock::Timeout=300 "$deb" >/dev/null
dpkg -L lockscope | sort >"$work/files"
echo "check-deb: installed $(wc -l <"$work/files") paths in $((SECONDS - start)) s; .deb $(du -k "$deb" | cut -f1) KiB," \
  "Installed-Size $(dpkg-query -W -f='${Installed-Size}' lockscope) KiB"

# 1. the CLI on the PATH, with the jar's exit codes
[ "$(command -v lockscope)" = /usr/bin/lockscope ] || fail "lockscope is not /usr/bin/lockscope"
lockscope --version | grep -q '^lockscope ' || fail "--version"
mkdir "$work/locks"
lockscope run "$work/locks/job.lock" -- true || fail "run"
lockscope ls "$work/locks" >/dev/null || fail "ls"
set +e
lockscope run "$work/locks/job.lock" -- sh -c 'exit 7'; [ $? -eq 7 ] || fail "run does not return CMD's exit code"
lockscope ls "$work/missing" 2>/dev/null; [ $? -eq 66 ] || fail "ls of a missing directory is not 66 (README, exit codes)"
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

# 5. the GUI opens a window, on an Xvfb display of its own: -displayfd makes Xvfb pick a free display number
#    and write it once the server accepts connections, so we neither race its start nor meet another
#    program's windows on a shared display number.
start=$SECONDS
Xvfb -displayfd 3 -screen 0 1280x800x24 3>"$work/display" >/dev/null 2>&1 &
xvfb_pid=$!
for _ in $(seq 1 100); do
  [ -s "$work/display" ] && break
  kill -0 "$xvfb_pid" 2>/dev/null || fail "Xvfb did not start"
  sleep 0.2
done
display=:$(head -1 "$work/display")
[ "$display" != : ] || fail "Xvfb gave no display number within 20 s"
DISPLAY=$display HOME=$work lockscope >"$work/gui.log" 2>&1 &
gui_pid=$!
window=
for _ in $(seq 1 120); do
  window=$(DISPLAY=$display xdotool search --onlyvisible --name 'Lockscope Inspector' 2>/dev/null | head -1) || true
  [ -n "$window" ] && break
  kill -0 "$gui_pid" 2>/dev/null || fail "the GUI exited: $(cat "$work/gui.log")"
  sleep 1
done
[ -n "$window" ] || fail "no 'Lockscope Inspector' window within 120 s: $(cat "$work/gui.log")"
echo "check-deb: window '$(DISPLAY=$display xdotool getwindowname "$window")' is up after $((SECONDS - start)) s"
kill "$gui_pid"; wait "$gui_pid" 2>/dev/null || true; gui_pid=
kill "$xvfb_pid"; wait "$xvfb_pid" 2>/dev/null || true; xvfb_pid=
# The demo's holder processes end when the inspector does (it closes their stdin on SIGTERM).
for _ in $(seq 1 20); do
  [ -z "$(lockscope_processes)" ] && break
  sleep 0.5
done
running=$(lockscope_processes)
[ -z "$running" ] || fail "still running from /opt/lockscope 10 s after the GUI ended: $running"

# 6. removal leaves nothing behind
left=$(purge_and_list_leftovers | sort -u)
installed=
[ -z "$left" ] || fail "left after purge: $left"
echo "check-deb: OK (installed, CLI, exit codes, completion, man page, desktop entry, window, clean removal)"
