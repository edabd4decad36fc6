package dev.lockscope.cli;

import dev.lockscope.lock.LockSnapshot;
import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.TestJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code lockscope run} under real signals, as real processes: the lock is never free while CMD lives, CMD
 * does not outlive run, and no claim file is left behind. CMD is a shell script that writes its pid; a
 * checker thread watches that the lock holds run's token for as long as that pid lives, and a second
 * {@code run} waiting for the same lock records whether the first CMD still lived when its own CMD started.
 */
@MultiProcess
class RunSignalsCliTest {

    /** Upper bound of every wait for a process or a file here; the waits end as soon as their condition holds. */
    static final long BOUND_MILLIS = 40_000;

    @TempDir
    Path tmp;
    Path locks;
    Path lock;
    final List<Process> started = new ArrayList<>();
    final List<Long> commandPids = new ArrayList<>();

    @BeforeEach
    void dirs() throws IOException {
        locks = Files.createDirectory(tmp.resolve("locks"));
        lock = locks.resolve("job.lock");
    }

    @AfterEach
    void killLeftovers() {
        // Only what this test started: CMDs a broken run left behind, and the runs themselves.
        for (long pid : commandPids) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        for (Process p : started) {
            p.destroyForcibly();
        }
    }

    /**
     * A CMD that writes its pid, and on TERM, INT or HUP writes the signal's name to {@code got}, takes 0.7 s
     * to clean up, writes {@code done} and exits 3.
     */
    static final String CLEANS_UP_ON_SIGNALS = """
            on() { echo "$1" > "$T/got"; sleep 0.7; echo done > "$T/done"; exit 3; }
            trap 'on TERM' TERM; trap 'on INT' INT; trap 'on HUP' HUP
            echo $$ > "$T/pid"
            while :; do sleep 0.1; done
            """;

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT", "HUP"})
    void aSignalReachesTheCommandAsItCameAndTheLockIsHeldUntilTheCommandHasExited(String signal) throws Exception {
        Process run = startRun("run", List.of(lock.toString(), "--", "sh", "-c", CLEANS_UP_ON_SIGNALS));
        long cmd = commandPid("run");
        String token = tokenOfLock();
        Process second = startSecondRun(cmd);
        waitUntil("the second run waits with a claim of its own", () -> claimsOf(second.pid()) == 1);
        try (HeldWhileAlive checker = HeldWhileAlive.start(lock, token, cmd)) {
            kill(signal, run.pid());
            assertThat(waitForExit(run)).as(stderrOf("run")).isEqualTo(128 + signalNumber(signal));
            assertThat(checker.violation()).isNull();
            assertThat(checker.checks()).isPositive();
        }
        assertThat(read(tmp.resolve("got"))).as("the signal CMD got").isEqualTo(signal);
        assertThat(read(tmp.resolve("done"))).as("CMD finished its clean-up").isEqualTo("done");
        assertThat(waitForExit(second)).as(stderrOf("second")).isZero();
        assertThat(read(tmp.resolve("second-saw"))).as("the first CMD when the second started").isEqualTo("dead");
        assertThat(stderrOf("run")).doesNotContain("Exception").contains("got SIG" + signal);
        assertThat(claimsOf(run.pid())).isZero();
    }

    @Test
    void aCommandThatIgnoresSigtermGetsSigkillAfterTheGracePeriodAndTheLockIsHeldUntilItIsGone() throws Exception {
        Process run = startRun("run", List.of("--grace", "1500ms", lock.toString(), "--", "sh", "-c", """
                trap '' TERM
                echo $$ > "$T/pid"
                while :; do sleep 0.1; done
                """));
        long cmd = commandPid("run");
        String token = tokenOfLock();
        long sent;
        try (HeldWhileAlive checker = HeldWhileAlive.start(lock, token, cmd)) {
            sent = System.nanoTime();
            kill("TERM", run.pid());
            assertThat(waitForExit(run)).as(stderrOf("run")).isEqualTo(143);
            assertThat(checker.violation()).isNull();
        }
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
        System.out.println("MEASURED ignores-SIGTERM: run exited " + tookMillis + " ms after SIGTERM (grace 1500 ms)");
        assertThat(alive(cmd)).isFalse();
        assertThat(tookMillis).as("the grace period was given").isGreaterThanOrEqualTo(1500);
        assertThat(stderrOf("run")).contains("SIGKILL").doesNotContain("Exception");
        assertThat(Files.exists(lock)).isFalse();
        assertThat(claimsOf(run.pid())).isZero();
    }

