package dev.lockscope.record;

/**
 * What a merging save ({@link RecordStore#saveMerging}) did. Immutable; any thread.
 *
 * @param save  the save itself; {@link SaveResult#reapplied()} is true when the file had moved on from the
 *              base and the merge kept others' changes
 * @param merge what the merge found (no conflicts, or the save would have thrown)
 */
public record MergeSaveResult(SaveResult save, RecordMerge.Outcome merge) {
}
