package dev.lockscope.cli;

import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.TestJvm;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The seam between CLI and GUI: {@code gui} is listed and has its own help, which opens no window. */
@MultiProcess
class GuiHelpTest {

    @Test
    void guiHelpPrintsUsageInsteadOfOpeningADirectoryCalledHelp() throws Exception {
        // No DISPLAY: were --help taken for a directory, the launch would fail with "no display".
        TestJvm.Result r = TestJvm.runCli(List.of("gui", "--help"), Map.of("DISPLAY", "", "WAYLAND_DISPLAY", ""),
                null, 60);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("Usage: lockscope gui", "DIR", "graphical inspector");
        assertThat(r.stderr()).doesNotContain("display");
    }

    @Test
    void topLevelHelpListsGui() throws Exception {
        TestJvm.Result r = TestJvm.runCli(List.of("--help"), Map.of(), null, 60);
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).containsPattern("(?m)^\\s+gui\\s+Opens the graphical inspector");
    }
}
