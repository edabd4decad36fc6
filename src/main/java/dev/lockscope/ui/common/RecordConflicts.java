package dev.lockscope.ui.common;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.record.RecordMerge;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The question a save asks when records were changed both by the operator and on disk: each conflicting
 * record with its base, mine and theirs values. Immutable; any thread.
 *
 * @param file             the record file
 * @param baseGeneration   the generation the operator's edits were made to
 * @param theirsGeneration the generation on disk now
 * @param theirsWriter     who wrote it, in words, or ""
 * @param conflicts        the records both sides changed differently, sorted by name
 * @param theirsMerged     how many records only others changed (kept without a question)
 * @param mineMerged       how many of the operator's changes merge without a question
 */
public record RecordConflicts(Path file, long baseGeneration, long theirsGeneration, String theirsWriter,
                              List<RecordMerge.Conflict> conflicts, int theirsMerged, int mineMerged) {

    public RecordConflicts {
        conflicts = List.copyOf(conflicts);
    }

    /** What the operator chose for one record. */
    public enum Choice {
        /** Save my value over theirs. */
        KEEP_MINE,
        /** Keep their value and drop my change. */
        TAKE_THEIRS,
        /** Save a value written in the dialog. */
        EDIT
    }

    /**
     * One record settled.
     *
     * @param choice what was chosen
     * @param value  the value that will be saved; null when the record will be absent
     */
    public record Resolution(Choice choice, JsonNode value) {
        public Resolution {
            Objects.requireNonNull(choice, "choice");
        }

        public static Resolution keepMine(RecordMerge.Conflict c) {
            return new Resolution(Choice.KEEP_MINE, c.mine());
        }

        public static Resolution takeTheirs(RecordMerge.Conflict c) {
            return new Resolution(Choice.TAKE_THEIRS, c.theirs());
        }

        public static Resolution edited(JsonNode value) {
            return new Resolution(Choice.EDIT, Objects.requireNonNull(value, "value"));
        }
    }
}
