package dev.lockscope.testing;

import dev.lockscope.ChildJvm;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts real child JVMs running a main class of this project (main or test classes), on the class
 * path, so tests exercise real processes. Any thread.
 */
public final class TestJvm {
    private TestJvm() {
    }

    /** The class path of this test JVM: module path and class path entries together. */
    public static String classPath() {
        return ChildJvm.classPath();
    }

    /** A process builder for {@code java -cp <ours> mainClass args...}. */
    public static ProcessBuilder builder(Class<?> mainClass, List<String> args) {
        return builder(mainClass.getName(), args);
    }

    public static ProcessBuilder builder(String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ChildJvm.javaBinary());
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Xshare:auto");
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add(mainClass);
        cmd.addAll(args);
        return new ProcessBuilder(cmd);
    }

    /** The lockscope CLI as a real process: {@code lockscope args...}. */
    public static ProcessBuilder cli(List<String> args) {
        return builder("dev.lockscope.Main", args);
    }

    /** Starts {@code mainClass} with extra environment variables; stdout and stderr go to files in {@code logDir}. */
    public static Process start(Class<?> mainClass, List<String> args, Map<String, String> env, Path logDir,
                                String name) throws IOException {
        ProcessBuilder pb = builder(mainClass, args);
        pb.environment().putAll(env);
        pb.redirectOutput(logDir.resolve(name + ".out").toFile());
        pb.redirectError(logDir.resolve(name + ".err").toFile());
        return pb.start();
    }

    /** Runs the CLI to completion and returns exit code, stdout and stderr. */
    public static Result runCli(List<String> args, Map<String, String> env, String stdin, long timeoutSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder pb = cli(args);
        pb.environment().putAll(env);
        Process p = pb.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        Thread t1 = new Thread(() -> copy(p.getInputStream(), out));
        Thread t2 = new Thread(() -> copy(p.getErrorStream(), err));
        t1.start();
        t2.start();
        if (!p.waitFor(timeoutSeconds, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("lockscope " + args + " did not finish in " + timeoutSeconds + " s");
        }
        t1.join();
        t2.join();
        return new Result(p.exitValue(), out.toString(java.nio.charset.StandardCharsets.UTF_8),
                err.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static void copy(java.io.InputStream in, java.io.OutputStream out) {
        try {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the process ended
        }
    }

    /** What a finished CLI process left. */
    public record Result(int exitCode, String stdout, String stderr) {
    }
}
