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

    /**
     * Sets {@code name} to {@code value}. Like {@link #delete} and {@link #increment}, it can be published as a
     * group-commit intent (see {@link RecordStoreOptions#groupCommit()}); a lambda cannot, and takes the lock itself.
     */
    static RecordChange put(String name, JsonNode value) {
        RecordFormat.validateName(name);
        RecordFormat.requireValue(name, value);
        return new IntentChange(java.util.List.of(new RecordIntent.Put(name, value.deepCopy())));
    }

    /** Removes {@code name} (nothing is written when it is absent). */
    static RecordChange delete(String name) {
        RecordFormat.validateName(name);
        return new IntentChange(java.util.List.of(new RecordIntent.Delete(name)));
    }

    /**
     * Adds {@code delta} to the integer record {@code name} (absent counts as 0), as a function of the value
     * under the lock, so it can be combined with others' changes. A record that is not an integer, or an
     * overflow, fails the save with {@link RecordStoreException} and changes nothing;
     * {@link SaveResult#incremented()} is the value it produced.
     */
    static RecordChange increment(String name, long delta) {
        RecordFormat.validateName(name);
        return new IntentChange(java.util.List.of(new RecordIntent.Add(name, delta)));
    }
}
