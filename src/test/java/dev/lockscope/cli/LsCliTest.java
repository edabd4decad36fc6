package dev.lockscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockHandle;
import dev.lockscope.lock.LockOptions;
import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.TestJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code lockscope ls} through real CLI processes. */
@MultiProcess
class LsCliTest {

    @TempDir
    Path dir;

    private static final String PID = Long.toString(ProcessHandle.current().pid());

    private TestJvm.Result ls(String... args) throws Exception {
        List<String> a = new ArrayList<>();
        a.add("ls");
        a.addAll(List.of(args));
        return TestJvm.runCli(a, Map.of(), null, 120);
    }

    private void leftovers() throws Exception {
        Files.writeString(dir.resolve(".records.json.tmp.vm.1.abc"), "{");
        Files.writeString(dir.resolve("mbox.lock"), "4242\n");
        Files.writeString(dir.resolve("records.json"), "{}");
    }

    @Test
    void tableListsLocksLikeLslocksAndAllAddsClaimsAndLeftovers() throws Exception {
        leftovers();
        try (LockHandle h = LinkLock.at(dir.resolve("db.lock"), LockOptions.defaults()).acquire(Duration.ofSeconds(5))) {
            TestJvm.Result r = ls(dir.toString());
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            String[] lines = r.stdout().split("\n");
            assertThat(lines[0].split("\\s+")).startsWith("NAME", "STATE", "HOST", "PID", "USER", "AGE", "HEARTBEAT",
                    "NLINK", "LEASE");
            assertThat(r.stdout()).containsPattern("(?m)^db\\.lock\\s+HELD\\s+\\S+\\s+" + PID + "\\s+\\S+\\s+\\S+\\s+\\S+\\s+2\\s+30\\.0s\\s+LOCK$");
            // dotlockfile's pid on a local filesystem is judged by dotlockfile's own rule (issue 14).
            String mboxState = ProcessHandle.of(4242).isPresent() ? "HELD" : "DEAD";
            assertThat(r.stdout()).containsPattern("(?m)^mbox\\.lock\\s+" + mboxState + "\\s+-\\s+4242\\s");
            assertThat(r.stdout()).doesNotContain(h.claimPath().getFileName().toString()).doesNotContain("records.json");
            assertThat(lines).hasSize(3);

            TestJvm.Result all = ls(dir.toString(), "--all");
            assertThat(all.exitCode()).isZero();
            assertThat(all.stdout()).contains(h.claimPath().getFileName().toString())
                    .containsPattern("(?m)^\\.records\\.json\\.tmp\\.vm\\.1\\.abc\\s+NONE.*RECORD_TEMP$")
                    .containsPattern("(?m)^records\\.json\\s+NONE.*OTHER$");
            assertThat(all.stdout()).containsPattern("(?m)^\\.db\\.lock\\.\\S+\\s+HELD\\s+\\S+\\s+" + PID + "\\s.*CLAIM$");
        }
    }

