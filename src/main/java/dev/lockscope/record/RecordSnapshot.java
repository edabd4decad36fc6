package dev.lockscope.record;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One whole generation of a record file, as read. Immutable (the values are private copies); any thread.
 *
 * <p>A file that does not exist yet reads as generation 0 with no records and no writer.
 *
 * @param file       the record file
 * @param exists     false when the file does not exist (generation 0)
 * @param generation the generation counter: 0 for a missing file, then 1, 2, ... one per save
 * @param writer     who wrote this generation, or null for generation 0
 * @param records    name to JSON value, sorted by name
 * @param sizeBytes  the size of the file as read
 */
public record RecordSnapshot(Path file, boolean exists, long generation, WriterStamp writer,
                             SortedMap<String, JsonNode> records, long sizeBytes) {

    public RecordSnapshot {
        TreeMap<String, JsonNode> copy = new TreeMap<>();
        records.forEach((k, v) -> copy.put(k, v.deepCopy()));
        records = Collections.unmodifiableSortedMap(copy);
    }

    /** The state of a record file that does not exist. */
    public static RecordSnapshot missing(Path file) {
        return new RecordSnapshot(file, false, 0, null, new TreeMap<>(), 0);
    }

    /** A private copy of the value of {@code name}, if present. */
    public Optional<JsonNode> get(String name) {
        JsonNode n = records.get(name);
        return n == null ? Optional.empty() : Optional.of(n.deepCopy());
    }

    public boolean contains(String name) {
        return records.containsKey(name);
    }

    /** A mutable deep copy of the records, for building a change. */
    public TreeMap<String, JsonNode> recordsCopy() {
        TreeMap<String, JsonNode> m = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : records.entrySet()) {
            m.put(e.getKey(), e.getValue().deepCopy());
        }
        return m;
    }
}
