package dev.lockscope.lock;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A link(2) lock file: the protocol of docs/PROTOCOL.md, "The lock protocol". Thread-safe; each acquire is independent.
 *
 * <pre>{@code
 * LinkLock lock = LinkLock.at(Path.of("/shared/records.json.lock"), LockOptions.defaults());
 * try (LockHandle h = lock.acquire(Duration.ofSeconds(10))) {
 *     ... h.ensureHeld(); commit ...
 * }
 * }</pre>
 */
public final class LinkLock {

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
        return options.runtime().keptClaims().enabled() && guardedBreaks && FilesystemType.isLocal(file.directory());
    }

    /** {@link LockRuntime#dropKeptClaims()} of the default runtime. */
    public static void dropKeptClaims() {
        LockRuntime.defaultRuntime().dropKeptClaims();
    }

    /** {@code keepClaim}: {@link #keepsClaims()}, asked once per acquisition (it looks the directory up in a map). */
    private LockHandle acquire(Duration timeout, String token, KeptClaims.Kept kept, boolean keepClaim)
            throws IOException {
        return new Acquisition(file, options, guardedBreaks, timeout, token, kept, keepClaim,
                options.runtime().clock()).run();
    }

    /** The current verdict on this lock: FREE, HELD, EXPIRED, DEAD or UNKNOWN, with evidence. */
    public Verdict inspect() throws IOException {
        Optional<LockSnapshot> snap = LockSnapshot.read(file.path());
        if (snap.isEmpty()) {
            return Verdict.free(file.path());
        }
        return Verdict.judge(snap.get(), true, options.processes());
    }

    /**
     * Breaks the lock if {@code judged} still describes it and it is stale (or {@code force}).
     * Never removes any lock other than the judged one.
     */
    public BreakResult breakLock(Verdict judged, boolean force) throws IOException {
        return LockBreaker.breakLock(file, judged, force, Duration.ofSeconds(10));
    }
}
