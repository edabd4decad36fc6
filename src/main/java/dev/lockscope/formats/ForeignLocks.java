package dev.lockscope.formats;

import dev.lockscope.lock.BreakResult;
import dev.lockscope.lock.FileFacts;
import dev.lockscope.lock.FilesystemType;
import dev.lockscope.lock.HostIdentity;
import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockBreaker;
import dev.lockscope.lock.LockFile;
import dev.lockscope.lock.LockSnapshot;
import dev.lockscope.lock.ProcessTable;
import dev.lockscope.lock.ServerClock;
import dev.lockscope.lock.StalenessJudge.Decision;
import dev.lockscope.lock.Verdict;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Judges and breaks one of another tool's locks by path: {@code lockscope status FILE} and {@code break FILE},
 * and the inspector's break. Stateless; any thread but the JavaFX thread (it touches the file system).
 */
public final class ForeignLocks {

    private static final Duration GUARD_TIMEOUT = Duration.ofSeconds(10);

    private ForeignLocks() {
    }

    /**
     * Reads and judges the lock at {@code lockPath} by its tool's own rule.
     *
     * @return empty when there is no lock there or it is a lockscope lock (judge it with {@link LinkLock})
     */
    public static Optional<ForeignVerdict> inspect(Path lockPath) throws IOException {
        return inspect(lockPath, ProcessTable.SYSTEM);
    }

    static Optional<ForeignVerdict> inspect(Path lockPath, ProcessTable processes) throws IOException {
        Path abs = lockPath.toAbsolutePath().normalize();
        Optional<LockSnapshot> read = LockSnapshot.read(abs);
        if (read.isEmpty() || read.get().owner() != null) {
            return Optional.empty();
        }
        LockSnapshot snap = read.get();
        Path dir = abs.getParent();
        String name = abs.getFileName().toString();
        byte[] content = snap.identity().content();
        ForeignLock foreign = switch (snap.facts().type()) {
            case SYMLINK -> ForeignFormats.ofSymlink(name, new String(content, StandardCharsets.UTF_8));
            case REGULAR -> ForeignFormats.ofFile(name, dir, snap.facts(), content, content.length, snap.readError());
            default -> null;
        };
        if (foreign == null) {
            foreign = ForeignLock.lock(ForeignLock.UNKNOWN, snap.readError() == null ? "not a lock format Lockscope knows"
                    : snap.readError(), null, -1);
        }
        if (foreign.format().equals(ForeignLock.PY_FILELOCK) && foreign.host() == null) {
            foreign = ForeignFormats.withDevice(foreign, KernelLocks.deviceOf(abs));
        }
        ServerClock.Reading clock;
        try {
            clock = ServerClock.read(dir);
        } catch (IOException e) {
            clock = null; // read-only or full directory: ages cannot be judged, dead pids still can
        }
        return Optional.of(judge(snap, foreign, clock, context(dir, processes, foreign)));
    }

    /** The judge's context for a directory: this host, its process table, locality, the operator's settings. */
    public static ForeignJudge.Context context(Path dir, ProcessTable processes, ForeignLock foreign) {
        boolean needsKernelLocks = foreign != null && foreign.format().equals(ForeignLock.PY_FILELOCK)
                && foreign.host() == null;
        return new ForeignJudge.Context(HostIdentity.current(), processes, FilesystemType.isLocal(dir),
                ForeignSettings.procmailLocktimeout(dir), needsKernelLocks ? KernelLocks.read() : null);
    }

    /** The verdict on a snapshot already read: no I/O beyond the process table. */
    public static ForeignVerdict judge(LockSnapshot snap, ForeignLock foreign, ServerClock.Reading clock,
                                       ForeignJudge.Context ctx) {
        FileFacts f = snap.facts();
        long serverNow = clock == null ? -1 : clock.serverNowMillis();
        Decision d = ForeignJudge.judge(foreign, f, serverNow, ctx);
        long heartbeatAge = serverNow < 0 ? -1 : Math.max(0, serverNow - f.mtimeMillis());
        Verdict v = new Verdict(snap.path(), d.state(), d.reason(), null, snap.identity(),
                f.nlink(), serverNow, clock == null ? 0 : clock.skewMillis(), heartbeatAge, -1, d.ownerAlive());
        return new ForeignVerdict(foreign, v);
    }

    /**
     * Breaks the judged lock with the guarded, evidence-checked procedure of our own locks (guard, pin by hard
     * link, same-inode check, rename away, restore if it was not the judged one, audit record), then removes the
     * tool's own leftover claim or temp file. A lock not judged stale is only broken with {@code force}.
     */
    public static BreakResult breakLock(ForeignVerdict judged, boolean force) throws IOException {
        Verdict v = judged.verdict();
        LockFile file = LockFile.at(v.lock());
        return LockBreaker.breakLock(file, v, force, GUARD_TIMEOUT, ForeignLeftovers.of(judged.foreign(), file.name()));
    }
}
