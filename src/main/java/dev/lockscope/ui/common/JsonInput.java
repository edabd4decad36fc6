package dev.lockscope.ui.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.lockscope.record.RecordFormat;

/**
 * Checks JSON typed by the operator with the record store's own strict codec ({@link RecordFormat}), so the
 * GUI accepts exactly what the CLI and the file accept. Stateless; any thread.
 */
public final class JsonInput {

    private JsonInput() {
    }

    /**
     * Empty when {@code text} is one JSON value (no duplicate keys, no trailing content); else the problem
     * with its line and column, for showing beside the field.
     */
    public static String problem(String text) {
        if (text == null || text.isBlank()) {
            return "Empty: a record value must be JSON (for example {} or \"text\" or 42 or null).";
        }
        try {
            RecordFormat.parseValue(text);
            return "";
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            return "Invalid JSON" + (loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr())
                    + ": " + e.getOriginalMessage();
        }
    }
}
