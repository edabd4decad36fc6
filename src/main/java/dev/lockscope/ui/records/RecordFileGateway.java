package dev.lockscope.ui.records;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the records tab needs from a record file: a lockless read and the locked save path with
 * optimistic concurrency. Implementations are called on I/O threads only.
 */
public interface RecordFileGateway {

    /**
     * A whole generation of a record file.
     *
     * @param generation the generation read (0 for a file that does not exist yet)
     * @param records    name to JSON value, in file order
     * @param lastWriter the last writer's stamp in words, or ""
     */
    record Loaded(long generation, Map<String, JsonNode> records, String lastWriter) {
        public Loaded {
            records = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(records));
        }
    }

    /**
     * The result of a save.
     *
     * @param saved      true when the change was written
     * @param generation the generation now on disk (the new one when saved)
     * @param note       when not saved: the conflict in words (the file moved on from the generation
     *                   loaded); when saved: a warning from the save path, or null
     */
    record SaveOutcome(boolean saved, long generation, String note) {
    }

    /**
     * Reads the file without a lock.
     *
     * @throws IOException naming the file and the problem (corrupt, unknown format, too large, unreadable)
     */
    Loaded load(Path file) throws IOException;

    /**
     * Applies {@code changes} (name to new value; a null value deletes) through the save path.
     *
     * @param expectedGeneration the generation the user edited
     * @param reapply            false: refuse with a conflict when the file is no longer at
     *                           {@code expectedGeneration}; true: apply the changes on top of whatever is there
     */
    SaveOutcome save(Path file, long expectedGeneration, Map<String, JsonNode> changes, boolean reapply)
            throws IOException;
}
