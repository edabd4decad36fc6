package dev.lockscope.scan;

/** What one directory entry of a lock directory is. Constants; any thread. */
public enum EntryKind {
    /** A lockscope lock file: its content is a lockscope owner record. */
    LOCK,
    /**
     * A claim file {@code .R.lock.<host>.<pid>.<token>}: held when it is the lock, else waiting or orphaned. Also
     * another tool's claim or temp file (flufl.lock's claim, dotlockfile's and procmail's temp files).
     */
    CLAIM,
    /** A break guard {@code R.lock.break}: a short-lived lock that serialises breakers. */
    BREAK_GUARD,
    /** {@code R.lock.broken.<millis>.<tag>}: a broken lock that a crashed breaker left behind. */
    BROKEN_LEFTOVER,
    /** {@code .<name>.tmp.*}: a record-store save in progress, or left by a crashed writer. */
    RECORD_TEMP,
    /**
     * {@code .<name>.intent-new.W.S}, {@code .intent.}, {@code .taken.} or {@code .bad-intent.}: a group-commit
     * intent of the record file {@code <name>} (docs/RECORDS.md), recognised by its name alone and never read:
     * being published, waiting for a lock holder, taken by one, or quarantined. Its state says which stage of
     * that life it is stuck in, if any.
     */
    RECORD_INTENT,
    /** {@code .nfsXXXX}: an NFS silly-rename; the file is still open on some client. */
    NFS_SILLY_RENAME,
    /** {@code .lockscope-probe.*}: a server-clock probe file (normally gone within milliseconds). */
    PROBE,
    /** {@code .lockscope-audit/}: the audit records of breaks. */
    AUDIT_DIR,
    /**
     * Another tool's lock, judged by that tool's own rule: flufl.lock, dotlockfile, procmail, Mercurial, git,
     * py-filelock, or an unrecognised {@code *.lock}.
     */
    FOREIGN_LOCK,
    /** A symbolic link that is not a recognised lock. Never followed. */
    SYMLINK,
    /** A FIFO, socket or device file. Never opened. */
    SPECIAL,
    /** A directory other than the audit directory. */
    DIRECTORY,
    /** Anything else: a record file, an unrelated file. */
    OTHER,
    /** The entry could not be examined; {@link ScanEntry#reason()} says why. */
    UNREADABLE;

    /** Kinds that {@code lockscope ls} shows without {@code --all}. */
    public boolean isLockLike() {
        return this == LOCK || this == BREAK_GUARD || this == FOREIGN_LOCK || this == UNREADABLE;
    }
}
