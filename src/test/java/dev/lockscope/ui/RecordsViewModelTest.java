package dev.lockscope.ui;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockHandle;
import dev.lockscope.lock.LockOptions;
import dev.lockscope.record.RecordFormat;
import dev.lockscope.record.RecordMerge;
import dev.lockscope.record.RecordSnapshot;
import dev.lockscope.record.RecordStore;
import dev.lockscope.ui.common.BackgroundIo;
import dev.lockscope.ui.common.RecordConflicts;
import dev.lockscope.ui.records.RecordFileGateway.Change;
import dev.lockscope.ui.records.RecordRow;
import dev.lockscope.ui.records.RecordsViewModel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The records tab's rules on real record files, through the real merging save path, without a robot:
 * the strict JSON path, every row of the merge table, the conflict question, live changes, which file
 * opens, and reviewable edits.
 */
class RecordsViewModelTest {

    @TempDir
    Path dir;

    private Path file;
    private final ScriptedDialogs dialogs = new ScriptedDialogs();
    private final ManualWatchGateway gateway = new ManualWatchGateway();
    private RecordsViewModel vm;

    private static JsonNode json(String text) throws Exception {
        return RecordFormat.parseValue(text);
    }

    @BeforeEach
    void setUp() throws Exception {
        file = dir.resolve("records.json");
        RecordStore.open(file).put("alpha", json("{\"n\":1}"));
        RecordStore.open(file).put("beta", json("\"two\""));
        vm = new RecordsViewModel(BackgroundIo.synchronous(), dialogs, gateway);
        vm.open(file, true);
    }

    private RecordSnapshot onDisk() throws Exception {
        return RecordStore.open(file).read();
    }

    private void edit(String name, String text) {
        vm.select(name);
        vm.editorTextProperty().set(text);
        vm.applyEdit();
    }