    @Test
    void aSigkilledRunTakesItsCommandWithItBeforeAnyoneElseGetsTheLock() throws Exception {
        Assumptions.assumeTrue(SupervisedCommand.PDEATHSIG_HELPER != null,
                "needs util-linux setpriv with --pdeathsig (2.33+): without it CMD outlives a SIGKILLed run");
        Process run = startRun("run", List.of(lock.toString(), "--", "sh", "-c", CLEANS_UP_ON_SIGNALS));
        long cmd = commandPid("run");
        String token = tokenOfLock();
        Process second = startSecondRun(cmd);
        waitUntil("the second run waits with a claim of its own", () -> claimsOf(second.pid()) == 1);
        long killed;
        long cmdDeadNanos = -1;
        long lockTakenNanos = -1;
        try (HeldWhileAlive checker = HeldWhileAlive.start(lock, token, cmd)) {
            killed = System.nanoTime();
            run.destroyForcibly(); // SIGKILL: no handler, no hook, no finally runs in run
            long deadline = System.currentTimeMillis() + BOUND_MILLIS;
            while ((cmdDeadNanos < 0 || lockTakenNanos < 0) && System.currentTimeMillis() < deadline) {
                if (cmdDeadNanos < 0 && !alive(cmd)) {
                    cmdDeadNanos = System.nanoTime();
                }
                if (lockTakenNanos < 0 && Boolean.FALSE.equals(tokenIs(lock, token))) {
                    lockTakenNanos = System.nanoTime();
                }
                Thread.sleep(1);
            }
            assertThat(checker.violation()).isNull();
        }
        assertThat(cmdDeadNanos).as("CMD died").isPositive();
        System.out.printf("MEASURED SIGKILL of run: CMD dead after %.1f ms; lock no longer the dead run's after %.0f ms%n",
                (cmdDeadNanos - killed) / 1e6, lockTakenNanos < 0 ? -1 : (lockTakenNanos - killed) / 1e6);
        assertThat(waitForExit(second)).as(stderrOf("second")).isZero();
        assertThat(read(tmp.resolve("second-saw"))).as("the first CMD when the second started").isEqualTo("dead");
        assertThat(tmp.resolve("done")).as("CMD got SIGKILL, not a signal it could clean up after").doesNotExist();
    }

    /** CMD, told to stop by SIGTERM, writes {@code stopped} and exits 5; else it runs until {@code $T/go} exists. */
    static final String STOPS_ON_SIGTERM_OR_WHEN_TOLD = """
            trap 'echo stopped > "$T/stopped"; exit 5' TERM
            echo $$ > "$T/pid"
            while [ ! -e "$T/go" ]; do sleep 0.05; done
            echo finished > "$T/finished"
            """;

    @Test
    void aLostLockStopsTheCommandAndRunExits70() throws Exception {
        Process run = startRun("run", List.of("--lease", "900ms", "--grace", "5s", lock.toString(), "--", "sh", "-c",
                STOPS_ON_SIGTERM_OR_WHEN_TOLD));
        long cmd = commandPid("run");
        breakTheLock();
        assertThat(waitForExit(run)).as(stderrOf("run")).isEqualTo(70);
        assertThat(alive(cmd)).isFalse();
        assertThat(read(tmp.resolve("stopped"))).isEqualTo("stopped");
        assertThat(stderrOf("run")).contains("lock lost").contains("stopping pid " + cmd);
    }

    @Test
    void withKeepRunningOnLossTheCommandRunsOnAndRunStillExits70() throws Exception {
        Process run = startRun("run", List.of("--keep-running-on-loss", "--lease", "900ms", lock.toString(), "--",
                "sh", "-c", STOPS_ON_SIGTERM_OR_WHEN_TOLD));
        long cmd = commandPid("run");
        breakTheLock();
        waitUntil("run noticed the loss", () -> stderrOf("run").contains("lock lost"));
        assertThat(alive(cmd)).as("CMD after the loss").isTrue();
        Files.writeString(tmp.resolve("go"), "");
        assertThat(waitForExit(run)).as(stderrOf("run")).isEqualTo(70);
        assertThat(read(tmp.resolve("finished"))).isEqualTo("finished");
        assertThat(tmp.resolve("stopped")).doesNotExist();
        assertThat(stderrOf("run")).contains("keeps running");
    }

