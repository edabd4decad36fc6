package dev.lockscope.ui.records;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One record as the table shows it. Immutable; any thread.
 *
 * @param name    the record name
 * @param value   its JSON value (as edited, when {@code pending})
 * @param pending true when the row holds an edit not yet saved
 */
public record RecordRow(String name, JsonNode value, boolean pending) {
    /** The value on one line, cut for the table. */
    public String summary() {
        String s = value == null ? "" : value.toString();
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    public String status() {
        return pending ? "edited, not saved" : "";
    }
}
