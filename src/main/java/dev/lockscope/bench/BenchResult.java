package dev.lockscope.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What one benchmark run measured. Immutable; any thread.
 *
 * @param mode            the workload
 * @param directory       where the locks were
 * @param fsType          the file store type of the directory
 * @param procs           worker processes
 * @param opsPerProc      measured operations per process
 * @param warmup          warm-up operations per process (not measured)
 * @param wallNanos       from the first measured operation's start to the last one's end
 * @param latency         per-operation latency (request to return)
 * @param hold            how long the lock was held per operation (acquire returned to release began)
 * @param handoff         COUNTER: the hand-off latencies (see {@link BenchRunner}); null when there were none
 * @param overlaps        COUNTER: consecutive holders whose critical sections overlapped (must be 0)
 * @param expectedCount   COUNTER: procs × ops
 * @param finalCount      COUNTER: the counter read back after the run, else -1
 * @param duplicateValues COUNTER: operations that wrote a value another operation also wrote (lost updates)
 * @param notes           anything that limits the figures
 * @param groupCommit     COUNTER: whether the record store combined waiting increments (group commit)
 * @param combinedOps     COUNTER: increments that another worker's lock hold committed (no hold of their own)
 * @param mounts          the paths the workers used and how many used each: one, or two mounts of one directory
 * @param mountCheck      with two mounts, what proved them one directory ({@link SameDirectoryCheck}); else null
 */
public record BenchResult(BenchMode mode, Path directory, String fsType, int procs, int opsPerProc, int warmup,
                          long wallNanos, LatencySummary latency, LatencySummary hold, LatencySummary handoff, int overlaps,
                          long expectedCount, long finalCount, int duplicateValues, List<String> notes,
                          boolean groupCommit, int combinedOps, List<MountUse> mounts, String mountCheck) {

    /** One path to the benchmark directory, its file store type, and how many workers went through it. */
    public record MountUse(Path directory, String fsType, int workers) {
    }

    public long totalOps() {
        return (long) procs * opsPerProc;
    }

    public double opsPerSecond() {
        return wallNanos <= 0 ? 0 : totalOps() / (wallNanos / 1e9);
    }

    /** COUNTER: increments missing from the final count. */
    public long lost() {
        return mode == BenchMode.COUNTER ? expectedCount - finalCount : 0;
    }

    /** False when the counter lost or duplicated an increment, or critical sections overlapped. */
    public boolean ok() {
        return mode != BenchMode.COUNTER || (finalCount == expectedCount && duplicateValues == 0 && overlaps == 0);
    }

    /** The human-readable report. */
    public String toText() {
        StringBuilder b = new StringBuilder();
        b.append("lockscope bench: mode ").append(mode.cliName()).append(", ").append(procs).append(" processes x ")
                .append(opsPerProc).append(" ops (after ").append(warmup).append(" warm-up ops each) in ")
                .append(directory).append(" (").append(fsType).append(")\n");
        if (mounts.size() > 1) {
            b.append("  mounts      ");
            for (int i = 0; i < mounts.size(); i++) {
                MountUse m = mounts.get(i);
                b.append(i == 0 ? "" : ", ").append(m.workers()).append(i == 0 ? " workers" : "").append(" through ")
                        .append(m.directory()).append(" (").append(m.fsType()).append(')');
            }
            b.append("\n  same dir    ").append(mountCheck).append('\n');
        }
        b.append(String.format(Locale.ROOT, "  throughput  %d ops in %.3f s = %.1f ops/s%n", totalOps(),
                wallNanos / 1e9, opsPerSecond()));
        b.append("  latency     ").append(latency.describe()).append("  (per ")
                .append(mode == BenchMode.CYCLE ? "acquire+release" : "locked read-increment-write").append(")\n");
        if (mode == BenchMode.COUNTER) {
            b.append("  held        ").append(hold.describe()).append("  (lock held per hold: read, temp file,")
                    .append(" fsync, fencing, rename, directory fsync)\n");
            b.append("  group commit ").append(groupCommit ? "on: " + combinedOps + " of " + totalOps()
                    + " increments committed by another worker's hold" : "off: one lock hold per increment").append('\n');
        }
        if (handoff != null && handoff.count() > 0) {
            b.append("  hand-off    ").append(handoff.describe()).append("  (").append(handoff.count())
                    .append(" releases with a waiter: release begins -> waiter holds the lock)\n");
        } else {
            b.append("  hand-off    none measured").append(mode == BenchMode.CYCLE
                    ? " (cycle is uncontended: every process has its own lock)" : "").append('\n');
        }
        if (mode == BenchMode.COUNTER) {
            b.append("  counter     ").append(finalCount).append(" of ").append(expectedCount).append(" expected, ")
                    .append(lost()).append(" lost, ").append(duplicateValues).append(" duplicate values, ")
                    .append(overlaps).append(" overlapping holders: ").append(ok() ? "OK" : "FAILED").append('\n');
        }
        for (String n : notes) {
            b.append("  note: ").append(n).append('\n');
        }
        return b.toString();
    }

    /** The report as one JSON object. */
    public ObjectNode toJson(ObjectMapper json) {
        ObjectNode n = json.createObjectNode();
        n.put("mode", mode.cliName());
        n.put("directory", directory.toString());
        n.put("fsType", fsType);
        n.put("procs", procs);
        n.put("opsPerProc", opsPerProc);
        n.put("warmupPerProc", warmup);
        n.put("totalOps", totalOps());
        n.put("wallSeconds", wallNanos / 1e9);
        n.put("opsPerSecond", opsPerSecond());
        n.set("latencyMillis", summary(json, latency));
        n.set("holdMillis", summary(json, hold));
        n.set("handoffMillis", handoff == null ? json.nullNode() : summary(json, handoff));
        if (mode == BenchMode.COUNTER) {
            ObjectNode c = n.putObject("counter");
            c.put("expected", expectedCount);
            c.put("final", finalCount);
            c.put("lost", lost());
            c.put("duplicateValues", duplicateValues);
            c.put("overlaps", overlaps);
            c.put("groupCommit", groupCommit);
            c.put("combined", combinedOps);
        }
        var ms = n.putArray("mounts");
        for (MountUse m : mounts) {
            ObjectNode o = ms.addObject();
            o.put("directory", m.directory().toString());
            o.put("fsType", m.fsType());
            o.put("workers", m.workers());
        }
        if (mountCheck != null) {
            n.put("mountCheck", mountCheck);
        }
        n.put("ok", ok());
        var arr = n.putArray("notes");
        notes.forEach(arr::add);
        return n;
    }

    private static ObjectNode summary(ObjectMapper json, LatencySummary s) {
        ObjectNode o = json.createObjectNode();
        o.put("count", s.count());
        o.put("p50", s.p50Nanos() / 1e6);
        o.put("p99", s.p99Nanos() / 1e6);
        o.put("max", s.maxNanos() / 1e6);
        o.put("mean", s.meanNanos() / 1e6);
        return o;
    }

    static String millis(long nanos) {
        double ms = nanos / 1e6;
        return ms < 10 ? String.format(Locale.ROOT, "%.3f ms", ms) : String.format(Locale.ROOT, "%.1f ms", ms);
    }
}
