package dev.lockscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockscope.lock.HostIdentity;
import dev.lockscope.lock.LockFile;
import dev.lockscope.lock.LockOwner;
import dev.lockscope.lock.LockSnapshot;
import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.TestJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The CLI as operators and scripts use it: real processes, real exit codes. */
@MultiProcess
class LockCliTest {

    @TempDir
    Path dir;

    static TestJvm.Result cli(String stdin, String... args) throws Exception {
        return TestJvm.runCli(List.of(args), Map.of(), stdin, 120);
    }

    @Test
    void runPassesTheCommandsExitCodeAndReleases() throws Exception {
        Path lock = dir.resolve("job.lock");
        TestJvm.Result r = cli(null, "run", lock.toString(), "--", "sh", "-c",
                "test -f \"$LOCKSCOPE_LOCK\" && echo token=$LOCKSCOPE_TOKEN; exit 7");
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(7);
        assertThat(r.stdout()).containsPattern("token=[0-9a-f]{32}");
        assertThat(Files.exists(lock)).isFalse();
        try (var s = Files.list(dir)) {
            assertThat(s.toList()).isEmpty();
        }
    }

    @Test
    void runExitsWith75WhenTheLockStaysHeld() throws Exception {
        Path lock = dir.resolve("job.lock");
        ProcessBuilder holder = TestJvm.cli(List.of("run", lock.toString(), "--", "sleep", "30"));
        Process h = holder.start();
        try {
            waitFor(lock);
            TestJvm.Result r = cli(null, "run", "--timeout", "500ms", lock.toString(), "--", "true");
            assertThat(r.exitCode()).isEqualTo(75);
            assertThat(r.stderr()).contains("timed out").contains(lock.toString()).contains("pid " + h.pid());
        } finally {
            h.destroy();
            h.waitFor();
        }
        // The holder was stopped with SIGTERM: it passed it on to CMD and released the lock once CMD had exited.
        assertThat(Files.exists(lock)).isFalse();
    }

    @Test
    void runExitsWith70WhenTheLockIsLostWhileTheCommandRuns() throws Exception {
        Path lock = dir.resolve("job.lock");
        // A lease of a few seconds: with 900 ms, a loaded machine let the holder miss its own renewals and
        // give the lock up before the break arrived ("already gone"). --force breaks a live lock anyway, and the
        // holder notices the loss at its next renewal (half a lease), long before CMD would end by itself.
        Process h = TestJvm.cli(List.of("run", "--lease", "4s", lock.toString(), "--", "sleep", "30"))
                .redirectErrorStream(true).start();
        waitFor(lock);
        TestJvm.Result b = cli(null, "break", "--yes", "--force", lock.toString());
        assertThat(b.exitCode()).as(b.stdout() + b.stderr()).isZero();
        String out = new String(h.getInputStream().readAllBytes());
        h.waitFor();
        assertThat(h.exitValue()).as(out).isEqualTo(70);
        assertThat(out).contains("lock lost");
    }

    @Test
    void runReportsAMissingCommandAndReleases() throws Exception {
        Path lock = dir.resolve("job.lock");
        TestJvm.Result r = cli(null, "run", lock.toString(), "--", "/no/such/program");
        assertThat(r.exitCode()).isEqualTo(127);
        assertThat(r.stderr()).contains("/no/such/program");
        assertThat(Files.exists(lock)).isFalse();
    }

    @Test
    void statusJsonOfAHeldLock() throws Exception {
        Path lock = dir.resolve("job.lock");
        Process h = TestJvm.cli(List.of("run", "--purpose", "nightly", lock.toString(), "--", "sleep", "20")).start();
        try {
            waitFor(lock);
            TestJvm.Result r = cli(null, "status", "--json", lock.toString());
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            JsonNode n = new ObjectMapper().readTree(r.stdout());
            assertThat(n.get("state").asText()).isEqualTo("HELD");
            assertThat(n.get("pid").asLong()).isEqualTo(h.pid());
            assertThat(n.get("host").asText()).isEqualTo(HostIdentity.current().hostName());
            assertThat(n.get("nlink").asLong()).isEqualTo(2);
            assertThat(n.get("purpose").asText()).isEqualTo("nightly");
            assertThat(n.get("heartbeatAgeMillis").asLong()).isBetween(0L, 20_000L);
            TestJvm.Result human = cli(null, "status", lock.toString());
            assertThat(human.stdout()).contains("HELD").contains("pid " + h.pid()).contains("link count: 2");
        } finally {
            h.destroy();
            h.waitFor();
        }
        TestJvm.Result free = cli(null, "status", "--json", lock.toString());
        assertThat(new ObjectMapper().readTree(free.stdout()).get("state").asText()).isEqualTo("FREE");
    }

