package dev.lockscope.record;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.SortedMap;

/**
 * A change made only of {@link RecordIntent.Op}s, so the save path may publish it as an intent for another
 * holder to apply (group commit). Immutable; any thread.
 */
final class IntentChange implements RecordChange {
    private final List<RecordIntent.Op> ops;

    IntentChange(List<RecordIntent.Op> ops) {
        this.ops = List.copyOf(ops);
    }

    List<RecordIntent.Op> ops() {
        return ops;
    }

    /** Applies the operations; null, or the value an increment produced. */
    JsonNode applyOps(SortedMap<String, JsonNode> records) throws RecordIntent.RefusedException {
        return new RecordIntent("0000000000000000", 1, 0, "", 0, ops).applyTo(records);
    }

    @Override
    public void apply(SortedMap<String, JsonNode> records) {
        try {
            applyOps(records);
        } catch (RecordIntent.RefusedException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    @Override
    public void apply(RecordSnapshot current, SortedMap<String, JsonNode> records) throws RecordStoreException {
        try {
            applyOps(records);
        } catch (RecordIntent.RefusedException e) {
            throw new RecordStoreException(current.file(), "not saved: " + e.getMessage() + "; "
                    + (current.exists() ? current.file() + " is unchanged at generation " + current.generation()
                    : current.file() + " was not created"), null);
        }
    }
}
