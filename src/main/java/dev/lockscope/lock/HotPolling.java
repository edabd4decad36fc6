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
 * <p>Why a hot lock is polled and not watched: a watcher is woken by every name removed in the
 * directory, in every waiting JVM (the JDK's inotify thread, then the waiter, which tries and mostly
 * loses). Measured with a record file beside the lock (three removals per save) on 2 CPUs: with every
 * waiter watching from its first failed link, the holder's time per save went from 1.2 to 2.8 ms with
 * 4 processes and to 7.8 ms with 16, and throughput halved. A poll is one timer wake-up, a link and an
 * lstat (a few µs of kernel time on a local filesystem).
 *
 * <p>Why this rate: each waiter sleeps about {@code 2 x backoffMin} (2 ms) per waiter, uniform between
 * half and one and a half times that, so the waiters together look about once per 2 ms however many
 * they are. (Once per 4 ms gave the same counter throughput but a hand-off median of 3-6 ms with 16
 * processes, against the 5 ms target; once per 2 ms gave 0.8-4.5 ms. Many independent waiters add up
 * to nearly random looks, so the wait for the next one is about the whole spacing, not half of it.)
 * Slower (the back-off alone, up to backoffMax = 250 ms) left the lock free for up to that long after a
 * busy holder's last release: most of the time of a 16-process counter run. Faster handed
 * the lock over at most releases that its holder would re-take at once (1-3 ms polls: 600-700 of 800
 * with 16 processes; 8-24 ms: 300 of 800), and after a hand-off between processes every step of the new
 * holder's save, its I/O included, took 2-2.5 times as long on this 2-CPU machine as in a process that
 * kept taking the lock. At one look per 2 ms a free lock is found within a few milliseconds, and a
 * release that its holder re-takes within a fraction of a millisecond is caught now and then, so no
 * waiter starves for long. The number of waiters is the number of claim files of this lock, counted
 * from a directory listing at most once a second. Network filesystems are never polled like this:
 * each call there is a round trip to a server that all waiters share.
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
