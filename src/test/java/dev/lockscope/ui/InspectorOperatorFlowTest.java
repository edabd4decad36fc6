package dev.lockscope.ui;

import dev.lockscope.ui.common.BackgroundIo;
import dev.lockscope.ui.locks.LockRowViewModel;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.control.TableRow;
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
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The inspector as an operator meets it, driven by a robot (headless Monocle) with its production parts:
 * messages that never move the table, failures named by their cause, bulk breaks.
 */
@ExtendWith(ApplicationExtension.class)
class InspectorOperatorFlowTest extends InspectorFlowFixture {


    @Start
    void start(Stage stage) {
        show(stage);
    }



    private boolean hasRow(String name) {
        return inspector.viewModel().locks().allRows().stream().anyMatch(r -> r.name().equals(name));
    }

    private static Bounds screenBoundsOfRow(FxRobot robot, String name) {
        return robot.lookup(".table-row-cell").match((Node n) -> n instanceof TableRow<?> r
                        && r.getItem() instanceof LockRowViewModel row && row.name().equals(name))
                .query().localToScreen(robot.lookup(".table-row-cell").match((Node n) -> n instanceof TableRow<?> r
                        && r.getItem() instanceof LockRowViewModel row && row.name().equals(name)).query()
                        .getBoundsInLocal());
    }

    @Test
    void aMessageAppearingDoesNotMoveTheSelectedRowAndCanBeDismissed(FxRobot robot) throws Exception {
        LockFixtures.expiredLock(dir.resolve("a-expired.lock"));
        LockFixtures.expiredLock(dir.resolve("b-expired.lock"));
        robot.interact(() -> inspector.viewModel().add(dir));
        // Both rows, sorted: a click aimed while the second row is still arriving could land on the other one.
        waitUntil("the locks are shown", () -> robot.lookup("a-expired.lock").tryQuery().isPresent()
                && robot.lookup("b-expired.lock").tryQuery().isPresent());
        robot.clickOn("b-expired.lock");
        waitUntil("b-expired.lock is selected", () -> inspector.viewModel().locks().selectedProperty().get() != null
                && inspector.viewModel().locks().selectedProperty().get().name().equals("b-expired.lock"));
        Bounds before = screenBoundsOfRow(robot, "b-expired.lock");

        robot.type(KeyCode.DELETE);
        waitUntil("the confirmation shows", () -> robot.lookup("#breakDialog").tryQuery().isPresent());
        // The keyboard answers (Esc = Cancel): a mouse click on the dialog's button can fall through to the row
        // under it once the dialog is gone, which would test the robot, not the layout.
        robot.type(KeyCode.ESCAPE);
        waitUntil("the cancellation is shown", () -> robot.lookup("#actionBanner").query().isVisible());

        assertThat(screenBoundsOfRow(robot, "b-expired.lock")).isEqualTo(before);
        assertThat(inspector.viewModel().locks().selectedProperty().get().name()).isEqualTo("b-expired.lock");

        robot.clickOn("#dismissActionButton");
        waitUntil("the message is gone", () -> !robot.lookup("#actionBanner").query().isVisible());
        assertThat(inspector.viewModel().locks().actionMessageProperty().get()).isEmpty();
    }

    @Test
    void bulkBreakOf50DeadLocksAmongHeldOnes(FxRobot robot) throws Exception {
        long dead = LockFixtures.exitedPid();
        for (int i = 0; i < 50; i++) {
            LockFixtures.deadLockOf(dir.resolve(String.format("job-%02d.lock", i)), dead);
        }
        for (int i = 0; i < 3; i++) {
            LockFixtures.heldByThisProcess(dir.resolve("live-" + i + ".lock"));
        }
        robot.interact(() -> inspector.viewModel().add(dir));
        waitUntil("all 53 locks are listed", () -> inspector.viewModel().locks().allRows().size() >= 53
                && robot.lookup("job-00.lock").tryQuery().isPresent());

        robot.clickOn("#deadToggle");
        waitUntil("only DEAD rows show", () -> inspector.viewModel().locks().visibleRows().size() == 50);
        robot.clickOn("job-00.lock");
        robot.push(KeyCode.CONTROL, KeyCode.A);
        waitUntil("the bulk button offers 50", () -> robot.lookup("#bulkBreakButton").queryButton().isVisible()
                && robot.lookup("#bulkBreakButton").queryButton().getText().equals("Break 50 stale locks…"));
        robot.clickOn("#bulkBreakButton");

        waitUntil("one confirmation shows", () -> robot.lookup("#bulkBreakDialog").tryQuery().isPresent());
        assertThat(robot.lookup("#bulkBreakDialog").lookup(".label").queryAllAs(javafx.scene.control.Label.class))
                .extracting(javafx.scene.control.Label::getText)
                .anySatisfy(t -> assertThat(t).contains("50 stale locks"))
                .anySatisfy(t -> assertThat(t).isEqualTo("50 locks"))
                .anySatisfy(t -> assertThat(t).contains("job-00.lock"));
        robot.clickOn("Break 50 locks");

        waitUntil("all 50 are broken", () -> inspector.viewModel().locks().actionMessageProperty().get()
                .contains("50 of 50 broken"));
        for (int i = 0; i < 50; i++) {
            assertThat(java.nio.file.Files.exists(dir.resolve(String.format("job-%02d.lock", i)))).isFalse();
        }
        for (int i = 0; i < 3; i++) {
            assertThat(java.nio.file.Files.exists(dir.resolve("live-" + i + ".lock"))).isTrue();
        }
        try (var audit = java.nio.file.Files.list(dir.resolve(dev.lockscope.lock.LockFile.AUDIT_DIR))) {
            assertThat(audit.filter(p -> p.toString().endsWith(".json"))).hasSize(50);
        }
        assertThat(robot.lookup("#bulkBreakDialog").tryQuery()).as("no dialog per lock").isEmpty();
    }

    @Test
    void aDeletedDirectorySaysSoAndItsRowsStopBeingCurrent(FxRobot robot) throws Exception {
        Path locks = java.nio.file.Files.createDirectories(dir.resolve("locks"));
        LockFixtures.expiredLock(locks.resolve("expired.lock"));
        robot.interact(() -> inspector.viewModel().add(locks));
        waitUntil("the lock is shown", () -> robot.lookup("expired.lock").tryQuery().isPresent());
        try (var s = java.nio.file.Files.walk(locks)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(p);
            }
        }
        waitUntil("the banner says it is gone", () -> robot.lookup("#errorBanner").query().isVisible()
                && inspector.viewModel().locks().errorMessageProperty().get().contains("deleted"));
        assertThat(inspector.viewModel().locks().errorMessageProperty().get()).contains(locks.toString())
                .doesNotContain("hung");
        assertThat(inspector.viewModel().locks().allRows()).allSatisfy(r ->
                assertThat(r.currentProperty().get()).isFalse());
    }
}
