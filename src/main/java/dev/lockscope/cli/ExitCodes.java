package dev.lockscope.cli;

import dev.lockscope.lock.IoErrorText;
import dev.lockscope.lock.LockException;
import dev.lockscope.record.RecordStoreException;

import java.io.IOException;

/** The exit codes of every lockscope command, after sysexits.h and flock(1). Constants; any thread. */
public final class ExitCodes {
    public static final int OK = 0;
    /** Nothing was done: a record is absent, a lock changed or vanished before the break, not a lock file. */
    public static final int NOTHING_DONE = 1;
    /** A break was refused because the lock is not stale (use --force). */
    public static final int REFUSED = 3;
    /** The operator did not confirm. */
    public static final int NOT_CONFIRMED = 4;
    public static final int USAGE = 64;
    /** Bad input data: invalid JSON, a corrupt record file. */
    public static final int DATA_ERROR = 65;
    /** The directory of the lock or record file does not exist (or is not a directory). */
    public static final int NO_INPUT = 66;
    /** The lock was lost while work ran under it. */
    public static final int LOCK_LOST = 70;
    /** Any other I/O error; the message names the operation and the path. */
    public static final int IO_ERROR = 74;
    /** The lock could not be had in time. */
    public static final int LOCK_TIMEOUT = 75;
    /** Permission denied, or a read-only filesystem (EROFS): both mean "not allowed to write here". */
    public static final int NO_PERMISSION = 77;
    public static final int COMMAND_NOT_FOUND = 127;

    private ExitCodes() {
    }

    /**
     * The exit code for a failure that escaped a command: the mapping shared by picocli's handler, the lean
     * `run` path and {@code records} (the lean path must not load picocli or Jackson, so only lock-core,
     * record-store and JDK types are tested here).
     */
    public static int forFailure(Throwable e) {
        if (e instanceof LockPaths.MissingDirectoryException) {
            return NO_INPUT;
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
        if (IoErrorText.isNotPermitted(e)) {
            return NO_PERMISSION;
        }
        return IO_ERROR;
    }

    /** How a failure that escaped a command is told, when the command did not say what it was doing. */
    public static String describe(Throwable e) {
        return describe(e, null);
    }

    /**
     * How a failure that escaped a command is told: one line, escaped for the terminal (messages embed file
     * names and owner fields). An I/O error is told with the operation and the path: our own exceptions
     * name both already; any other gets "cannot OPERATION: " in front, where {@code operation} (e.g.
     * "put record 'a' in /x/records.json") is what the command was doing.
     */
    public static String describe(Throwable e, String operation) {
        String text;
        if (e instanceof LockException || e instanceof RecordStoreException || !(e instanceof IOException io)) {
            text = e.getMessage() == null ? e.toString() : e.getMessage();
        } else {
            text = (operation == null ? "I/O error: " : "cannot " + operation + ": ") + IoErrorText.problem(io, null);
        }
        return "lockscope: " + TerminalText.escape(text);
    }

    /** What a command was doing, for {@link #describe(Throwable, String)}. Main thread only. */
    interface Operation {
        /** E.g. "inspect lock /x/a.lock": what follows "cannot " in an error message. */
        String operation();
    }
}
