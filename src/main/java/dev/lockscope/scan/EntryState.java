package dev.lockscope.scan;

import dev.lockscope.lock.LockState;

/** The state shown for one entry. Constants; any thread. */
public enum EntryState {
    /** A lock with a live (or unprovably dead) owner; a claim that is the current lock. */
    HELD,
    /** A lock whose lease ran out, server clock against server clock. */
    EXPIRED,
    /** A lock whose owner process is gone from this host. Certain. */
    DEAD,
    /** A lock that cannot be judged: unreadable, not a format Lockscope knows, or a tool without a rule for it. */
    UNKNOWN,
    /** Another tool's lock file that no one holds: py-filelock's empty file with no kernel lock on it. */
    FREE,
    /**
     * A claim not linked to the lock whose owner is still trying to acquire (alive, or too recent to tell), or
     * keeps it for a second after a release to retake the lock quickly (local filesystems).
     */
    WAITING,
    /** A claim not linked to the lock, left by a crashed or long-gone acquirer. */
    ORPHAN,
    /** Not a lock or claim: leftovers, temp files, probes, directories and the like. */
    NONE;

    /** The entry state for a lock-core verdict. */
    public static EntryState of(LockState s) {
        return switch (s) {
            case HELD -> HELD;
            case EXPIRED -> EXPIRED;
            case DEAD -> DEAD;
            case UNKNOWN -> UNKNOWN;
            // Only other tools' files are judged FREE while they exist (py-filelock leaves its file behind).
            case FREE -> FREE;
        };
    }

    /** True for EXPIRED and DEAD, the states that allow a break without force. */
    public boolean isStale() {
        return this == EXPIRED || this == DEAD;
    }
}
