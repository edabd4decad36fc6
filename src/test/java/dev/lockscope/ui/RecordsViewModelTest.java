package dev.lockscope.ui;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockscope.record.RecordSnapshot;
import dev.lockscope.record.RecordStore;
import dev.lockscope.ui.common.BackgroundIo;
import dev.lockscope.ui.common.DialogService.ConflictChoice;
import dev.lockscope.ui.records.RecordRow;
import dev.lockscope.ui.records.RecordsViewModel;
import dev.lockscope.ui.records.StoreRecordFileGateway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The records tab's rules on real record files, through the real save path, without a robot. */
class RecordsViewModelTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path file;
    private final ScriptedDialogs dialogs = new ScriptedDialogs();
    private RecordsViewModel vm;

    @BeforeEach
    void setUp() throws Exception {
        file = dir.resolve("records.json");
        RecordStore.open(file).put("alpha", JSON.readTree("{\"n\":1}"));
        RecordStore.open(file).put("beta", JSON.readTree("\"two\""));
        vm = new RecordsViewModel(BackgroundIo.synchronous(), dialogs, new StoreRecordFileGateway());
        vm.open(file, true);
    }

    private RecordSnapshot onDisk() throws Exception {
        return RecordStore.open(file).read();
    }

    @Test
    void loadsTheRecordsAndTheirGeneration() {
        assertThat(vm.rows()).extracting(RecordRow::name).containsExactly("alpha", "beta");
        assertThat(vm.loadedGeneration()).isEqualTo(2);
        assertThat(vm.readOnlyProperty().get()).isFalse();
        assertThat(vm.canSaveProperty().get()).isFalse();
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
    void editAddDeleteAndSaveReachTheFile() throws Exception {
        vm.select("alpha");
        vm.editorTextProperty().set("{\"n\": 5}");
        vm.applyEdit();
        assertThat(vm.dirtyProperty().get()).isTrue();
        dialogs.textAnswers.add("gamma");
        vm.addRecord();
        vm.editorTextProperty().set("[1,2,3]");
        vm.applyEdit();
        vm.select("beta");
        vm.deleteSelected();
        assertThat(onDisk().records()).containsKeys("alpha", "beta").doesNotContainKey("gamma");

        vm.save();

        RecordSnapshot s = onDisk();
        assertThat(s.generation()).isEqualTo(3);
        assertThat(s.records()).containsOnlyKeys("alpha", "gamma");
        assertThat(s.records().get("alpha")).isEqualTo(JSON.readTree("{\"n\":5}"));
        assertThat(s.records().get("gamma")).isEqualTo(JSON.readTree("[1,2,3]"));
        assertThat(vm.dirtyProperty().get()).isFalse();
        assertThat(vm.loadedGeneration()).isEqualTo(3);
        assertThat(vm.messageProperty().get()).contains("generation 3");
        assertThat(dialogs.conflictQuestions).isEmpty();
    }

    @Test
    void conflictReapplyPutsMyChangeOnTopOfTheOther() throws Exception {
        vm.select("alpha");
        vm.editorTextProperty().set("{\"n\": 9}");
        vm.applyEdit();
        RecordStore.open(file).put("beta", JSON.readTree("\"changed elsewhere\""));
        dialogs.conflictAnswers.add(ConflictChoice.REAPPLY);

        vm.save();

        assertThat(dialogs.conflictQuestions).singleElement().asString()
                .contains("generation 2", "generation 3", "Re-apply");
        RecordSnapshot s = onDisk();
        assertThat(s.generation()).isEqualTo(4);
        assertThat(s.records().get("alpha")).isEqualTo(JSON.readTree("{\"n\":9}"));
        assertThat(s.records().get("beta").asText()).isEqualTo("changed elsewhere");
        assertThat(vm.dirtyProperty().get()).isFalse();
    }

    @Test
    void conflictReloadDropsMyChange() throws Exception {
        vm.select("alpha");
        vm.editorTextProperty().set("{\"n\": 9}");
        vm.applyEdit();
        RecordStore.open(file).put("beta", JSON.readTree("\"changed elsewhere\""));
        dialogs.conflictAnswers.add(ConflictChoice.RELOAD);

        vm.save();

        RecordSnapshot s = onDisk();
        assertThat(s.generation()).isEqualTo(3);
        assertThat(s.records().get("alpha")).isEqualTo(JSON.readTree("{\"n\":1}"));
        assertThat(vm.loadedGeneration()).isEqualTo(3);
        assertThat(vm.dirtyProperty().get()).isFalse();
        assertThat(vm.rows()).filteredOn(r -> r.name().equals("beta"))
                .singleElement().satisfies(r -> assertThat(r.value().asText()).isEqualTo("changed elsewhere"));
    }

    @Test
    void conflictCancelKeepsMyEditsUnsaved() throws Exception {
        vm.select("alpha");
        vm.editorTextProperty().set("{\"n\": 9}");
        vm.applyEdit();
        RecordStore.open(file).put("beta", JSON.readTree("\"changed elsewhere\""));
        dialogs.conflictAnswers.add(ConflictChoice.CANCEL);

        vm.save();

        assertThat(onDisk().generation()).isEqualTo(3);
        assertThat(vm.dirtyProperty().get()).isTrue();
        assertThat(vm.messageProperty().get()).contains("Not saved");
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
