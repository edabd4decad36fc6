package dev.lockscope.lock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
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

    private final LockFile file;
    private final LockRuntime runtime;
    private final LockClock clock;
    private final LockOwner owner;
    private final byte[] record;
    private final Path claim;
    /** Null until first needed; then whether this filesystem showed claim and lock as one inode with two links. */
    private volatile Boolean truthfulLinks;
    private final long leaseNanos;
    private final CopyOnWriteArrayList<Consumer<LockHandle>> lossListeners = new CopyOnWriteArrayList<>();
    private final Object stateLock = new Object();
    private volatile State state = State.HELD;
    private volatile String lossReason;
    private volatile long lastRenewNanos;
    /** Whether this handle renews in the background (registered with {@link Heartbeats}). */
    private final boolean heartbeat;
    private final long periodNanos;
    /** When the heartbeat should next renew: period after the previous beat, as a fixed-delay schedule would. */
    private volatile long nextBeatNanos;

    /** Whether the claim may be kept for this process's next acquisition of the lock (see {@link KeptClaims}). */
    private final boolean mayKeepClaim;
    /** The claim's inode as last proven (two lstats: one inode, two links), or -1. */
    private volatile long provenClaimInode = -1;

    /** The kept claim's open channel (see {@link KeptClaims}), handed on to the next keep, or null. */
    private final java.nio.channels.FileChannel claimChannel;

    LockHandle(LockFile file, LockOwner owner, byte[] record, Path claim, LockOptions options, boolean mayKeepClaim,
               java.nio.channels.FileChannel claimChannel) {
        this.mayKeepClaim = mayKeepClaim;
        this.claimChannel = claimChannel;
        this.file = file;
        this.runtime = options.runtime();
        this.clock = runtime.clock();
        this.owner = owner;
        this.record = record.clone();
        this.claim = claim;
        this.leaseNanos = options.lease().toNanos();
        this.lastRenewNanos = clock.nanoTime();
        this.periodNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1, options.lease().toMillis() / 3));
        this.nextBeatNanos = lastRenewNanos + periodNanos;
        this.heartbeat = options.heartbeat();
        if (heartbeat) {
            runtime.heartbeats().add(this);
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

    /**
     * True when this filesystem reported link count 2 and one inode for claim and lock. Found out on the
     * first call (two lstats) while the lock is held, then remembered.
     */
    public boolean truthfulLinks() throws IOException {
        Boolean t = truthfulLinks;
        if (t == null) {
            FileFacts.Links lock = FileFacts.linksOrNull(file.path());
            t = linkProof(lock);
            if (t) {
                runtime.rememberTruthfulLinks(file.directory());
            } else {
                // Not proven. That is the filesystem's way (sshfs gives every name its own inode) only while our
                // claim is still our own file: a claim removed, replaced or rewritten before this first look must
                // not be taken for a filesystem that does not count links.
                requireClaimIntact();
                if (lock != null && lock.nlink() >= 2) {
                    throw new LockLostException("lock " + file.path() + " has " + lock.nlink() + " links but is not"
                            + " our claim " + claim + "'s inode: our claim was replaced");
                }
                if (runtime.countsLinksTruthfully(file.directory())) {
                    throw new LockLostException("lock " + file.path() + " no longer links to our claim " + claim
                            + " (this directory counts links, and they no longer show one inode)");
                }
            }
            truthfulLinks = t;
        }
        return t;
    }

    /**
     * Throws when our claim is gone, is not a regular file (a symbolic link put in its place), or no longer holds
     * our record exactly. Read with O_NOFOLLOW and bounded.
     */
    private void requireClaimIntact() throws IOException {
        FileFacts c = FileFacts.lstatOrNull(claim);
        if (c == null) {
            throw new LockLostException("our claim " + claim + " is gone: lock " + file.path()
                    + " was broken or tampered with");
        }
        if (c.type() != FileFacts.Type.REGULAR) {
            throw new LockLostException("our claim " + claim + " was replaced by "
                    + (c.type() == FileFacts.Type.SYMLINK ? "a symbolic link (not followed)" : "a " + c.type())
                    + ": lock " + file.path() + " is no longer provably ours");
        }
        try (java.nio.channels.SeekableByteChannel ch = Files.newByteChannel(claim,
                java.nio.file.StandardOpenOption.READ, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (!ClaimFile.holdsExactly(ch, record)) {
                throw new LockLostException("our claim " + claim + " no longer holds our owner record: lock "
                        + file.path() + " is no longer provably ours");
            }
        } catch (NoSuchFileException e) {
            throw new LockLostException("our claim " + claim + " is gone: lock " + file.path()
                    + " was broken or tampered with", e);
        } catch (java.nio.file.FileSystemException e) {
            if (ClaimFile.isSymlinkRefusal(claim, e)) {
                throw new LockLostException("our claim " + claim + " was replaced by a symbolic link (not followed)",
                        e);
            }
            throw e;
        }
    }

    /**
     * Whether the lock {@code lockFacts} is our claim's inode, as the filesystem's link counts and inode
     * numbers tell. The claim is lstat'ed after the lock: a claim that still exists keeps its inode alive
     * and its number unused by anyone else, so equal numbers then mean the lock name held our inode.
     * False proves nothing on filesystems that give every name its own inode (sshfs).
     */
    private boolean linkProof(FileFacts.Links lockFacts) throws IOException {
        // -1 is FileFacts' "unknown"; other negative numbers are real (gluster's are 64-bit, unsigned).
        if (lockFacts == null || lockFacts.nlink() < 2 || lockFacts.inode() == -1) {
            return false;
        }
        FileFacts.Links c = FileFacts.linksOrNull(claim);
        boolean ours = c != null && c.nlink() >= 2 && c.inode() == lockFacts.inode();
        // Exactly two links: no breaker's witness pins our inode (see KeptClaims).
        provenClaimInode = ours && c.nlink() == 2 ? c.inode() : -1;
        return ours;
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
        long started = clock.nanoTime();
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
     * renewal. Call it just before committing anything done under the lock. On a network filesystem the
     * read follows a listing of the lock's directory ({@link NameCache#refresh}), so names in that directory
     * read right after this call are the server's; the record store's fencing check relies on that.
     *
     * @throws LockLostException when it is not
     */
    public void ensureHeld() throws IOException {
        requireHeld();
        if (heartbeat && clock.nanoTime() - lastRenewNanos > leaseNanos / 2) {
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
        long sinceRenew = clock.nanoTime() - lastRenewNanos;
        if (sinceRenew > leaseNanos) {
            String why = "lease of " + DurationText.ofMillis(leaseNanos / 1_000_000) + " lapsed without a renewal ("
                    + DurationText.ofMillis(sinceRenew / 1_000_000) + " since the last one); others may have broken "
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
        boolean keepClaim = false;
        try {
            // Residual window: between this check and the unlink, a breaker could remove our lock
            // and a new owner take it. That needs our lease to have lapsed, which the heartbeat prevents.
            boolean provedCheaply = provedOursCheaply();
            if (!provedCheaply) {
                verify();
            }
            unlinkLock();
            keepClaim = mayKeepClaim && provedCheaply && provenClaimInode != -1;
        } catch (LockLostException e) {
            markLost(e.getMessage());
            throw e;
        } finally {
            boolean released;
            synchronized (stateLock) {
                released = state == State.HELD;
                if (released) {
                    state = State.RELEASED;
                }
            }
            // A renewal still in flight would write this acquisition's record into the claim after the
            // next acquisition rewrote it: keep the claim only when none is (none can start once RELEASED).
            if (keepClaim && released && !beating.get()) {
                runtime.keptClaims().keepOrDelete(file.path(), claim, owner, record, provenClaimInode, claimChannel);
            } else {
                KeptClaims.closeQuietly(claimChannel);
                Unlink.quietly(claim);
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

    /**
     * The light release check. Within half a lease of our last proof of holding (the link, or a renewal)
     * no one can have judged the lock EXPIRED, and this process is alive, so it is not DEAD: only a
     * forced break could have taken it. Then two lstats (lock, then claim) that show one inode with two
     * links prove it ours where the filesystem tells link counts truthfully. Anything else, and any other
     * moment, takes the full fresh read of {@link #verify()}.
     */
    private boolean provedOursCheaply() throws IOException {
        if (state != State.HELD || clock.nanoTime() - lastRenewNanos > leaseNanos / 2
                || Boolean.FALSE.equals(truthfulLinks)) {
            return false;
        }
        // A cached name could still show our lock after another client broke and replaced it; unlinking the
        // name would then remove the new holder's lock (see NameCache).
        NameCache.refresh(file.directory());
        boolean ours = linkProof(FileFacts.linksOrNull(file.path()));
        if (ours) {
            truthfulLinks = Boolean.TRUE;
        }
        return ours;
    }

    /** Removes the lock name: one unlink(2), with the NIO call (and its errors) only when that fails. */
    private void unlinkLock() throws IOException {
        if (!file.path().toFile().delete()) {
            Files.deleteIfExists(file.path());
        }
    }

    /** True while a renewal of this handle runs on {@link Heartbeats#beaters}. */
    private final AtomicBoolean beating = new AtomicBoolean();

    private void dispatchBeat(ExecutorService beaters) {
        if (state != State.HELD) {
            stopHeartbeat();
            return;
        }
        if (!beating.compareAndSet(false, true)) {
            // The previous renewal is still stuck (a partitioned mount). Once a whole lease has gone by
            // without one, others may break the lock: say so now rather than when the I/O returns.
            long since = clock.nanoTime() - lastRenewNanos;
            if (since > leaseNanos) {
                markLost("could not renew the lease of " + file.path() + " for " + DurationText.ofMillis(since / 1_000_000)
                        + ": the renewal has not returned (is the filesystem reachable?); others may have broken it");
                stopHeartbeat();
            }
            return;
        }
        try {
            beaters.execute(() -> {
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
            if (clock.nanoTime() - lastRenewNanos > leaseNanos) {
                markLost("could not renew the lease of " + file.path() + " for a whole lease: "
                        + IoErrorText.reason(e));
                stopHeartbeat();
            }
        } catch (RuntimeException e) {
            markLost("heartbeat failed: " + e);
            stopHeartbeat();
        }
    }

    private void writeRecord() throws IOException {
        try {
            // O_NOFOLLOW, and only over our own bytes (see rewriteInPlace): a claim swapped for a symbolic link
            // or another file is a lost lock (ClaimTamperedException is a LockLostException), never written through.
            ClaimFile.rewriteInPlace(claim, record);
            long proven = provenClaimInode;
            if (proven != -1 && Boolean.TRUE.equals(truthfulLinks)) {
                FileFacts.Links c = FileFacts.linksOrNull(claim);
                if (c == null || c.inode() != proven) {
                    throw new LockLostException("our claim " + claim + " is no longer the file we linked as "
                            + file.path() + (c == null ? " (it is gone)" : " (inode " + c.inode() + ", ours was "
                            + proven + ")"));
                }
            }
        } catch (NoSuchFileException e) {
            throw new LockLostException("claim file " + claim + " was removed: lock " + file.path()
                    + " was broken", e);
        }
    }

    private void verify() throws IOException {
        // On a network client the name may still lead to our lock after another client broke it (NameCache).
        NameCache.refresh(file.directory());
        Optional<LockSnapshot> snap = LockSnapshot.readUnparsed(file.path());
        if (snap.isEmpty()) {
            FileFacts c = FileFacts.lstatOrNull(claim);
            throw new LockLostException("lock " + file.path() + " is gone: it was broken or removed"
                    + (c == null ? " (our claim is gone too)" : " (our claim has " + c.nlink() + " links)"));
        }
        LockSnapshot s = snap.get();
        // Our own bytes exactly (the heartbeat rewrites the same record, token included): ours, and no
        // JSON parser is needed. Anything else is parsed, to say who holds the lock now.
        if (!Arrays.equals(s.identity().content(), record)) {
            s = s.parsed();
        }
        if (!Arrays.equals(s.identity().content(), record) && !owner.token().equals(s.token())) {
            throw new LockLostException("lock " + file.path() + " is now held by "
                    + (s.owner() == null ? "something else (" + s.readError() + ")" : s.owner().describe()));
        }
        if (truthfulLinks()) {
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
        if (heartbeat) {
            runtime.heartbeats().remove(this);
        }
    }

    /**
     * The heartbeat of one {@link LockRuntime}. A ticker runs every {@link #TICK_MILLIS} while any handle is held
     * and hands each handle whose period has passed on the runtime's clock to {@link #dispatchBeat} (the renewal
     * itself runs on {@link #beaters}); with nothing held for a second it cancels its own schedule, and the next
     * held handle schedules a new one. A handle only joins and leaves a concurrent set: scheduling a task per
     * acquisition (and cancelling it at release) cost a thread wake-up per short hold, about a third of the CPU of
     * an uncontended acquire+release. Any thread may add and remove handles.
     */
    static final class Heartbeats {
        /** A beat is due at most this late; leases are at least 300 ms, so periods at least 100 ms. */
        static final long TICK_MILLIS = 25;
        static final int IDLE_TICKS_BEFORE_STOP = 40;

        private final LockClock clock;
        private final Set<LockHandle> held = ConcurrentHashMap.newKeySet();
        /** True from the moment a ticker is to be scheduled until that ticker has decided to stop. */
        private final AtomicBoolean ticking = new AtomicBoolean();
        private final ScheduledThreadPoolExecutor ticks = Daemons.scheduler("lockscope-heartbeat");
        /**
         * Runs the renewals. A renewal on a cut-off network mount hangs in the kernel for as long as the
         * partition lasts; on one shared thread it would stop the heartbeat of every other lock in this
         * JVM, and others would then judge live holders on healthy filesystems EXPIRED. So each handle's
         * beat runs on a thread of its own (at most one in flight per handle); the ticker only keeps time.
         */
        private final ExecutorService beaters = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "lockscope-heartbeat-io");
            t.setDaemon(true);
            return t;
        });

        Heartbeats(LockClock clock) {
            this.clock = clock;
        }

        void add(LockHandle h) {
            held.add(h);
            if (ticking.compareAndSet(false, true)) {
                new Ticker().start();
            }
        }

        void remove(LockHandle h) {
            held.remove(h);
        }

        /** Whether a ticker is scheduled now. */
        boolean isTicking() {
            return ticking.get();
        }

        /** How many ticker runs are waiting in the scheduler: one while ticking, none once stopped. */
        int scheduledTicks() {
            return ticks.getQueue().size();
        }

        private final class Ticker implements Runnable {
            private int idleTicks;
            /** This ticker's own schedule, set under the ticker's monitor before its first run can ask for it. */
            private ScheduledFuture<?> schedule;

            synchronized void start() {
                schedule = ticks.scheduleWithFixedDelay(this, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
            }

            private synchronized void stop() {
                schedule.cancel(false);
            }

            @Override
            public void run() {
                if (held.isEmpty()) {
                    if (++idleTicks >= IDLE_TICKS_BEFORE_STOP) {
                        ticking.set(false);
                        // A handle added after the isEmpty check saw ticking still true and started no
                        // ticker: keep this one if so (unless that add has already started a new one).
                        if (!held.isEmpty() && ticking.compareAndSet(false, true)) {
                            idleTicks = 0;
                            return;
                        }
                        stop();
                    }
                    return;
                }
                idleTicks = 0;
                long now = clock.nanoTime();
                for (LockHandle h : held) {
                    if (now - h.nextBeatNanos >= 0) {
                        h.nextBeatNanos = now + h.periodNanos;
                        try {
                            h.dispatchBeat(beaters);
                        } catch (RuntimeException e) {
                            // dispatchBeat never does I/O; whatever this is must not end the schedule
                            // for every other handle.
                            h.markLost("heartbeat failed: " + e);
                            h.stopHeartbeat();
                        }
                    }
                }
            }
        }
    }
}
