package dev.lockscope.cli;

/** The exit codes of every lockscope command, after sysexits.h and flock(1). Constants; any thread. */
public final class ExitCodes {
    public static final int OK = 0;
    /** Nothing was done: a record is absent, a lock changed or vanished before the break. */
    public static final int NOTHING_DONE = 1;
    /** A break was refused because the lock is not stale (use --force). */
    public static final int REFUSED = 3;
    /** The operator did not confirm. */
    public static final int NOT_CONFIRMED = 4;
    public static final int USAGE = 64;
    /** Bad input data: invalid JSON, a corrupt record file. */
    public static final int DATA_ERROR = 65;
    /** The lock was lost while work ran under it. */
    public static final int LOCK_LOST = 70;
    public static final int IO_ERROR = 74;
    /** The lock could not be had in time. */
    public static final int LOCK_TIMEOUT = 75;
    public static final int NO_PERMISSION = 77;
    public static final int COMMAND_NOT_FOUND = 127;

    private ExitCodes() {
    }

    /**
     * The exit code for a failure that escaped a command: the mapping shared by picocli's handler and the lean
     * `run` path (which must not load picocli or Jackson, so only lock-core and JDK types are tested here).
     */
    public static int forFailure(Throwable e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return NO_PERMISSION;
        }
        if (e instanceof dev.lockscope.lock.LockTimeoutException) {
            return LOCK_TIMEOUT;
        }
        if (e instanceof dev.lockscope.lock.LockLostException) {
            return LOCK_LOST;
        }
        if (e instanceof IllegalArgumentException) {
            return USAGE;
        }
        return IO_ERROR;
    }

    /** How a failure that escaped a command is told: its message, or its type where it has none. */
    public static String describe(Throwable e) {
        return "lockscope: " + (e.getMessage() == null ? e.toString() : e.getMessage());
    }
}
