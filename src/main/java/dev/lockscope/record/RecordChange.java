package dev.lockscope.record;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.SortedMap;

/**
 * A change to the records, applied by the save path under the lock to a private copy of the newest
 * generation. It may run more than once (when re-applied after a conflict), so it should depend only on
 * the map it is given. Called on the saving thread.
 */
@FunctionalInterface
public interface RecordChange {
    /** Changes {@code records} in place (put, remove, anything a map allows). */
    void apply(SortedMap<String, JsonNode> records);

    /**
     * Changes {@code records}, a copy of {@code current}'s records, knowing which generation they are. A
     * change that may refuse (the three-way merge of {@link RecordStore#saveMerging}) overrides this and
     * throws; nothing is then written.
     */
    default void apply(RecordSnapshot current, SortedMap<String, JsonNode> records) throws RecordStoreException {
        apply(records);
    }

    /** Sets {@code name} to {@code value}. */
    static RecordChange put(String name, JsonNode value) {
        RecordFormat.validateName(name);
        RecordFormat.requireValue(name, value);
        JsonNode copy = value.deepCopy();
        return m -> m.put(name, copy.deepCopy());
    }

    /** Removes {@code name} (nothing is written when it is absent). */
    static RecordChange delete(String name) {
        RecordFormat.validateName(name);
        return m -> m.remove(name);
    }
}
