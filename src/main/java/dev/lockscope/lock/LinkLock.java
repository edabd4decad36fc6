package dev.lockscope.lock;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.LinkOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A link(2) lock file: the protocol of design.md section 1. Thread-safe; each acquire is independent.
 *
 * <pre>{@code
 * LinkLock lock = LinkLock.at(Path.of("/shared/records.json.lock"), LockOptions.defaults());
 * try (LockHandle h = lock.acquire(Duration.ofSeconds(10))) {
 *     ... h.ensureHeld(); commit ...
 * }
 * }</pre>
 */
public final class LinkLock {

    /** How long a waiter carries a server-clock probe forward before it probes again. */
    static final long CLOCK_REUSE_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** How often a waiter asks the process table whether a same-host holder still lives. */
    static final long PID_CHECK_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** A link error with no lock in the way is retried this often before it is believed. */
    private static final int PERSISTENT_ERROR_TRIES = 5;

    private final LockClock clock = LockClock.SYSTEM;
    private final LockFile file;
    private final LockOptions options;
    /** False only for the break guard, whose stale instances are broken without a guard of their own. */
    private final boolean guardedBreaks;

    private LinkLock(LockFile file, LockOptions options, boolean guardedBreaks) {
        this.file = file;
        this.options = options;
        this.guardedBreaks = guardedBreaks;
    }

    public static LinkLock at(Path lockPath, LockOptions options) {
        return new LinkLock(LockFile.at(lockPath), options, true);
    }

    public static LinkLock of(LockFile file, LockOptions options) {
        return new LinkLock(file, options, true);
    }

    static LinkLock guardFor(LockFile file) {
        LockOptions o = LockOptions.defaults().withLease(Duration.ofSeconds(10)).withPurpose("break guard for "
                + file.name());
        return new LinkLock(file.guard(), o, false);
    }

    public LockFile file() {
        return file;
    }

    public LockOptions options() {
        return options;
    }

    /** One attempt, with one staleness check: the handle, or empty when the lock is held by another. */
    public Optional<LockHandle> tryAcquire() throws IOException {
        try {
            return Optional.of(acquire(Duration.ZERO));
        } catch (LockTimeoutException e) {
            return Optional.empty();
        }
    }

    /**
     * Takes the lock, waiting at most {@code timeout}.
     *
     * @throws LockTimeoutException naming the holder, when the lock stays held
     * @throws LockException        naming the path, when the directory cannot hold a lock
     */
    public LockHandle acquire(Duration timeout) throws IOException {
        boolean keepClaim = keepsClaims();
        KeptClaims.Kept kept = keepClaim ? KeptClaims.take(file.path()) : null;
        return acquire(timeout, kept != null ? kept.owner().token() : Tokens.next(), kept, keepClaim);
    }

    /** As {@link #acquire(Duration)} with a given token: tests use it to replay a lost LINK reply. */
    LockHandle acquire(Duration timeout, String token) throws IOException {
        return acquire(timeout, token, null, keepsClaims());
    }

    /**
     * Whether a released claim of this lock may be kept for the next acquisition (see {@link KeptClaims}):
     * not for break guards, which are taken rarely, and only on a local filesystem.
     */
    boolean keepsClaims() {
        return KeptClaims.enabled && guardedBreaks && FilesystemType.isLocal(file.directory());
    }

    /**
     * Kept for {@code RecordStore}, which another change owns: new code asks {@link FilesystemType#isLocal}.
     */
    public static boolean isLocalFilesystem(Path dir) {
        return FilesystemType.isLocal(dir);
    }

    /** Deletes the claim files this process keeps for quick re-acquisition (they go by themselves within a second or two). */
    public static void dropKeptClaims() {
        KeptClaims.deleteAll();
    }

