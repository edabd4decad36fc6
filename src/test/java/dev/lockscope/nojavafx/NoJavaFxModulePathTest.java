package dev.lockscope.nojavafx;

import dev.lockscope.ChildJvm;
import dev.lockscope.testing.MultiProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lock and record library runs without JavaFX (issue 17, point 7): a real JVM on a module path of nothing
 * but our compiled module, Jackson and picocli acquires a lock and saves a record. Should module-info require a
 * JavaFX module again (not {@code requires static}), the child cannot even resolve its module graph and this fails.
 *
 * <p>The module path is an explicit list of artifacts, not derived from module-info, so that the test cannot
 * follow a new requirement: a new required library has to be added here on purpose.
 */
@MultiProcess
class NoJavaFxModulePathTest {
    /** The artifacts a library user needs besides ours: dev.lockscope's non-optional requirements. */
    private static final Pattern LIBRARY_DEPENDENCY =
            Pattern.compile("(jackson-core|jackson-databind|jackson-annotations|picocli)-\\d[^" + Pattern.quote(File.separator) + "]*\\.jar");

    @TempDir
    Path work;

    @Test
    void lockAndRecordApiWorkOnAModulePathWithoutJavaFx() throws Exception {
        Result r = run(List.of("--add-modules", "dev.lockscope", "-cp", testClasses().toString(),
                LibraryUserMain.class.getName(), work.toString()));
        assertThat(r.exit).as(r.described()).isZero();
        assertThat(r.output).contains("module dev.lockscope\n", "javafx-modules []\n", "saved generation 1\n",
                "read no JavaFX here\n").containsPattern("held \\S+");
        assertThat(work.resolve("records.json")).isRegularFile();
        assertThat(work.resolve("job.lock")).doesNotExist();
    }

    @Test
    void theCliRunsOnThatModulePathAndTheInspectorSaysWhatItNeeds() throws Exception {
        Result version = run(List.of("-m", "dev.lockscope/dev.lockscope.Main", "--version"));
        assertThat(version.exit).as(version.described()).isZero();
        assertThat(version.output).startsWith("lockscope ");

        Result gui = run(List.of("-m", "dev.lockscope/dev.lockscope.Main", "gui"));
        assertThat(gui.exit).as(gui.described()).isEqualTo(69);
        assertThat(gui.output).contains("--add-modules javafx.controls,javafx.fxml").doesNotContain("\tat ");
    }

    /** {@code java --module-path <ours, Jackson, picocli> args...}, with the output of both streams. */
    private Result run(List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ChildJvm.javaBinary(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "--module-path", modulePath()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("DISPLAY");
        pb.environment().remove("WAYLAND_DISPLAY");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), String.join(" ", cmd));
    }

    private static String modulePath() {
        Path classes = Path.of(System.getProperty("lockscope.classes", "target/classes"));
        assertThat(classes.resolve("module-info.class")).as("the compiled module").isRegularFile();
        Map<String, String> jars = new LinkedHashMap<>();
        for (String entry : ChildJvm.classPath().split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (LIBRARY_DEPENDENCY.matcher(name).matches()) {
                jars.putIfAbsent(name.replaceFirst("-\\d.*", ""), entry);
            }
        }
        assertThat(jars).as("Jackson and picocli on this JVM's path")
                .containsOnlyKeys("jackson-core", "jackson-databind", "jackson-annotations", "picocli");
        List<String> path = new ArrayList<>();
        path.add(classes.toAbsolutePath().toString());
        path.addAll(jars.values());
        assertThat(path).noneMatch(e -> e.contains("javafx"));
        return String.join(File.pathSeparator, path);
    }

    private static Path testClasses() {
        return Path.of(System.getProperty("lockscope.testClasses", "target/test-classes")).toAbsolutePath();
    }

    private record Result(int exit, String output, String command) {
        String described() {
            return command + "\n" + output;
        }
    }
}
