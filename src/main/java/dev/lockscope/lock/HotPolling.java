package dev.lockscope.lock;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A waiter's sleeps while the lock is hot (it changed hands within {@link #WINDOW_NANOS}), on a local filesystem.
 * Used by one acquiring thread.
 *
 * <p>Why: a watched directory wakes every waiting JVM on every removal, which halved a busy counter's throughput;
 * a poll costs one timer wake-up, a link and an lstat. The waiters together look about once per
 * {@link #HOT_SPACING} x backoffMin, however many they are. Network filesystems are never polled like this: each
 * call there is a round trip to a server all waiters share. The measurements behind these figures are in
 * docs/BENCHMARKS.md, "Hot polling".
 */
final class HotPolling {
    /** How long after it last saw the lock change hands a waiter on a local filesystem keeps polling it. */
    static final long WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    static final long RECOUNT_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Mean spacing of the waiters' looks together, in units of backoffMin (1 ms by default). */
    static final long HOT_SPACING = 2;

    private final LockClock clock;
    private long lastChangeSeenNanos;
    private int waiters = -1;
    private long countedAtNanos;

    HotPolling(LockClock clock) {
        this.clock = clock;
        this.lastChangeSeenNanos = clock.nanoTime() - WINDOW_NANOS;
    }

    /** The waiter saw the lock change hands just now. */
    void changeSeen() {
        lastChangeSeenNanos = clock.nanoTime();
    }

    /** Whether the lock changed hands within {@link #WINDOW_NANOS}. */
    boolean isHot() {
        return clock.nanoTime() - lastChangeSeenNanos < WINDOW_NANOS;
    }

    /** How long to sleep before the next look while hot: random, with the mean the class comment explains. */
    long pollNanos(Path dir, String lockName, LockOptions options) {
        long now = clock.nanoTime();
        if (waiters < 0 || now - countedAtNanos > RECOUNT_NANOS) {
            waiters = Math.max(1, countClaims(dir, lockName) - 1);
            countedAtNanos = now;
        }
        long min = Math.max(200_000L, options.backoffMin().toNanos());
        long mean = Math.min(HOT_SPACING * min * Math.max(2, waiters), Math.max(2 * min, options.backoffMax().toNanos()));
        return mean / 2 + ThreadLocalRandom.current().nextLong(mean + 1);
    }

    /** Claim files of {@code lockName} (the holder's and the waiters'); 0 when the directory cannot be listed. */
    static int countClaims(Path dir, String lockName) {
        String prefix = "." + lockName + ".";
        String guardPrefix = "." + lockName + LockFile.GUARD_SUFFIX + ".";
        int n = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (name.startsWith(prefix) && !name.startsWith(guardPrefix)) {
                    n++;
                }
            }
        } catch (IOException | DirectoryIteratorException e) {
            return 0;
        }
        return n;
    }
}