    /** {@code keepClaim}: {@link #keepsClaims()}, asked once per acquisition (it looks the directory up in a map). */
    private LockHandle acquire(Duration timeout, String token, KeptClaims.Kept kept, boolean keepClaim)
            throws IOException {
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        Path dir = file.directory();
        Path lockPath = file.path();

        LockOwner owner = LockOwner.forCurrentProcess(token, options.lease().toMillis(), options.purpose());
        byte[] record = kept != null ? owner.toBytesLike(kept.owner(), kept.record()) : owner.toBytes();
        Path claim = kept != null ? kept.claim() : file.claimPath(owner.host(), owner.pid(), token);
        java.nio.channels.FileChannel keptChannel = kept != null ? kept.channel() : null;
        if (kept != null && !ClaimFile.overwriteKept(kept, record)) {
            keptChannel = null;
            kept = null;
            token = Tokens.next();
            owner = LockOwner.forCurrentProcess(token, options.lease().toMillis(), options.purpose());
            record = owner.toBytes();
            claim = file.claimPath(owner.host(), owner.pid(), token);
        }
        if (kept == null) {
            try {
                ClaimFile.write(claim, record);
            } catch (LockException e) {
                // The directory is checked only when the claim cannot be made: that says best what is wrong,
                // and the uncontended path does not pay a stat for it.
                requireDirectory(dir);
                throw e;
            }
        }
        long claimWrittenNanos = System.nanoTime();
        long refreshNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(100), options.lease().toNanos() / 4);