    @Test
    void sigtermWhileWaitingForTheLockLeavesNoClaim() throws Exception {
        Process holder = startRun("holder", List.of(lock.toString(), "--", "sh", "-c", CLEANS_UP_ON_SIGNALS));
        commandPid("holder");
        Process waiter = startRun("waiter", List.of("--timeout", "60s", lock.toString(), "--", "touch", "ran"));
        waitUntil("the waiter waits with a claim of its own", () -> claimsOf(waiter.pid()) == 1);
        kill("TERM", waiter.pid());
        assertThat(waitForExit(waiter)).as(stderrOf("waiter")).isEqualTo(143);
        assertThat(claimsOf(waiter.pid())).as("the waiter's claims").isZero();
        assertThat(stderrOf("waiter")).doesNotContain("Exception").contains("SIGTERM while waiting");
        assertThat(tmp.resolve("ran")).doesNotExist();
        kill("TERM", holder.pid());
        assertThat(waitForExit(holder)).isEqualTo(143);
        try (var s = Files.list(locks)) {
            assertThat(s.toList()).as("the lock directory at the end").isEmpty();
        }
    }

    @Test
    void ctrlCInATerminalReachesTheCommandOnceAndRunWaitsForIt() throws Exception {
        Path script = Path.of("/usr/bin/script");
        Assumptions.assumeTrue(Files.isExecutable(script), "needs util-linux script(1) for a pseudo-terminal");
        // run as the foreground job of a terminal: script(1) makes one and passes our bytes to it; ^C is Ctrl-C.
        List<String> runCommand = TestJvm.cli(List.of("run", lock.toString(), "--", "sh", "-c", """
                trap 'echo INT >> "$T/got"' INT
                echo $$ > "$T/pid"
                while [ ! -e "$T/go" ]; do sleep 0.05; done
                exit 4
                """)).command();
        StringBuilder shell = new StringBuilder("exec");
        for (String word : runCommand) {
            shell.append(" '").append(word.replace("'", "'\\''")).append('\'');
        }
        ProcessBuilder pb = new ProcessBuilder(script.toString(), "-qec", shell.toString(), "/dev/null")
                .directory(tmp.toFile()).redirectOutput(tmp.resolve("tty.out").toFile()).redirectErrorStream(true);
        pb.environment().put("T", tmp.toString());
        Process terminal = pb.start();
        started.add(terminal);
        long cmd = commandPid("run");
        String token = tokenOfLock();
        try (HeldWhileAlive checker = HeldWhileAlive.start(lock, token, cmd)) {
            terminal.getOutputStream().write(3);
            terminal.getOutputStream().flush();
            waitUntil("CMD got the terminal's SIGINT", () -> !read(tmp.resolve("got")).isEmpty());
            assertThat(alive(cmd)).as("CMD, which handles Ctrl-C, after it").isTrue();
            Files.writeString(tmp.resolve("go"), "");
            assertThat(waitForExit(terminal)).as(read(tmp.resolve("tty.out"))).isEqualTo(4);
            assertThat(checker.violation()).isNull();
        }
        assertThat(read(tmp.resolve("got"))).as("the SIGINTs CMD got").isEqualTo("INT");
        assertThat(read(tmp.resolve("tty.out"))).doesNotContain("passing it").doesNotContain("Exception");
        assertThat(Files.exists(lock)).isFalse();
    }

    // ---- helpers ----

    static final Path SETSID = Path.of("/usr/bin/setsid");

