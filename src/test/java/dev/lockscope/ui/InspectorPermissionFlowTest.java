package dev.lockscope.ui;

import dev.lockscope.ui.common.BackgroundIo;
import dev.lockscope.ui.locks.DirectorySource;
import dev.lockscope.ui.locks.LockActions;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A directory the user may not read, seen through the window. Root reads everything, so the failure is
 * injected at the directory source: every scan fails with the AccessDeniedException the JDK throws for
 * EACCES. (LocksFailureTest produces the real EACCES, as another user, for the view model.)
 */
@ExtendWith(ApplicationExtension.class)
class InspectorPermissionFlowTest extends InspectorFlowFixture {


    @Start
    void start(Stage stage) {
        DirectorySource unreadable = (d, listener) -> {
            Thread scan = new Thread(() -> listener.onError(d, new AccessDeniedException(d.toString())));
            scan.setDaemon(true);
            scan.start();
            return new DirectorySource.Subscription() {
                @Override
                public void refreshNow() {
                    listener.onError(d, new AccessDeniedException(d.toString()));
                }

                @Override
                public boolean usesEvents() {
                    return false;
                }

                @Override
                public Duration pollInterval() {
                    return Duration.ofSeconds(2);
                }

                @Override
                public void close() {
                }
            };
        };
        show(stage, (s, settings) -> InspectorApp.Inspector.create(s, pool, settings, unreadable,
                LockActions.linkLocks()));
    }


    @Test
    void aPermissionDeniedDirectorySaysSo(FxRobot robot) {
        robot.interact(() -> inspector.viewModel().add(dir));
        waitUntil("the banner shows", () -> robot.lookup("#errorBanner").query().isVisible());
        String shown = robot.lookup("#errorLabel").queryLabeled().getText();
        assertThat(shown).contains("Permission denied", dir.toString()).doesNotContain("hung")
                .doesNotContain("Exception");
    }
}
