package dev.lockscope.ui.common;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one confirmation of a bulk break tells the operator: how many stale locks, how many of each state
 * and each reason, the first few by name, and what in the selection is left alone. Immutable; any thread.
 *
 * @param directory    the lock directory
 * @param total        how many stale locks will be broken
 * @param perState     DEAD/EXPIRED → count
 * @param perReason    the verdicts' reasons with numbers blanked ("process # is gone") → count, most first
 * @param firstNames   the first few lock names, in table order
 * @param leftAlone    selected entries that are not stale locks (HELD, claims, other files): not touched
 */
public record BulkBreakSummary(String directory, int total, Map<String, Integer> perState,
                               Map<String, Integer> perReason, List<String> firstNames, int leftAlone) {

    /** How many names the confirmation lists. */
    public static final int NAMES_SHOWN = 5;

    public BulkBreakSummary {
        perState = Collections.unmodifiableMap(new LinkedHashMap<>(perState));
        perReason = Collections.unmodifiableMap(new LinkedHashMap<>(perReason));
        firstNames = List.copyOf(firstNames);
    }

    /** The whole summary as plain text, for the dialog and logs. */
    public String asText() {
        StringBuilder b = new StringBuilder();
        b.append("Break ").append(total).append(" stale lock").append(total == 1 ? "" : "s").append(" in ")
                .append(directory).append('\n');
        perState.forEach((s, n) -> b.append("  ").append(s).append(": ").append(n).append('\n'));
        b.append("Why they are stale:\n");
        perReason.forEach((r, n) -> b.append("  ").append(n).append(" × ").append(r).append('\n'));
        b.append("First ").append(firstNames.size()).append(": ").append(String.join(", ", firstNames))
                .append(total > firstNames.size() ? ", …" : "").append('\n');
        if (leftAlone > 0) {
            b.append(leftAlone).append(" other selected entr").append(leftAlone == 1 ? "y is" : "ies are")
                    .append(" not stale and left alone.\n");
        }
        return b.toString();
    }
}
