package dev.lockscope.lock;

/** The verdict on a lock file. Any thread. */
public enum LockState {
    /** No lock file. */
    FREE,
    /** A live owner, or one we cannot prove dead or expired. */
    HELD,
    /** The lease ran out, measured server clock against server clock. */
    EXPIRED,
    /** Same PID space, and the owning process is gone, was replaced, or the host rebooted. Certain. */
    DEAD,
    /** The lock exists but cannot be read or is not ours to interpret. */
    UNKNOWN;

    /** True for the verdicts that allow a break without force. */
    public boolean isStale() {
        return this == EXPIRED || this == DEAD;
    }
}
