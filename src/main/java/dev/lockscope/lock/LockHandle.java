package dev.lockscope.lock;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A held lock. Thread-safe: the owner thread, the heartbeat thread and loss listeners may all use it.
 *
 * <p>The heartbeat renews the lease every lease/3 by WRITING the owner record into the claim file
 * (the server then stamps mtime with its own clock) and checks that the lock still carries our
 * token. A loss is reported through {@link #state()}, the listeners, and an exception from
 * {@link #ensureHeld()} and {@link #release()}.
 */
public final class LockHandle implements AutoCloseable {

    /** Where a handle is in its life. */
    public enum State { HELD, LOST, RELEASED }

    /** Only keeps time: it hands each beat to {@link #BEATERS} and never does I/O itself. */
    private static final ScheduledExecutorService HEARTBEATS = Executors.newScheduledThreadPool(1, r -> {
        Thread t = new Thread(r, "lockscope-heartbeat");
        t.setDaemon(true);
        return t;
    });
    /**
     * Runs the renewals. A renewal on a cut-off network mount hangs in the kernel for as long as the
     * partition lasts; on one shared thread it would stop the heartbeat of every other lock in this
     * JVM, and others would then judge live holders on healthy filesystems EXPIRED. So each handle's
     * beat runs on a thread of its own (at most one in flight per handle).
     */
    private static final ExecutorService BEATERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "lockscope-heartbeat-io");
        t.setDaemon(true);
        return t;
    });

    private final LockFile file;
    private final LockOwner owner;
    private final byte[] record;
    private final Path claim;
    private final boolean truthfulLinks;
    private final long leaseNanos;
    private final CopyOnWriteArrayList<Consumer<LockHandle>> lossListeners = new CopyOnWriteArrayList<>();
    private final Object stateLock = new Object();
    private volatile State state = State.HELD;
    private volatile String lossReason;
    private volatile long lastRenewNanos;
    /** True while a renewal of this handle runs on {@link #BEATERS}. */
    private final AtomicBoolean beating = new AtomicBoolean();
    private final ScheduledFuture<?> heartbeat;

    LockHandle(LockFile file, LockOwner owner, byte[] record, Path claim, boolean truthfulLinks, LockOptions options) {
        this.file = file;
        this.owner = owner;
        this.record = record.clone();
        this.claim = claim;
        this.truthfulLinks = truthfulLinks;
        this.leaseNanos = options.lease().toNanos();
        this.lastRenewNanos = System.nanoTime();
        if (options.heartbeat()) {
            long period = Math.max(1, options.lease().toMillis() / 3);
            heartbeat = HEARTBEATS.scheduleWithFixedDelay(this::dispatchBeat, period, period, TimeUnit.MILLISECONDS);
        } else {
            heartbeat = null;
        }
    }

    public LockFile file() {
        return file;
    }

    public Path lockPath() {
        return file.path();
    }

    public Path claimPath() {
        return claim;
    }

    public LockOwner owner() {
        return owner;
    }

    public String token() {
        return owner.token();
    }

    public State state() {
        return state;
    }

    /** Why the lock was lost, or null. */
    public String lossReason() {
        return lossReason;
    }

    /** True when this filesystem reported link count 2 and one inode for claim and lock. */
    public boolean truthfulLinks() {
        return truthfulLinks;
    }

    /** Called once, on the heartbeat thread (or the caller of ensureHeld), when the lock is found lost. */
    public void onLost(Consumer<LockHandle> listener) {
        lossListeners.add(listener);
        if (state == State.LOST) {
            listener.accept(this);
        }
    }

    /** Renews the lease now. */
    public void renew() throws IOException {
        requireHeld();
        // Count the lease from before the write: the server's stamp can be no earlier than that.
        long started = System.nanoTime();
        try {
            writeRecord();
            verify();
        } catch (LockLostException e) {
            markLost(e.getMessage());
            throw e;
        }
        lastRenewNanos = started;
    }

    /**
     * Checks, with a fresh read, that the lock is still ours and the lease has not lapsed without
     * renewal. Call it just before committing anything done under the lock.
     *
     * @throws LockLostException when it is not
     */
    public void ensureHeld() throws IOException {
        requireHeld();
        if (heartbeat != null && System.nanoTime() - lastRenewNanos > leaseNanos / 2) {
            // The heartbeat is late (a pause, a slow server): renew now, so the commit that follows
            // rests on a lease that others also see as fresh.
            try {
                renew();
            } catch (LockLostException e) {
                throw e;
            } catch (IOException e) {
                // judged below by the lapse check
            }
        }
        long sinceRenew = System.nanoTime() - lastRenewNanos;
        if (sinceRenew > leaseNanos) {
            String why = "lease of " + LinkLock.formatMillis(leaseNanos / 1_000_000) + " lapsed without a renewal ("
                    + LinkLock.formatMillis(sinceRenew / 1_000_000) + " since the last one); others may have broken "
                    + file.path();
            markLost(why);
            throw new LockLostException(why);
        }
        try {
            verify();
        } catch (LockLostException e) {
            markLost(e.getMessage());
            throw e;
        }
    }

    /**
     * Removes the lock, but only while it is still ours, and our claim file.
     *
     * @throws LockLostException naming the current holder, when the lock is no longer ours
     */
    public void release() throws IOException {
        synchronized (stateLock) {
            if (state == State.RELEASED) {
                return;
            }
        }
        stopHeartbeat();
        boolean wasLost = state == State.LOST;
        try {
            // Residual window: between this check and the unlink, a breaker could remove our lock
            // and a new owner take it. That needs our lease to have lapsed, which the heartbeat prevents.
            verify();
            Files.deleteIfExists(file.path());
        } catch (LockLostException e) {
            markLost(e.getMessage());
            throw e;
        } finally {
            LinkLock.deleteQuietly(claim);
            synchronized (stateLock) {
                if (state == State.HELD) {
                    state = State.RELEASED;
                }
            }
        }
        if (wasLost) {
            throw new LockLostException("lock " + file.path() + " was lost before release: " + lossReason);
        }
    }

    /** {@link #release()}; a lost lock still raises, because work done under it may not be safe. */
    @Override
    public void close() throws IOException {
        if (state == State.RELEASED) {
            return;
        }
        release();
    }

    private void dispatchBeat() {
        if (state != State.HELD) {
            stopHeartbeat();
            return;
        }
        if (!beating.compareAndSet(false, true)) {
            // The previous renewal is still stuck (a partitioned mount). Once a whole lease has gone by
            // without one, others may break the lock: say so now rather than when the I/O returns.
            long since = System.nanoTime() - lastRenewNanos;
            if (since > leaseNanos) {
                markLost("could not renew the lease of " + file.path() + " for " + LinkLock.formatMillis(since / 1_000_000)
                        + ": the renewal has not returned (is the filesystem reachable?); others may have broken it");
                stopHeartbeat();
            }
            return;
        }
        try {
            BEATERS.execute(() -> {
                try {
                    beat();
                } finally {
                    beating.set(false);
                }
            });
        } catch (RejectedExecutionException e) {
            beating.set(false);
        }
    }

    private void beat() {
        if (state != State.HELD) {
            stopHeartbeat();
            return;
        }
        try {
            renew();
        } catch (LockLostException e) {
            stopHeartbeat();
        } catch (IOException e) {
            // A transient error (ESTALE, a slow server) is retried at the next beat; only a lapse of
            // a whole lease without renewal counts as loss.
            if (System.nanoTime() - lastRenewNanos > leaseNanos) {
                markLost("could not renew the lease of " + file.path() + " for a whole lease: "
                        + LockSnapshot.describe(e));
                stopHeartbeat();
            }
        } catch (RuntimeException e) {
            markLost("heartbeat failed: " + e);
            stopHeartbeat();
        }
    }

    private void writeRecord() throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(claim, StandardOpenOption.WRITE)) {
            ByteBuffer bb = ByteBuffer.wrap(record);
            while (bb.hasRemaining()) {
                ch.write(bb);
            }
        } catch (NoSuchFileException e) {
            throw new LockLostException("claim file " + claim + " was removed: lock " + file.path()
                    + " was broken", e);
        }
    }

    private void verify() throws IOException {
        Optional<LockSnapshot> snap = LockSnapshot.read(file.path());
        if (snap.isEmpty()) {
            FileFacts c = FileFacts.lstatOrNull(claim);
            throw new LockLostException("lock " + file.path() + " is gone: it was broken or removed"
                    + (c == null ? " (our claim is gone too)" : " (our claim has " + c.nlink() + " links)"));
        }
        LockSnapshot s = snap.get();
        if (!owner.token().equals(s.token())) {
            throw new LockLostException("lock " + file.path() + " is now held by "
                    + (s.owner() == null ? "something else (" + s.readError() + ")" : s.owner().describe()));
        }
        if (truthfulLinks) {
            FileFacts c = FileFacts.lstatOrNull(claim);
            if (c == null || c.nlink() < 2 || c.inode() != s.facts().inode()) {
                throw new LockLostException("lock " + file.path() + " no longer links to our claim " + claim
                        + (c == null ? " (claim gone)" : " (claim nlink " + c.nlink() + ", inode " + c.inode()
                        + "; lock inode " + s.facts().inode() + ")"));
            }
        }
    }

    private void requireHeld() throws LockLostException {
        State s = state;
        if (s == State.LOST) {
            throw new LockLostException("lock " + file.path() + " was lost: " + lossReason);
        }
        if (s == State.RELEASED) {
            throw new LockLostException("lock " + file.path() + " was already released by this handle");
        }
    }

    private void markLost(String reason) {
        synchronized (stateLock) {
            if (state != State.HELD) {
                return;
            }
            lossReason = reason;
            state = State.LOST;
        }
        for (Consumer<LockHandle> l : lossListeners) {
            try {
                l.accept(this);
            } catch (RuntimeException ignored) {
                // A faulty listener must not stop the others from hearing of the loss.
            }
        }
    }

    private void stopHeartbeat() {
        if (heartbeat != null) {
            heartbeat.cancel(false);
        }
    }
}
