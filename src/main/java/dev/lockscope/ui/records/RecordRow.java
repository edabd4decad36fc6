package dev.lockscope.ui.records;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.record.RecordFormat;

/**
 * One record as the table shows it. Immutable; any thread.
 *
 * @param name          the record name
 * @param value         its JSON value: as edited when edited or added; as it was when pending delete
 * @param change        the pending change of this record, if any
 * @param changedOnDisk true when the record has a pending change and its value on disk is no longer the
 *                      one the edit started from: saving will ask
 */
public record RecordRow(String name, JsonNode value, Change change, boolean changedOnDisk) {

    /** A record's pending change. */
    public enum Change {
        NONE, EDITED, ADDED, DELETED;

        String words() {
            return switch (this) {
                case NONE -> "";
                case EDITED -> "edited, not saved";
                case ADDED -> "new, not saved";
                case DELETED -> "deleted, not saved";
            };
        }
    }

    /** True when the row holds a change not yet saved. */
    public boolean pending() {
        return change != Change.NONE;
    }

    /** The value on one line (exact numbers), cut for the table. */
    public String summary() {
        String s = value == null ? "" : RecordFormat.toJson(value, false);
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    public String status() {
        String s = change.words();
        return changedOnDisk ? s + "; changed on disk" : s;
    }
}
