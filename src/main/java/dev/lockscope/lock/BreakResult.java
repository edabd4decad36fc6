package dev.lockscope.lock;

import java.nio.file.Path;

/**
 * What a break did. Immutable; any thread.
 *
 * @param outcome   the result
 * @param message   the result in words, naming the lock and owner
 * @param judged    the verdict the break acted on
 * @param auditFile the audit record written, or null (nothing done, or the audit could not be written)
 */
public record BreakResult(Outcome outcome, String message, Verdict judged, Path auditFile) {

    /** Every way a break can end. */
    public enum Outcome {
        /** The judged lock was removed. */
        BROKEN,
        /** The lock is not stale and force was not given. */
        REFUSED_NOT_STALE,
        /** There was no lock, or it vanished before we moved it. */
        NOTHING_TO_BREAK,
        /** The lock changed since it was judged (new owner, or a heartbeat): nothing was touched. */
        CHANGED,
        /** We moved a lock that turned out not to be the judged one, and put it back. */
        RESTORED,
        /** As RESTORED, but putting it back failed; the moved file is kept and named. */
        RESTORE_FAILED,
        /** Another breaker held the break guard for too long. */
        GUARD_BUSY
    }

    public boolean broken() {
        return outcome == Outcome.BROKEN;
    }
}
