package dev.lockscope.record;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Every row of the merge table, through the store's merging save on a real file: base is the generation
 * the editor loaded, theirs is a real concurrent save made after it, mine is saved with
 * {@link RecordStore#saveMerging}.
 */
class RecordMergeTest {

    @TempDir
    Path dir;

    private RecordStore store;
    private RecordSnapshot base;

    private static JsonNode json(String text) throws Exception {
        return RecordFormat.parseValue(text);
    }

    @BeforeEach
    void setUp() throws Exception {
        store = RecordStore.open(dir.resolve("records.json"));
        store.put("job-1", json("\"queued\""));
        store.put("job-2", json("\"queued\""));
        store.put("job-3", json("\"queued\""));
        base = store.read();
    }

    private TreeMap<String, JsonNode> mine() {
        return base.recordsCopy();
    }

    @Test
    void onlyMeIsApplied() throws Exception {
        TreeMap<String, JsonNode> mine = mine();
        mine.put("job-2", json("\"done\""));
        mine.remove("job-3");
        mine.put("job-4", json("1.10"));

        MergeSaveResult r = store.saveMerging(base, mine);

        assertThat(r.merge().mineApplied()).containsExactly("job-2", "job-3", "job-4");
        assertThat(r.save().reapplied()).isFalse();
        RecordSnapshot now = store.read();
        assertThat(now.generation()).isEqualTo(base.generation() + 1);
        assertThat(now.records()).containsOnlyKeys("job-1", "job-2", "job-4");
        assertThat(RecordFormat.toJson(now.get("job-4").orElseThrow(), false)).isEqualTo("1.10");
    }

    @Test
    void onlyThemIsKeptAndMyOtherChangeIsApplied() throws Exception {
        store.put("job-3", json("\"failed\""));
        store.delete("job-1");
        TreeMap<String, JsonNode> mine = mine();
        mine.put("job-2", json("\"done\""));

        MergeSaveResult r = store.saveMerging(base, mine);

        assertThat(r.merge().theirsKept()).containsExactly("job-1", "job-3");
        assertThat(r.merge().mineApplied()).containsExactly("job-2");
        assertThat(r.save().reapplied()).isTrue();
        assertThat(store.read().records()).isEqualTo(Map.of("job-2", json("\"done\""), "job-3", json("\"failed\"")));
    }

    @Test
    void bothToTheSameValueIsFine() throws Exception {
        store.put("job-2", json("{\"state\":\"done\",\"n\":1.10}"));
        store.delete("job-3");
        TreeMap<String, JsonNode> mine = mine();
        mine.put("job-2", json("{\"n\":1.10,\"state\":\"done\"}"));
        mine.remove("job-3");

        MergeSaveResult r = store.saveMerging(base, mine);

        assertThat(r.merge().conflicts()).isEmpty();
        assertThat(r.merge().bothSame()).containsExactly("job-2", "job-3");
        assertThat(r.save().written()).isFalse();
        assertThat(store.read().records()).containsOnlyKeys("job-1", "job-2");
    }

    @Test
    void bothDifferentlyIsAConflictWithTheThreeValuesAndNothingIsWritten() throws Exception {
        store.put("job-2", json("\"failed\""));
        store.put("job-1", json("\"running\""));
        RecordSnapshot theirs = store.read();
        TreeMap<String, JsonNode> mine = mine();
        mine.put("job-2", json("\"done\""));
        mine.put("job-3", json("\"done\""));

        RecordMergeConflictException e = catchThrowableOfType(() -> store.saveMerging(base, mine),
                RecordMergeConflictException.class);

        assertThat(e.conflicts()).containsExactly(new RecordMerge.Conflict("job-2", json("\"queued\""),
                json("\"done\""), json("\"failed\"")));
        assertThat(e.getMessage()).contains("'job-2'").contains("nothing was written");
        assertThat(e.current().generation()).isEqualTo(theirs.generation());
        assertThat(store.read()).isEqualTo(theirs);
    }

    @Test
    void numbersWithOtherDigitsAreDifferentValues() throws Exception {
        store.put("job-2", json("1.1"));
        TreeMap<String, JsonNode> mine = mine();
        mine.put("job-2", json("1.10"));

        RecordMergeConflictException e = catchThrowableOfType(() -> store.saveMerging(base, mine),
                RecordMergeConflictException.class);

        assertThat(e.outcome().conflictNames()).containsExactly("job-2");
    }

    @Test
    void iDeletedWhatTheyChangedIsAConflict() throws Exception {
        store.put("job-2", json("\"failed\""));
        TreeMap<String, JsonNode> mine = mine();
        mine.remove("job-2");

        RecordMergeConflictException e = catchThrowableOfType(() -> store.saveMerging(base, mine),
                RecordMergeConflictException.class);

        RecordMerge.Conflict c = e.conflicts().get(0);
        assertThat(c.name()).isEqualTo("job-2");
        assertThat(c.mine()).isNull();
        assertThat(c.theirs()).isEqualTo(json("\"failed\""));
        assertThat(c.deleteVersusChange()).isTrue();
        assertThat(store.read().get("job-2")).contains(json("\"failed\""));
    }

    @Test
    void theyDeletedWhatIChangedIsAConflict() throws Exception {
        store.delete("job-2");
        TreeMap<String, JsonNode> mine = mine();
        mine.put("job-2", json("\"done\""));

        RecordMergeConflictException e = catchThrowableOfType(() -> store.saveMerging(base, mine),
                RecordMergeConflictException.class);

        assertThat(e.conflicts()).containsExactly(new RecordMerge.Conflict("job-2", json("\"queued\""),
                json("\"done\""), null));
        assertThat(store.read().contains("job-2")).isFalse();
    }

    @Test
    void bothAddedTheSameNameDifferentlyIsAConflict() throws Exception {
        store.put("job-9", json("1"));
        TreeMap<String, JsonNode> mine = mine();
        mine.put("job-9", json("2"));

        RecordMergeConflictException e = catchThrowableOfType(() -> store.saveMerging(base, mine),
                RecordMergeConflictException.class);

        assertThat(e.conflicts()).containsExactly(new RecordMerge.Conflict("job-9", null, json("2"), json("1")));
    }

    @Test
    void resolvedConflictsSaveAgainstTheirsAsTheNewBase() throws Exception {
        store.put("job-2", json("\"failed\""));
        TreeMap<String, JsonNode> mine = mine();
        mine.put("job-2", json("\"done\""));
        RecordMergeConflictException e = catchThrowableOfType(() -> store.saveMerging(base, mine),
                RecordMergeConflictException.class);

        // The operator chose "keep mine" for job-2.
        TreeMap<String, JsonNode> resolved = new TreeMap<>(e.outcome().merged());
        resolved.put("job-2", json("\"done\""));
        MergeSaveResult r = store.saveMerging(e.current(), resolved);

        assertThat(r.merge().mineApplied()).containsExactly("job-2");
        assertThat(store.read().get("job-2")).contains(json("\"done\""));
    }
}
