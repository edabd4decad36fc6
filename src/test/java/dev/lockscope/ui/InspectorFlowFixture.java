package dev.lockscope.ui;

import dev.lockscope.ui.common.BackgroundIo;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * What the TestFX flows of the whole inspector share: a lock directory, a settings directory, the I/O pool, the
 * window and its disposal, and a bounded wait for a condition. TestFX finds only a class's own {@code @Start}
 * method (getDeclaredMethods), so each flow keeps a one-line {@code @Start} that calls {@link #show}.
 * Test threads and the FX thread, as TestFX runs them.
 */
abstract class InspectorFlowFixture {

    @TempDir
    Path dir;
    @TempDir
    Path config;

    ExecutorService pool;
    InspectorApp.Inspector inspector;

    /** Opens the inspector with its settings in {@link #config}. FX thread. */
    void show(Stage stage) {
        show(stage, (s, settings) -> InspectorApp.Inspector.create(s, pool, settings));
    }

    /** Opens the inspector made by {@code create}, given the stage and the settings file. FX thread. */
    void show(Stage stage, BiFunction<Stage, Path, InspectorApp.Inspector> create) {
        pool = BackgroundIo.daemonPool();
        inspector = create.apply(stage, config.resolve("inspector.json"));
        stage.show();
    }

    @AfterEach
    void stop(FxRobot robot) {
        robot.interact(() -> {
            inspector.view().dispose();
            inspector.viewModel().locks().close();
            closeAlso();
        });
        pool.shutdown();
    }

    /** What else a flow opened and must close with the window. FX thread. */
    void closeAlso() {
    }

    /** How long {@link #waitUntil} waits before it fails. */
    Duration patience() {
        return Duration.ofSeconds(30);
    }

    void waitUntil(String what, Callable<Boolean> condition) {
        try {
            WaitForAsyncUtils.waitFor(patience().toMillis(), TimeUnit.MILLISECONDS, condition);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("timed out waiting until " + what, e);
        }
    }
}
