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

    /**
     * Tokens: 64 bits drawn once per process from the OS's SecureRandom, then 64 bits of a SplitMix64
     * sequence whose start is drawn the same way. Tokens must be unique, not secret (they are part of
     * the claim's file name): within a process the sequence never repeats, and two processes share a
     * token only if both 64-bit draws collide. SecureRandom per token (NativePRNG) cost a read of
     * /dev/urandom and a SHA round per acquisition.
     */
    private static final long TOKEN_PREFIX;
    private static final java.util.concurrent.atomic.AtomicLong TOKEN_SEQUENCE;

    static {
        long[] seed = tokenSeed();
        TOKEN_PREFIX = seed[0];
        TOKEN_SEQUENCE = new java.util.concurrent.atomic.AtomicLong(seed[1]);
    }

    /**
     * 128 bits from the kernel's generator. Read from /dev/urandom directly where there is one: setting
     * up a SecureRandom provider is about 10 ms of a CLI's start.
     */
    private static long[] tokenSeed() {
        try (java.io.InputStream in = new java.io.FileInputStream("/dev/urandom")) {
            byte[] b = in.readNBytes(16);
            if (b.length == 16) {
                java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b);
                return new long[] {bb.getLong(), bb.getLong()};
            }
        } catch (IOException | SecurityException e) {
            // no /dev/urandom here: use the platform's SecureRandom
        }
        SecureRandom r = new SecureRandom();
        return new long[] {r.nextLong(), r.nextLong()};
    }
    /** How long a waiter carries a server-clock probe forward before it probes again. */
    static final long CLOCK_REUSE_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** How often a waiter asks the process table whether a same-host holder still lives. */
    static final long PID_CHECK_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** A link error with no lock in the way is retried this often before it is believed. */
    private static final int PERSISTENT_ERROR_TRIES = 5;

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
        KeptClaims.Kept kept = keepClaim ? options.runtime().keptClaims().take(file.path()) : null;
        return acquire(timeout, kept != null ? kept.owner().token() : newToken(), kept, keepClaim);
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
        return options.runtime().keptClaims().enabled() && guardedBreaks && isLocalFilesystem(file.directory());
    }

    /** {@link LockRuntime#dropKeptClaims()} of the default runtime. */
    public static void dropKeptClaims() {
        LockRuntime.defaultRuntime().dropKeptClaims();
    }

    /** {@code keepClaim}: {@link #keepsClaims()}, asked once per acquisition (it looks the directory up in a map). */
    private LockHandle acquire(Duration timeout, String token, KeptClaims.Kept kept, boolean keepClaim)
            throws IOException {
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        Path dir = file.directory();
        Path lockPath = file.path();

        LockOwner owner = LockOwner.forCurrentProcess(token, options.lease().toMillis(), options.purpose());
        byte[] record = kept != null ? owner.toBytesLike(kept.owner(), kept.record(), kept.acquiredAtKeyOffset())
                : owner.toBytes();
        Path claim = kept != null ? kept.claim() : file.claimPath(owner.host(), owner.pid(), token);
        java.nio.channels.FileChannel keptChannel = kept != null ? kept.channel() : null;
        if (kept != null && !reuseKeptClaim(kept, record)) {
            keptChannel = null;
            kept = null;
            token = newToken();
            owner = LockOwner.forCurrentProcess(token, options.lease().toMillis(), options.purpose());
            record = owner.toBytes();
            claim = file.claimPath(owner.host(), owner.pid(), token);
        }
        if (kept == null) {
            try {
                writeClaim(claim, record);
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
            long lastChangeSeenNanos = System.nanoTime() - HOT_WINDOW_NANOS;
            HotPolling hot = new HotPolling();
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
                        rewriteClaim(claim, record);
                    } catch (ClaimTamperedException | NoSuchFileException e) {
                        if (claimRemakes++ >= 3) {
                            throw new LockException("cannot keep claim file " + claim + ": " + e.getMessage(), e);
                        }
                        // Someone replaced or removed our waiting claim: drop the name (unlink never follows a
                        // link) and make a fresh claim of our own under it.
                        KeptClaims.closeQuietly(keptChannel);
                        keptChannel = null;
                        deleteQuietly(claim);
                        writeClaim(claim, record);
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
                    writeClaim(claim, record);
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
                        lastChangeSeenNanos = System.nanoTime();
                    }
                    if (pollIfHot(hot, lastChangeSeenNanos, remaining)) {
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
                        lastChangeSeenNanos = now;
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
                if (pollIfHot(hot, lastChangeSeenNanos, remaining)) {
                    backoffNanos = options.backoffMin().toNanos();
                    continue;
                }
                long jitter = backoffNanos / 2 + ThreadLocalRandom.current().nextLong(backoffNanos / 2 + 1);
                long wait = Math.min(jitter, remaining);
                if (wakeups == null && options.watch() && wait > TimeUnit.MILLISECONDS.toNanos(2)
                        && isLocalFilesystem(dir)) {
                    wakeups = options.runtime().wakeups().of(dir);
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
                deleteQuietly(claim);
            }
        }
    }

    /** How long after it last saw the lock change hands a waiter on a local filesystem keeps polling it. */
    static final long HOT_WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /**
     * While the lock changed hands within {@link #HOT_WINDOW_NANOS} and the directory is local, sleeps one
     * hot-polling interval (at most {@code remainingNanos}) instead of backing off and watching; see
     * {@link HotPolling}. True when it slept.
     */
    private boolean pollIfHot(HotPolling hot, long lastChangeSeenNanos, long remainingNanos)
            throws InterruptedIOException {
        if (System.nanoTime() - lastChangeSeenNanos >= HOT_WINDOW_NANOS || !isLocalFilesystem(file.directory())) {
            return false;
        }
        sleepNanos(Math.min(hot.pollNanos(file.directory(), file.name(), options), remainingNanos));
        return true;
    }

    /**
     * A waiter's sleeps while the lock is hot, on a local filesystem. Used by one acquiring thread.
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
    static final class HotPolling {
        static final long RECOUNT_NANOS = TimeUnit.SECONDS.toNanos(1);
        /** Mean spacing of the waiters' looks together, in units of backoffMin (1 ms by default). */
        static final long HOT_SPACING = 2;
        int waiters = -1;
        long countedAtNanos;

        long pollNanos(Path dir, String lockName, LockOptions options) {
            long now = System.nanoTime();
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
            try (java.nio.file.DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path p : entries) {
                    String name = p.getFileName().toString();
                    if (name.startsWith(prefix) && !name.startsWith(guardPrefix)) {
                        n++;
                    }
                }
            } catch (IOException | java.nio.file.DirectoryIteratorException e) {
                return 0;
            }
            return n;
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
            clock = options.runtime().serverClock().recentReading(snap.path().getParent(), CLOCK_REUSE_NANOS);
        } catch (IOException e) {
            clock = null; // read-only or full directory: expiry cannot be judged, DEAD still can
        }
        Verdict v = verdictOf(snap, clock, HostIdentity.current(), options.processes());
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
        return judge(snap, withServerClock, options.processes());
    }

    static Verdict judge(LockSnapshot snap, boolean withServerClock, ProcessTable processes) {
        ServerClock.Reading clock = null;
        if (withServerClock) {
            try {
                clock = ServerClock.read(snap.path().getParent());
            } catch (IOException e) {
                clock = null; // read-only or full directory: expiry cannot be judged, DEAD still can
            }
        }
        return verdictOf(snap, clock, HostIdentity.current(), processes);
    }

    /** Builds the verdict from a snapshot and a clock reading. No I/O beyond the process table. */
    public static Verdict verdictOf(LockSnapshot snap, ServerClock.Reading clock, HostIdentity self,
                                    ProcessTable processes) {
        long serverNow = clock == null ? -1 : clock.serverNowMillis();
        long skew = clock == null ? 0 : clock.skewMillis();
        long mtime = snap.facts().mtimeMillis();
        long heartbeatAge = serverNow < 0 ? -1 : serverNow - mtime;
        if (heartbeatAge < 0 && heartbeatAge >= -StalenessJudge.FUTURE_MTIME_ALLOWANCE_MILLIS) {
            heartbeatAge = 0; // within the skew allowed between a server's storage nodes
        } else if (heartbeatAge < 0) {
            heartbeatAge = -1; // an mtime in the future is no age at all: the verdict says it is suspicious
        }
        LockOwner owner = snap.owner();
        long lockAge = -1;
        if (owner != null) {
            long localNow = clock == null ? System.currentTimeMillis() : clock.localNowMillis();
            lockAge = Math.max(0, localNow - owner.acquiredAt());
        }
        StalenessJudge.Decision d = StalenessJudge.judge(owner, mtime, serverNow, skew, self, processes);
        String reason = owner == null && snap.readError() != null ? snap.readError() : d.reason();
        return new Verdict(snap.path(), d.state(), reason, owner, snap.identity(), snap.facts().nlink(), serverNow,
                skew, heartbeatAge, lockAge, d.ownerAlive());
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

    private LockHandle held(LockOwner owner, byte[] record, Path claim, java.nio.channels.FileChannel keptChannel,
                            boolean keepClaim) {
        // Whether this filesystem reports link counts and inodes truthfully is found out lazily, by the
        // handle, when it first needs to know: the link's success already proved the lock ours.
        return new LockHandle(file, owner, record, claim, options, keepClaim, keptChannel);
    }

    private LockTimeoutException timeout(Duration timeout, Verdict v, IOException lastError) {
        StringBuilder m = new StringBuilder("timed out after ").append(formatDuration(timeout))
                .append(" waiting for lock ").append(file.path());
        if (v != null && v.state() != LockState.FREE) {
            m.append(": held by ").append(v.holderDescription());
            if (v.owner() != null) {
                m.append(" on host id ").append(v.owner().hostId());
            }
            if (v.lockAgeMillis() >= 0) {
                m.append(", age ").append(formatMillis(v.lockAgeMillis()));
            }
            if (v.heartbeatAgeMillis() >= 0) {
                m.append(", last heartbeat ").append(formatMillis(v.heartbeatAgeMillis())).append(" ago");
            }
            m.append(" [").append(v.state()).append(": ").append(v.reason()).append(']');
        } else if (lastError != null) {
            m.append(": ").append(LockSnapshot.describe(lastError));
        }
        return new LockTimeoutException(m.toString(), v);
    }

    /** A duration in short words for messages: {@code 850 ms}, {@code 4.2 s}, {@code 12 min}, {@code 3.0 h}. */
    public static String formatMillis(long ms) {
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 120_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        if (ms < 7_200_000) {
            return (ms / 60_000) + " min";
        }
        return String.format(Locale.ROOT, "%.1f h", ms / 3_600_000.0);
    }

    static String formatDuration(Duration d) {
        return formatMillis(d.toMillis());
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

    /**
     * Writes this acquisition's record over a kept claim through its open channel (the write also gives it a
     * fresh mtime). False, with the claim discarded, on a write error. A claim name that someone removed
     * meanwhile is not seen here (the channel still writes the inode): the link then fails with ENOENT and the
     * acquisition makes the claim again.
     */
    private static boolean reuseKeptClaim(KeptClaims.Kept kept, byte[] record) {
        try {
            ByteBuffer bb = ByteBuffer.wrap(record);
            long at = 0;
            while (bb.hasRemaining()) {
                at += kept.channel().write(bb, at);
            }
            return true;
        } catch (IOException e) {
            kept.discard();
            return false;
        }
    }

    /** Writes and closes the claim before it is linked: NFS close-to-open lets others read it whole. */
    static void writeClaim(Path claim, byte[] record) throws LockException {
        boolean created = false;
        try (SeekableByteChannel ch = Files.newByteChannel(claim, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            created = true;
            ByteBuffer bb = ByteBuffer.wrap(record);
            while (bb.hasRemaining()) {
                ch.write(bb);
            }
        } catch (IOException e) {
            if (created) {
                deleteQuietly(claim);
            }
            String why = e instanceof AccessDeniedException ? "permission denied"
                    : e instanceof NoSuchFileException ? "directory does not exist"
                    : LockSnapshot.describe(e);
            throw new LockException("cannot create claim file " + claim + ": " + why, e);
        }
    }

    static void rewriteClaim(Path claim, byte[] record) throws IOException {
        try {
            rewriteInPlace(claim, record);
        } catch (ClaimTamperedException | NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            throw new LockException("cannot refresh claim file " + claim + ": " + LockSnapshot.describe(e), e);
        }
    }

    /**
     * Writes {@code record} over an existing claim without truncating it. The bytes are the same every time,
     * so a reader never sees a torn record, and the write makes the server stamp a fresh mtime.
     *
     * <p>The claim's name is in a directory others can write, so it is opened with O_NOFOLLOW (a symbolic link put
     * in its place is refused, never written through) and the bytes are written only when the opened file already
     * holds exactly them, read through the same descriptor: whatever file someone may have put under the name (a
     * hard link to another file, a file of their own), this write can change nothing but its mtime.
     *
     * @throws ClaimTamperedException when the name is a symbolic link or holds other bytes: the claim is not ours
     */
    static void rewriteInPlace(Path claim, byte[] record) throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(claim, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            if (!holdsExactly(ch, record)) {
                throw new ClaimTamperedException("claim file " + claim + " no longer holds our owner record: someone"
                        + " replaced or rewrote it; nothing was written to it");
            }
            ByteBuffer bb = ByteBuffer.wrap(record);
            ch.position(0);
            while (bb.hasRemaining()) {
                ch.write(bb);
            }
        } catch (FileSystemException e) {
            if (isSymlinkRefusal(claim, e)) {
                throw new ClaimTamperedException("claim file " + claim + " was replaced by a symbolic link; it was not"
                        + " followed and nothing was written", e);
            }
            throw e;
        }
    }

    /** Whether {@code ch} (at position 0) holds exactly {@code expected}: no byte more or less. */
    static boolean holdsExactly(SeekableByteChannel ch, byte[] expected) throws IOException {
        ByteBuffer got = ByteBuffer.allocate(expected.length + 1);
        while (got.hasRemaining()) {
            if (ch.read(got) < 0) {
                break;
            }
        }
        return got.position() == expected.length
                && java.util.Arrays.equals(got.array(), 0, expected.length, expected, 0, expected.length);
    }

    /** Whether an O_NOFOLLOW open of {@code p} failed because {@code p} is a symbolic link (ELOOP). */
    static boolean isSymlinkRefusal(Path p, FileSystemException e) {
        try {
            FileFacts f = FileFacts.lstatOrNull(p);
            return f != null && f.type() == FileFacts.Type.SYMLINK;
        } catch (IOException unreadable) {
            return e.getReason() != null && e.getReason().contains("symbolic links");
        }
    }

    /** A claim file that is no longer this acquisition's own: a symbolic link, or a file with other bytes. */
    static final class ClaimTamperedException extends LockLostException {
        ClaimTamperedException(String message) {
            super(message);
        }

        ClaimTamperedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static void deleteQuietly(Path p) {
        // java.io.File#delete is one unlink(2); Files.deleteIfExists first lstats to choose between
        // unlink and rmdir, which doubles the cost of every release on a network filesystem.
        if (p.toFile().delete()) {
            return;
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // Best effort: the scanner reports orphan claims, and they are harmless to the protocol.
        }
    }

    static String newToken() {
        long z = TOKEN_SEQUENCE.addAndGet(0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return HexFormat.of().toHexDigits(TOKEN_PREFIX) + HexFormat.of().toHexDigits(z);
    }

    private static final java.util.concurrent.ConcurrentHashMap<Path, Boolean> LOCAL_FS =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * True when {@code dir} is on a filesystem of this host only (not {@link #isNetworkType a network type}):
     * WatchService events arrive for every change there, and name lookups and content are coherent between
     * processes. False when the file store cannot be found. Remembered per directory: finding the file store reads the whole mount table.
     */
    public static boolean isLocalFilesystem(Path dir) {
        Boolean known = LOCAL_FS.get(dir);
        if (known != null) {
            return known;
        }
        boolean local;
        try {
            String type = Files.getFileStore(dir).type().toLowerCase(Locale.ROOT);
            local = !isNetworkType(type);
        } catch (IOException e) {
            return false;
        }
        if (LOCAL_FS.size() < 1000) {
            LOCAL_FS.put(dir, local);
        }
        return local;
    }

    /**
     * The filesystem types that other hosts (or virtual machines) share: their changes produce no events here, a
     * client may cache what they wrote, and claims are never kept there. Unknown types count as local, so the
     * list errs towards naming more: shared folders of virtual machines cache like network clients do.
     */
    public static boolean isNetworkType(String type) {
        String t = type.toLowerCase(Locale.ROOT);
        return t.startsWith("nfs") || t.equals("cifs") || t.startsWith("smb") || t.startsWith("fuse")
                || t.equals("9p") || t.equals("afs") || t.equals("ceph") || t.equals("glusterfs")
                || t.equals("lustre") || t.equals("gpfs") || t.equals("virtiofs") || t.equals("vboxsf")
                || t.equals("vmhgfs") || t.equals("beegfs") || t.equals("orangefs") || t.equals("davfs")
                || t.equals("webdav") || t.equals("ocfs2") || t.equals("gfs2");
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

    static boolean isStaleOrGone(IOException e) {
        return e instanceof NoSuchFileException || FileFacts.isStale(e)
                || e instanceof FileSystemException && !(e instanceof AccessDeniedException);
    }
}
