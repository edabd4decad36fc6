package dev.lockscope.bench;

import dev.lockscope.ChildJvm;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import dev.lockscope.lock.FileFacts;
import dev.lockscope.lock.LockFile;
import dev.lockscope.record.RecordSnapshot;
import dev.lockscope.record.RecordStore;
import dev.lockscope.record.RecordStoreOptions;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs a benchmark: N real worker processes ({@link BenchWorker}, child JVMs started with this JVM's
 * java binary and class path, so it works from the shaded jar too), each doing M operations on locks in
 * one directory, all started together after their warm-up. Called from one thread.
 *
 * <p><b>Two mounts</b>: given a second path to the same directory (another client's mount of it), the even
 * workers use the first path and the odd ones the second, so the lock and the counter are shared across two
 * clients; {@link SameDirectoryCheck} proves first that the paths are one directory. All workers run on this
 * machine, so their clocks are still one clock, and the exactness checks cover both halves together.
 *
 * <p><b>Hand-off latency</b> (COUNTER): order all operations by the moment they held the lock. For each
 * holder whose successor had already asked for the lock before the holder began to release it (so a
 * waiter existed), the hand-off is the time from "the holder begins to release" (the save path has
 * synced the directory and calls release) to "the successor holds the lock" (its acquire returned). It
 * includes the release itself (the verifying read and the unlinks), the waiter noticing, and its link(2).
 * The clocks are the processes' {@link System#nanoTime()}, which on Linux is the machine-wide
 * CLOCK_MONOTONIC; the runner checks that the workers' clocks agree with its own before using them.
 *
 * <p>The same ordering is an overlap detector: a successor that held the lock before its predecessor began
 * to release would mean two holders at once.
 */
public final class BenchRunner {

    /** The record file of the counter workload, in the benchmark directory. */
    public static final String COUNTER_FILE = "lockscope-bench-counter.json";

    /**
     * What to run.
     *
     * @param directory where the locks go
     * @param mode      the workload
     * @param procs     worker processes (1..256)
     * @param ops       measured operations per process
     * @param warmup    unmeasured operations per process before the start signal
     * @param timeout   how long the whole run may take; also each acquire's timeout
     * @param groupCommit COUNTER: whether the record store combines waiting increments (its default)
     * @param secondMount the same directory seen through another mount, for the odd workers; null for one mount
     */
    public record Config(Path directory, BenchMode mode, int procs, int ops, int warmup, Duration timeout,
                         boolean groupCommit, Path secondMount) {
        public Config(Path directory, BenchMode mode, int procs, int ops, int warmup, Duration timeout) {
            this(directory, mode, procs, ops, warmup, timeout, true);
        }

        public Config(Path directory, BenchMode mode, int procs, int ops, int warmup, Duration timeout,
                      boolean groupCommit) {
            this(directory, mode, procs, ops, warmup, timeout, groupCommit, null);
        }

        public Config {
            Objects.requireNonNull(directory, "directory");
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(timeout, "timeout");
            if (procs < 1 || procs > 256) {
                throw new IllegalArgumentException("--procs must be between 1 and 256, got " + procs);
            }
            if (ops < 1) {
                throw new IllegalArgumentException("--ops must be at least 1, got " + ops);
            }
            if (warmup < 0) {
                throw new IllegalArgumentException("--warmup must not be negative, got " + warmup);
            }
            if (secondMount != null && procs < 2) {
                throw new IllegalArgumentException("--second-mount needs at least 2 processes (one per mount), got "
                        + procs);
            }
        }
    }

    /** A worker that failed; the message names it and carries its stderr. */
    public static final class WorkerFailedException extends IOException {
        WorkerFailedException(String message) {
            super(message);
        }
    }

    private BenchRunner() {
    }

    /**
     * Runs the benchmark and measures it. The directory (and the second mount's) must exist.
     *
     * @throws SameDirectoryCheck.NotTheSameDirectoryException if the second mount is not the same directory
     */
    public static BenchResult run(Config c) throws IOException, InterruptedException {
        Path dir = existingDirectory(c.directory(), "benchmark directory");
        String fsType = fsType(dir);
        Path second = null;
        List<String> notes = new ArrayList<>();
        String mountCheck = null;
        List<BenchResult.MountUse> mounts;
        if (c.secondMount() == null) {
            mounts = List.of(new BenchResult.MountUse(dir, fsType, c.procs()));
        } else {
            second = existingDirectory(c.secondMount(), "second mount");
            SameDirectoryCheck.Outcome o = SameDirectoryCheck.verify(dir, second, SameDirectoryCheck.DEFAULT_WAIT);
            mountCheck = o.checked();
            if (o.sameMount()) {
                notes.add("both paths are on the same mount (one device): the workers share one client, so this is"
                        + " not a two-mount measurement");
            }
            // Even workers through the first path, odd ones through the second (see startWorker below).
            mounts = List.of(new BenchResult.MountUse(dir, fsType, (c.procs() + 1) / 2),
                    new BenchResult.MountUse(second, fsType(second), c.procs() / 2));
        }
        RecordStore counter = null;
        if (c.mode() == BenchMode.COUNTER) {
            counter = RecordStore.open(dir.resolve(COUNTER_FILE), RecordStoreOptions.defaults()
                    .withTool("lockscope bench").withGroupCommit(c.groupCommit()));
            counter.put(BenchWorker.COUNTER_RECORD, LongNode.valueOf(0));
        }

        Path work = Files.createTempDirectory("lockscope-bench-");
        List<Process> procs = new ArrayList<>();
        try {
            for (int i = 0; i < c.procs(); i++) {
                procs.add(startWorker(c, second != null && i % 2 == 1 ? second : dir, i, work));
            }
            long deadline = System.nanoTime() + c.timeout().toNanos();
            for (int i = 0; i < procs.size(); i++) {
                awaitReady(procs.get(i), i, work, deadline);
            }
            long goNanos = System.nanoTime();
            for (Process p : procs) {
                OutputStream o = p.getOutputStream();
                o.write("GO\n".getBytes(StandardCharsets.US_ASCII));
                o.flush();
            }
            for (int i = 0; i < procs.size(); i++) {
                Process p = procs.get(i);
                long left = deadline - System.nanoTime();
                if (!p.waitFor(Math.max(0, left), TimeUnit.NANOSECONDS)) {
                    throw new WorkerFailedException("bench worker " + i + " did not finish within "
                            + c.timeout().toSeconds() + " s (raise --timeout for bigger runs)");
                }
                if (p.exitValue() != 0) {
                    throw new WorkerFailedException("bench worker " + i + " failed (exit " + p.exitValue() + "): "
                            + tail(work.resolve(i + ".err")));
                }
            }
            List<OpTiming> all = new ArrayList<>();
            boolean sharedClock = true;
            for (int i = 0; i < procs.size(); i++) {
                List<String> lines = Files.readAllLines(work.resolve(i + ".result"), StandardCharsets.UTF_8);
                if (lines.isEmpty() || !lines.get(0).startsWith("go ")) {
                    throw new WorkerFailedException("bench worker " + i + " left no results");
                }
                long workerGo = Long.parseLong(lines.get(0).substring(3).trim());
                // A worker reads GO a little after we send it, never before and never seconds later.
                long skew = workerGo - goNanos;
                if (skew < 0 || skew > TimeUnit.SECONDS.toNanos(30)) {
                    sharedClock = false;
                }
                for (String l : lines.subList(1, lines.size())) {
                    all.add(OpTiming.parse(i, l));
                }
                if (lines.size() - 1 != c.ops()) {
                    throw new WorkerFailedException("bench worker " + i + " reported " + (lines.size() - 1)
                            + " operations, expected " + c.ops());
                }
            }
            return measure(c, mounts, mountCheck, all, sharedClock, counter, notes);
        } finally {
            for (Process p : procs) {
                if (p.isAlive()) {
                    p.destroyForcibly();
                }
            }
            String raw = System.getenv("LOCKSCOPE_BENCH_RAW");
            if (raw != null) {
                for (int i = 0; i < c.procs(); i++) {
                    Path r = work.resolve(i + ".result");
                    if (Files.exists(r)) {
                        Files.createDirectories(Path.of(raw));
                        Files.copy(r, Path.of(raw, i + ".result"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            deleteTree(work);
            if (c.mode() == BenchMode.CYCLE) {
                for (int i = 0; i < c.procs(); i++) {
                    Files.deleteIfExists(dir.resolve(BenchWorker.cycleLockName(i)));
                }
            }
        }
    }

    private static Path existingDirectory(Path p, String what) throws IOException {
        Path dir = p.toAbsolutePath().normalize();
        if (FileFacts.lstatOrNull(dir) == null) {
            throw new IOException(what + " " + dir + " does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new IOException(what + " " + dir + " is not a directory");
        }
        return dir;
    }

    private static String fsType(Path dir) {
        try {
            return Files.getFileStore(dir).type();
        } catch (IOException e) {
            return "unknown";
        }
    }

    static BenchResult measure(Config c, Path dir, String fsType, List<OpTiming> all, boolean sharedClock,
                               RecordStore counter, List<String> notes) throws IOException {
        return measure(c, List.of(new BenchResult.MountUse(dir, fsType, c.procs())), null, all, sharedClock, counter,
                notes);
    }

    static BenchResult measure(Config c, List<BenchResult.MountUse> mounts, String mountCheck, List<OpTiming> all,
                               boolean sharedClock, RecordStore counter, List<String> notes) throws IOException {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        long[] lat = new long[all.size()];
        List<OpTiming> holders = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            OpTiming t = all.get(i);
            lat[i] = t.latencyNanos();
            // A group-committed increment was applied by another worker's hold and has none of its own.
            if (t.lockedNanos() >= 0) {
                holders.add(t);
            }
            first = Math.min(first, t.startNanos());
            last = Math.max(last, t.doneNanos());
        }
        long[] held = holders.stream().mapToLong(t -> t.releasingNanos() - t.lockedNanos()).toArray();
        int combined = all.size() - holders.size();
        long wall;
        if (sharedClock) {
            wall = last - first;
        } else {
            // Without a common clock, the slowest worker's own span bounds the run from below.
            notes.add("the workers' clocks are not comparable: throughput uses the slowest worker's span, "
                    + "and no hand-off or overlap figures are given");
            wall = 0;
            for (int w = 0; w < c.procs(); w++) {
                final int worker = w;
                long s = all.stream().filter(t -> t.worker() == worker).mapToLong(OpTiming::startNanos).min().orElse(0);
                long e = all.stream().filter(t -> t.worker() == worker).mapToLong(OpTiming::doneNanos).max().orElse(0);
                wall = Math.max(wall, e - s);
            }
        }
        LatencySummary handoff = null;
        int overlaps = 0;
        long finalCount = -1;
        int duplicates = 0;
        long expected = (long) c.procs() * c.ops();
        if (c.mode() == BenchMode.COUNTER) {
            if (sharedClock) {
                List<OpTiming> byLock = new ArrayList<>(holders);
                byLock.sort(Comparator.comparingLong(OpTiming::lockedNanos));
                List<Long> gaps = new ArrayList<>();
                for (int i = 1; i < byLock.size(); i++) {
                    OpTiming prev = byLock.get(i - 1);
                    OpTiming next = byLock.get(i);
                    if (next.lockedNanos() < prev.releasingNanos()) {
                        overlaps++;
                    } else if (next.startNanos() < prev.releasingNanos()) {
                        gaps.add(next.lockedNanos() - prev.releasingNanos());
                    }
                }
                handoff = LatencySummary.of(gaps.stream().mapToLong(Long::longValue).toArray());
                if (handoff.count() == 0) {
                    handoff = null;
                }
            }
            Set<Long> values = new HashSet<>();
            for (OpTiming t : all) {
                if (!values.add(t.value())) {
                    duplicates++;
                }
            }
            RecordSnapshot s = counter.readFresh();
            JsonNode v = s.get(BenchWorker.COUNTER_RECORD).orElse(null);
            if (v == null || !v.canConvertToLong()) {
                notes.add("the counter record in " + counter.file() + " is missing or not a number after the run");
            } else {
                finalCount = v.asLong();
            }
        }
        return new BenchResult(c.mode(), mounts.get(0).directory(), mounts.get(0).fsType(), c.procs(), c.ops(), c.warmup(), wall, LatencySummary.of(lat),
                LatencySummary.of(held), handoff, overlaps, c.mode() == BenchMode.COUNTER ? expected : 0, finalCount, duplicates,
                List.copyOf(notes), c.mode() == BenchMode.COUNTER && c.groupCommit(), combined, mounts,
                mountCheck);
    }

    private static Process startWorker(Config c, Path dir, int index, Path work) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ChildJvm.javaBinary());
        // The JIT as a long-running library user has it (tiered, C2 included); the serial collector
        // because a worker is one thread with a small heap on what may be a small machine.
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Xshare:auto");
        String extra = System.getenv("LOCKSCOPE_BENCH_JVM");
        if (extra != null) {
            for (String a : extra.trim().split("\\s+")) {
                if (!a.isEmpty()) {
                    cmd.add(a);
                }
            }
        }
        // Tuning switches such as -Dlockscope.keepClaims=false reach the workers, which do the locking.
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("lockscope.")) {
                cmd.add("-D" + name + "=" + System.getProperty(name));
            }
        }
        cmd.add("-cp");
        cmd.add(ChildJvm.classPath());
        cmd.add(BenchWorker.class.getName());
        cmd.add(c.mode().name());
        cmd.add(dir.toString());
        cmd.add(String.valueOf(index));
        cmd.add(String.valueOf(c.ops()));
        cmd.add(String.valueOf(c.warmup()));
        cmd.add(work.resolve(index + ".result").toString());
        cmd.add(String.valueOf(c.timeout().toMillis()));
        cmd.add(String.valueOf(c.groupCommit()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectError(work.resolve(index + ".err").toFile());
        return pb.start();
    }

    private static void awaitReady(Process p, int index, Path work, long deadline)
            throws IOException, InterruptedException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        // readLine blocks; a watchdog ends a worker that never gets ready.
        Thread watchdog = new Thread(() -> {
            try {
                long left = deadline - System.nanoTime();
                if (left > 0 && !p.waitFor(left, TimeUnit.NANOSECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException ignored) {
                // the worker became ready
            }
        }, "lockscope-bench-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.equals("READY")) {
                    return;
                }
            }
        } finally {
            watchdog.interrupt();
        }
        p.waitFor(5, TimeUnit.SECONDS);
        throw new WorkerFailedException("bench worker " + index + " ended before it was ready"
                + (p.isAlive() ? "" : " (exit " + p.exitValue() + ")") + ": " + tail(work.resolve(index + ".err")));
    }

    private static String tail(Path err) {
        try {
            String s = Files.readString(err, StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? "(no stderr)" : s.length() > 2000 ? "..." + s.substring(s.length() - 2000) : s;
        } catch (IOException e) {
            return "(no stderr)";
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a leftover in the temp directory is harmless
                }
            });
        } catch (IOException ignored) {
            // same
        }
    }

    /** The lock of the counter workload, for callers that want to inspect it. */
    public static LockFile counterLock(Path dir) {
        return LockFile.forResource(dir.resolve(COUNTER_FILE));
    }
}