    @Test
    void breakRefusesAHeldLockWithExit3AndForceNeedsConfirmation() throws Exception {
        Path lock = dir.resolve("job.lock");
        Process h = TestJvm.cli(List.of("run", lock.toString(), "--", "sleep", "20")).start();
        try {
            waitFor(lock);
            String token = LockSnapshot.read(lock).orElseThrow().token();
            TestJvm.Result refused = cli(null, "break", "--yes", lock.toString());
            assertThat(refused.exitCode()).isEqualTo(3);
            assertThat(refused.stderr()).contains("refusing").contains("HELD");
            TestJvm.Result unconfirmed = cli("n\n", "break", "--force", lock.toString());
            assertThat(unconfirmed.exitCode()).isEqualTo(4);
            TestJvm.Result noStdin = cli(null, "break", "--force", lock.toString());
            assertThat(noStdin.exitCode()).isEqualTo(4);
            assertThat(noStdin.stderr()).contains("--yes");
            assertThat(LockSnapshot.read(lock).orElseThrow().token()).isEqualTo(token);
        } finally {
            h.destroyForcibly();
            h.waitFor();
        }
    }

    @Test
    void breakOfAnExpiredLockAfterConfirmation() throws Exception {
        LockFile f = LockFile.of(dir, "job.lock");
        LockOwner o = new LockOwner(null, "far", "machine-far", null, null, "bob", 99, null,
                "00112233445566778899aabbccddeeff", 2000, 0, "remote");
        Files.write(f.claimPath(o.host(), o.pid(), o.token()), o.toBytes());
        Files.createLink(f.path(), f.claimPath(o.host(), o.pid(), o.token()));
        Files.setLastModifiedTime(f.path(), FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        TestJvm.Result r = cli("y\n", "break", f.path().toString());
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        assertThat(r.stdout()).contains("EXPIRED").contains("bob@far pid 99").contains("Break this EXPIRED lock?")
                .contains("broke lock").contains("audit:");
        assertThat(Files.exists(f.path())).isFalse();
        TestJvm.Result again = cli(null, "break", "--yes", f.path().toString());
        assertThat(again.exitCode()).isEqualTo(1);
    }

    @Test
    void badInputGetsUsageErrors() throws Exception {
        TestJvm.Result r = cli(null, "run", "--timeout", "soon", dir.resolve("a.lock").toString(), "--", "true");
        assertThat(r.exitCode()).isEqualTo(64);
        assertThat(r.stderr()).contains("soon").contains("duration");
        TestJvm.Result lease = cli(null, "run", "--lease", "10ms", dir.resolve("a.lock").toString(), "--", "true");
        assertThat(lease.exitCode()).isEqualTo(64);
        assertThat(lease.stderr()).contains("lease");
        TestJvm.Result dirAsLock = cli(null, "status", dir + "/");
        assertThat(dirAsLock.exitCode()).isEqualTo(64);
        TestJvm.Result version = cli(null, "--version");
        assertThat(version.stdout()).contains("lockscope " + LockscopeCommand.VERSION);
        for (String sub : List.of("run", "status", "break")) {
            TestJvm.Result help = cli(null, sub, "--help");
            assertThat(help.exitCode()).isZero();
            assertThat(help.stdout()).contains("Usage: lockscope " + sub);
        }
    }

    static void waitFor(Path lock) {
        await(lock + " appears").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> Files.exists(lock));
    }
}
