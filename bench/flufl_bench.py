#!/usr/bin/python3
"""The lockscope bench workloads, done with flufl.lock, for a side-by-side comparison.

    flufl_bench.py DIR [--procs N] [--ops M] [--mode cycle|counter] [--warmup W] [--second-mount DIR2] [--json]

Same shape as `lockscope bench`: N worker processes (this script again, in --worker mode), each
warms up, says READY, waits for GO on stdin, then does M timed operations:
  cycle:   lock() + unlock() of its own flufl lock DIR/flufl-bench-<i>.lck (one Lock object per
           process, reused, which is flufl's cheapest way);
  counter: lock() the shared DIR/flufl-bench-counter.json.lck, read the JSON counter, write a temp
           file, fsync it, rename it over the counter file, fsync the directory, unlock().
Timestamps are time.monotonic_ns() (CLOCK_MONOTONIC, the clock lockscope's workers use), and the
hand-off latency is measured exactly as lockscope bench measures it: for each holder whose successor
was already waiting when it began to release, the time from that moment to the successor holding
the lock. flufl.lock waits between tries with its own fixed policy (a random 0.01-2.01 s sleep).
With --second-mount DIR2 (DIR seen through another client's mount), the odd workers use DIR2, as
`lockscope bench --second-mount` does; the coordinator resets and reads the counter through DIR.
Needs Debian's python3-flufl.lock; run it with /usr/bin/python3.
"""
import argparse
import errno
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta

COUNTER_FILE = "flufl-bench-counter.json"


# Through two mounts of a network filesystem a name can lead to a file another client has just replaced: the
# read (or flufl's own stat of its lock) fails with ESTALE or EBADFD. lockscope's record store retries such
# reads; the flufl side of the comparison gets the same courtesy instead of ending the run, and every retry is
# counted and reported on stderr, so a run that needed them says so.
RETRYABLE = (errno.ESTALE, errno.EBADFD)
retries = {"read": 0, "lock": 0}


def retrying(what, call):
    """call(), again after ESTALE/EBADFD (at most 1,000 tries, 2 ms apart); counts each retry under what."""
    for attempt in range(1000):
        try:
            return call()
        except OSError as e:
            if e.errno not in RETRYABLE or attempt == 999:
                raise
            retries[what] += 1
            time.sleep(0.002)


