package dev.lockscope.scan;

import dev.lockscope.lock.HostIdentity;
import dev.lockscope.lock.LockOwner;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The scanner benchmark of docs/BENCHMARKS.md: a directory of N entries (default 10,000) with locks and
 * their held claims, orphan claims, broken leftovers, temp files, silly-renames, foreign locks and other
 * files; times full snapshots, no-change refreshes and refreshes with 1% of entries changed, and
 * measures the heap a scanner and two snapshots keep. Main thread only.
 *
 * <p>Run: {@code java -cp target/classes:target/test-classes:<deps> dev.lockscope.scan.ScanBenchmark [N] [DIR] [ROUNDS]}
 */
public final class ScanBenchmark {

    /** The figures of one run. */
    public record Result(int entries, int locks, long populateMillis, List<Long> fullSnapshotMillis,
                         List<Long> noChangeMillis, List<Long> incrementalMillis, int changedEntriesPerRound,
                         List<Integer> incrementalContentReads, long heapBaselineBytes, long heapUsedBytes,
                         List<Long> fullCpuMillis, List<Long> noChangeCpuMillis, List<Long> incrementalCpuMillis,
                         List<Long> incrementalRunQueueMillis) {

        public long median(List<Long> v) {
            List<Long> s = new ArrayList<>(v);
            s.sort(null);
            return s.get(s.size() / 2);
        }

        public String report() {
            return String.format(Locale.ROOT, """
                    entries:                    %d (%d locks, each with its held claim)
                    populate:                   %d ms
                    full snapshot, first:       %d ms   (new scanner, cold JIT)
                    full snapshot, median:      %d ms   (of %d, new scanner each: every entry read)   target <= 1000 ms
                    refresh, nothing changed:   %d ms median, %d ms p90, %d ms max (%d rounds after %d warm-up refreshes)
                    refresh, 1%% changed:        %d ms median, %d ms p90, %d ms max (%d entries changed per round, content reads per round: %s)   target <= 100 ms
                    CPU time of the scanning thread (from /proc/thread-self/schedstat; -1 where unavailable):
                      full snapshot %d ms median; nothing changed %d ms median; 1%% changed %d ms median,
                      and %d ms median waiting in the run queue for a CPU (other processes' load)
                    heap after GC, baseline:    %.1f MB
                    heap after GC, with scanner and two snapshots: %.1f MB (%.1f MB above baseline)   target <= 300 MB
                    """, entries, locks, populateMillis, fullSnapshotMillis.get(0), median(fullSnapshotMillis),
                    fullSnapshotMillis.size(), median(noChangeMillis), p90(noChangeMillis), max(noChangeMillis),
                    noChangeMillis.size(), noChangeMillis.size(), median(incrementalMillis), p90(incrementalMillis),
                    max(incrementalMillis), changedEntriesPerRound, summary(incrementalContentReads),
                    median(fullCpuMillis), median(noChangeCpuMillis), median(incrementalCpuMillis),
                    median(incrementalRunQueueMillis),
                    heapBaselineBytes / 1e6, heapUsedBytes / 1e6, (heapUsedBytes - heapBaselineBytes) / 1e6);
        }

        private static long p90(List<Long> v) {
            List<Long> s = new ArrayList<>(v);
            s.sort(null);
            return s.get(Math.min(s.size() - 1, (int) Math.ceil(s.size() * 0.9) - 1));
        }

        private static String summary(List<Integer> v) {
            int min = v.stream().mapToInt(Integer::intValue).min().orElse(0);
            int max = v.stream().mapToInt(Integer::intValue).max().orElse(0);
            return min == max ? Integer.toString(min) : min + ".." + max;
        }

        private static long max(List<Long> v) {
            return v.stream().mapToLong(Long::longValue).max().orElse(-1);
        }
    }

