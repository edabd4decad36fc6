package dev.lockscope.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockFile;
import dev.lockscope.lock.LockHandle;
import dev.lockscope.lock.LockOptions;
import dev.lockscope.record.RecordChange;
import dev.lockscope.record.RecordStore;
import dev.lockscope.record.RecordStoreOptions;
import dev.lockscope.record.SaveResult;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One benchmark process: {@code BenchWorker MODE DIR INDEX OPS WARMUP RESULT_FILE TIMEOUT_MILLIS GROUP_COMMIT}.
 * It warms up, prints {@code READY}, waits for a line {@code GO} on stdin, does OPS operations and
 * writes one {@link OpTiming} line per operation to RESULT_FILE (first line: {@code go <nanoTime>}).
 * Exit 0 when every operation succeeded; 1 with the reason on stderr otherwise. Main thread only.
 */
public final class BenchWorker {

    /** The record that the counter workload increments. */
    public static final String COUNTER_RECORD = "counter";

    private BenchWorker() {
    }

    public static void main(String[] args) {
        try {
            System.exit(run(args));
        } catch (Exception e) {
            System.err.println("bench worker failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    static int run(String[] args) throws Exception {
        if (args.length != 8) {
            System.err.println("usage: BenchWorker MODE DIR INDEX OPS WARMUP RESULT_FILE TIMEOUT_MILLIS GROUP_COMMIT");
            return 64;
        }
        BenchMode mode = BenchMode.valueOf(args[0]);
        Path dir = Path.of(args[1]);
        int index = Integer.parseInt(args[2]);
        int ops = Integer.parseInt(args[3]);
        int warmup = Integer.parseInt(args[4]);
        Path resultFile = Path.of(args[5]);
        Duration timeout = Duration.ofMillis(Long.parseLong(args[6]));
        boolean groupCommit = Boolean.parseBoolean(args[7]);

        Operation op = mode == BenchMode.CYCLE ? cycle(dir, index, timeout) : counter(dir, timeout, groupCommit);
        // Warm-up on private names, so the measured run starts with loaded classes and compiled code
        // without touching the shared counter.
        Operation warm = mode == BenchMode.CYCLE ? op : warmCounter(dir, index, timeout, groupCommit);
        if (mode == BenchMode.COUNTER && groupCommit) {
            // Two threads (two writers) on the private file, so the warm-up also runs the group-commit paths
            // (publish, take, read an intent, prove): alone, a worker never meets a held lock before the clock
            // starts, and its first combining holds ran interpreted.
            Thread second = new Thread(() -> {
                try {
                    for (int i = 0; i < warmup / 2; i++) {
                        warm.run(-1);
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, "bench-warm-up");
            second.start();
            for (int i = 0; i < warmup - warmup / 2; i++) {
                warm.run(-1);
            }
            second.join();
        } else {
            for (int i = 0; i < warmup; i++) {
                warm.run(-1);
            }
        }
        warm.cleanUp();

        System.out.println("READY");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line = in.readLine();
        if (!"GO".equals(line)) {
            System.err.println("bench worker " + index + ": expected GO on stdin, got " + line);
            return 1;
        }
        long goNanos = System.nanoTime();
        List<OpTiming> timings = new ArrayList<>(ops);
        for (int i = 0; i < ops; i++) {
            timings.add(op.run(index));
        }
        try (BufferedWriter w = Files.newBufferedWriter(resultFile, StandardCharsets.UTF_8)) {
            w.write("go " + goNanos + "\n");
            for (OpTiming t : timings) {
                w.write(t.toLine());
                w.write('\n');
            }
        }
        return 0;
    }

    /** One timed operation. */
    interface Operation {
        OpTiming run(int worker) throws IOException;

        default void cleanUp() throws IOException {
        }
    }

    /** The lock options of every benchmark lock: the defaults, with a purpose that names the tool. */
    static LockOptions lockOptions() {
        return LockOptions.defaults().withPurpose("lockscope bench");
    }

    static Operation cycle(Path dir, int index, Duration timeout) {
        LinkLock lock = LinkLock.of(LockFile.of(dir, cycleLockName(index)), lockOptions());
        return worker -> {
            long start = System.nanoTime();
            LockHandle h = lock.acquire(timeout);
            long locked = System.nanoTime();
            long releasing = System.nanoTime();
            h.release();
            long done = System.nanoTime();
            return new OpTiming(worker, start, locked, releasing, done, -1);
        };
    }

    /** The lock name of worker {@code index} in the cycle workload. */
    public static String cycleLockName(int index) {
        return "lockscope-bench-" + index + ".lock";
    }

    static Operation counter(Path dir, Duration timeout, boolean groupCommit) {
        return counterOn(dir.resolve(BenchRunner.COUNTER_FILE), timeout, false, groupCommit);
    }

    static Operation warmCounter(Path dir, int index, Duration timeout, boolean groupCommit) {
        return counterOn(dir.resolve(".lockscope-bench-warmup-" + index + ".json"), timeout, true, groupCommit);
    }

    private static Operation counterOn(Path file, Duration timeout, boolean removeAfter, boolean groupCommit) {
        long[] marks = new long[2];
        RecordStore store = RecordStore.open(file, RecordStoreOptions.defaults().withLockTimeout(timeout)
                        .withLockOptions(lockOptions()).withTool("lockscope bench").withGroupCommit(groupCommit))
                .withStepListener(step -> {
                    // The save path tells us when it holds the lock and when it is about to release it.
                    if (step == RecordStore.SaveStep.LOCKED) {
                        marks[0] = System.nanoTime();
                    } else if (step == RecordStore.SaveStep.DIRECTORY_SYNCED) {
                        marks[1] = System.nanoTime();
                    }
                });
        // The read-then-decide change expressed as an intent (add 1 to the value the holder reads), so that a
        // worker that finds the lock held can have it committed by the holder; without group commit it is
        // applied under this worker's own lock hold, exactly as a lambda would be.
        RecordChange increment = RecordChange.increment(COUNTER_RECORD, 1);
        return new Operation() {
            @Override
            public OpTiming run(int worker) throws IOException {
                long start = System.nanoTime();
                marks[0] = -1;
                marks[1] = -1;
                SaveResult r = store.update(increment);
                long done = System.nanoTime();
                if (!r.written()) {
                    throw new IOException("the increment of " + file + " wrote nothing");
                }
                if (r.warning() != null) {
                    throw new IOException("save of " + file + " warned: " + r.warning());
                }
                long value = r.incremented() == null ? -1 : r.incremented().asLong();
                // A combined increment had no hold of its own (a hold this worker made meanwhile for others
                // still counts as one, with its own marks).
                boolean held = marks[0] >= 0 && marks[1] >= 0;
                return new OpTiming(worker, start, held ? marks[0] : -1, held ? marks[1] : -1, done, value);
            }

            @Override
            public void cleanUp() throws IOException {
                if (removeAfter) {
                    Files.deleteIfExists(file);
                }
            }
        };
    }
}
