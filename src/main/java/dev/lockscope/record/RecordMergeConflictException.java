package dev.lockscope.record;

import java.util.stream.Collectors;

/**
 * A merging save found records that both the caller and someone else changed differently since the
 * caller's base. Nothing was written. {@link #conflicts()} lists each with its base, mine and theirs
 * values; {@link #current()} is the file as it was read under the lock (the base for a save after the
 * caller resolved them). Any thread.
 */
public final class RecordMergeConflictException extends RecordConflictException {
    private final transient RecordMerge.Outcome outcome;

    public RecordMergeConflictException(long baseGeneration, RecordSnapshot current, RecordMerge.Outcome outcome) {
        super(baseGeneration, current, "conflict: " + outcome.conflicts().size()
                + (outcome.conflicts().size() == 1 ? " record was" : " records were") + " changed both by you and in "
                + current.file() + " since generation " + baseGeneration + " (now " + current.generation()
                + (current.writer() != null ? ", last written by " + current.writer().describe() : "") + "): "
                + outcome.conflicts().stream().map(c -> RecordFormat.quote(c.name())
                        + (c.theirs() == null ? " (deleted there)" : c.mine() == null ? " (deleted by you)" : ""))
                .collect(Collectors.joining(", "))
                + "; nothing was written");
        this.outcome = outcome;
    }

    /** The records both sides changed differently, sorted by name. */
    public java.util.List<RecordMerge.Conflict> conflicts() {
        return outcome.conflicts();
    }

    /** The whole merge, including what would have been merged without a question. */
    public RecordMerge.Outcome outcome() {
        return outcome;
    }
}
