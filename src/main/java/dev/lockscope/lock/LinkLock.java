package dev.lockscope.lock;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
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
        SecureRandom seed = new SecureRandom();
        TOKEN_PREFIX = seed.nextLong();
        TOKEN_SEQUENCE = new java.util.concurrent.atomic.AtomicLong(seed.nextLong());
    }
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
        return acquire(timeout, newToken());
    }

    /** As {@link #acquire(Duration)} with a given token: tests use it to replay a lost LINK reply. */
    LockHandle acquire(Duration timeout, String token) throws IOException {
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        Path dir = file.directory();
        Path lockPath = file.path();

        LockOwner owner = LockOwner.forCurrentProcess(token, options.lease().toMillis(), options.purpose());
        byte[] record = owner.toBytes();
        Path claim = file.claimPath(owner.host(), owner.pid(), token);
        try {
            writeClaim(claim, record);
        } catch (LockException e) {
            // The directory is checked only when the claim cannot be made: that says best what is wrong,
            // and the uncontended path does not pay a stat for it.
            requireDirectory(dir);
            throw e;
        }
        long claimWrittenNanos = System.nanoTime();
        long refreshNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(100), options.lease().toNanos() / 4);

        boolean success = false;
        WatchService watcher = null;
        try {
            long backoffNanos = options.backoffMin().toNanos();
            int errorsWithoutLock = 0;
            IOException lastError = null;
            Verdict lastVerdict = null;
            LockIdentity judgedIdentity = null;
            long nextJudgeNanos = 0;
            while (true) {
                IOException linkError;
                if (System.nanoTime() - claimWrittenNanos > refreshNanos) {
                    // The lock's mtime will be the claim's: a claim that waited must not make a
                    // fresh lock look as old as the wait, or others would judge it expired at once.
                    rewriteClaim(claim, record);
                    claimWrittenNanos = System.nanoTime();
                }
                try {
                    Files.createLink(lockPath, claim);
                    LockHandle h = held(owner, record, claim);
                    success = true;
                    return h;
                } catch (IOException e) {
                    linkError = e;
                }
                // Any link error means "look again": a retransmitted LINK whose first reply was lost
                // fails with EEXIST although the lock is ours; sshfs once said EPERM for EEXIST.
                Optional<LockSnapshot> seen;
                try {
                    seen = readLockLookingAgain(lockPath);
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
                if (seen.isPresent() && token.equals(seen.get().token())) {
                    LockHandle h = held(owner, record, claim);
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
                    if (newHolder || now - nextJudgeNanos >= 0) {
                        lastVerdict = judge(snap, options.breakStale() || newHolder);
                        judgedIdentity = snap.identity();
                        nextJudgeNanos = now + nextJudgeDelayNanos(lastVerdict);
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
                    } else if (lastVerdict != null && lastVerdict.owner() != null
                            && HostIdentity.current().sharesPidSpaceWith(lastVerdict.owner())) {
                        // A same-host owner's death is cheap to notice: no probe file needed.
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
                long jitter = backoffNanos / 2 + ThreadLocalRandom.current().nextLong(backoffNanos / 2 + 1);
                long wait = Math.min(jitter, remaining);
                if (watcher == null && options.watch() && wait > TimeUnit.MILLISECONDS.toNanos(2)
                        && isLocalFilesystem(dir)) {
                    watcher = openWatch(dir);
                }
                if (watcher != null) {
                    waitForEvent(watcher, wait);
                } else {
                    sleepNanos(wait);
                }
                backoffNanos = Math.min(backoffNanos * 2, options.backoffMax().toNanos());
                if (backoffNanos <= 0) {
                    backoffNanos = TimeUnit.MILLISECONDS.toNanos(1);
                }
            }
        } finally {
            if (watcher != null) {
                try {
                    watcher.close();
                } catch (IOException ignored) {
                    // nothing to do
                }
            }
            if (!success) {
                deleteQuietly(claim);
            }
        }
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
        LockOwner owner = snap.owner();
        long lockAge = -1;
        if (owner != null) {
            long localNow = clock == null ? System.currentTimeMillis() : clock.localNowMillis();
            lockAge = Math.max(0, localNow - owner.acquiredAt());
        }
        StalenessJudge.Decision d = StalenessJudge.judge(owner, mtime, serverNow, self, processes);
        String reason = owner == null && snap.readError() != null ? snap.readError() : d.reason();
        return new Verdict(snap.path(), d.state(), reason, owner, snap.identity(), snap.facts().nlink(), serverNow,
                skew, heartbeatAge, lockAge, d.ownerAlive());
    }

    private long nextJudgeDelayNanos(Verdict v) {
        long lease = options.lease().toMillis();
        if (v.owner() != null) {
            lease = v.owner().leaseMillis();
        }
        long remainingMillis = v.heartbeatAgeMillis() >= 0 ? lease - v.heartbeatAgeMillis() : lease / 3;
        // The lease may need a little longer than its nominal end; never spin on probes.
        return TimeUnit.MILLISECONDS.toNanos(Math.max(100, remainingMillis + 50));
    }

    private LockHandle held(LockOwner owner, byte[] record, Path claim) {
        // Whether this filesystem reports link counts and inodes truthfully is found out lazily, by the
        // handle, when it first needs to know: the link's success already proved the lock ours.
        return new LockHandle(file, owner, record, claim, options);
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

    static String formatMillis(long ms) {
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
        try (SeekableByteChannel ch = Files.newByteChannel(claim, StandardOpenOption.WRITE)) {
            ByteBuffer bb = ByteBuffer.wrap(record);
            while (bb.hasRemaining()) {
                ch.write(bb);
            }
        } catch (IOException e) {
            throw new LockException("cannot refresh claim file " + claim + ": " + LockSnapshot.describe(e), e);
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

    /** WatchService events arrive only for changes made on this host's filesystem. */
    static boolean isLocalFilesystem(Path dir) {
        try {
            String type = Files.getFileStore(dir).type().toLowerCase(Locale.ROOT);
            return !isNetworkType(type);
        } catch (IOException e) {
            return false;
        }
    }

    /** The filesystem types on which other hosts' changes produce no events. */
    public static boolean isNetworkType(String type) {
        String t = type.toLowerCase(Locale.ROOT);
        return t.startsWith("nfs") || t.equals("cifs") || t.startsWith("smb") || t.startsWith("fuse")
                || t.equals("9p") || t.equals("afs") || t.equals("ceph") || t.equals("glusterfs")
                || t.equals("lustre") || t.equals("gpfs");
    }

    private static WatchService openWatch(Path dir) {
        try {
            WatchService ws = FileSystems.getDefault().newWatchService();
            dir.register(ws, StandardWatchEventKinds.ENTRY_DELETE);
            return ws;
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static void waitForEvent(WatchService ws, long nanos) throws InterruptedIOException {
        try {
            var key = ws.poll(nanos, TimeUnit.NANOSECONDS);
            if (key != null) {
                key.pollEvents();
                key.reset();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a lock");
        } catch (java.nio.file.ClosedWatchServiceException e) {
            sleepNanos(nanos);
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
