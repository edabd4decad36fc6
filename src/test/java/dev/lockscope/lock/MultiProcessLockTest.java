package dev.lockscope.lock;

import dev.lockscope.testing.MountKind;
import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.TestJvm;
import dev.lockscope.testing.Testbed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real processes on real filesystems: a local directory, and both mounts of each network testbed (each case
 * runs once per {@link MountKind}; the network ones skip without the testbed, and fail without it under CI=true).
 */
@MultiProcess
class MultiProcessLockTest {

    static final int PROCESSES = 8;

    @TempDir
    Path logs;

    /** Runs half the workers through mount a and half through mount b; each half claims its own host id. */
    void counterRun(String label, Path dirA, Path dirB, int iterations) throws Exception {
        Path overlap = dirA.resolve("inside");
        Path flag = logs.resolve("overlap.flag");
        long t0 = System.nanoTime();
        List<Process> ps = new ArrayList<>();
        for (int i = 0; i < PROCESSES; i++) {
            Path d = i % 2 == 0 ? dirA : dirB;
            String host = i % 2 == 0 ? "host-a" : "host-b";
            ps.add(TestJvm.start(CounterWorker.class, List.of(d.resolve("counter.lock").toString(),
                            d.resolve("counter").toString(), d.resolve("inside").toString(), flag.toString(),
                            String.valueOf(iterations), "6000"),
                    Map.of(HostIdentity.ENV_HOST_ID, "testbed-" + host, HostIdentity.ENV_HOSTNAME, host), logs,
                    label + "-" + i));
        }
        for (int i = 0; i < ps.size(); i++) {
            Process p = ps.get(i);
            if (!p.waitFor(8, TimeUnit.MINUTES)) {
                ps.forEach(Process::destroyForcibly);
                throw new AssertionError(label + " worker " + i + " hung");
            }
            assertThat(p.exitValue()).as(label + " worker " + i + " exit; stderr: "
                    + Files.readString(logs.resolve(label + "-" + i + ".err"))).isZero();
        }
        long elapsed = System.nanoTime() - t0;
        long expected = (long) PROCESSES * iterations;
        long counted = CounterWorker.readCounter(dirA.resolve("counter"));
        String summary = String.format(java.util.Locale.ROOT,
                "[multi-process %s] processes=%d acquisitions=%d counter=%d overlaps=%d time=%.1fs (%.0f acq/s)",
                label, PROCESSES, expected, counted, Files.exists(flag) ? Files.readAllLines(flag).size() : 0,
                elapsed / 1e9, expected / (elapsed / 1e9));
        System.out.println(summary);
        Files.writeString(Path.of("target", "multi-process-" + label + ".txt"), summary + "\n");
        assertThat(Files.exists(flag)).as("overlap detector: " + (Files.exists(flag) ? Files.readString(flag) : "")).isFalse();
        assertThat(counted).isEqualTo(expected);
        // Everyone was alive and renewing: no lock may ever have been broken.
        Path audit = dirA.resolve(LockFile.AUDIT_DIR);
        if (Files.isDirectory(audit)) {
            try (var s = Files.list(audit)) {
                for (Path a : s.toList()) {
                    assertThat(Files.readString(a)).as("audit " + a).doesNotContain("\"BROKEN\"");
                }
            }
        }
        assertThat(Files.exists(dirA.resolve("counter.lock"))).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(MountKind.class)
    void countersThroughBothMounts(MountKind kind) throws Exception {
        Testbed.MountPair m = kind.freshDir("counter", logs);
        counterRun(kind.label(), m.a(), m.b(), 100);
    }

    /** Starts a holder, waits for it to hold, and returns it with its token. */
    static Process startHolder(Path lock, long leaseMillis, Map<String, String> env, Path logs, String name,
                               StringBuilder token) throws IOException {
        ProcessBuilder pb = TestJvm.builder(HoldWorker.class, List.of(lock.toString(), String.valueOf(leaseMillis)));
        pb.environment().putAll(env);
        pb.redirectError(logs.resolve(name + ".err").toFile());
        Process p = pb.start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        assertThat(line).as("holder output").startsWith("HELD ");
        token.append(line.substring(5));
        return p;
    }

    void killedHolderIsBrokenAndWaitersProceed(Path holderDir, Path waiterDir, boolean sameHost, long lease)
            throws Exception {
        Map<String, String> holderEnv = sameHost ? Map.of() : Map.of(HostIdentity.ENV_HOST_ID, "remote-host-1",
                HostIdentity.ENV_HOSTNAME, "remote1");
        StringBuilder token = new StringBuilder();
        Process holder = startHolder(holderDir.resolve("job.lock"), lease, holderEnv, logs, "holder", token);
        LinkLock waiter = LinkLock.at(waiterDir.resolve("job.lock"), LockOptions.defaults());
        assertThat(waiter.tryAcquire()).as("lock is held while the holder lives").isEmpty();
        holder.destroyForcibly(); // SIGKILL: no release, no cleanup
        holder.waitFor(10, TimeUnit.SECONDS);
        long t0 = System.nanoTime();
        Verdict v = waiter.inspect();
        if (sameHost) {
            assertThat(v.state()).isEqualTo(LockState.DEAD);
        } else {
            assertThat(v.state()).isIn(LockState.HELD, LockState.EXPIRED);
        }
        try (LockHandle h = waiter.acquire(Duration.ofMillis(lease * 4 + 10_000))) {
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            System.out.printf("[kill -9 %s] %s holder: waiter got the lock after %d ms (lease %d ms)%n",
                    waiterDir, sameHost ? "same-host" : "other-host", waited, lease);
            if (!sameHost) {
                // Another host id can only be judged by its lease, never earlier.
                assertThat(waited).isGreaterThanOrEqualTo(lease / 2);
            }
            assertThat(h.token()).isNotEqualTo(token.toString());
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(MountKind.class)
    void killedHolderOnThisHostIsDeadAtOnce(MountKind kind) throws Exception {
        Testbed.MountPair m = kind.freshDir("kill-same-host", logs);
        killedHolderIsBrokenAndWaitersProceed(m.a(), m.b(), true, 20_000);
    }

    @ParameterizedTest(name = "{0}, lease {1} ms")
    @CsvSource({"LOCAL, 2000", "GLUSTER, 3000", "SSHFS, 3000"})
    void killedHolderOfAnotherHostExpiresAfterItsLease(MountKind kind, long leaseMillis) throws Exception {
        Testbed.MountPair m = kind.freshDir("kill-other-host", logs);
        killedHolderIsBrokenAndWaitersProceed(m.a(), m.b(), false, leaseMillis);
    }

    @Test
    void liveHolderInAnotherProcessLearnsItsLockWasBroken() throws Exception {
        Path d = Files.createDirectories(logs.resolve("lost"));
        StringBuilder token = new StringBuilder();
        Process holder = startHolder(d.resolve("job.lock"), 900, Map.of(), logs, "lost-holder", token);
        try {
            LinkLock l = LinkLock.at(d.resolve("job.lock"), LockOptions.defaults());
            BreakResult r = l.breakLock(l.inspect(), true);
            assertThat(r.outcome()).isEqualTo(BreakResult.Outcome.BROKEN);
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).startsWith("LOST").contains("job.lock");
        } finally {
            holder.destroyForcibly();
        }
    }

    /**
     * The break race with real processes on two mounts: breakers holding evidence of stale locks
     * against fresh acquirers. A break must never remove a lock acquired after its evidence was taken.
     */
    void breakRace(String label, Path dirA, Path dirB, int rounds) throws Exception {
        for (int r = 0; r < rounds; r++) {
            TestLocks.writeDeadLock(LockFile.of(dirA, "race-" + r + ".lock"));
        }
        List<Process> ps = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String role = i < 2 ? "acquirer" : "breaker";
            Path d = i % 2 == 0 ? dirA : dirB;
            String name = label + "-race-" + role + i;
            names.add(name);
            ps.add(TestJvm.start(BreakRaceWorker.class, List.of(role, d.toString(), String.valueOf(rounds)),
                    Map.of(), logs, name));
        }
        int broke = 0;
        for (int i = 0; i < ps.size(); i++) {
            assertThat(ps.get(i).waitFor(5, TimeUnit.MINUTES)).as(names.get(i) + " finished").isTrue();
            String out = Files.readString(logs.resolve(names.get(i) + ".out"));
            assertThat(ps.get(i).exitValue()).as(names.get(i) + ": " + out
                    + Files.readString(logs.resolve(names.get(i) + ".err"))).isZero();
            assertThat(out).as(names.get(i)).doesNotContain("VIOLATION").contains("violations=0");
            broke += (int) out.lines().filter(x -> x.startsWith("broke ")).count();
        }
        System.out.printf("[break race %s] rounds=%d breaker-wins=%d violations=0%n", label, rounds, broke);
        Files.writeString(Path.of("target", "break-race-" + label + ".txt"),
                "rounds=" + rounds + " breaker-wins=" + broke + " violations=0\n");
    }

    /**
     * Fewer rounds where each costs more. On sshfs, the hostile bed, nlink is always 1 and every name has its own
     * inode, so only content tells locks apart.
     */
    @ParameterizedTest(name = "{0}, {1} rounds")
    @CsvSource({"LOCAL, 150", "GLUSTER, 60", "SSHFS, 40"})
    void breakRaceThroughBothMounts(MountKind kind, int rounds) throws Exception {
        Testbed.MountPair m = kind.freshDir("race", logs);
        breakRace(kind.label(), m.a(), m.b(), rounds);
    }
}
