package dev.lockscope.ui;

import dev.lockscope.record.RecordFormat;
import dev.lockscope.record.RecordSnapshot;
import dev.lockscope.record.RecordStore;
import dev.lockscope.testing.TestJvm;
import dev.lockscope.ui.common.BackgroundIo;
import dev.lockscope.ui.records.RecordRow;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scenario driven by a robot on the production wiring (real dialogs, the file watcher, the
 * merging save path) with a real concurrent writer: the lockscope CLI as its own process.
 */
@ExtendWith(ApplicationExtension.class)
class RecordsFlowTest extends InspectorFlowFixture {

    private Path file;

    @Start
    void start(Stage stage) {
        show(stage);
    }

    @Override
    void closeAlso() {
        inspector.viewModel().records().close();
    }


    private RecordRow row(String name) {
        return inspector.viewModel().records().rows().stream().filter(r -> r.name().equals(name)).findFirst()
                .orElse(null);
    }

    private String onDisk(String name) throws Exception {
        return RecordFormat.toJson(RecordStore.open(file).read().get(name).orElseThrow(), false);
    }

    /** Opens the directory (records.json opens by default) and edits job-2 to "done" in the GUI, unsaved. */
    private void editJob2InTheGui(FxRobot robot) throws Exception {
        file = dir.resolve("records.json");
        RecordStore store = RecordStore.open(file);
        for (String job : List.of("job-1", "job-2", "job-3")) {
            store.put(job, RecordFormat.parseValue("\"running\""));
        }
        robot.interact(() -> inspector.viewModel().add(dir));
        robot.clickOn("Records");
        waitUntil("records.json is open", () -> inspector.viewModel().records().rows().size() == 3);
        robot.clickOn("job-2");
        robot.clickOn("#editor").push(KeyCode.CONTROL, KeyCode.A).write("\"done\"");
        robot.clickOn("#applyButton");
        assertThat(robot.lookup("#saveButton").queryAs(Button.class).getText()).isEqualTo("Save 1 change");
    }

    /** The real CLI, as a script would run it. */
    private void cliPut(String name, String json) throws Exception {
        TestJvm.Result r = TestJvm.runCli(List.of("records", "put", file.toString(), name, json), Map.of(), null, 120);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
    }

    @Test
    void aConcurrentCliPutOfTheSameRecordIsAskedAboutAndNothingIsOverwrittenUntilChosen(FxRobot robot)
            throws Exception {
        editJob2InTheGui(robot);
        cliPut("job-2", "\"failed\"");

        waitUntil("the edited row is flagged before Save", () -> row("job-2") != null && row("job-2").changedOnDisk());
        assertThat(row("job-2").status()).contains("changed on disk");
        robot.clickOn("#saveButton");

        waitUntil("the conflict dialog shows", () -> robot.lookup("#recordConflictDialog").tryQuery().isPresent());
        assertThat(robot.lookup("#recordConflictDialog").lookup(".label").queryAllAs(Label.class))
                .extracting(Label::getText).contains("job-2");
        assertThat(robot.lookup("#recordConflictDialog").lookup(".text-area").queryAllAs(TextArea.class))
                .extracting(TextArea::getText).contains("\"running\"", "\"done\"", "\"failed\"");
        // Within the dialog: the main window has buttons of the same names (the bulk break's Cancel).
        javafx.scene.Node dialog = robot.lookup("#recordConflictDialog").query();
        Button saveResolved = robot.from(dialog).lookup("Save resolved").queryButton();
        assertThat(saveResolved.isDisabled()).as("nothing chosen yet").isTrue();
        assertThat(saveResolved.isDefaultButton()).isFalse();
        assertThat(robot.from(dialog).lookup("Cancel").queryButton().isDefaultButton()).isTrue();
        assertThat(onDisk("job-2")).as("their value while the operator decides").isEqualTo("\"failed\"");

        robot.clickOn("#keepMine0");
        assertThat(saveResolved.isDisabled()).isFalse();
        assertThat(onDisk("job-2")).as("still theirs: choosing is not saving").isEqualTo("\"failed\"");
        robot.clickOn(saveResolved);

        waitUntil("the operator's choice is saved", () -> onDisk("job-2").equals("\"done\""));
        RecordSnapshot s = RecordStore.open(file).read();
        assertThat(s.generation()).isEqualTo(5);
        assertThat(onDisk("job-3")).isEqualTo("\"running\"");
        waitUntil("nothing is pending", () -> !inspector.viewModel().records().dirtyProperty().get());
    }

    @Test
    void cancellingTheConflictDialogKeepsTheirValue(FxRobot robot) throws Exception {
        editJob2InTheGui(robot);
        cliPut("job-2", "\"failed\"");
        robot.clickOn("#saveButton");
        waitUntil("the conflict dialog shows", () -> robot.lookup("#recordConflictDialog").tryQuery().isPresent());

        robot.type(KeyCode.ENTER); // the default button

        waitUntil("the dialog is gone", () -> robot.lookup("#recordConflictDialog").tryQuery().isEmpty());
        assertThat(onDisk("job-2")).isEqualTo("\"failed\"");
        assertThat(RecordStore.open(file).read().generation()).isEqualTo(4);
        assertThat(inspector.viewModel().records().dirtyProperty().get()).isTrue();
        assertThat(inspector.viewModel().records().messageProperty().get()).startsWith("Not saved");
    }

    @Test
    void aConcurrentCliPutOfAnotherRecordIsMergedWithoutAQuestion(FxRobot robot) throws Exception {
        editJob2InTheGui(robot);
        cliPut("job-3", "\"failed\"");
        waitUntil("the CLI's change shows live", () -> row("job-3") != null
                && row("job-3").summary().equals("\"failed\""));
        assertThat(row("job-2").changedOnDisk()).isFalse();

        robot.clickOn("#saveButton");

        waitUntil("both changes are on disk", () -> RecordStore.open(file).read().generation() == 5);
        assertThat(robot.lookup("#recordConflictDialog").tryQuery()).isEmpty();
        assertThat(onDisk("job-2")).isEqualTo("\"done\"");
        assertThat(onDisk("job-3")).isEqualTo("\"failed\"");
        waitUntil("the message says theirs was merged", () -> inspector.viewModel().records().messageProperty().get()
                .contains("Merged 1 change made by others meanwhile (job-3)"));
    }
}
