#!/bin/bash
# A waiter's steady-state load: the system calls `lockscope run` makes per second while it waits for a
# lock that another process holds for HOLD seconds. The waiter runs under strace -f -tt -y; only a window
# in the middle of the wait is counted (from 3 s after the waiter starts to 1 s before the holder lets
# go), so start-up, class loading and the final acquire are left out. Two figures: calls on the lock
# directory (paths in it, or descriptors of files in it: what a network filesystem turns into RPCs), and
# every file-related call of the process (the JVM's own /proc and cgroup reads included).
#   waiter_syscalls.sh DIR [HOLD_SECONDS] [LOCKSCOPE_CMD...]   (default: java -jar target/lockscope.jar)
set -euo pipefail
dir=$(realpath "$1"); hold=${2:-12}; shift || true; shift || true
if [ $# -gt 0 ]; then ls=("$@"); else ls=(java -jar "$(dirname "$(realpath "$0")")/../target/lockscope.jar"); fi
lock=$dir/waiter-bench.lock
out=$(mktemp -d)
"${ls[@]}" run "$lock" -- sleep "$hold" &
holder=$!
for _ in $(seq 1 400); do [ -e "$lock" ] && break; sleep 0.05; done
strace -f -tt -y -o "$out/wait.trace" "${ls[@]}" run -t $((hold * 3))s "$lock" -- true >/dev/null
wait $holder
/usr/bin/python3 - "$out/wait.trace" "$dir" "$hold" <<'PY'
import sys, re
trace, d, hold = sys.argv[1], sys.argv[2], float(sys.argv[3])
FILE = {'open','openat','close','read','write','pread64','pwrite64','lseek','stat','lstat','fstat','newfstatat',
        'statx','access','faccessat','faccessat2','link','linkat','unlink','unlinkat','rename','renameat','renameat2',
        'mkdir','mkdirat','rmdir','readlink','readlinkat','utimensat','fsync','fdatasync','getdents64','fcntl',
        'inotify_add_watch','inotify_rm_watch','statfs','fstatfs','ftruncate','fchmod','chmod'}
def secs(ts):
    h, m, s = ts.split(':'); return int(h) * 3600 + int(m) * 60 + float(s)
lines = []
for line in open(trace):
    f = line.split(None, 2)
    if len(f) < 3 or ':' not in f[1]:
        continue
    m = re.match(r'(?:<\.\.\. )?([a-z0-9_]+)', f[2])
    if not m or 'resumed>' in f[2] and not f[2].startswith('<...'):
        continue
    if f[2].startswith('<...'):
        continue  # the start of the call was counted
    lines.append((secs(f[1]), m.group(1), f[2]))
t0 = lines[0][0]
lo, hi = t0 + 3.0, t0 + hold - 1.0
win = [l for l in lines if lo <= l[0] <= hi]
span = hi - lo
ondir = [l for l in win if l[1] in FILE and d in l[2]]
files = [l for l in win if l[1] in FILE]
calls = {}
for l in ondir:
    calls[l[1]] = calls.get(l[1], 0) + 1
print('window %.1f s of the wait: %.1f calls/s on the lock directory %s; %.1f file calls/s in all; %.1f syscalls/s in all'
      % (span, len(ondir) / span, dict(sorted(calls.items())), len(files) / span, len(win) / span))
PY
rm -rf "$out"
