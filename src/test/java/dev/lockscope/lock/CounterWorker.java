package dev.lockscope.lock;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;

/**
 * A child process for the multi-process tests: takes one lock {@code iterations} times and does a
 * deliberately non-atomic read-increment-write of a counter file under it. An overlap detector
 * (mkdir, atomic on the server) records any moment two holders are inside at once.
 *
 * <p>Args: lockPath counterPath overlapDir overlapFlag iterations leaseMillis. Prints "done N" on success.
 */
public final class CounterWorker {
    private CounterWorker() {
    }

    public static void main(String[] args) throws Exception {
        Path lock = Path.of(args[0]);
        Path counter = Path.of(args[1]);
        Path overlapDir = Path.of(args[2]);
        Path overlapFlag = Path.of(args[3]);
        int iterations = Integer.parseInt(args[4]);
        long lease = Long.parseLong(args[5]);
        LinkLock l = LinkLock.at(lock, LockOptions.defaults().withLease(Duration.ofMillis(lease)).withPurpose("counter"));
        long waitNanos = 0;
        long maxWait = 0;
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            try (LockHandle h = l.acquire(Duration.ofMinutes(3))) {
                long w = System.nanoTime() - t0;
                waitNanos += w;
                maxWait = Math.max(maxWait, w);
                boolean inside = false;
                try {
                    Files.createDirectory(overlapDir);
                    inside = true;
                } catch (FileAlreadyExistsException e) {
                    Files.writeString(overlapFlag, "overlap seen by pid " + ProcessHandle.current().pid() + "\n",
                            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                }
                long value = readCounter(counter);
                // Fixed width, written in place: a non-atomic update that only mutual exclusion keeps right.
                Files.write(counter, String.format(Locale.ROOT, "%012d\n", value + 1).getBytes(StandardCharsets.US_ASCII),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.SYNC);
                h.ensureHeld();
                if (inside) {
                    Files.delete(overlapDir);
                }
            }
        }
        System.out.printf(Locale.ROOT, "done %d meanWaitMs %.2f maxWaitMs %.1f%n", iterations,
                waitNanos / 1e6 / Math.max(1, iterations), maxWait / 1e6);
    }

    static long readCounter(Path counter) throws Exception {
        for (int attempt = 0; ; attempt++) {
            try {
                if (!Files.exists(counter)) {
                    return 0;
                }
                String s = Files.readString(counter, StandardCharsets.US_ASCII).trim();
                return s.isEmpty() ? 0 : Long.parseLong(s);
            } catch (java.io.IOException e) {
                if (!FileFacts.isStale(e) || attempt > 50) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }
}