        boolean success = false;
        DirectoryWakeups wakeups = null;
        try {
            long backoffNanos = options.backoffMin().toNanos();
            int errorsWithoutLock = 0;
            int claimRemakes = 0;
            IOException lastError = null;
            Verdict lastVerdict = null;
            LockIdentity judgedIdentity = null;
            WaiterView view = new WaiterView();
            long nextJudgeNanos = 0;
            long nextPidCheckNanos = 0;
            long wakeGeneration = 0;
            HotPolling hot = new HotPolling(clock);
            while (true) {
                IOException linkError;
                if (wakeups != null) {
                    // Read before the try, so a release between the try and the wait still wakes us.
                    wakeGeneration = wakeups.generation(file.name());
                }
                if (System.nanoTime() - claimWrittenNanos > refreshNanos) {
                    // The lock's mtime will be the claim's: a claim that waited must not make a
                    // fresh lock look as old as the wait, or others would judge it expired at once.
                    try {
                        ClaimFile.refresh(claim, record);
                    } catch (ClaimTamperedException | NoSuchFileException e) {
                        if (claimRemakes++ >= 3) {
                            throw new LockException("cannot keep claim file " + claim + ": " + e.getMessage(), e);
                        }
                        // Someone replaced or removed our waiting claim: drop the name (unlink never follows a
                        // link) and make a fresh claim of our own under it.
                        KeptClaims.closeQuietly(keptChannel);
                        keptChannel = null;
                        Unlink.quietly(claim);
                        ClaimFile.write(claim, record);
                    }
                    claimWrittenNanos = System.nanoTime();
                }
                try {
                    Files.createLink(lockPath, claim);
                    LockHandle h = held(owner, record, claim, keptChannel, keepClaim);
                    success = true;
                    return h;
                } catch (IOException e) {
                    linkError = e;
                }
                if (linkError instanceof NoSuchFileException && claimRemakes < 3
                        && !Files.exists(claim, LinkOption.NOFOLLOW_LINKS)) {
                    // Our claim was removed under us (a kept claim or a waiting one that someone cleaned
                    // up): make it again rather than report the lock as impossible to create.
                    claimRemakes++;
                    KeptClaims.closeQuietly(keptChannel);
                    keptChannel = null;
                    ClaimFile.write(claim, record);
                    claimWrittenNanos = System.nanoTime();
                    continue;
                }
                // Any link error means "look again": a retransmitted LINK whose first reply was lost
                // fails with EEXIST although the lock is ours; sshfs once said EPERM for EEXIST.
                Optional<LockSnapshot> seen;
                try {
                    if (view.claimInode == Long.MIN_VALUE && linkError instanceof FileAlreadyExistsException) {
                        FileFacts c = FileFacts.lstatOrNull(claim);
                        view.claimInode = c == null ? -1 : c.inode();
                    }
                    seen = view.look(lockPath, linkError);
                } catch (IOException e) {
                    if (!FileFacts.isStale(e)) {
                        throw e;
                    }
                    // The name keeps pointing at replaced files (rapid hand-offs on gluster): it is
                    // contended by someone we cannot read yet. Wait and look again.
                    lastError = e;
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        throw timeout(timeout, lastVerdict, e);
                    }
                    sleepNanos(Math.min(remaining, backoffNanos));
                    backoffNanos = Math.min(backoffNanos * 2, options.backoffMax().toNanos());
                    continue;
                }
                if (view.unjudged) {
                    // A new holder, seen by its attributes only: locks changing hands every few
                    // milliseconds need no verdict. It is read and judged if it stays (see WaiterView).
                    errorsWithoutLock = 0;
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        throw timeout(timeout, freshVerdictOr(lockPath, lastVerdict), lastError);
                    }
                    if (view.changedHands) {
                        hot.changeSeen();
                    }
                    if (pollIfHot(hot, remaining)) {
                        backoffNanos = options.backoffMin().toNanos();
                        continue;
                    }
                    long wait = Math.min(backoffNanos / 2 + ThreadLocalRandom.current().nextLong(backoffNanos / 2 + 1),
                            remaining);
                    if (wakeups != null) {
                        waitForWakeup(wakeups, file.name(), wakeGeneration, wait);
                    } else {
                        sleepNanos(wait);
                    }
                    backoffNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(1),
                            Math.min(backoffNanos * 2, options.backoffMax().toNanos()));
                    continue;
                }
                if (seen.isPresent() && token.equals(seen.get().token())) {
                    LockHandle h = held(owner, record, claim, keptChannel, keepClaim);
                    success = true;
                    return h;
                }
                if (seen.isEmpty()) {
                    if (!(linkError instanceof FileAlreadyExistsException)) {
                        errorsWithoutLock++;
                        lastError = linkError;
                        if (errorsWithoutLock >= PERSISTENT_ERROR_TRIES) {
                            throw new LockException("cannot create lock " + lockPath + ": "
                                    + LockSnapshot.describe(linkError), linkError);
                        }
                    }
                    // The holder released between our link and our look: go again almost at once.
                    if (System.nanoTime() - deadline > 0) {
                        throw timeout(timeout, lastVerdict, linkError);
                    }
                    sleepNanos(Math.min(Math.max(backoffNanos, 100_000), TimeUnit.MILLISECONDS.toNanos(5)));
                    continue;
                } else {
                    errorsWithoutLock = 0;
                    LockSnapshot snap = seen.get();
                    // Judge when we see a new holder, and again when its lease could have run out.
                    boolean newHolder = judgedIdentity == null || !judgedIdentity.sameContent(snap.identity());
                    long now = System.nanoTime();
                    if (newHolder && judgedIdentity != null) {
                        hot.changeSeen();
                    }
                    if (newHolder || now - nextJudgeNanos >= 0) {
                        lastVerdict = judgeWaiting(snap, options.breakStale() || newHolder);
                        judgedIdentity = snap.identity();
                        nextJudgeNanos = now + nextJudgeDelayNanos(lastVerdict);
                        if (options.breakStale() && lastVerdict.state().isStale()
                                && !sameHolderOnAFreshRead(lockPath, snap, view)) {
                            // A new holder took over an inode number of the judged one (ext4 hands freed
                            // numbers out again; records are one size; mtimes are coarse): judge that one.
                            judgedIdentity = null;
                            continue;
                        }
                        if (options.breakStale() && lastVerdict.state().isStale()) {
                            BreakResult r = guardedBreaks
                                    ? LockBreaker.breakLock(file, lastVerdict, false, Duration.ofSeconds(10))
                                    : LockBreaker.breakUnguarded(file, lastVerdict, false);
                            if (r.broken()) {
                                backoffNanos = options.backoffMin().toNanos();
                                judgedIdentity = null;
                                continue;
                            }
                            // Not broken (it changed, or our view was stale): back off before judging again.
                            nextJudgeNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
                        }
                    } else if (lastVerdict != null && lastVerdict.owner() != null && now - nextPidCheckNanos >= 0
                            && HostIdentity.current().sharesPidSpaceWith(lastVerdict.owner())) {
                        // A same-host owner's death is cheap to notice: no probe file needed. Once a
                        // second is plenty next to a lease, and each look reads several /proc files.
                        nextPidCheckNanos = now + PID_CHECK_INTERVAL_NANOS;
                        StalenessJudge.Decision d = StalenessJudge.judge(snap.owner(),
                                snap.facts().mtimeMillis(), -1, HostIdentity.current(), options.processes());
                        if (d.state() == LockState.DEAD) {
                            nextJudgeNanos = now;
                            continue;
                        }
                    }
                    if (lastVerdict == null) {
                        lastVerdict = judge(snap, false);
                    }
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw timeout(timeout, lastVerdict, lastError);
                }
                if (pollIfHot(hot, remaining)) {
                    backoffNanos = options.backoffMin().toNanos();
                    continue;
                }
                long jitter = backoffNanos / 2 + ThreadLocalRandom.current().nextLong(backoffNanos / 2 + 1);
                long wait = Math.min(jitter, remaining);
                if (wakeups == null && options.watch() && wait > TimeUnit.MILLISECONDS.toNanos(2)
                        && FilesystemType.isLocal(dir)) {
                    wakeups = DirectoryWakeups.of(dir);
                    if (wakeups != null) {
                        // This wait has no generation read before the try: look once more first.
                        wait = Math.min(wait, TimeUnit.MILLISECONDS.toNanos(2));
                        wakeGeneration = wakeups.generation(file.name());
                    }
                }
                if (wakeups != null) {
                    waitForWakeup(wakeups, file.name(), wakeGeneration, wait);
                } else {
                    sleepNanos(wait);
                }
                backoffNanos = Math.min(backoffNanos * 2, options.backoffMax().toNanos());
                if (backoffNanos <= 0) {
                    backoffNanos = TimeUnit.MILLISECONDS.toNanos(1);
                }
            }
        } finally {
            if (!success) {
                KeptClaims.closeQuietly(keptChannel);
                Unlink.quietly(claim);
            }
        }
    }

    /** Where link counts say nothing, how long a waiter trusts unchanged attributes before it reads the lock again. */
    static final long UNTRUSTED_REREAD_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long a new holder seen only by its attributes may keep the lock before a waiter reads and judges it. */
    static final long JUDGE_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    /**
     * What a waiter knows of the lock between its tries, so that most looks are one lstat. Used by one
     * acquiring thread.
     *
     * <p>After a failed link, on a filesystem whose link count of two shows it tells inodes truthfully:
     * <ul>
     * <li>the very inode, mtime, size and link count of the snapshot read last: nothing about the holder
     *     changed (content is per inode, a renewal changes the mtime), so that snapshot stands;</li>
     * <li>other attributes, not our claim's inode: a new holder. It is not read at once: while a lock
     *     changes hands every few milliseconds, reading and judging each holder (an open, a read, a JSON
     *     parse per waiter per hand-off) was most of the CPU of a contended machine, and a holder that
     *     is gone a moment later needs no verdict. Only a holder still there after
     *     {@link #JUDGE_AFTER_NANOS} is read and judged, so a dead holder is found that much later.</li>
     * </ul>
     * Where link counts say nothing (sshfs), unchanged attributes are trusted for at most
     * {@link #UNTRUSTED_REREAD_NANOS}: a LINK that succeeded although it reported failure, or a new holder
     * with the same attributes, is then found within a second. Anything else (another error than EEXIST,
     * our own inode, a first look, any change) is a full fresh read with the token read-back.
     */
    private static final class WaiterView {
        long claimInode = Long.MIN_VALUE;
        LockSnapshot lastRead;
        FileFacts pending;
        long pendingSinceNanos;
        long lastReadNanos;
        /** True after a look that saw a new holder by its attributes only. */
        boolean unjudged;
        /**
         * With {@link #unjudged}: the lock changed hands since the previous look: another inode, or the same
         * inode rewritten at two looks in a row (a process relinking its kept claim, see {@link KeptClaims},
         * shows the same inode with a new mtime each time; a heartbeat changes it once per lease/3 and must not
         * start a hot spell: that raised a waiter's steady load from 11.9 to 17.4 calls/s).
         */
        boolean changedHands;

        /** Whether the previous look saw the same inode's attributes change (see {@link #changedHands}). */
        boolean changedAtLastLook;

        Optional<LockSnapshot> look(Path lockPath, IOException linkError) throws IOException {
            unjudged = false;
            boolean changedBefore = changedAtLastLook;
            changedAtLastLook = false;
            LockSnapshot last = lastRead;
            if (last != null && linkError instanceof FileAlreadyExistsException && last.facts().nlink() >= 2
                    && last.facts().inode() != -1 && claimInode != -1 && claimInode != Long.MIN_VALUE) {
                // (-1 is FileFacts' "unknown"; gluster's inode numbers are 64-bit and often negative here.)
                FileFacts now = FileFacts.lstatOrNull(lockPath);
                if (now == null) {
                    pending = null;
                    return Optional.empty();
                }
                if (now.type() == FileFacts.Type.REGULAR && now.inode() != claimInode && now.nlink() >= 2) {
                    if (sameAttributes(now, last.facts())) {
                        pending = null;
                        return Optional.of(last);
                    }
                    long t = System.nanoTime();
                    boolean changedSinceLastLook = pending == null || !sameAttributes(now, pending);
                    if (changedSinceLastLook) {
                        pending = now;
                        pendingSinceNanos = t;
                    }
                    if (t - pendingSinceNanos < JUDGE_AFTER_NANOS) {
                        unjudged = true;
                        changedAtLastLook = changedSinceLastLook;
                        changedHands = now.inode() != last.facts().inode() || changedSinceLastLook && changedBefore;
                        return Optional.of(last);
                    }
                }
            }
            pending = null;
            if (last != null && linkError instanceof FileAlreadyExistsException
                    && System.nanoTime() - lastReadNanos < UNTRUSTED_REREAD_NANOS) {
                // Link counts and inodes say nothing here (sshfs): unchanged attributes are weak
                // evidence, so the full read (and its token read-back) still comes once a second.
                FileFacts now = FileFacts.lstatOrNull(lockPath);
                if (now == null) {
                    return Optional.empty();
                }
                if (sameAttributes(now, last.facts()) && now.type() == FileFacts.Type.REGULAR) {
                    return Optional.of(last);
                }
            }
            Optional<LockSnapshot> seen = readLockLookingAgain(lockPath);
            lastRead = seen.orElse(null);
            lastReadNanos = System.nanoTime();
            return seen;
        }

        private static boolean sameAttributes(FileFacts a, FileFacts b) {
            return a.inode() == b.inode() && a.mtimeMillis() == b.mtimeMillis() && a.size() == b.size()
                    && a.nlink() == b.nlink();
        }
    }

    /**
     * Whether a fresh read of the lock still shows the holder of {@code judged}, which the waiter's view
     * may have kept on unchanged attributes alone. If not, the view forgets it, so the next look reads.
     */
    private static boolean sameHolderOnAFreshRead(Path lockPath, LockSnapshot judged, WaiterView view) {
        Optional<LockSnapshot> fresh;
        try {
            fresh = readLockLookingAgain(lockPath);
        } catch (IOException e) {
            return true; // the break itself reads again under its guard and decides
        }
        if (fresh.isPresent() && fresh.get().identity().sameContent(judged.identity())) {
            return true;
        }
        view.lastRead = null;
        return false;
    }

    /** For a timeout message: a verdict on the lock as it is now, or {@code fallback}. */
    private Verdict freshVerdictOr(Path lockPath, Verdict fallback) {
        try {
            Optional<LockSnapshot> s = readLockLookingAgain(lockPath);
            return s.isPresent() ? judge(s.get(), true) : fallback;
        } catch (IOException e) {
            return fallback;
        }
    }

    /**
     * A waiter's verdict: with {@code withServerClock}, the clock comes from a probe at most
     * {@link #CLOCK_REUSE_NANOS} old, carried forward; an EXPIRED verdict from a carried-forward reading
     * is confirmed with a new probe before anyone acts on it.
     */
    private Verdict judgeWaiting(LockSnapshot snap, boolean withServerClock) {
        if (!withServerClock) {
            return judge(snap, false);
        }
        ServerClock.Reading clock;
        try {
            clock = ServerClock.recent(snap.path().getParent(), CLOCK_REUSE_NANOS);
        } catch (IOException e) {
            clock = null; // read-only or full directory: expiry cannot be judged, DEAD still can
        }
        Verdict v = Verdict.of(snap, clock, HostIdentity.current(), options.processes());
        if (v.state() == LockState.EXPIRED && clock != null && clock.carriedForward()) {
            return judge(snap, true);
        }
        return v;
    }

    /** The current verdict on this lock: FREE, HELD, EXPIRED, DEAD or UNKNOWN, with evidence. */
    public Verdict inspect() throws IOException {
        Optional<LockSnapshot> snap = LockSnapshot.read(file.path());
        if (snap.isEmpty()) {
            return Verdict.free(file.path());
        }
        return judge(snap.get(), true);
    }

    /**
     * Breaks the lock if {@code judged} still describes it and it is stale (or {@code force}).
     * Never removes any lock other than the judged one.
     */
    public BreakResult breakLock(Verdict judged, boolean force) throws IOException {
        return LockBreaker.breakLock(file, judged, force, Duration.ofSeconds(10));
    }

    /** Judges a snapshot, measuring the server clock when {@code withServerClock}. */
    Verdict judge(LockSnapshot snap, boolean withServerClock) {
        return Verdict.judge(snap, withServerClock, options.processes());
    }

    private long nextJudgeDelayNanos(Verdict v) {
        long lease = options.lease().toMillis();
        if (v.owner() != null) {
            lease = Math.min(v.owner().leaseMillis(), LockOwner.MAX_LEASE_MILLIS);
        }
        long remainingMillis = v.heartbeatAgeMillis() >= 0 ? lease - v.heartbeatAgeMillis() : lease / 3;
        // A record's lease is the owner's word: judge again within a minute whatever it says (a renewal that
        // stopped, or an mtime set in the future, is then seen again soon).
        remainingMillis = Math.min(remainingMillis, 60_000);
        // The lease may need a little longer than its nominal end; never spin on probes.
        return TimeUnit.MILLISECONDS.toNanos(Math.max(100, remainingMillis + 50));
    }

    /**
     * While the lock is hot and the directory is local, sleeps one hot-polling interval (at most
     * {@code remainingNanos}) instead of backing off and watching; see {@link HotPolling}. True when it slept.
     */
    private boolean pollIfHot(HotPolling hot, long remainingNanos) throws InterruptedIOException {
        if (!hot.isHot() || !FilesystemType.isLocal(file.directory())) {
            return false;
        }
        sleepNanos(Math.min(hot.pollNanos(file.directory(), file.name(), options), remainingNanos));
        return true;
    }

    private LockHandle held(LockOwner owner, byte[] record, Path claim, java.nio.channels.FileChannel keptChannel,
                            boolean keepClaim) {
        // Whether this filesystem reports link counts and inodes truthfully is found out lazily, by the
        // handle, when it first needs to know: the link's success already proved the lock ours.
        return new LockHandle(file, owner, record, claim, options, keepClaim, keptChannel);
    }

    private LockTimeoutException timeout(Duration timeout, Verdict v, IOException lastError) {
        StringBuilder m = new StringBuilder("timed out after ").append(DurationText.of(timeout))
                .append(" waiting for lock ").append(file.path());
        if (v != null && v.state() != LockState.FREE) {
            m.append(": held by ").append(v.holderDescription());
            if (v.owner() != null) {
                m.append(" on host id ").append(v.owner().hostId());
            }
            if (v.lockAgeMillis() >= 0) {
                m.append(", age ").append(DurationText.ofMillis(v.lockAgeMillis()));
            }
            if (v.heartbeatAgeMillis() >= 0) {
                m.append(", last heartbeat ").append(DurationText.ofMillis(v.heartbeatAgeMillis())).append(" ago");
            }
            m.append(" [").append(v.state()).append(": ").append(v.reason()).append(']');
        } else if (lastError != null) {
            m.append(": ").append(LockSnapshot.describe(lastError));
        }
        return new LockTimeoutException(m.toString(), v);
    }

    private static Optional<LockSnapshot> readLockLookingAgain(Path lockPath) throws IOException {
        try {
            return LockSnapshot.read(lockPath);
        } catch (AccessDeniedException e) {
            throw new LockException("cannot read lock " + lockPath + ": permission denied", e);
        }
    }

    static void requireDirectory(Path dir) throws LockException {
        FileFacts f;
        try {
            f = FileFacts.lstatOrNull(dir);
        } catch (IOException e) {
            throw new LockException("cannot use lock directory " + dir + ": " + LockSnapshot.describe(e), e);
        }
        if (f == null) {
            throw new LockException("lock directory " + dir + " does not exist");
        }
        if (f.type() != FileFacts.Type.DIRECTORY && !Files.isDirectory(dir)) {
            throw new LockException("lock directory " + dir + " is not a directory");
        }
    }

    private static void waitForWakeup(DirectoryWakeups wakeups, String name, long generation, long nanos)
            throws InterruptedIOException {
        try {
            wakeups.await(name, generation, nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a lock");
        }
    }

    static void sleepNanos(long nanos) throws InterruptedIOException {
        if (nanos <= 0) {
            return;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a lock");
        }
    }

}
