#!/bin/bash
# Side by side, in one go, on one directory: lockscope bench against flufl.lock (bench/flufl_bench.py, the
# same workloads and the same measurements) and, for the one-process-per-operation CLI, `lockscope run`
# against dotlockfile. Prints every run, the medians, and the ratios against the targets of issue 6.
#
#   bench/compare.sh DIR            (DIR must exist; a fresh subdirectory is made in it and removed after)
#   bench/compare.sh DIR DIR2       two mounts: DIR2 is DIR seen through another client's mount (e.g. the
#                      testbed's gluster pair gA and gB). Only the counter runs, lockscope and flufl.lock alike
#                      with the odd workers locking through DIR2 (`lockscope bench --second-mount`,
#                      `flufl_bench.py --second-mount`); the cycle, system-call and CLI measurements are of one
#                      process on one mount and are left out. The fresh subdirectory made through DIR must
#                      appear through DIR2 within 30 s, and each tool checks the pair again with marker files.
#
# Needs: target/lockscope.jar (mvn -DskipTests package), /usr/bin/python3 with python3-flufl.lock,
# dotlockfile (liblockfile-bin), strace. Tunables (environment):
#   REPEATS=3          runs of each measurement; the table gives medians
#   CYCLE_PROCS=2 CYCLE_OPS=200000     uncontended cycle: processes and operations per process (long enough
#                      for steady state: 20,000 took 0.15 s, while the JIT still compiled)
#   COUNTER_OPS=800    counter: total increments per run, split over 4 and over 16 processes
#   COUNTER_PROCS="4 16"  two mounts only: the process counts of the counter runs, half on each mount
#                      (the single-mount run keeps its fixed 4 and 16)
#   GROUP_COMMIT=both  counter runs of lockscope with group commit (the default), without it
#                      (--no-group-commit), side by side in every repeat: both (default), on, off
#   COUNTER_WARMUP=1000  increments each worker does on a private file first (30 left the save path
#                      interpreted: lock held 1.2-1.6 ms per increment instead of 0.7)
#   LOCKSCOPE_BENCH_JVM="-XX:TieredStopAtLevel=1"   extra JVM flags of bench's worker processes: by
#                      default the launcher's (packaging/lockscope); "" gives the JVM's default tiered JIT
#   CLI_RUNS=20        one-process-per-operation runs of `lockscope run -- true` and dotlockfile
#   LOCKSCOPE="java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -jar target/lockscope.jar"
#                      how to start lockscope (these are the flags of packaging/lockscope)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
base=$(realpath "$1")
base2=${2:+$(realpath "$2")}
REPEATS=${REPEATS:-3}
CYCLE_PROCS=${CYCLE_PROCS:-2}
CYCLE_OPS=${CYCLE_OPS:-200000}
COUNTER_OPS=${COUNTER_OPS:-800}
COUNTER_WARMUP=${COUNTER_WARMUP:-1000}
GROUP_COMMIT=${GROUP_COMMIT:-both}
COUNTER_PROCS=${COUNTER_PROCS:-4 16}
export LOCKSCOPE_BENCH_JVM=${LOCKSCOPE_BENCH_JVM--XX:TieredStopAtLevel=1}
CLI_RUNS=${CLI_RUNS:-20}
JAR=$repo/target/lockscope.jar
read -r -a LS <<< "${LOCKSCOPE:-java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -jar $JAR}"
PY=/usr/bin/python3
needs=("$PY"); [ -n "$base2" ] || needs+=(dotlockfile strace)   # two mounts run the counter only
for need in "${needs[@]}"; do command -v "$need" >/dev/null || { echo "compare.sh: $need is missing" >&2; exit 69; }; done
"$PY" -c 'import flufl.lock' 2>/dev/null || { echo "compare.sh: python3-flufl.lock is missing (apt-get install python3-flufl.lock)" >&2; exit 69; }
[ -f "$JAR" ] || { echo "compare.sh: $JAR is missing (mvn -DskipTests package)" >&2; exit 69; }

