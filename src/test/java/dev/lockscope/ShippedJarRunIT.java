package dev.lockscope;

import dev.lockscope.cli.LockscopeCommand;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the jar we ship ({@code target/lockscope.jar}, built by the shade plugin in {@code package}) as a user
 * would: {@code java -jar lockscope.jar ...}, with nothing else on the class path. Its CLI must work (picocli and
 * Jackson inside the shaded jar), and its GUI launcher must get as far as unpacking this platform's JavaFX
 * libraries and loading the inspector, which then reports the missing display. Integration-test phase (Failsafe).
 */
@Tag("shipped-jar")
class ShippedJarRunIT {
    @TempDir
    Path work;

    @Test
    void versionNamesTheRelease() throws Exception {
        Run r = java(Map.of(), "--version");
        assertThat(r.exit).as(r.output).isZero();
        assertThat(r.output).startsWith("lockscope " + LockscopeCommand.VERSION + "\n");
    }

    @Test
    void runHoldsTheLockWhileTheCommandRunsAndRecordsSaves() throws Exception {
        Path lock = work.resolve("job.lock");
        Run held = java(Map.of(), "run", lock.toString(), "--", "sh", "-c", "test -f \"$0\" && echo held", lock.toString());
        assertThat(held.exit).as(held.output).isZero();
        assertThat(held.output).isEqualTo("held\n");
        assertThat(lock).doesNotExist();

        Path records = work.resolve("records.json");
        Run put = java(Map.of(), "records", "put", records.toString(), "greeting", "\"hello\"");
        assertThat(put.exit).as(put.output).isZero();
        Run get = java(Map.of(), "records", "get", records.toString(), "greeting");
        assertThat(get.exit).as(get.output).isZero();
        assertThat(get.output).isEqualTo("\"hello\"\n");

        Run ls = java(Map.of(), "ls", work.toString());
        assertThat(ls.exit).as(ls.output).isZero();
        assertThat(ls.output).startsWith("NAME").doesNotContain("\tat ");
    }

    @Test
    void guiUnpacksThisPlatformsJavaFxAndReportsTheMissingDisplay() throws Exception {
        String platform = JavaFxNatives.platformKey(System.getProperty("os.name"), System.getProperty("os.arch"));
        assertThat(platform).as("a platform the jar carries JavaFX for").isNotNull();
        Path cache = work.resolve("cache");
        Run gui = java(Map.of("XDG_CACHE_HOME", cache.toString()), "gui");
        assertThat(gui.exit).as(gui.output).isEqualTo(69);
        // The message comes from the inspector class itself, so JavaFX was loaded from the jar.
        assertThat(gui.output).contains("cannot open the inspector window", "no display").doesNotContain("\tat ");
        try (Stream<Path> dirs = Files.list(cache.resolve("lockscope").resolve("javafx-natives"))) {
            List<Path> unpacked = dirs.toList();
            assertThat(unpacked).singleElement().satisfies(d -> {
                assertThat(d.getFileName().toString()).startsWith(platform + "-");
                assertThat(d.resolve(System.mapLibraryName("glass"))).isRegularFile();
            });
        }
    }

    private Run java(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("lockscope.jar", "target/lockscope.jar"));
        assertThat(jar).as("the shaded jar (mvn package)").isRegularFile();
        List<String> cmd = new ArrayList<>(List.of(ChildJvm.javaBinary(), "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("DISPLAY");
        pb.environment().remove("WAYLAND_DISPLAY");
        pb.environment().remove("CLASSPATH");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(cmd + " finished").isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private record Run(int exit, String output) {
    }
}