    @Test
    void jsonIsAnArrayOfObjectsWithTheDocumentedFields() throws Exception {
        leftovers();
        try (LockHandle h = LinkLock.at(dir.resolve("db.lock"), LockOptions.defaults()).acquire(Duration.ofSeconds(5))) {
            TestJvm.Result r = ls(dir.toString(), "--json", "--all");
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            JsonNode arr = new ObjectMapper().readTree(r.stdout());
            assertThat(arr.isArray()).isTrue();
            assertThat(arr).hasSize(5);
            for (JsonNode n : arr) {
                assertThat(n.has("name") && n.has("kind") && n.has("state") && n.has("host") && n.has("pid")
                        && n.has("nlink")).as(n.toString()).isTrue();
            }
            JsonNode lock = find(arr, "db.lock");
            assertThat(lock.get("kind").asText()).isEqualTo("LOCK");
            assertThat(lock.get("state").asText()).isEqualTo("HELD");
            assertThat(lock.get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
            assertThat(lock.get("nlink").asInt()).isEqualTo(2);
            assertThat(lock.get("token").asText()).isEqualTo(h.owner().token());
            assertThat(lock.get("heartbeatAgeMillis").asLong()).isBetween(0L, 30_000L);
            JsonNode claim = find(arr, h.claimPath().getFileName().toString());
            assertThat(claim.get("kind").asText()).isEqualTo("CLAIM");
            assertThat(claim.get("lock").asText()).isEqualTo("db.lock");
            JsonNode temp = find(arr, ".records.json.tmp.vm.1.abc");
            assertThat(temp.get("record").asText()).isEqualTo("records.json");
            assertThat(temp.get("lock").asText()).as("the lock that governs it").isEqualTo("records.json.lock");
            JsonNode mbox = find(arr, "mbox.lock");
            assertThat(mbox.get("foreignFormat").asText()).isEqualTo("dotlockfile");
            assertThat(mbox.get("host").isNull()).isTrue();

            TestJvm.Result locksOnly = ls(dir.toString(), "--json");
            assertThat(new ObjectMapper().readTree(locksOnly.stdout())).hasSize(2);
        }
        TestJvm.Result empty = ls(Files.createDirectory(dir.resolve("empty")).toString(), "--json");
        assertThat(new ObjectMapper().readTree(empty.stdout())).isEmpty();
    }

    @Test
    void errorsNameThePathAndUseTheDocumentedExitCodes() throws Exception {
        Path missing = dir.resolve("missing");
        TestJvm.Result r = ls(missing.toString());
        assertThat(r.exitCode()).isEqualTo(ExitCodes.NO_INPUT);
        assertThat(r.stderr()).contains(missing.toString()).contains("does not exist");
        assertThat(r.stdout()).isEmpty();

        Path file = Files.writeString(dir.resolve("plain"), "x");
        TestJvm.Result notDir = ls(file.toString());
        assertThat(notDir.exitCode()).isEqualTo(ExitCodes.NO_INPUT);
        assertThat(notDir.stderr()).contains(file.toString()).contains("not a directory");

        assertThat(ls().exitCode()).isEqualTo(ExitCodes.USAGE);
        TestJvm.Result badInterval = ls(dir.toString(), "--watch", "--interval", "soon");
        assertThat(badInterval.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(badInterval.stderr()).contains("soon");
    }

    @Test
    void watchPrintsTheTableThenEachChangeUntilInterrupted() throws Exception {
        ProcessBuilder pb = TestJvm.cli(List.of("ls", dir.toString(), "--watch", "--poll", "--interval", "200ms"));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader br = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = br.readLine()) != null) {
                    lines.add(l);
                }
            } catch (java.io.IOException ignored) {
                // process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            assertThat(await(lines, "NAME", 60)).startsWith("NAME");
            try (LockHandle h = LinkLock.at(dir.resolve("w.lock"), LockOptions.defaults()).acquire(Duration.ofSeconds(5))) {
                String added = await(lines, " + w.lock", 10);
                assertThat(added).matches("\\d\\d:\\d\\d:\\d\\d \\+ w\\.lock  HELD  .*  " + PID + "  .*LOCK");
                h.release();
            }
            assertThat(await(lines, " - w.lock", 10)).contains("w.lock");
            // A claim is not shown without --all.
            assertThat(lines).noneMatch(l -> l.contains(".w.lock."));
        } finally {
            p.destroy(); // SIGTERM, as an interrupt would
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("ls --watch stops when interrupted").isTrue();
        }
    }

    private static String await(BlockingQueue<String> lines, String contains, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            long left = deadline - System.nanoTime();
            String l = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
            if (l == null) {
                throw new AssertionError("no line containing '" + contains + "' within " + seconds + " s");
            }
            if (l.contains(contains)) {
                return l;
            }
        }
    }

    private static JsonNode find(JsonNode arr, String name) {
        for (JsonNode n : arr) {
            if (name.equals(n.get("name").asText())) {
                return n;
            }
        }
        throw new AssertionError("no object named " + name + " in " + arr);
    }
}