work=$(mktemp -d "$base/lockscope-compare.XXXXXX")
res=$(mktemp -d)
# One repeat of the counter at $1 processes: lockscope with and/or without group commit (GROUP_COMMIT), then
# flufl.lock, each appending its JSON line. `ours` and `theirs` are defined below for one mount or for two.
counter_runs() {
  local p=$1
  if [ "$GROUP_COMMIT" != off ]; then
    ours --mode counter --procs "$p" --ops $((COUNTER_OPS / p)) --warmup "$COUNTER_WARMUP" >> "$res/ours-counter$p.jsonl"
  fi
  if [ "$GROUP_COMMIT" != on ]; then
    ours --mode counter --procs "$p" --ops $((COUNTER_OPS / p)) --warmup "$COUNTER_WARMUP" --no-group-commit \
      >> "$res/ours-nogc-counter$p.jsonl"
  fi
  theirs --mode counter --procs "$p" --ops $((COUNTER_OPS / p)) >> "$res/flufl-counter$p.jsonl"
}
trap 'rm -rf "$work" "$res"' EXIT
d=$work/locks; mkdir -p "$d"
fs=$(findmnt -no FSTYPE -T "$d" 2>/dev/null || stat -f -c %T "$d")

if [ -n "$base2" ]; then
  # Two mounts: the same fresh directory, seen through the second mount (its name is random, so seeing it there
  # proves the paths lead to one directory; a listing refreshes the client's cached "no such name").
  d2=$base2/$(basename "$work")/locks
  for _ in $(seq 1 300); do [ -d "$d2" ] && break; ls "$base2" > /dev/null; sleep 0.1; done
  [ -d "$d2" ] || { echo "compare.sh: $d (made through $base) did not appear as $d2 within 30 s: $base2 is not $base seen through another mount" >&2; exit 64; }
  fs2=$(findmnt -no FSTYPE -T "$d2" 2>/dev/null || stat -f -c %T "$d2")
  echo "# lockscope vs flufl.lock, counter through two mounts: $d ($fs) and $d2 ($fs2), $(nproc) CPUs, $(date -u +%FT%TZ)"
  echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg); bench workers' extra JVM flags: '${LOCKSCOPE_BENCH_JVM}'"
  ours() { "${LS[@]}" bench "$d" --second-mount "$d2" --timeout 60m --json "$@"; }
  theirs() { "$PY" "$here/flufl_bench.py" "$d" --second-mount "$d2" --json "$@"; }
  for r in $(seq 1 "$REPEATS"); do
    for p in $COUNTER_PROCS; do
      counter_runs "$p"
    done
  done
  echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
  "$PY" - "$res" "$REPEATS" "$COUNTER_PROCS" <<'PY'
import json, os, statistics as st, sys
res, reps, procs = sys.argv[1], int(sys.argv[2]), [int(p) for p in sys.argv[3].split()]
def runs(name):
    p = os.path.join(res, name + ".jsonl")
    return [json.loads(l) for l in open(p) if l.strip()] if os.path.exists(p) else []
def med(xs):
    return st.median(xs) if xs else float('nan')
def rate(name):
    return [r["opsPerSecond"] for r in runs(name)]
def per_mount(name):
    return " + ".join(str(m["workers"]) for m in runs(name)[0]["mounts"]) if runs(name) else "?"
print()
print("## every run (incr/s), workers per mount")
for p in procs:
    for label, name in (("lockscope", "ours-counter%d" % p), ("lockscope --no-group-commit", "ours-nogc-counter%d" % p),
                        ("flufl.lock", "flufl-counter%d" % p)):
        if runs(name):
            print("%-52s %s" % ("counter %d procs (%s), %s" % (p, per_mount(name), label),
                               " ".join("%.1f" % x for x in rate(name))))
names = [n % p for p in procs for n in ("ours-counter%d", "ours-nogc-counter%d", "flufl-counter%d")]
lost = sum(r["counter"]["lost"] + r["counter"]["duplicateValues"] + r["counter"]["overlaps"] for n in names for r in runs(n))
comb = ["%d/%d" % (r["counter"].get("combined", 0), r["totalOps"]) for p in procs for r in runs("ours-counter%d" % p)]
if comb:
    print("%-52s %s" % ("combined increments", " ".join(comb)))
print()
print("## medians of %d runs, two mounts" % reps)
print("| what | lockscope | flufl.lock | ratio | target |")
print("|---|---|---|---|---|")
for p in procs:
    f = med(rate("flufl-counter%d" % p))
    for label, name, target in (("group commit", "ours-counter%d" % p, ">= 5x flufl" if p == 16 else ""),
                                ("--no-group-commit", "ours-nogc-counter%d" % p, "")):
        if runs(name):
            o = med(rate(name))
            print("| counter, %d procs (%s per mount), incr/s (%s) | %.1f | %.1f | %.2fx | %s |"
                  % (p, per_mount(name), label, o, f, o / f if f else float('nan'), target))