    /** Starts {@code lockscope args} with T=tmp in its environment, stdout and stderr to tmp/NAME.out and .err. */
    Process startRun(String name, List<String> args) throws IOException {
        List<String> all = new ArrayList<>(args);
        all.add(0, "run");
        ProcessBuilder pb = TestJvm.cli(all).directory(tmp.toFile());
        if (Files.isExecutable(SETSID)) {
            // Away from any terminal that runs this test: in a terminal's foreground job run takes SIGINT for
            // the terminal's Ctrl-C and does not pass it on (see the Ctrl-C test). setsid execs in place: same pid.
            List<String> detached = new ArrayList<>(pb.command());
            detached.add(0, SETSID.toString());
            pb.command(detached);
        }
        pb.environment().putAll(Map.of("T", tmp.toString()));
        pb.redirectOutput(tmp.resolve(name + ".out").toFile());
        pb.redirectError(tmp.resolve(name + ".err").toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /**
     * A second run waiting for the lock, whose CMD writes to tmp/second-saw whether {@code firstCommand} was
     * still alive (a zombie counts as dead) when it started.
     */
    Process startSecondRun(long firstCommand) throws IOException {
        return startRun("second", List.of("--timeout", "40s", lock.toString(), "--", "sh", "-c",
                "s=$(sed -n 's/.*) \\(.\\).*/\\1/p' /proc/" + firstCommand + "/stat 2>/dev/null); "
                        + "if [ -n \"$s\" ] && [ \"$s\" != Z ] && [ \"$s\" != X ]; then echo alive; else echo dead; fi"
                        + " > \"$T/second-saw\""));
    }

    /** The pid CMD wrote to tmp/pid, once it has and the lock exists. */
    long commandPid(String runName) throws Exception {
        Path pidFile = tmp.resolve("pid");
        waitUntil(runName + "'s CMD wrote its pid", () -> !read(pidFile).isEmpty() && Files.exists(lock));
        long pid = Long.parseLong(read(pidFile));
        commandPids.add(pid);
        Files.delete(pidFile);
        return pid;
    }

    String tokenOfLock() throws IOException {
        return LockSnapshot.read(lock).orElseThrow().token();
    }

    void breakTheLock() throws Exception {
        TestJvm.Result b = TestJvm.runCli(List.of("break", "--yes", "--force", lock.toString()), Map.of(), null, 120);
        assertThat(b.exitCode()).as(b.stdout() + b.stderr()).isZero();
    }

    /** The claim files in the lock directory made by process {@code pid}. */
    long claimsOf(long pid) {
        try (var s = Files.list(locks)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(".job.lock.") && n.contains("." + pid + ".")).count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    String stderrOf(String name) {
        return read(tmp.resolve(name + ".err"));
    }

    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "";
        }
    }

    static int waitForExit(Process p) throws InterruptedException {
        assertThat(p.waitFor(BOUND_MILLIS, TimeUnit.MILLISECONDS)).as("pid " + p.pid() + " exited").isTrue();
        return p.exitValue();
    }

    static void waitUntil(String what, BooleanSupplier condition) {
        await(what).atMost(Duration.ofMillis(BOUND_MILLIS)).pollInterval(Duration.ofMillis(10))
                .until(condition::getAsBoolean);
    }

    static void kill(String signal, long pid) throws Exception {
        Process k = new ProcessBuilder("kill", "-s", signal, Long.toString(pid)).inheritIO().start();
        assertThat(k.waitFor()).isZero();
    }

    static int signalNumber(String signal) {
        return switch (signal) {
            case "HUP" -> 1;
            case "INT" -> 2;
            case "TERM" -> 15;
            default -> throw new IllegalArgumentException(signal);
        };
    }

    /** Whether {@code pid} runs: it exists and is not a zombie (a killed child that nobody reaped yet). */
    static boolean alive(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException e) {
            return false;
        }
        char state = stat.charAt(stat.lastIndexOf(')') + 2);
        return state != 'Z' && state != 'X';
    }

    /** Whether {@code lock} holds {@code token}; null when that cannot be told (a read that met a renewal's write). */
    static Boolean tokenIs(Path lock, String token) {
        try {
            Optional<LockSnapshot> s = LockSnapshot.read(lock);
            return s.isPresent() && token.equals(s.get().token());
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Watches, on its own thread, that {@code lock} holds {@code token} for as long as {@code pid} lives: each
     * look reads the lock first and then the process, so "not ours" followed by "alive" means both at once.
     */
    static final class HeldWhileAlive implements AutoCloseable {
        private final Thread thread;
        private volatile boolean stop;
        private volatile String violation;
        private volatile int checks;

        private HeldWhileAlive(Path lock, String token, long pid) {
            thread = new Thread(() -> {
                while (!stop) {
                    Boolean ours = tokenIs(lock, token);
                    boolean cmdAlive = alive(pid);
                    if (!cmdAlive) {
                        return;
                    }
                    checks++;
                    if (Boolean.FALSE.equals(ours)) {
                        violation = "the lock was free or another's while CMD (pid " + pid + ") lived";
                        return;
                    }
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "held-while-alive");
            thread.setDaemon(true);
        }

        static HeldWhileAlive start(Path lock, String token, long pid) {
            HeldWhileAlive h = new HeldWhileAlive(lock, token, pid);
            h.thread.start();
            return h;
        }

        String violation() throws InterruptedException {
            thread.join(BOUND_MILLIS);
            return violation;
        }

        int checks() {
            return checks;
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(BOUND_MILLIS);
        }
    }
}
