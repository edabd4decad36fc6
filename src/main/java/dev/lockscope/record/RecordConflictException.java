package dev.lockscope.record;

/**
 * An optimistic save found the file at a newer generation than the one the caller loaded. Nothing was
 * written. The caller may look at {@link #current()} and save again, or ask for its change to be
 * re-applied ({@link RecordStore.OnConflict#REAPPLY}). Any thread.
 */
public class RecordConflictException extends RecordStoreException {
    private final long expectedGeneration;
    private final RecordSnapshot current;

    public RecordConflictException(long expectedGeneration, RecordSnapshot current) {
        super(current.file(), "conflict: " + current.file() + " is at generation " + current.generation()
                + " but the change was made to generation " + expectedGeneration
                + (current.writer() != null ? " (last written by " + current.writer().describe() + ")" : "")
                + "; nothing was written");
        this.expectedGeneration = expectedGeneration;
        this.current = current;
    }

    /** For subclasses that say more about the conflict. */
    protected RecordConflictException(long expectedGeneration, RecordSnapshot current, String message) {
        super(current.file(), message);
        this.expectedGeneration = expectedGeneration;
        this.current = current;
    }

    public long expectedGeneration() {
        return expectedGeneration;
    }

    public long actualGeneration() {
        return current.generation();
    }

    /** What is on disk now. */
    public RecordSnapshot current() {
        return current;
    }
}
