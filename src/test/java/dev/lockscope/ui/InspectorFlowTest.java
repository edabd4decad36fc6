package dev.lockscope.ui;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockscope.lock.LockFile;
import dev.lockscope.record.RecordSnapshot;
import dev.lockscope.record.RecordStore;
import dev.lockscope.ui.audit.AuditEntry;
import dev.lockscope.ui.common.BackgroundIo;
import dev.lockscope.ui.locks.LockRowViewModel;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The inspector driven by a robot, headless (Monocle), wired with its production parts: real dialogs,
 * the scanner's watcher, the record store, background I/O. Real locks, real record files.
 */
@ExtendWith(ApplicationExtension.class)
class InspectorFlowTest extends InspectorFlowFixture {

    private static final ObjectMapper JSON = new ObjectMapper();


    @Start
    void start(Stage stage) {
        show(stage);
    }

    /** This flow's waits have always been 20 s. */
    @Override
    java.time.Duration patience() {
        return java.time.Duration.ofSeconds(20);
    }

    private void open(FxRobot robot, Path d) {
        robot.interact(() -> inspector.viewModel().add(d));
    }


    private boolean hasRow(String name) {
        return inspector.viewModel().locks().allRows().stream().anyMatch(r -> r.name().equals(name));
    }

    @Test
    void breakADeadLockAfterConfirmingAndSeeTheAuditEntry(FxRobot robot) throws Exception {
        LockFixtures.deadLock(dir.resolve("dead.lock"));
        open(robot, dir);
        waitUntil("the dead lock is listed", () -> hasRow("dead.lock")
                && robot.lookup("dead.lock").tryQuery().isPresent());
        assertThat(robot.lookup("#breakButton").queryAs(Button.class).isDisabled()).isTrue();

        robot.clickOn("dead.lock");
        assertThat(robot.lookup(".badge-dead").queryAs(Label.class).getText()).isEqualTo("DEAD");
        waitUntil("the break button is enabled", () -> !robot.lookup("#breakButton").queryAs(Button.class).isDisabled());
        robot.clickOn("#breakButton");

        waitUntil("the confirmation shows", () -> robot.lookup("#breakDialog").tryQuery().isPresent());
        assertThat(robot.lookup("#breakDialog").lookup(".label").queryAllAs(Label.class))
                .extracting(Label::getText).anySatisfy(t -> assertThat(t).contains("no longer exists"));
        robot.clickOn("Break lock");

        waitUntil("the lock is gone from disk and table", () -> !Files.exists(dir.resolve("dead.lock"))
                && !hasRow("dead.lock"));
        // The rename removes the lock before the break completes its audit record and reports.
        waitUntil("the break is reported", () -> !inspector.viewModel().locks().actionMessageProperty().get()
                .startsWith("Breaking"));
        assertThat(inspector.viewModel().locks().actionMessageProperty().get()).startsWith("BROKEN");

        robot.clickOn("Audit");
        waitUntil("the audit entry shows", () -> robot.lookup("#auditTable").queryAs(TableView.class)
                .getItems().size() == 1);
        AuditEntry e = (AuditEntry) robot.lookup("#auditTable").queryAs(TableView.class).getItems().get(0);
        assertThat(e.outcome()).isEqualTo("BROKEN");
        assertThat(e.verdict()).isEqualTo("DEAD");
        assertThat(e.lock()).endsWith("dead.lock");
        try (Stream<Path> files = Files.list(dir.resolve(LockFile.AUDIT_DIR))) {
            assertThat(files).hasSize(1);
        }
    }

    @Test
    void cancellingTheBreakLeavesTheLock(FxRobot robot) throws Exception {
        LockFixtures.deadLock(dir.resolve("dead.lock"));
        open(robot, dir);
        waitUntil("the dead lock is listed", () -> hasRow("dead.lock")
                && robot.lookup("dead.lock").tryQuery().isPresent());
        robot.clickOn("dead.lock");
        waitUntil("the break button is enabled", () -> !robot.lookup("#breakButton").queryAs(Button.class).isDisabled());
        robot.type(KeyCode.DELETE); // the Delete shortcut asks the same question
        waitUntil("the confirmation shows", () -> robot.lookup("#breakDialog").tryQuery().isPresent());
        robot.clickOn("Cancel");

        waitUntil("the cancellation is reported", () -> inspector.viewModel().locks().actionMessageProperty().get()
                .contains("cancelled"));
        assertThat(Files.exists(dir.resolve("dead.lock"))).isTrue();
        assertThat(hasRow("dead.lock")).isTrue();
        assertThat(Files.exists(dir.resolve(LockFile.AUDIT_DIR))).isFalse();
    }

    @Test
    void editARecordAndSaveIt(FxRobot robot) throws Exception {
        Path file = dir.resolve("records.json");
        RecordStore.open(file).put("alpha", JSON.readTree("{\"n\":1}"));
        RecordStore.open(file).put("beta", JSON.readTree("\"two\""));
        open(robot, dir);
        robot.clickOn("Records");
        waitUntil("the records show", () -> inspector.viewModel().records().rows().size() == 2);

        robot.clickOn("alpha");
        robot.clickOn("#editor").push(KeyCode.CONTROL, KeyCode.A).write("{\"n\": 42, \"by\": \"robot\"}");
        robot.clickOn("#applyButton");
        robot.clickOn("#saveButton");

        waitUntil("the file holds the edit", () -> RecordStore.open(file).read().generation() == 3);
        RecordSnapshot s = RecordStore.open(file).read();
        assertThat(s.records().get("alpha")).isEqualTo(JSON.readTree("{\"n\":42,\"by\":\"robot\"}"));
        assertThat(s.records().get("beta").asText()).isEqualTo("two");
    }

    @Test
    void aMissingDirectoryShowsAClearErrorAndTheWindowStaysUsable(FxRobot robot) {
        Path gone = dir.resolve("vanished-mount");
        open(robot, gone);
        waitUntil("the error dialog shows", () -> robot.lookup("#errorDialog").tryQuery().isPresent());
        assertThat(robot.lookup("#errorDialog").lookup(".content").queryAs(Label.class).getText())
                .contains(gone.toString());
        robot.clickOn("OK");
        assertThat(inspector.viewModel().messageProperty().get()).contains(gone.toString());
        LockRowViewModel none = inspector.viewModel().locks().selectedProperty().get();
        assertThat(none).isNull();
    }
}
