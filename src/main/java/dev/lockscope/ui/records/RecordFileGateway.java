package dev.lockscope.ui.records;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.record.RecordMerge;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * What the records tab needs from a record file: a lockless read, the locked save path with the
 * per-record three-way merge, a watch on the file and its lock, and the lock's holder. Implementations are
 * called on I/O threads only.
 */
public interface RecordFileGateway {

    /**
     * A whole generation of a record file.
     *
     * @param generation the generation read (0 for a file that does not exist yet)
     * @param records    name to JSON value, sorted by name
     * @param lastWriter the last writer's stamp in words, or ""
     */
    record Loaded(long generation, Map<String, JsonNode> records, String lastWriter) {
        public Loaded {
            records = Collections.unmodifiableSortedMap(new TreeMap<>(records));
        }
    }

    /**
     * The result of a merging save.
     *
     * @param generation the generation now on disk (the new one when something was written)
     * @param warning    something the save path wants said (e.g. the lock was lost right after), or null
     * @param merge      what the per-record merge found; with conflicts nothing was written
     * @param theirs     with conflicts: the file as read under the lock, the base for saving after the
     *                   operator resolved them; null when saved
     */
    record SaveOutcome(long generation, String warning, RecordMerge.Outcome merge, Loaded theirs) {
        public boolean saved() {
            return !merge.hasConflicts();
        }
    }

    /** What a watch saw change. */
    enum Change {
        /** The record file changed, appeared or went. */
        RECORDS,
        /** Its lock ({@code records.json.lock}) was taken, renewed, released or broken. */
        LOCK
    }

    /** A running watch; {@link #close()} may block briefly (I/O threads only). */
    interface Watch extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Reads the file without a lock.
     *
     * @throws IOException naming the file and the problem (corrupt, unknown format, too large, unreadable)
     */
    Loaded load(Path file) throws IOException;

    /**
     * Saves {@code mine} (the editor's records: {@code base} with its pending changes) through the save
     * path, merged per record with the file as it is under the lock. Conflicts write nothing.
     */
    SaveOutcome save(Path file, Loaded base, Map<String, JsonNode> mine) throws IOException;

    /**
     * Follows {@code file} and its lock; {@code onChange} is called on a watcher thread (never the FX
     * thread), once at the start for what exists, then on every change.
     */
    Watch watch(Path file, Consumer<Set<Change>> onChange) throws IOException;

    /** Who holds the file's lock, in words with the verdict, or "" when nobody does. */
    String lockHolder(Path file) throws IOException;
}