ho = med([r["handoffMillis"]["p50"] for p in procs for r in runs("ours-counter%d" % p) + runs("ours-nogc-counter%d" % p)
          if r["handoffMillis"]])
fho = med([r["handoffMillis"]["p50"] for p in procs for r in runs("flufl-counter%d" % p) if r["handoffMillis"]])
print("| lost, duplicated or overlapping increments (all runs, both tools) | %d | | | 0 |" % lost)
print("| hand-off p50 (median over runs), ms | %.1f | %.1f | | |" % (ho, fho))
PY
  exit 0
fi

echo "# lockscope vs flufl.lock vs dotlockfile in $d ($fs), $(nproc) CPUs, $(date -u +%FT%TZ)"
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg); bench workers' extra JVM flags: '${LOCKSCOPE_BENCH_JVM}'"

ours() { "${LS[@]}" bench "$d" --json "$@"; }
theirs() { "$PY" "$here/flufl_bench.py" "$d" --json "$@"; }

for r in $(seq 1 "$REPEATS"); do
  ours --mode cycle --procs "$CYCLE_PROCS" --ops "$CYCLE_OPS" >> "$res/ours-cycle.jsonl"
  theirs --mode cycle --procs "$CYCLE_PROCS" --ops "$CYCLE_OPS" >> "$res/flufl-cycle.jsonl"
  for p in 4 16; do
    counter_runs "$p"
  done
done

# System calls per uncontended cycle, by difference of two runs (see strace_per_op.sh).
"$here/strace_per_op.sh" 1 2001 "${LS[@]}" bench "$d" --procs 1 --ops OPS --warmup 20 > "$res/ours-strace.txt"
"$here/strace_per_op.sh" 1 2001 "$PY" "$here/flufl_bench.py" "$d" --procs 1 --ops OPS > "$res/flufl-strace.txt"
# A waiter's steady-state load.
"$here/waiter_syscalls.sh" "$d" 12 "${LS[@]}" > "$res/waiter.txt"

# One process per operation: lockscope run -- true, against dotlockfile -l / true / dotlockfile -u.
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000 )); }
for i in $(seq 1 "$CLI_RUNS"); do
  ms "${LS[@]}" run "$d/cli.lock" -- true >> "$res/cli-ours.txt"
  ms sh -c "dotlockfile -l '$d/dot.lock' && true && dotlockfile -u '$d/dot.lock'" >> "$res/cli-dot.txt"
  ms "${LS[0]}" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -version >> "$res/cli-jvm.txt"
done
# The same with an AppCDS archive of the run path (JDK 17: dump at exit, then map it).
"${LS[0]}" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:ArchiveClassesAtExit="$res/lockscope.jsa" -jar "$JAR" \
  run "$d/cli.lock" -- true >/dev/null 2>&1 || true
if [ -f "$res/lockscope.jsa" ]; then
  for i in $(seq 1 "$CLI_RUNS"); do
    ms "${LS[0]}" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:SharedArchiveFile="$res/lockscope.jsa" -Xlog:cds=off \
      -Xlog:cds+dynamic=off -jar "$JAR" run "$d/cli.lock" -- true >> "$res/cli-cds.txt"
  done
fi
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"

"$PY" - "$res" "$REPEATS" <<'PY'
import json, os, statistics as st, sys
res, reps = sys.argv[1], int(sys.argv[2])
def runs(name):
    p = os.path.join(res, name + ".jsonl")
    return [json.loads(l) for l in open(p) if l.strip()] if os.path.exists(p) else []
def med(xs):
    return st.median(xs) if xs else float('nan')
def show(label, ours, theirs, key):
    a = [r[key] for r in ours]; b = [r[key] for r in theirs]
    print("%-26s lockscope %s   flufl %s" % (label, " ".join("%.0f" % x for x in a), " ".join("%.0f" % x for x in b)))
    return med(a), med(b)
