#!/bin/bash
# Syscalls per operation, by difference: strace -f -c a run of M1 ops and a run of M2 ops of the same
# command, and divide the difference of each syscall's count by (M2 - M1). Start-up, warm-up and the
# workers' JVM noise cancel out; what remains is what one more operation costs.
#   strace_per_op.sh M1 M2 CMD... (CMD contains the word OPS where the op count goes)
# Prints "syscall per-op" lines, then "TOTAL_FILE n" (file-related: on paths or file descriptors) and "TOTAL n".
set -euo pipefail
m1=$1; m2=$2; shift 2
out=$(mktemp -d)
run() {
  local m=$1; shift
  local args=()
  for a in "$@"; do args+=("${a//OPS/$m}"); done
  strace -f -c -o "$out/$m.txt" "${args[@]}" >/dev/null 2>"$out/$m.err" || { cat "$out/$m.err" >&2; exit 1; }
}
run "$m1" "$@"
run "$m2" "$@"
/usr/bin/python3 - "$out/$m1.txt" "$out/$m2.txt" "$m1" "$m2" <<'PY'
import sys
def load(p):
    d = {}
    for line in open(p):
        f = line.split()
        if len(f) >= 5 and f[0][0].isdigit() and not line.startswith('100.00') and f[-1] != 'total':
            calls = int(f[3]); name = f[-1]
            d[name] = d.get(name, 0) + calls
    return d
a, b = load(sys.argv[1]), load(sys.argv[2])
n = int(sys.argv[4]) - int(sys.argv[3])
# Calls that act on a file name or a file descriptor of a file (not memory, threads, signals, time).
FILE = {'open','openat','openat2','creat','close','read','write','pread64','pwrite64','readv','writev','lseek',
        'stat','lstat','fstat','newfstatat','statx','fstatat64','access','faccessat','faccessat2','link','linkat',
        'unlink','unlinkat','rename','renameat','renameat2','mkdir','mkdirat','rmdir','symlink','symlinkat',
        'readlink','readlinkat','utime','utimes','utimensat','futimesat','chmod','fchmod','fchmodat','chown',
        'fchown','lchown','fchownat','truncate','ftruncate','fsync','fdatasync','getdents','getdents64','fcntl',
        'flock','inotify_add_watch','inotify_rm_watch','statfs','fstatfs','getxattr','lgetxattr','fgetxattr'}
tot = totf = 0.0
for k in sorted(set(a) | set(b)):
    per = (b.get(k, 0) - a.get(k, 0)) / n
    if abs(per) >= 0.05:
        print("%-20s %8.2f%s" % (k, per, "  (file)" if k in FILE else ""))
    tot += per
    if k in FILE:
        totf += per
print("TOTAL_FILE %.2f" % totf)
print("TOTAL %.2f" % tot)
PY
rm -rf "$out"