    private RecordRow row(String name) {
        return vm.rows().stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + name));
    }

    /** An answer that settles every conflict the same way, after checking the file is still theirs. */
    private void answerEach(RecordConflicts.Choice choice) {
        dialogs.recordConflictAnswers.add(q -> Optional.of(q.conflicts().stream().collect(Collectors.toMap(
                RecordMerge.Conflict::name, c -> choice == RecordConflicts.Choice.KEEP_MINE
                        ? RecordConflicts.Resolution.keepMine(c) : RecordConflicts.Resolution.takeTheirs(c)))));
    }

    // ---- loading and the strict JSON path ------------------------------------------------------

    @Test
    void loadsTheRecordsAndTheirGeneration() {
        assertThat(vm.rows()).extracting(RecordRow::name).containsExactly("alpha", "beta");
        assertThat(vm.loadedGeneration()).isEqualTo(2);
        assertThat(vm.readOnlyProperty().get()).isFalse();
        assertThat(vm.canSaveProperty().get()).isFalse();
        assertThat(vm.saveTextProperty().get()).isEqualTo("Save");
    }

    @Test
    void invalidJsonCannotBeAppliedAndSaysWhere() {
        vm.select("alpha");
        assertThat(vm.editorTextProperty().get()).contains("\"n\" : 1");
        vm.editorTextProperty().set("{\"n\": 1,,}");
        assertThat(vm.validationProperty().get()).startsWith("Invalid JSON at line 1");
        assertThat(vm.canApplyEditProperty().get()).isFalse();
        vm.editorTextProperty().set("{\"n\": 5}");
        assertThat(vm.validationProperty().get()).isEmpty();
        assertThat(vm.canApplyEditProperty().get()).isTrue();
    }

    @Test
    void duplicateKeysAndTrailingContentAreRefusedWithTheirPosition() {
        vm.select("alpha");
        vm.editorTextProperty().set("{\"a\": 1,\n \"a\": 2}");
        assertThat(vm.validationProperty().get()).startsWith("Invalid JSON at line 2").contains("Duplicate field 'a'");
        assertThat(vm.canApplyEditProperty().get()).isFalse();
        vm.editorTextProperty().set("{} garbage");
        assertThat(vm.validationProperty().get()).startsWith("Invalid JSON at line 1, column");
        assertThat(vm.canApplyEditProperty().get()).isFalse();
        vm.editorTextProperty().set("{} 1");
        assertThat(vm.validationProperty().get()).contains("Trailing token");
    }

    @Test
    void numbersKeepTheirExactTextThroughEditAndSave() throws Exception {
        edit("alpha", "{\"n\": 1.10, \"big\": 12345678901234567890.5, \"e\": 1E+400}");
        vm.save();
        assertThat(RecordFormat.toJson(onDisk().get("alpha").orElseThrow(), false))
                .isEqualTo("{\"n\":1.10,\"big\":12345678901234567890.5,\"e\":1E+400}");
        vm.select("alpha");
        assertThat(vm.editorTextProperty().get()).contains("1.10").contains("12345678901234567890.5");
    }

    @Test
    void changingOnlyTheDigitsOfANumberIsAChange() throws Exception {
        RecordStore.open(file).put("alpha", json("1.1"));
        vm.reload();
        edit("alpha", "1.10");
        assertThat(vm.dirtyProperty().get()).isTrue();
        vm.save();
        assertThat(RecordFormat.toJson(onDisk().get("alpha").orElseThrow(), false)).isEqualTo("1.10");
    }

    @Test
    void newRecordNamesFollowTheStoresRule() throws Exception {
        dialogs.textAnswers.add("bad\u0001name");
        vm.addRecord();
        dialogs.textAnswers.add("x".repeat(RecordFormat.MAX_NAME_LENGTH + 1));
        vm.addRecord();
        assertThat(dialogs.errors).hasSize(2);
        assertThat(dialogs.errors.get(0)).contains("control character U+0001");
        assertThat(dialogs.errors.get(1)).contains("longer than " + RecordFormat.MAX_NAME_LENGTH);
        assertThat(vm.dirtyProperty().get()).isFalse();
    }

    // ---- the merge table, through Save ---------------------------------------------------------

    @Test
    void editAddDeleteAndSaveReachTheFile() throws Exception {
        edit("alpha", "{\"n\": 5}");
        assertThat(vm.dirtyProperty().get()).isTrue();
        dialogs.textAnswers.add("gamma");
        vm.addRecord();
        vm.editorTextProperty().set("[1,2,3]");
        vm.applyEdit();
        vm.select("beta");
        vm.deleteSelected();
        assertThat(vm.saveTextProperty().get()).isEqualTo("Save 3 changes");
        assertThat(onDisk().records()).containsKeys("alpha", "beta").doesNotContainKey("gamma");

        vm.save();

        RecordSnapshot s = onDisk();
        assertThat(s.generation()).isEqualTo(3);
        assertThat(s.records()).containsOnlyKeys("alpha", "gamma");
        assertThat(s.records().get("alpha")).isEqualTo(json("{\"n\":5}"));
        assertThat(s.records().get("gamma")).isEqualTo(json("[1,2,3]"));
        assertThat(vm.dirtyProperty().get()).isFalse();
        assertThat(vm.loadedGeneration()).isEqualTo(3);
        assertThat(vm.messageProperty().get()).contains("Saved 3 changes").contains("generation 3");
        assertThat(dialogs.recordConflictQuestions).isEmpty();
    }

    @Test
    void mergeRowOnlyMeIsApplied() throws Exception {
        edit("alpha", "{\"n\": 9}");
        vm.save();
        assertThat(onDisk().get("alpha")).contains(json("{\"n\":9}"));
        assertThat(dialogs.recordConflictQuestions).isEmpty();
        assertThat(vm.messageProperty().get()).doesNotContain("Merged");
    }

    @Test
    void mergeRowOnlyThemIsKeptAndTheMessageCountsIt() throws Exception {
        edit("alpha", "{\"n\": 9}");
        RecordStore.open(file).put("beta", json("\"changed elsewhere\""));
        RecordStore.open(file).put("delta", json("4"));

        vm.save();

        assertThat(dialogs.recordConflictQuestions).isEmpty();
        RecordSnapshot s = onDisk();
        assertThat(s.generation()).isEqualTo(5);
        assertThat(s.records().get("alpha")).isEqualTo(json("{\"n\":9}"));
        assertThat(s.records().get("beta").asText()).isEqualTo("changed elsewhere");
        assertThat(s.records().get("delta")).isEqualTo(json("4"));
        assertThat(vm.messageProperty().get()).contains("Merged 2 changes made by others meanwhile (beta, delta)");
        assertThat(vm.dirtyProperty().get()).isFalse();
        assertThat(row("beta").value().asText()).isEqualTo("changed elsewhere");
    }

    @Test
    void mergeRowBothToTheSameValueIsFine() throws Exception {
        edit("alpha", "{\"n\": 9}");
        RecordStore.open(file).put("alpha", json("{\"n\":9}"));

        vm.save();

        assertThat(dialogs.recordConflictQuestions).isEmpty();
        assertThat(onDisk().generation()).isEqualTo(3);
        assertThat(onDisk().get("alpha")).contains(json("{\"n\":9}"));
        assertThat(vm.dirtyProperty().get()).isFalse();
    }

    @Test
    void mergeRowBothDifferentlyAsksWithTheThreeValuesAndWritesNothingUntilChosen() throws Exception {
        edit("alpha", "{\"n\": 9}");
        RecordStore.open(file).put("alpha", json("{\"n\":7}"));
        RecordStore.open(file).put("beta", json("\"changed elsewhere\""));
        long theirs = onDisk().generation();
        dialogs.recordConflictAnswers.add(q -> {
            // While the question is open, their value is on disk, untouched.
            try {
                assertThat(onDisk().generation()).isEqualTo(theirs);
                assertThat(onDisk().get("alpha")).contains(json("{\"n\":7}"));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            return Optional.of(Map.of("alpha", RecordConflicts.Resolution.keepMine(q.conflicts().get(0))));
        });

        vm.save();

        RecordConflicts q = dialogs.recordConflictQuestions.get(0);
        assertThat(q.conflicts()).containsExactly(new RecordMerge.Conflict("alpha", json("{\"n\":1}"),
                json("{\"n\":9}"), json("{\"n\":7}")));
        assertThat(q.baseGeneration()).isEqualTo(2);
        assertThat(q.theirsGeneration()).isEqualTo(theirs);
        assertThat(q.theirsMerged()).isEqualTo(1);
        RecordSnapshot s = onDisk();
        assertThat(s.get("alpha")).contains(json("{\"n\":9}"));
        assertThat(s.get("beta").orElseThrow().asText()).isEqualTo("changed elsewhere");
        assertThat(vm.messageProperty().get()).contains("Saved 1 change").contains("Merged 1 change made by others");
    }

    @Test
    void takeTheirsKeepsTheirValueAndStillSavesMyOtherChanges() throws Exception {
        edit("alpha", "{\"n\": 9}");
        edit("beta", "\"mine\"");
        RecordStore.open(file).put("alpha", json("{\"n\":7}"));
        answerEach(RecordConflicts.Choice.TAKE_THEIRS);

        vm.save();

        assertThat(onDisk().get("alpha")).contains(json("{\"n\":7}"));
        assertThat(onDisk().get("beta")).contains(json("\"mine\""));
        assertThat(vm.dirtyProperty().get()).isFalse();
    }

    @Test
    void anEditedResolutionIsSaved() throws Exception {
        edit("alpha", "{\"n\": 9}");
        RecordStore.open(file).put("alpha", json("{\"n\":7}"));
        dialogs.recordConflictAnswers.add(q -> {
            try {
                return Optional.of(Map.of("alpha", RecordConflicts.Resolution.edited(json("{\"n\":16}"))));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });

        vm.save();

        assertThat(onDisk().get("alpha")).contains(json("{\"n\":16}"));
    }

    @Test
    void mergeRowIDeletedWhatTheyChangedAsks() throws Exception {
        vm.select("beta");
        vm.deleteSelected();
        RecordStore.open(file).put("beta", json("\"changed elsewhere\""));
        answerEach(RecordConflicts.Choice.TAKE_THEIRS);

        vm.save();

        RecordMerge.Conflict c = dialogs.recordConflictQuestions.get(0).conflicts().get(0);
        assertThat(c.name()).isEqualTo("beta");
        assertThat(c.mine()).isNull();
        assertThat(c.theirs()).isEqualTo(json("\"changed elsewhere\""));
        assertThat(onDisk().get("beta")).contains(json("\"changed elsewhere\""));
    }

    @Test
    void mergeRowTheyDeletedWhatIChangedAsks() throws Exception {
        edit("alpha", "{\"n\": 9}");
        RecordStore.open(file).delete("alpha");
        answerEach(RecordConflicts.Choice.KEEP_MINE);

        vm.save();

        RecordMerge.Conflict c = dialogs.recordConflictQuestions.get(0).conflicts().get(0);
        assertThat(c.name()).isEqualTo("alpha");
        assertThat(c.theirs()).isNull();
        assertThat(onDisk().get("alpha")).contains(json("{\"n\":9}"));
    }

    @Test
    void cancellingTheConflictWritesNothingAndKeepsMyEditsMarked() throws Exception {
        edit("alpha", "{\"n\": 9}");
        RecordStore.open(file).put("alpha", json("{\"n\":7}"));
        long theirs = onDisk().generation();
        dialogs.recordConflictAnswers.add(q -> Optional.empty());

        vm.save();

        assertThat(onDisk().generation()).isEqualTo(theirs);
        assertThat(onDisk().get("alpha")).contains(json("{\"n\":7}"));
        assertThat(vm.dirtyProperty().get()).isTrue();
        assertThat(row("alpha").value()).isEqualTo(json("{\"n\":9}"));
        assertThat(row("alpha").changedOnDisk()).isTrue();
        assertThat(vm.messageProperty().get()).startsWith("Not saved").contains("alpha");
    }

    @Test
    void anAnswerThatLeavesAConflictUnsettledWritesNothing() throws Exception {
        edit("alpha", "{\"n\": 9}");
        edit("beta", "\"mine\"");
        RecordStore.open(file).put("alpha", json("{\"n\":7}"));
        RecordStore.open(file).put("beta", json("\"theirs\""));
        long theirs = onDisk().generation();
        dialogs.recordConflictAnswers.add(q -> Optional.of(Map.of("alpha",
                RecordConflicts.Resolution.keepMine(q.conflicts().get(0)))));

        vm.save();

        assertThat(onDisk().generation()).isEqualTo(theirs);
        assertThat(vm.dirtyProperty().get()).isTrue();
        assertThat(vm.messageProperty().get()).startsWith("Not saved");
    }

    // ---- live records --------------------------------------------------------------------------

    @Test
    void aChangeOnDiskUpdatesTheRowsWhenNothingIsPending() throws Exception {
        RecordStore.open(file).put("beta", json("\"new\""));
        gateway.fire(file, Change.RECORDS);
        assertThat(row("beta").value()).isEqualTo(json("\"new\""));
        assertThat(vm.loadedGeneration()).isEqualTo(3);
    }

    @Test
    void aChangeOnDiskKeepsPendingEditsAndFlagsTheEditedRecordBeforeSave() throws Exception {
        edit("alpha", "{\"n\": 9}");
        RecordStore.open(file).put("alpha", json("{\"n\":7}"));
        RecordStore.open(file).put("beta", json("\"new\""));

        gateway.fire(file, Change.RECORDS);

        assertThat(row("beta").value()).isEqualTo(json("\"new\""));
        assertThat(row("beta").pending()).isFalse();
        assertThat(row("alpha").value()).isEqualTo(json("{\"n\":9}"));
        assertThat(row("alpha").changedOnDisk()).isTrue();
        assertThat(row("alpha").status()).isEqualTo("edited, not saved; changed on disk");
        assertThat(vm.dirtyProperty().get()).isTrue();
        assertThat(vm.loadedGeneration()).as("the base of my edits stays").isEqualTo(2);
        assertThat(vm.messageProperty().get()).contains("1 of your edited record(s) changed on disk too");
    }

    @Test
    void theLockHolderIsShownWhileSomeoneHoldsTheRecordFilesLock() throws Exception {
        assertThat(vm.lockHolderProperty().get()).isEmpty();
        LockHandle h = LinkLock.of(RecordStore.open(file).lockFile(),
                LockOptions.defaults().withPurpose("nightly import")).acquire(Duration.ofSeconds(5));
        try {
            gateway.fire(file, Change.LOCK);
            assertThat(vm.lockHolderProperty().get()).startsWith("records.json.lock is HELD")
                    .contains(System.getProperty("user.name")).contains("nightly import");
        } finally {
            h.release();
        }
        gateway.fire(file, Change.LOCK);
        assertThat(vm.lockHolderProperty().get()).isEmpty();
    }

    // ---- which file ----------------------------------------------------------------------------

    @Test
    void theRecordsJsonBesideTheLocksIsOpenedAndNotAnotherJsonFile() throws Exception {
        Path lockDir = Files.createDirectory(dir.resolve("locks"));
        Files.writeString(lockDir.resolve("a-settings.json"), "{\"theme\": \"dark\"}");
        RecordStore.open(lockDir.resolve("records.json")).put("job-1", json("1"));
        RecordsViewModel fresh = new RecordsViewModel(BackgroundIo.synchronous(), dialogs, gateway);

        fresh.suggestFor(lockDir);

        assertThat(fresh.fileProperty().get()).isEqualTo(lockDir.resolve("records.json"));
        assertThat(fresh.rows()).extracting(RecordRow::name).containsExactly("job-1");
    }

    @Test
    void withoutRecordsJsonNothingIsOpenedUntilItAppears() throws Exception {
        Path lockDir = Files.createDirectory(dir.resolve("locks"));
        Files.writeString(lockDir.resolve("a-settings.json"), "{\"theme\": \"dark\"}");
        RecordsViewModel fresh = new RecordsViewModel(BackgroundIo.synchronous(), dialogs, gateway);

        fresh.suggestFor(lockDir);

        assertThat(fresh.fileProperty().get()).isNull();
        assertThat(fresh.messageProperty().get()).contains("No records.json in " + lockDir);
        RecordStore.open(lockDir.resolve("records.json")).put("job-1", json("1"));
        gateway.fire(lockDir.resolve("records.json"), Change.RECORDS);
        assertThat(fresh.fileProperty().get()).isEqualTo(lockDir.resolve("records.json"));
        assertThat(fresh.rows()).extracting(RecordRow::name).containsExactly("job-1");
    }

    @Test
    void aRecordsJsonThatIsNotARecordFileIsNotOpened() throws Exception {
        Path lockDir = Files.createDirectory(dir.resolve("locks"));
        Files.writeString(lockDir.resolve("records.json"), "{\"theme\": \"dark\"}");
        RecordsViewModel fresh = new RecordsViewModel(BackgroundIo.synchronous(), dialogs, gateway);

        fresh.suggestFor(lockDir);

        assertThat(fresh.fileProperty().get()).isNull();
        assertThat(fresh.messageProperty().get()).startsWith("Not opened").contains("format");
    }

    @Test
    void theChooserStartsInTheLockDirectory() throws Exception {
        Path other = dir.resolve("other.json");
        RecordStore.open(other).put("x", json("1"));
        vm.suggestFor(dir);
        dialogs.chosenRecordFiles.add(other);

        vm.chooseFile();

        assertThat(dialogs.chooserStarts).containsExactly(dir);
        assertThat(vm.fileProperty().get()).isEqualTo(other);
    }

    /** The read after a save must not show the saved file's records once another file is open. */
    @Test
    void aReadAfterSaveThatFinishesAfterOpeningAnotherFileIsIgnored() throws Exception {
        Path other = dir.resolve("other.json");
        RecordStore.open(other).put("other-record", json("1"));
        ArrayDeque<Runnable> ioQueue = new ArrayDeque<>();
        RecordsViewModel queued = new RecordsViewModel(new BackgroundIo(ioQueue::add, Runnable::run,
                Duration.ofSeconds(30)), dialogs, gateway);
        queued.open(file, true);
        runAll(ioQueue);
        queued.select("alpha");
        queued.editorTextProperty().set("{\"n\": 9}");
        queued.applyEdit();
        queued.save();
        runAll(ioQueue.size(), ioQueue);          // the save; its callback queues the read-back of records.json
        Runnable readBackOfTheSavedFile = ioQueue.removeLast();

        queued.open(other, true);
        runAll(ioQueue);                          // other.json loads
        readBackOfTheSavedFile.run();             // then the late read of records.json finishes

        assertThat(queued.fileProperty().get()).isEqualTo(other);
        assertThat(queued.rows()).extracting(RecordRow::name).containsExactly("other-record");
        assertThat(queued.loadedGeneration()).isEqualTo(1);
    }

    private static void runAll(ArrayDeque<Runnable> q) {
        while (!q.isEmpty()) {
            q.poll().run();
        }
    }

    private static void runAll(int n, ArrayDeque<Runnable> q) {
        for (int i = 0; i < n; i++) {
            q.poll().run();
        }
    }

    // ---- reviewable edits ----------------------------------------------------------------------

    @Test
    void aPendingDeleteStaysVisibleUntilSave() throws Exception {
        vm.select("beta");
        vm.deleteSelected();
        assertThat(row("beta").change()).isEqualTo(RecordRow.Change.DELETED);
        assertThat(row("beta").status()).isEqualTo("deleted, not saved");
        assertThat(row("beta").value()).isEqualTo(json("\"two\""));
        assertThat(vm.canDeleteProperty().get()).isFalse();
        vm.save();
        assertThat(vm.rows()).extracting(RecordRow::name).containsExactly("alpha");
    }

    @Test
    void undoTakesBackOnePendingChangeAtATime() throws Exception {
        edit("alpha", "{\"n\": 9}");
        vm.select("beta");
        vm.deleteSelected();
        dialogs.textAnswers.add("gamma");
        vm.addRecord();
        assertThat(vm.saveTextProperty().get()).isEqualTo("Save 3 changes");

        vm.undo();
        assertThat(vm.rows()).extracting(RecordRow::name).containsExactly("alpha", "beta");
        assertThat(row("beta").change()).isEqualTo(RecordRow.Change.DELETED);
        vm.undo();
        assertThat(row("beta").pending()).isFalse();
        assertThat(row("alpha").pending()).isTrue();
        assertThat(vm.saveTextProperty().get()).isEqualTo("Save 1 change");
        vm.undo();
        assertThat(row("alpha").value()).isEqualTo(json("{\"n\":1}"));
        assertThat(vm.canUndoProperty().get()).isFalse();
        assertThat(vm.dirtyProperty().get()).isFalse();
    }

    @Test
    void revertRecordDropsOnlyThatRecordsChange() throws Exception {
        edit("alpha", "{\"n\": 9}");
        edit("beta", "\"mine\"");
        vm.select("alpha");
        vm.revertSelected();
        assertThat(row("alpha").pending()).isFalse();
        assertThat(row("alpha").value()).isEqualTo(json("{\"n\":1}"));
        assertThat(row("beta").pending()).isTrue();
        assertThat(vm.saveTextProperty().get()).isEqualTo("Save 1 change");
        vm.undo();
        assertThat(row("alpha").pending()).isTrue();
    }

    @Test
    void aCorruptFileIsShownReadOnlyAndNeverWritten() throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"format\": \"lockscope-records/1\", \"records\": {", StandardCharsets.UTF_8);
        byte[] before = Files.readAllBytes(bad);
        vm.open(bad, true);
        assertThat(vm.readOnlyProperty().get()).isTrue();
        assertThat(vm.messageProperty().get()).startsWith("Read-only").contains(bad.toString());
        assertThat(vm.canAddProperty().get()).isFalse();
        assertThat(vm.canSaveProperty().get()).isFalse();
        assertThat(Files.readAllBytes(bad)).isEqualTo(before);
    }
}
