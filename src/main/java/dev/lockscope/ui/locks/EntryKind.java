package dev.lockscope.ui.locks;

/** What a directory entry is, as the inspector shows it. Any thread. */
public enum EntryKind {
    LOCK("lock"),
    CLAIM("claim"),
    ORPHAN_CLAIM("orphan claim"),
    BREAK_GUARD("break guard"),
    BROKEN_LEFTOVER("broken leftover"),
    TEMP_FILE("save temp file"),
    NFS_SILLY_RENAME("NFS silly-rename"),
    FOREIGN_LOCK("foreign lock"),
    PROBE("clock probe"),
    UNREADABLE("unreadable"),
    OTHER("other");

    private final String label;

    EntryKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Shown without "show all entries": the locks themselves, and what cannot be read. */
    public boolean isPrimary() {
        return this == LOCK || this == FOREIGN_LOCK || this == UNREADABLE;
    }

    /** A lock file the core can judge and break. */
    public boolean isBreakable() {
        return this == LOCK || this == FOREIGN_LOCK;
    }
}
