package dev.lockscope.lock;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One call of {@link LinkLock#acquire}: its claim, what it has seen of the lock, and how it paces itself. Made,
 * {@linkplain #run() run} and dropped by the acquiring thread; never shared.
 *
 * <p>One attempt, top to bottom ({@link #attempt()}):
 * <ol>
 * <li>{@link #refreshClaimIfOld()}: the lock's mtime will be the claim's, so a claim that waited gets a fresh one;</li>
 * <li>{@link #tryLink()}: link(2) the claim to the lock's name; success is the lock;</li>
 * <li>{@link #look}: what holds the lock now, mostly from one lstat ({@link WaiterView}); our own token there is the
 *     lock too (a retransmitted LINK whose first reply was lost fails with EEXIST);</li>
 * <li>{@link #judgeOrBreak}: a holder that is new, or whose lease could have run out, is judged, and broken when it
 *     is stale and the options allow;</li>
 * <li>{@link #waitBeforeRetry}: a hot poll, or a jittered {@link Backoff} that a directory wake-up may cut short; at
 *     the {@link Deadline}, a {@link LockTimeoutException} naming the holder instead.</li>
 * </ol>
 * Two detours: a claim someone removed is made again, and a lock that went free between the link and the look
 * (or whose name is stale) is tried again soon.
 */
final class Acquisition {

    /** How long a waiter carries a server-clock probe forward before it probes again. */
    static final long CLOCK_REUSE_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** How often a waiter asks the process table whether a same-host holder still lives. */
    static final long PID_CHECK_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** A link error with no lock in the way is retried this often before it is believed. */
    private static final int PERSISTENT_ERROR_TRIES = 5;
    /** How often a claim found removed or replaced is made again before the acquisition gives up. */
    private static final int CLAIM_REMAKES = 3;
    /** After a stale verdict whose break did not happen (the lock changed, or our view was old): judge again then. */
    private static final long REJUDGE_AFTER_NO_BREAK_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** The lock went free between our link and our look: go again after the back-off, within these bounds. */
    private static final long AFTER_RELEASE_MIN_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
    private static final long AFTER_RELEASE_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** A wait longer than this is spent watching the directory, where that works (a release then wakes us). */
    private static final long WATCH_FROM_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final String WAITING = "waiting for a lock";

    private final LockFile file;
    private final LockOptions options;
    private final boolean guardedBreaks;
    private final boolean keepClaim;
    private final LockClock clock;
    private final Deadline deadline;
    private final Backoff backoff;
    private final WaiterView view;
    private final HotPolling hot;
    /** A waiting claim is rewritten this often, so that it has a fresh mtime when it becomes the lock. */
    private final long claimRefreshNanos;

    // This acquisition's claim.
    private String token;
    private LockOwner owner;
    private byte[] record;
    private Path claim;
    /** The kept claim's open channel (see {@link KeptClaims}), or null. */
    private FileChannel keptChannel;
    private long claimWrittenNanos;
    private int claimRemakes;

    // What this waiter knows of the holder.
    private Verdict lastVerdict;
    private LockIdentity judgedIdentity;
    private long nextJudgeNanos;
    private long nextPidCheckNanos;
    private IOException lastError;
    private int errorsWithoutLock;

    // Directory wake-ups, once a wait is long enough to watch for a release.
    private DirectoryWakeups wakeups;
    private long wakeGeneration;

    /**
     * @param kept      a claim kept from this process's last acquisition of the lock, or null
     * @param keepClaim whether the handle may keep its claim at release ({@link LinkLock#keepsClaims()})
     */
    Acquisition(LockFile file, LockOptions options, boolean guardedBreaks, Duration timeout, String token,
                KeptClaims.Kept kept, boolean keepClaim, LockClock clock) throws LockException {
        this.file = file;
        this.options = options;
        this.guardedBreaks = guardedBreaks;
        this.keepClaim = keepClaim;
        this.clock = clock;
        this.deadline = Deadline.after(timeout, clock);
        this.backoff = Backoff.between(options.backoffMin(), options.backoffMax());
        this.view = new WaiterView(clock);
        this.hot = new HotPolling(clock);
        this.claimRefreshNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(100), options.lease().toNanos() / 4);
        // Due at once. (They were 0, which is "at once" only while the monotonic clock reads positive.)
        this.nextJudgeNanos = clock.nanoTime();
        this.nextPidCheckNanos = nextJudgeNanos;
        this.token = token;
        makeClaim(kept);
    }

    /** The claim this acquisition links (tests look at it). */
    Path claim() {
        return claim;
    }

    /** Tries until the lock is ours or the deadline passes; the claim is removed unless it became the lock. */
    LockHandle run() throws IOException {
        boolean success = false;
        try {
            LockHandle handle;
            do {
                handle = attempt();
            } while (handle == null);
            success = true;
            return handle;
        } finally {
            if (!success) {
                closeKeptChannel();
                Unlink.quietly(claim);
            }
        }
    }

    /** One attempt, as the class comment lists it: the handle when the lock is ours, null to try again. */
    LockHandle attempt() throws IOException {
        noteWakeGeneration();
        refreshClaimIfOld();
        IOException linkError = tryLink();
        if (linkError == null) {
            return held();
        }
        if (claimWasRemoved(linkError)) {
            remakeClaim();
            return null;
        }
        // Any link error means "look again": a retransmitted LINK whose first reply was lost
        // fails with EEXIST although the lock is ours; sshfs once said EPERM for EEXIST.
        Optional<LockSnapshot> seen;
        try {
            seen = look(linkError);
        } catch (IOException e) {
            if (!FileFacts.isStale(e)) {
                throw e;
            }
            waitOutStaleName(e);
            return null;
        }
        if (view.unjudged()) {
            // A new holder, seen by its attributes only: locks changing hands every few
            // milliseconds need no verdict. It is read and judged if it stays (see WaiterView).
            errorsWithoutLock = 0;
            if (view.changedHands()) {
                hot.changeSeen();
            }
            waitBeforeRetry(true);
            return null;
        }
        if (seen.isEmpty()) {
            retrySoonAfterRelease(linkError);
            return null;
        }
        if (token.equals(seen.get().token())) {
            return held();
        }
        errorsWithoutLock = 0;
        if (judgeOrBreak(seen.get()) == Next.LOOK_AGAIN_NOW) {
            return null;
        }
        waitBeforeRetry(false);
        return null;
    }

    private void noteWakeGeneration() {
        if (wakeups != null) {
            // Read before the try, so a release between the try and the wait still wakes us.
            wakeGeneration = wakeups.generation(file.name());
        }
    }

    private void refreshClaimIfOld() throws IOException {
        if (clock.nanoTime() - claimWrittenNanos <= claimRefreshNanos) {
            return;
        }
        // The lock's mtime will be the claim's: a claim that waited must not make a
        // fresh lock look as old as the wait, or others would judge it expired at once.
        try {
            ClaimFile.refresh(claim, record);
        } catch (ClaimTamperedException | NoSuchFileException e) {
            if (claimRemakes++ >= CLAIM_REMAKES) {
                throw new LockException("cannot keep claim file " + claim + ": " + e.getMessage(), e);
            }
            // Someone replaced or removed our waiting claim: drop the name (unlink never follows a
            // link) and make a fresh claim of our own under it.
            closeKeptChannel();
            Unlink.quietly(claim);
            ClaimFile.write(claim, record);
        }
        claimWrittenNanos = clock.nanoTime();
    }

    /** link(2) of the claim to the lock's name: null when the lock is ours now, else why not. */
    private IOException tryLink() {
        try {
            Files.createLink(file.path(), claim);
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    /** Whether the link failed because our claim is gone (a kept claim, or a waiting one someone cleaned up). */
    private boolean claimWasRemoved(IOException linkError) {
        return linkError instanceof NoSuchFileException && claimRemakes < CLAIM_REMAKES
                && !Files.exists(claim, LinkOption.NOFOLLOW_LINKS);
    }

    /** Makes the removed claim again rather than report the lock as impossible to create. */
    private void remakeClaim() throws LockException {
        claimRemakes++;
        closeKeptChannel();
        ClaimFile.write(claim, record);
        claimWrittenNanos = clock.nanoTime();
    }

    private Optional<LockSnapshot> look(IOException linkError) throws IOException {
        return view.look(file.path(), claim, linkError);
    }

    /**
     * The lock's name keeps pointing at replaced files (rapid hand-offs on gluster): it is contended by someone we
     * cannot read yet. Wait and look again.
     */
    private void waitOutStaleName(IOException stale) throws IOException {
        lastError = stale;
        if (deadline.expired()) {
            throw timeout(lastVerdict, stale);
        }
        Pause.nanos(deadline.cap(backoff.currentNanos()), WAITING);
        backoff.grow();
    }

    /**
     * No lock was there when we looked: the holder released between our link and our look, so go again almost at
     * once. A link error other than EEXIST with no lock in the way is believed when it persists.
     */
    private void retrySoonAfterRelease(IOException linkError) throws IOException {
        if (!(linkError instanceof FileAlreadyExistsException)) {
            errorsWithoutLock++;
            lastError = linkError;
            if (errorsWithoutLock >= PERSISTENT_ERROR_TRIES) {
                throw new LockException("cannot create lock " + file.path() + ": "
                        + IoErrorText.reason(linkError), linkError);
            }
        }
        if (deadline.expired()) {
            throw timeout(lastVerdict, linkError);
        }
        Pause.nanos(Math.min(Math.max(backoff.currentNanos(), AFTER_RELEASE_MIN_NANOS), AFTER_RELEASE_MAX_NANOS),
                WAITING);
    }

    /** What to do after {@link #judgeOrBreak}. */
    private enum Next {
        /** The holder was broken, died, or was not the one judged: try the link again without waiting. */
        LOOK_AGAIN_NOW,
        /** The holder stands: wait before the next attempt. */
        WAIT
    }

    /**
     * Judges {@code snap}'s holder when it is new, or when its lease could have run out, and breaks it when it is
     * stale and the options allow. Between verdicts, a same-host holder's death is noticed from the process table.
     */
    private Next judgeOrBreak(LockSnapshot snap) throws IOException {
        boolean newHolder = judgedIdentity == null || !judgedIdentity.sameContent(snap.identity());
        long now = clock.nanoTime();
        if (newHolder && judgedIdentity != null) {
            hot.changeSeen();
        }
        if (newHolder || now - nextJudgeNanos >= 0) {
            lastVerdict = judgeWaiting(snap, options.breakStale() || newHolder);
            judgedIdentity = snap.identity();
            nextJudgeNanos = now + nextJudgeDelayNanos(lastVerdict);
            if (options.breakStale() && lastVerdict.state().isStale()) {
                if (!sameHolderOnAFreshRead(snap)) {
                    // A new holder took over an inode number of the judged one (ext4 hands freed
                    // numbers out again; records are one size; mtimes are coarse): judge that one.
                    judgedIdentity = null;
                    return Next.LOOK_AGAIN_NOW;
                }
                BreakResult r = guardedBreaks
                        ? LockBreaker.breakLock(file, lastVerdict, false, Duration.ofSeconds(10))
                        : LockBreaker.breakUnguarded(file, lastVerdict, false);
                if (r.broken()) {
                    backoff.reset();
                    judgedIdentity = null;
                    return Next.LOOK_AGAIN_NOW;
                }
                // Not broken (it changed, or our view was stale): back off before judging again.
                nextJudgeNanos = clock.nanoTime() + REJUDGE_AFTER_NO_BREAK_NANOS;
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
                return Next.LOOK_AGAIN_NOW;
            }
        }
        if (lastVerdict == null) {
            lastVerdict = judge(snap, false);
        }
        return Next.WAIT;
    }

    /**
     * Waits before the next attempt: a hot poll while the lock changes hands fast on a local filesystem, else the
     * jittered back-off (cut short by a directory wake-up where one is open), never past the deadline.
     *
     * @param holderUnjudged the holder was seen by its attributes only: a timeout then reads and judges it for its
     *                       message, and no directory watch is started for a lock that changes hands that fast
     */
    private void waitBeforeRetry(boolean holderUnjudged) throws IOException {
        if (deadline.expired()) {
            throw timeout(holderUnjudged ? freshVerdictOr(lastVerdict) : lastVerdict, lastError);
        }
        if (pollIfHot()) {
            backoff.reset();
            return;
        }
        long wait = deadline.cap(backoff.jitteredNanos());
        if (!holderUnjudged) {
            wait = startWatchingIfWorthIt(wait);
        }
        if (wakeups != null) {
            awaitWakeup(wait);
        } else {
            Pause.nanos(wait, WAITING);
        }
        backoff.grow();
    }

    /**
     * While the lock is hot and the directory is local, sleeps one hot-polling interval (never past the deadline)
     * instead of backing off and watching; see {@link HotPolling}. True when it slept.
     */
    private boolean pollIfHot() throws InterruptedIOException {
        if (!hot.isHot() || !FilesystemType.isLocal(file.directory())) {
            return false;
        }
        Pause.nanos(deadline.cap(hot.pollNanos(file.directory(), file.name(), options)), WAITING);
        return true;
    }

    /** Opens the directory's wake-ups for a wait long enough to watch; the wait, shortened if it opened them. */
    private long startWatchingIfWorthIt(long wait) {
        if (wakeups == null && options.watch() && wait > WATCH_FROM_NANOS && FilesystemType.isLocal(file.directory())) {
            wakeups = options.runtime().wakeups().of(file.directory());
            if (wakeups != null) {
                // This wait has no generation read before the try: look once more first.
                wakeGeneration = wakeups.generation(file.name());
                return Math.min(wait, WATCH_FROM_NANOS);
            }
        }
        return wait;
    }

    private void awaitWakeup(long nanos) throws InterruptedIOException {
        try {
            wakeups.await(file.name(), wakeGeneration, nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while " + WAITING);
        }
    }

    private void makeClaim(KeptClaims.Kept kept) throws LockException {
        owner = LockOwner.forCurrentProcess(token, options.lease().toMillis(), options.purpose());
        if (kept != null) {
            record = owner.toBytesLike(kept.owner(), kept.record(), kept.acquiredAtKeyOffset());
            claim = kept.claim();
            if (ClaimFile.overwriteKept(kept, record)) {
                keptChannel = kept.channel();
                claimWrittenNanos = clock.nanoTime();
                return;
            }
            // The kept claim could not be written (and is discarded): make a fresh one under a new token.
            token = Tokens.next();
            owner = LockOwner.forCurrentProcess(token, options.lease().toMillis(), options.purpose());
        }
        record = owner.toBytes();
        claim = file.claimPath(owner.host(), owner.pid(), token);
        try {
            ClaimFile.write(claim, record);
        } catch (LockException e) {
            // The directory is checked only when the claim cannot be made: that says best what is wrong,
            // and the uncontended path does not pay a stat for it.
            requireDirectory(file.directory());
            throw e;
        }
        claimWrittenNanos = clock.nanoTime();
    }

    private void closeKeptChannel() {
        KeptClaims.closeQuietly(keptChannel);
        keptChannel = null;
    }

    private LockHandle held() {
        // Whether this filesystem reports link counts and inodes truthfully is found out lazily, by the
        // handle, when it first needs to know: the link's success already proved the lock ours.
        return new LockHandle(file, owner, record, claim, options, keepClaim, keptChannel);
    }

    /**
     * Whether a fresh read of the lock still shows the holder of {@code judged}, which the waiter's view
     * may have kept on unchanged attributes alone. If not, the view forgets it, so the next look reads.
     */
    private boolean sameHolderOnAFreshRead(LockSnapshot judged) {
        Optional<LockSnapshot> fresh;
        try {
            fresh = WaiterView.read(file.path());
        } catch (IOException e) {
            return true; // the break itself reads again under its guard and decides
        }
        if (fresh.isPresent() && fresh.get().identity().sameContent(judged.identity())) {
            return true;
        }
        view.forgetLastRead();
        return false;
    }

    /** For a timeout message: a verdict on the lock as it is now, or {@code fallback}. */
    private Verdict freshVerdictOr(Verdict fallback) {
        try {
            Optional<LockSnapshot> s = WaiterView.read(file.path());
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
        ServerClock.Reading reading;
        try {
            reading = options.runtime().serverClock().recentReading(snap.path().getParent(), CLOCK_REUSE_NANOS);
        } catch (IOException e) {
            reading = null; // read-only or full directory: expiry cannot be judged, DEAD still can
        }
        Verdict v = Verdict.of(snap, reading, HostIdentity.current(), options.processes());
        if (v.state() == LockState.EXPIRED && reading != null && reading.carriedForward()) {
            return judge(snap, true);
        }
        return v;
    }

    private Verdict judge(LockSnapshot snap, boolean withServerClock) {
        return Verdict.judge(snap, withServerClock, options.processes());
    }

    /** When to judge a holder again: when its lease could have run out, and within a minute whatever it says. */
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

    private LockTimeoutException timeout(Verdict v, IOException lastError) {
        StringBuilder m = new StringBuilder("timed out after ").append(DurationText.of(deadline.budget()))
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
            m.append(": ").append(IoErrorText.reason(lastError));
        }
        return new LockTimeoutException(m.toString(), v);
    }

    static void requireDirectory(Path dir) throws LockException {
        FileFacts f;
        try {
            f = FileFacts.lstatOrNull(dir);
        } catch (IOException e) {
            throw new LockException("cannot use lock directory " + dir + ": " + IoErrorText.reason(e), e);
        }
        if (f == null) {
            throw new LockException("lock directory " + dir + " does not exist");
        }
        if (f.type() != FileFacts.Type.DIRECTORY && !Files.isDirectory(dir)) {
            throw new LockException("lock directory " + dir + " is not a directory");
        }
    }
}
