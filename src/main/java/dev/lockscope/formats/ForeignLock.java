package dev.lockscope.formats;

/**
 * Another tool's lock (or its claim or temp file), as far as its name and bytes tell. Immutable; any thread.
 *
 * @param format       which tool: one of the constants below
 * @param role         the lock itself, or the tool's claim or temp file
 * @param description  what it is, in words an operator can check
 * @param host         the host name the tool recorded, or null
 * @param pid          the pid the tool recorded, or -1 (also for dotlockfile's {@code 0}: no pid)
 * @param pidNamespace Mercurial's pid-namespace id (the hex inode of {@code /proc/self/ns/pid}), or null
 * @param startTicks   py-filelock's start token (boot-relative clock ticks of the holder), or null
 * @param device       for an empty file that a kernel lock may hold: its {@code st_dev}; else -1
 */
public record ForeignLock(String format, Role role, String description, String host, long pid, String pidNamespace,
                          Long startTicks, long device) {

    /** Lockscope's own locks, for surfaces that name every lock's format. */
    public static final String LOCKSCOPE = "lockscope";
    public static final String FLUFL = "flufl.lock";
    public static final String DOTLOCKFILE = "dotlockfile";
    public static final String PROCMAIL = "procmail";
    public static final String MERCURIAL = "mercurial";
    public static final String GIT = "git";
    public static final String PY_FILELOCK = "py-filelock";
    public static final String UNKNOWN = "unknown";

    /** What the entry is to its tool. */
    public enum Role {
        /** The lock itself. */
        LOCK,
        /** The tool's claim or temp file: a hard link to the lock while held, or a crashed acquirer's leftover. */
        CLAIM
    }

    /** A lock without host, namespace, start or device. */
    static ForeignLock lock(String format, String description, String host, long pid) {
        return new ForeignLock(format, Role.LOCK, description, host, pid, null, null, -1);
    }

    /** A tool's claim or temp file. */
    static ForeignLock claim(String format, String description, String host, long pid) {
        return new ForeignLock(format, Role.CLAIM, description, host, pid, null, null, -1);
    }
}
