package dev.lockscope.lock;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Claim files that this process keeps for a moment after releasing a lock, so that taking the same lock
 * again relinks the same claim instead of creating and deleting a file. Any thread.
 *
 * <p>Why: on ext4 creating and unlinking the claim inode was about 24 of the 27 µs of kernel time of an
 * uncontended acquire + release (a C loop of the bare calls: 27 µs with a new claim per cycle, 3 µs
 * when the claim is rewritten in place and relinked). The lock name still gets a new link each time,
 * so the protocol others see is unchanged: link(2) decides who holds the lock.
 *
 * <p>What makes reuse safe, and why only on a LOCAL filesystem:
 * <ul>
 * <li>The claim keeps its name and token, and its record is rewritten before every relink with the new
 *     acquisition time: the write gives the inode a fresh mtime, so a breaker's evidence (inode, content,
 *     mtime) of an earlier acquisition never matches a later one, and a waiter that saw the earlier one
 *     sees a change.</li>
 * <li>A claim is kept only after a release that proved the lock ours within half a lease of our last
 *     renewal (so nobody can have judged it EXPIRED), with no renewal in flight, and whose claim then has
 *     exactly one link (no breaker's witness pins it).</li>
 * <li>On a network filesystem the breaker trusts a possibly cached read of the inode it pinned, which is
 *     sound only while an inode's content never changes; reuse would break that, so there every
 *     acquisition has a claim of its own, as before. A local filesystem has one coherent page cache and
 *     exact attributes, so the reasoning above is exact there.</li>
 * </ul>
 * A kept claim has one link, like a waiter's claim, and the scanner lists it so until it is reused or
 * removed: after {@link #IDLE_NANOS} unused, or when the JVM exits normally. A process killed within
 * that second leaves it behind as an orphan claim, which the protocol ignores.
 *
 * <p>One instance per {@link LockRuntime}; idleness is measured on the runtime's clock.
 */
final class KeptClaims {

    /** How long an unused claim is kept. Long enough for a process that saves in a loop, short enough to stay unseen. */
    static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);

    /**
     * At most this many claims are kept at once, each with an open channel: a process that takes thousands
     * of different locks in a second must not run out of file descriptors for them.
     */
    static final int MAX_KEPT = 64;

    /** False: a claim per acquisition everywhere (the default runtime's {@code -Dlockscope.keepClaims=false}). */
    private final boolean enabled;

    /**
     * A released claim waiting to be reused, with a channel open for writing its record: the next
     * acquisition then costs one pwrite instead of an open, a write and a close.
     */
    record Kept(Path claim, LockOwner owner, byte[] record, long inode, long keptAtNanos, FileChannel channel,
                int acquiredAtKeyOffset) {
        void discard() {
            closeQuietly(channel);
            Unlink.quietly(claim);
        }
    }

    static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // Nothing was written through it that a close could lose: records are written whole by pwrite.
            }
        }
    }

    private final LockClock clock;
    private final Map<Path, Kept> byLock = new ConcurrentHashMap<>();
    private final AtomicBoolean sweepScheduled = new AtomicBoolean();
    private final AtomicBoolean hooked = new AtomicBoolean();
    /** The JVM is exiting: a claim kept now could outlive the exit cleanup, so none is kept. */
    private volatile boolean exiting;
    /** The last {@link LockOwner#acquiredAtKeyOffset}: the same for every claim this process keeps. */
    private volatile int acquiredAtKeyOffset = -1;
    private final ScheduledThreadPoolExecutor sweeper = Daemons.scheduler("lockscope-claim-sweeper");

    KeptClaims(LockClock clock, boolean enabled) {
        this.clock = clock;
        this.enabled = enabled;
    }

    /** Whether released claims are kept at all. */
    boolean enabled() {
        return enabled;
    }

    /** The kept claim of {@code lockPath}, now owned by the caller alone, or null. */
    Kept take(Path lockPath) {
        if (byLock.isEmpty()) {
            return null;
        }
        Kept k = byLock.remove(lockPath);
        if (k != null && clock.nanoTime() - k.keptAtNanos() > IDLE_NANOS) {
            k.discard();
            return null;
        }
        return k;
    }

    /**
     * Keeps {@code claim}, just released from {@code lockPath}, if it still is the inode {@code inode} with
     * exactly one link; otherwise (or when this lock already has a kept claim) deletes it. {@code channel}
     * is the claim's open channel from an earlier keep, or null.
     */
    void keepOrDelete(Path lockPath, Path claim, LockOwner owner, byte[] record, long inode, FileChannel channel) {
        FileFacts.Links c;
        try {
            c = FileFacts.linksOrNull(claim);
        } catch (IOException e) {
            c = null;
        }
        if (c == null || c.nlink() != 1 || c.inode() != inode || inode == -1 || byLock.containsKey(lockPath)
                || byLock.size() >= MAX_KEPT) {
            closeQuietly(channel);
            Unlink.quietly(claim);
            return;
        }
        if (channel == null) {
            // The name is in a directory others write: never follow a link put there, and keep the channel only
            // if the file it opened holds our record exactly (read through the same descriptor), so a later reuse
            // writes to our own claim inode and nothing else.
            try {
                channel = FileChannel.open(claim, StandardOpenOption.READ, StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS);
                if (!ClaimFile.holdsExactly(channel, record)) {
                    closeQuietly(channel);
                    Unlink.quietly(claim);
                    return;
                }
            } catch (IOException e) {
                closeQuietly(channel);
                Unlink.quietly(claim);
                return;
            }
        }
        int keyOffset = LockOwner.acquiredAtKeyOffset(record, acquiredAtKeyOffset);
        acquiredAtKeyOffset = keyOffset;
        Kept k = new Kept(claim, owner, record, inode, clock.nanoTime(), channel, keyOffset);
        if (byLock.putIfAbsent(lockPath, k) != null) {
            k.discard();
            return;
        }
        if (hooked.compareAndSet(false, true)) {
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(this::deleteAllAtExit, "lockscope-claim-cleanup"));
            } catch (IllegalStateException shutdownInProgress) {
                // Released during shutdown (from another shutdown hook): no hook would delete the claim.
                exiting = true;
            }
        }
        // Read after the put: either the exit cleanup (which sets the flag before it looks) sees this claim, or we do.
        if (exiting && byLock.remove(lockPath, k)) {
            k.discard();
            return;
        }
        if (sweepScheduled.compareAndSet(false, true)) {
            sweeper.schedule(this::sweep, IDLE_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    /** Removes claims unused for {@link #IDLE_NANOS}; runs again while any are kept. */
    private void sweep() {
        long now = clock.nanoTime();
        for (Map.Entry<Path, Kept> e : byLock.entrySet()) {
            Kept k = e.getValue();
            // remove(key, value): a claim taken (and perhaps kept again) meanwhile is not ours to delete.
            if (now - k.keptAtNanos() > IDLE_NANOS && byLock.remove(e.getKey(), k)) {
                k.discard();
            }
        }
        sweepScheduled.set(false);
        if (!byLock.isEmpty() && sweepScheduled.compareAndSet(false, true)) {
            sweeper.schedule(this::sweep, IDLE_NANOS / 2, TimeUnit.NANOSECONDS);
        }
    }

    private void deleteAllAtExit() {
        exiting = true;
        deleteAll();
    }

    /** Deletes every kept claim now: at exit, and for tests that look at a directory right after a release. */
    void deleteAll() {
        for (Path lock : byLock.keySet()) {
            Kept k = byLock.remove(lock);
            if (k != null) {
                k.discard();
            }
        }
    }

    /** How many claims are kept now. */
    int size() {
        return byLock.size();
    }
}
