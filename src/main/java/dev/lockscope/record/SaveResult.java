package dev.lockscope.record;

/**
 * What a save did. Immutable; any thread.
 *
 * @param saved              the generation now on disk (the new one, or the unchanged one when nothing was written)
 * @param previousGeneration the generation the change was applied to
 * @param written            false when the change left the records as they were, so nothing was written
 * @param reapplied          true when an optimistic save met a newer generation and re-applied its change to it
 * @param directorySynced    false when the filesystem refused to fsync the directory (the rename still happened)
 * @param warning            something the caller should show, or null (e.g. the lock was lost after the commit)
 * @param combined           true when the change was published as an intent and another process's save
 *                           committed it (group commit); {@code saved} is then the generation that proved it,
 *                           which may be newer than the one that applied it
 * @param incremented        for {@link RecordChange#increment}, the value the record got from this change; else null
 */
public record SaveResult(RecordSnapshot saved, long previousGeneration, boolean written, boolean reapplied,
                         boolean directorySynced, String warning, boolean combined,
                         com.fasterxml.jackson.databind.JsonNode incremented) {

    public SaveResult(RecordSnapshot saved, long previousGeneration, boolean written, boolean reapplied,
                      boolean directorySynced, String warning) {
        this(saved, previousGeneration, written, reapplied, directorySynced, warning, false, null);
    }

    SaveResult withWarning(String w) {
        return new SaveResult(saved, previousGeneration, written, reapplied, directorySynced, w, combined, incremented);
    }

    SaveResult withIncremented(com.fasterxml.jackson.databind.JsonNode v) {
        return new SaveResult(saved, previousGeneration, written, reapplied, directorySynced, warning, combined, v);
    }
}