print()
print("## every run (ops/s)")
oc, fc = show("cycle ops/s", runs("ours-cycle"), runs("flufl-cycle"), "opsPerSecond")
c4o, c4f = show("counter 4 procs incr/s", runs("ours-counter4"), runs("flufl-counter4"), "opsPerSecond")
c16o, c16f = show("counter 16 procs incr/s", runs("ours-counter16"), runs("flufl-counter16"), "opsPerSecond")
n4o, _ = show("counter 4, no group commit", runs("ours-nogc-counter4"), runs("flufl-counter4"), "opsPerSecond")
n16o, _ = show("counter 16, no group commit", runs("ours-nogc-counter16"), runs("flufl-counter16"), "opsPerSecond")
lost = sum(r["counter"]["lost"] + r["counter"]["duplicateValues"] + r["counter"]["overlaps"]
           for n in ("ours-counter4", "ours-counter16", "ours-nogc-counter4", "ours-nogc-counter16",
                     "flufl-counter4", "flufl-counter16") for r in runs(n))
comb = ["%d/%d" % (r["counter"].get("combined", 0), r["totalOps"]) for n in ("ours-counter4", "ours-counter16")
        for r in runs(n)]
if comb:
    print("%-26s %s" % ("combined increments", " ".join(comb)))
ho = [r["handoffMillis"]["p50"] for n in ("ours-counter4", "ours-counter16") for r in runs(n) if r["handoffMillis"]]
ho4 = med([r["handoffMillis"]["p50"] for r in runs("ours-nogc-counter4") + runs("ours-counter4") if r["handoffMillis"]])
ho16 = med([r["handoffMillis"]["p50"] for r in runs("ours-nogc-counter16") + runs("ours-counter16") if r["handoffMillis"]])
fho = [r["handoffMillis"]["p50"] for n in ("flufl-counter4", "flufl-counter16") for r in runs(n) if r["handoffMillis"]]
def per_op(name):
    vals = {}
    for line in open(os.path.join(res, name)):
        f = line.split()
        if f and f[0] in ("TOTAL_FILE", "TOTAL"):
            vals[f[0]] = float(f[1])
    return vals
so, sf = per_op("ours-strace.txt"), per_op("flufl-strace.txt")
waiter = open(os.path.join(res, "waiter.txt")).read().strip()
def cli(name):
    p = os.path.join(res, name)
    return [int(x) / 1000 for x in open(p)] if os.path.exists(p) else []
cl, dl, jl, cds = cli("cli-ours.txt"), cli("cli-dot.txt"), cli("cli-jvm.txt"), cli("cli-cds.txt")
print()
print("## medians of %d runs" % reps)
print("| what | lockscope | flufl.lock / dotlockfile | ratio | target |")
print("|---|---|---|---|---|")
def row(what, a, b, target, fmt="%.0f", ratio=None):
    r = ratio if ratio is not None else (a / b if b else float('nan'))
    print("| %s | %s | %s | %.2fx | %s |" % (what, fmt % a, fmt % b, r, target))
row("uncontended cycle, ops/s", oc, fc, ">= 3x flufl")
print("| file syscalls per cycle | %.1f (all syscalls %.1f) | %.1f (all %.1f) | | <= 8 |"
      % (so["TOTAL_FILE"], so["TOTAL"], sf["TOTAL_FILE"], sf["TOTAL"]))
row("counter, 4 procs, incr/s (group commit)", c4o, c4f, ">= 3x flufl")
row("counter, 16 procs, incr/s (group commit)", c16o, c16f, ">= 5x flufl")
row("counter, 4 procs, incr/s (--no-group-commit)", n4o, c4f, "")
row("counter, 16 procs, incr/s (--no-group-commit)", n16o, c16f, "")
print("| lost, duplicated or overlapping increments (all runs, both tools) | %d | | | 0 |" % lost)
print("| hand-off p50 (median over runs), ms | 4 procs %.3f, 16 procs %.3f | flufl %.1f | | <= 5 ms |"
      % (ho4, ho16, med(fho)))
print("| waiter steady state | %s | | | <= 20 file syscalls/s |" % waiter.replace("|", "/"))
print("| `run -- true` wall, ms (median of %d) | %.0f | dotlockfile -l/-u %.1f | %.0fx | <= 250 ms |"
      % (len(cl), med(cl), med(dl), med(cl) / med(dl) if med(dl) else float('nan')))
if cds:
    print("| `run -- true` with AppCDS, ms | %.0f | | | <= 250 ms |" % med(cds))
print("| `java -version` alone (JVM floor), ms | %.0f | | | |" % med(jl))
PY
