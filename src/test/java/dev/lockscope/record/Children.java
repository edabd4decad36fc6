package dev.lockscope.record;

import dev.lockscope.testing.TestJvm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starting and collecting the writer and reader child JVMs of the multi-process record tests. Test thread only. */
final class Children {
    private Children() {
    }

    /** A fresh log directory under target/record-logs. */
    static Path logDir(String name) throws IOException {
        Path p = Path.of("target", "record-logs",
                name + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("HHmmss-SSS")));
        Files.createDirectories(p);
        return p;
    }

    /** Starts {@code main} as a small child JVM (64 MiB heap) with stdout/stderr to {@code logDir/name.out|err}. */
    static Process start(Class<?> main, List<String> args, Map<String, String> env, Path logDir, String name)
            throws IOException {
        ProcessBuilder pb = TestJvm.builder(main, args);
        List<String> cmd = pb.command();
        cmd.add(1, "-Xmx64m");
        cmd.add(2, "-Xss512k");
        cmd.add(3, "-XX:CICompilerCount=1");
        pb.environment().putAll(env);
        pb.redirectOutput(logDir.resolve(name + ".out").toFile());
        pb.redirectError(logDir.resolve(name + ".err").toFile());
        return pb.start();
    }

    /** Waits for {@code p}; kills it and fails when it outlives the deadline. */
    static int await(Process p, long deadlineNanos, String name) throws InterruptedException {
        long left = deadlineNanos - System.nanoTime();
        if (!p.waitFor(Math.max(1, left), TimeUnit.NANOSECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(name + " did not finish in time");
        }
        return p.exitValue();
    }

    static List<String> out(Path logDir, String name) throws IOException {
        return Files.readAllLines(logDir.resolve(name + ".out"), StandardCharsets.UTF_8);
    }

    static String err(Path logDir, String name) throws IOException {
        Path p = logDir.resolve(name + ".err");
        return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    }

    /** Appends a line of measured figures to target/record-figures.txt and prints it. */
    static void figures(String line) throws IOException {
        System.out.println("FIGURES " + line);
        Path f = Path.of("target", "record-figures.txt");
        Files.writeString(f, LocalDateTime.now() + " " + line + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }
}
