package dev.lockscope.ui;

import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.TestJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Without a display, starting the inspector prints what to install, not a stack trace. */
@MultiProcess
class LaunchWithoutDisplayTest {

    @Test
    void noDisplayGivesAPlainMessageAndExitCode69() throws Exception {
        ProcessBuilder pb = TestJvm.cli(List.of("gui"));
        pb.environment().remove("DISPLAY");
        pb.environment().remove("WAYLAND_DISPLAY");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(text).isEqualTo(69);
        assertThat(text).contains("no display", "DISPLAY", "apt-get install -y libgtk-3-0").doesNotContain("\tat ");
    }

    @Test
    void gtkIsLookedForInTheLibraryDirectories(@TempDir Path tmp) throws Exception {
        Path with = Files.createDirectories(tmp.resolve("with"));
        Files.writeString(with.resolve("libgtk-3.so.0"), "");
        Path without = Files.createDirectories(tmp.resolve("without"));
        assertThat(InspectorApp.hasGtk3(List.of(without.toString()), null)).isFalse();
        assertThat(InspectorApp.hasGtk3(List.of(without.toString()), with.toString())).isTrue();
        assertThat(InspectorApp.hasGtk3(List.of(with.toString()), "")).isTrue();
    }
}