    private ScanBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("lockscope-bench");
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        System.out.println("directory: " + dir + " (" + Files.getFileStore(dir).type() + "), "
                + Runtime.getRuntime().availableProcessors() + " CPUs, load average " + loadAverage());
        try {
            Result r = run(dir, n, rounds);
            System.out.print(r.report());
            System.out.println("load average after: " + loadAverage());
        } finally {
            deleteTree(dir);
        }
    }

    /** Populates {@code dir} (empty) with {@code n} entries and measures. */
    public static Result run(Path dir, int n, int rounds) throws IOException {
        long heapBaseline = usedHeapAfterGc();
        long t0 = System.nanoTime();
        List<Path> claims = new ArrayList<>();
        int locks = populate(dir, n, claims);
        long populate = millisSince(t0);

        List<Long> full = new ArrayList<>();
        List<Long> fullCpu = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long[] c0 = schedstat();
            long s = System.nanoTime();
            DirectorySnapshot snap = new DirectoryScanner(dir).refresh();
            full.add(millisSince(s));
            fullCpu.add(cpuMillisSince(c0)[0]);
            if (snap.entries().size() != n) {
                throw new IllegalStateException("expected " + n + " entries, saw " + snap.entries().size());
            }
        }

        DirectoryScanner scanner = new DirectoryScanner(dir);
        DirectorySnapshot previous = scanner.refresh();
        DirectorySnapshot latest = previous;
        // A watcher refreshes all the time: warm the JIT up as it would be, then measure.
        for (int i = 0; i < rounds; i++) {
            previous = latest;
            latest = scanner.refresh();
        }
        List<Long> quiet = new ArrayList<>();
        List<Long> quietCpu = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            long[] c0 = schedstat();
            long s = System.nanoTime();
            previous = latest;
            latest = scanner.refresh();
            quiet.add(millisSince(s));
            quietCpu.add(cpuMillisSince(c0)[0]);
        }

        Random rnd = new Random(1);
        int onePercent = Math.max(4, n / 100);
        int heartbeats = onePercent * 3 / 10;     // lock + claim change together: 60% of the changed entries
        int temps = (onePercent - 2 * heartbeats) / 2; // 20% added, 20% removed
        List<Long> incremental = new ArrayList<>();
        List<Long> incrementalCpu = new ArrayList<>();
        List<Long> incrementalWait = new ArrayList<>();
        List<Integer> reads = new ArrayList<>();
        List<Path> liveTemps = new ArrayList<>();
        byte[] pad = " ".getBytes();
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < heartbeats; i++) {
                Path claim = claims.get(rnd.nextInt(claims.size()));
                // A heartbeat: rewrite a byte of the record in place, as LockHandle does, so the server stamps mtime.
                try (FileChannel ch = FileChannel.open(claim, StandardOpenOption.WRITE)) {
                    ch.write(ByteBuffer.wrap(pad), LockOwner.RECORD_SIZE - 2);
                }
            }
            for (Path t : liveTemps) {
                Files.delete(t);
            }
            liveTemps.clear();
            for (int i = 0; i < temps; i++) {
                liveTemps.add(Files.writeString(dir.resolve(".records" + i + ".json.tmp.bench." + round + ".x"), "{"));
            }
            long[] c0 = schedstat();
            long s = System.nanoTime();
            previous = latest;
            latest = scanner.refresh();
            incremental.add(millisSince(s));
            long[] cpu = cpuMillisSince(c0);
            incrementalCpu.add(cpu[0]);
            incrementalWait.add(cpu[1]);
            reads.add(latest.contentReads());
        }
        int changed = 2 * heartbeats + 2 * temps;
        long heap = usedHeapAfterGc();
        // Keep what a watcher keeps alive until after the measurement.
        if (latest.entries().isEmpty() || previous.entries().isEmpty() || scanner.directory() == null) {
            throw new IllegalStateException("empty snapshot");
        }
        return new Result(n, locks, populate, full, quiet, incremental, changed, reads, heapBaseline, heap,
                fullCpu, quietCpu, incrementalCpu, incrementalWait);
    }

    /** Writes the mixed directory; returns the number of locks and fills {@code claimsOut} with held claims. */
    public static int populate(Path dir, int n, List<Path> claimsOut) throws IOException {
        Random rnd = new Random(20240);
        HostIdentity self = HostIdentity.current();
        int locks = n * 35 / 100;
        int orphans = n / 10;
        int broken = n / 20;
        int temps = n / 20;
        int silly = n * 3 / 100;
        int foreign = n * 3 / 100;
        int other = n - 2 * locks - orphans - broken - temps - silly - foreign;
        long now = System.currentTimeMillis();
        for (int i = 0; i < locks; i++) {
            String token = token(rnd);
            boolean mine = i % 20 == 0; // 5%: this host, with a PID that is long gone: DEAD
            String hostId = mine ? self.hostId() : "bench-host-" + (i % 7);
            long pid = mine ? 4_000_000 + i : 1000 + i;
            LockOwner o = new LockOwner(LockOwner.FORMAT, "h" + (i % 7), hostId, mine ? self.bootId() : null,
                    mine ? self.pidNamespace() : null, "bench", pid, null, token, 60_000, now, "benchmark");
            Path claim = dir.resolve(".r" + i + ".lock.h" + (i % 7) + "." + pid + "." + token);
            Files.write(claim, o.toBytes(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Path lock = dir.resolve("r" + i + ".lock");
            Files.createLink(lock, claim);
            if (i % 10 == 1) { // 10%: no heartbeat for 5 minutes: EXPIRED
                Files.setLastModifiedTime(claim, FileTime.fromMillis(now - 300_000));
            }
            claimsOut.add(claim);
        }
        for (int i = 0; i < orphans; i++) {
            String token = token(rnd);
            LockOwner o = new LockOwner(LockOwner.FORMAT, "h9", "bench-host-9", null, null, "bench", 7000 + i, null,
                    token, 60_000, now, null);
            Files.write(dir.resolve(".r" + (i % Math.max(1, locks)) + ".lock.h9." + (7000 + i) + "." + token), o.toBytes());
        }
        for (int i = 0; i < broken; i++) {
            Files.writeString(dir.resolve("r" + i + ".lock.broken." + (now - i) + "." + i), "{}");
        }
        for (int i = 0; i < temps; i++) {
            Files.writeString(dir.resolve(".records.json.tmp.h1." + i + "." + Integer.toHexString(i)), "{\"generation\":");
        }
        for (int i = 0; i < silly; i++) {
            Files.writeString(dir.resolve(String.format(Locale.ROOT, ".nfs%016x%08x", 0x1000L + i, i)), "x");
        }
        for (int i = 0; i < foreign; i++) {
            Files.writeString(dir.resolve("mail" + i + ".lock"), (30_000 + i) + "\n");
        }
        for (int i = 0; i < other; i++) {
            Files.writeString(dir.resolve("data" + i + ".json"), "{\"format\":\"records\",\"records\":{}}");
        }
        return locks;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    private static String token(Random rnd) {
        byte[] b = new byte[16];
        rnd.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** This thread's CPU time and run-queue wait so far, in ns; null where /proc does not tell. */
    private static long[] schedstat() {
        try {
            String[] f = Files.readString(Path.of("/proc/thread-self/schedstat")).trim().split("\\s+");
            return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long[] cpuMillisSince(long[] before) {
        long[] now = schedstat();
        if (before == null || now == null) {
            return new long[] {-1, -1};
        }
        return new long[] {(now[0] - before[0]) / 1_000_000, (now[1] - before[1]) / 1_000_000};
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    public static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