def read_or_empty(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return b""


def worker(mode, d, index, ops, warmup, result_file):
    from flufl.lock import Lock

    if mode == "cycle":
        lock = Lock(os.path.join(d, "flufl-bench-%d.lck" % index), lifetime=timedelta(seconds=30))

        def op():
            start = time.monotonic_ns()
            lock.lock(timeout=timedelta(seconds=600))
            locked = time.monotonic_ns()
            releasing = time.monotonic_ns()
            lock.unlock()
            return (start, locked, releasing, time.monotonic_ns(), -1)

        warm = op
    else:
        def counter_op(path):
            lock = Lock(path + ".lck", lifetime=timedelta(seconds=30))
            tmp = "%s.tmp.%d" % (path, os.getpid())

            def op():
                start = time.monotonic_ns()
                retrying("lock", lambda: lock.lock(timeout=timedelta(seconds=600)))
                locked = time.monotonic_ns()
                value = json.loads(retrying("read", lambda: read_or_empty(path)) or b"{}").get("counter", 0)
                value += 1
                with open(tmp, "wb") as f:
                    f.write(json.dumps({"counter": value}).encode())
                    f.flush()
                    os.fsync(f.fileno())
                os.rename(tmp, path)
                dfd = os.open(d, os.O_RDONLY)
                try:
                    os.fsync(dfd)
                finally:
                    os.close(dfd)
                releasing = time.monotonic_ns()
                lock.unlock()
                return (start, locked, releasing, time.monotonic_ns(), value)

            return op

        op = counter_op(os.path.join(d, COUNTER_FILE))
        warm_path = os.path.join(d, ".flufl-bench-warmup-%d.json" % index)
        warm = counter_op(warm_path)
    for _ in range(warmup):
        warm()
    if mode == "counter":
        for p in (warm_path,):
            if os.path.exists(p):
                os.unlink(p)
    print("READY", flush=True)
    if sys.stdin.readline().strip() != "GO":
        print("expected GO", file=sys.stderr)
        return 1
    go = time.monotonic_ns()
    rows = [op() for _ in range(ops)]
    with open(result_file, "w") as f:
        f.write("go %d\n" % go)
        for r in rows:
            f.write("%d %d %d %d %d\n" % r)
    if retries["read"] or retries["lock"]:
        print("flufl bench worker %d: retried %d reads and %d lock() calls after ESTALE/EBADFD"
              % (index, retries["read"], retries["lock"]), file=sys.stderr)
    return 0


def same_directory(d, d2, wait=10.0):
    """None if a marker written through each path is read back through the other within `wait` s, else why not."""
    import secrets
    deadline = time.monotonic() + wait
    for writer, reader in ((d, d2), (d2, d)):
        name = ".flufl-bench-mount-check-" + secrets.token_hex(16)
        content = ("flufl_bench mount check %s\n" % name).encode()
        fd = os.open(os.path.join(writer, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            os.write(fd, content)
        finally:
            os.close(fd)
        try:
            while True:
                try:
                    fd = os.open(os.path.join(reader, name), os.O_RDONLY | os.O_NOFOLLOW)
                    try:
                        if os.read(fd, len(content) + 1) == content:
                            break
                    finally:
                        os.close(fd)
                except FileNotFoundError:
                    pass
                if time.monotonic() > deadline:
                    return ("%s is not the directory %s seen through another mount: a marker file %s written "
                            "through %s did not appear through %s within %.0f s" % (d2, d, name, writer, reader, wait))
                os.listdir(reader)  # refreshes a network client's cached "no such name"
                time.sleep(0.1)
        finally:
            os.unlink(os.path.join(writer, name))
    return None


def pct(sorted_vals, p):
    if not sorted_vals:
        return 0
    i = max(0, min(len(sorted_vals) - 1, -(-int(p * len(sorted_vals) * 1000) // 1000) - 1))
    import math
    i = max(0, min(len(sorted_vals) - 1, math.ceil(p * len(sorted_vals)) - 1))
    return sorted_vals[i]


def summary(vals):
    s = sorted(vals)
    if not s:
        return None
    return {"count": len(s), "p50": pct(s, 0.5) / 1e6, "p99": pct(s, 0.99) / 1e6, "max": s[-1] / 1e6,
            "mean": sum(s) / len(s) / 1e6}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--procs", type=int, default=4)
    ap.add_argument("--ops", type=int, default=500)
    ap.add_argument("--mode", choices=["cycle", "counter"], default="cycle")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--second-mount", metavar="DIR2",
                    help="the same directory seen through another mount; the odd workers use it")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    a = ap.parse_args()
    d = os.path.abspath(a.dir)
    if a.worker is not None:
        return worker(a.mode, d, a.worker, a.ops, a.warmup, a.result)
    d2 = os.path.abspath(a.second_mount) if a.second_mount else None
    for x in (d, d2) if d2 else (d,):
        if not os.path.isdir(x):
            print("flufl_bench: %s is not a directory" % x, file=sys.stderr)
            return 64
    if d2 and a.procs < 2:
        print("flufl_bench: --second-mount needs at least 2 processes", file=sys.stderr)
        return 64
    if d2:
        why = same_directory(d, d2)
        if why:
            print("flufl_bench: --second-mount: %s" % why, file=sys.stderr)
            return 64
    if a.mode == "counter":
        with open(os.path.join(d, COUNTER_FILE), "w") as f:
            f.write(json.dumps({"counter": 0}))
    work = tempfile.mkdtemp(prefix="flufl-bench-")
    procs = []
    for i in range(a.procs):
        wd = d2 if d2 and i % 2 == 1 else d
        cmd = [sys.executable, os.path.abspath(__file__), wd, "--mode", a.mode, "--ops", str(a.ops),
               "--warmup", str(a.warmup), "--worker", str(i), "--result", os.path.join(work, "%d.result" % i)]
        procs.append(subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
    for i, p in enumerate(procs):
        if p.stdout.readline().strip() != "READY":
            print("flufl_bench: worker %d did not get ready" % i, file=sys.stderr)
            for q in procs:
                q.kill()
            return 74
    go = time.monotonic_ns()
    for p in procs:
        p.stdin.write("GO\n")
        p.stdin.flush()
    failed = [i for i, p in enumerate(procs) if p.wait() != 0]
    if failed:
        print("flufl_bench: workers %s failed" % failed, file=sys.stderr)
        return 74
    ops = []
    for i in range(a.procs):
        with open(os.path.join(work, "%d.result" % i)) as f:
            lines = f.read().split("\n")
        for line in lines[1:]:
            if line.strip():
                ops.append(tuple(int(x) for x in line.split()))
        os.unlink(os.path.join(work, "%d.result" % i))
    os.rmdir(work)
    wall = max(o[3] for o in ops) - min(o[0] for o in ops)
    res = {"tool": "flufl.lock", "mode": a.mode, "directory": d, "procs": a.procs, "opsPerProc": a.ops,
           "mounts": [{"directory": d, "workers": (a.procs + 1) // 2}, {"directory": d2, "workers": a.procs // 2}]
           if d2 else [{"directory": d, "workers": a.procs}],
           "totalOps": len(ops), "wallSeconds": wall / 1e9, "opsPerSecond": len(ops) / (wall / 1e9),
           "latencyMillis": summary([o[3] - o[0] for o in ops]), "handoffMillis": None}
    ok = True
    if a.mode == "counter":
        by_lock = sorted(ops, key=lambda o: o[1])
        gaps, overlaps = [], 0
        for prev, nxt in zip(by_lock, by_lock[1:]):
            if nxt[1] < prev[2]:
                overlaps += 1
            elif nxt[0] < prev[2]:
                gaps.append(nxt[1] - prev[2])
        res["handoffMillis"] = summary(gaps)
        if d2:
            os.listdir(d)  # the last writer may have been the other client: refresh this one's cached names
        with open(os.path.join(d, COUNTER_FILE)) as f:
            final = json.load(f)["counter"]
        expected = a.procs * a.ops
        dups = len(ops) - len(set(o[4] for o in ops))
        res["counter"] = {"expected": expected, "final": final, "lost": expected - final,
                          "duplicateValues": dups, "overlaps": overlaps}
        ok = final == expected and dups == 0 and overlaps == 0
    else:
        for i in range(a.procs):
            for n in os.listdir(d):
                if n.startswith("flufl-bench-%d.lck" % i):
                    os.unlink(os.path.join(d, n))
    res["ok"] = ok
    if a.json:
        print(json.dumps(res))
    else:
        print("flufl.lock bench: mode %s, %d processes x %d ops in %s" % (a.mode, a.procs, a.ops, d))
        print("  throughput  %d ops in %.3f s = %.1f ops/s" % (len(ops), wall / 1e9, res["opsPerSecond"]))
        l = res["latencyMillis"]
        print("  latency     p50 %.3f ms  p99 %.3f ms  max %.1f ms" % (l["p50"], l["p99"], l["max"]))
        h = res["handoffMillis"]
        if h:
            print("  hand-off    p50 %.3f ms  p99 %.3f ms  max %.1f ms  (%d releases with a waiter)"
                  % (h["p50"], h["p99"], h["max"], h["count"]))
        if a.mode == "counter":
            c = res["counter"]
            print("  counter     %d of %d expected, %d lost, %d duplicate values, %d overlapping holders: %s"
                  % (c["final"], c["expected"], c["lost"], c["duplicateValues"], c["overlaps"],
                     "OK" if ok else "FAILED"))
    return 0 if ok else 65


if __name__ == "__main__":
    sys.exit(main())
