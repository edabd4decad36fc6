package dev.lockscope.record;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The per-record three-way merge of a save against a file that moved on: base (the generation the editor
 * loaded), mine (the editor's records: base plus its pending changes) and theirs (the file as it is now,
 * read fresh under the lock). Stateless; any thread.
 *
 * <table>
 *   <caption>What happens to each record</caption>
 *   <tr><th>who changed it</th><th>result</th></tr>
 *   <tr><td>nobody</td><td>theirs (= base)</td></tr>
 *   <tr><td>only me</td><td>mine is applied</td></tr>
 *   <tr><td>only them</td><td>theirs is kept</td></tr>
 *   <tr><td>both, to the same value (or both deleted it)</td><td>that value</td></tr>
 *   <tr><td>both, differently; or one deleted it while the other changed it</td>
 *       <td>a {@link Conflict}; theirs stays in {@link Outcome#merged()} until the caller decides</td></tr>
 * </table>
 *
 * <p>"Changed" compares JSON values exactly: numbers keep their text ({@code 1.10} is not {@code 1.1}),
 * because the store keeps it. An absent record is "deleted"; present-but-null is a value.
 */
public final class RecordMerge {

    private RecordMerge() {
    }

    /**
     * A record both sides changed differently. A null value means the record is absent on that side
     * (never existed, or deleted).
     */
    public record Conflict(String name, JsonNode base, JsonNode mine, JsonNode theirs) {
        public Conflict {
            Objects.requireNonNull(name, "name");
        }

        /** True when one side deleted the record and the other changed it. */
        public boolean deleteVersusChange() {
            return mine == null || theirs == null;
        }
    }

    /**
     * What the merge found.
     *
     * @param merged      theirs, plus every change only I made; conflicting records hold theirs
     * @param conflicts   records both sides changed differently, sorted by name
     * @param mineApplied records only I changed (their change from base is in {@code merged})
     * @param theirsKept  records only they changed since base (kept as they are)
     * @param bothSame    records both sides changed to the same value (or both deleted)
     */
    public record Outcome(SortedMap<String, JsonNode> merged, List<Conflict> conflicts, List<String> mineApplied,
                          List<String> theirsKept, List<String> bothSame) {
        public Outcome {
            merged = Collections.unmodifiableSortedMap(new TreeMap<>(merged));
            conflicts = List.copyOf(conflicts);
            mineApplied = List.copyOf(mineApplied);
            theirsKept = List.copyOf(theirsKept);
            bothSame = List.copyOf(bothSame);
        }

        public boolean hasConflicts() {
            return !conflicts.isEmpty();
        }

        /** The names of the conflicting records, sorted. */
        public List<String> conflictNames() {
            return conflicts.stream().map(Conflict::name).toList();
        }
    }

    /**
     * Merges per record. The maps are not changed; values are shared with them (callers that keep the
     * result make copies, as {@link RecordSnapshot} does).
     */
    public static Outcome merge(Map<String, JsonNode> base, Map<String, JsonNode> mine, Map<String, JsonNode> theirs) {
        TreeSet<String> names = new TreeSet<>(base.keySet());
        names.addAll(mine.keySet());
        names.addAll(theirs.keySet());
        TreeMap<String, JsonNode> merged = new TreeMap<>(theirs);
        List<Conflict> conflicts = new ArrayList<>();
        List<String> mineApplied = new ArrayList<>();
        List<String> theirsKept = new ArrayList<>();
        List<String> bothSame = new ArrayList<>();
        for (String name : names) {
            JsonNode b = base.get(name);
            JsonNode m = mine.get(name);
            JsonNode t = theirs.get(name);
            boolean iChanged = !RecordFormat.sameValue(b, m);
            boolean theyChanged = !RecordFormat.sameValue(b, t);
            if (!iChanged && !theyChanged) {
                continue;
            }
            if (iChanged && !theyChanged) {
                mineApplied.add(name);
                if (m == null) {
                    merged.remove(name);
                } else {
                    merged.put(name, m);
                }
            } else if (!iChanged) {
                theirsKept.add(name);
            } else if (RecordFormat.sameValue(m, t)) {
                bothSame.add(name);
            } else {
                conflicts.add(new Conflict(name, b, m, t));
            }
        }
        return new Outcome(merged, conflicts, mineApplied, theirsKept, bothSame);
    }

    /** Mine as a whole map: {@code base} with {@code changes} applied (a null value deletes). */
    public static SortedMap<String, JsonNode> withChanges(Map<String, JsonNode> base, Map<String, JsonNode> changes) {
        TreeMap<String, JsonNode> mine = new TreeMap<>(base);
        changes.forEach((name, value) -> {
            if (value == null) {
                mine.remove(name);
            } else {
                mine.put(name, value);
            }
        });
        return mine;
    }
}
