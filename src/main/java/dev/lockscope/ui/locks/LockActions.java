package dev.lockscope.ui.locks;

import dev.lockscope.formats.ForeignLocks;
import dev.lockscope.formats.ForeignVerdict;
import dev.lockscope.lock.BreakResult;
import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockOptions;
import dev.lockscope.lock.LockSnapshot;
import dev.lockscope.lock.Verdict;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What the lock table does to one lock: read it, judge it, break it (lockscope's own or another tool's). The
 * view model gets this injected, the way the records tab gets its gateway, so it never calls the lock library
 * directly. All methods do file-system work: I/O threads only.
 */
public interface LockActions {

    /** The lock's bounded bytes and attributes read fresh, or empty when it is gone. */
    Optional<LockSnapshot> read(Path lock) throws IOException;

    /** The lock's verdict now (FREE when it is gone), with the server clock measured. */
    Verdict judge(Path lock) throws IOException;

    /**
     * Breaks {@code lock} by the library's guarded procedure if {@code judged} still describes it (and it is
     * stale, unless {@code force}); writes one audit record.
     */
    BreakResult breakLock(Path lock, Verdict judged, boolean force) throws IOException;

    /**
     * Breaks another tool's lock by the same guarded procedure if {@code judged} still describes it, and removes
     * that tool's leftover claim or temp file; writes one audit record.
     */
    BreakResult breakForeign(ForeignVerdict judged, boolean force) throws IOException;

    /**
     * The lock library itself: {@link LinkLock} with default options, and {@link ForeignLocks} for other tools'
     * locks.
     */
    static LockActions linkLocks() {
        return new LockActions() {
            @Override
            public Optional<LockSnapshot> read(Path lock) throws IOException {
                return LockSnapshot.read(lock);
            }

            @Override
            public Verdict judge(Path lock) throws IOException {
                return LinkLock.at(lock, LockOptions.defaults()).inspect();
            }

            @Override
            public BreakResult breakLock(Path lock, Verdict judged, boolean force) throws IOException {
                return LinkLock.at(lock, LockOptions.defaults()).breakLock(judged, force);
            }

            @Override
            public BreakResult breakForeign(ForeignVerdict judged, boolean force) throws IOException {
                return ForeignLocks.breakLock(judged, force);
            }
        };
    }
}
