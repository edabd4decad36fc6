package dev.lockscope.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.TestJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CI's share of the benchmark: {@code lockscope bench} run small, through the real CLI, with real worker
 * processes. It checks that the counter is exact and that the figures are real measurements, not speed.
 */
@MultiProcess
class BenchSmokeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void counterWithThreeProcessesIsExact() throws Exception {
        // Without group commit, so that every increment is its own generation (the last assertion).
        TestJvm.Result r = TestJvm.runCli(List.of("bench", dir.toString(), "--procs", "3", "--ops", "25",
                "--mode", "counter", "--warmup", "3", "--json", "--no-group-commit"), Map.of(), null, 240);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        JsonNode n = JSON.readTree(r.stdout());
        assertThat(n.get("mode").asText()).isEqualTo("counter");
        assertThat(n.get("totalOps").asLong()).isEqualTo(75);
        assertThat(n.at("/counter/expected").asLong()).isEqualTo(75);
        assertThat(n.at("/counter/final").asLong()).isEqualTo(75);
        assertThat(n.at("/counter/lost").asLong()).isZero();
        assertThat(n.at("/counter/duplicateValues").asLong()).isZero();
        assertThat(n.at("/counter/overlaps").asLong()).isZero();
        assertThat(n.get("ok").asBoolean()).isTrue();
        assertThat(n.get("opsPerSecond").asDouble()).isPositive();
        assertThat(n.at("/latencyMillis/p50").asDouble()).isPositive();
        assertThat(n.at("/latencyMillis/max").asDouble()).isGreaterThanOrEqualTo(n.at("/latencyMillis/p99").asDouble());
        // The record file holds the count, written through the save path (generation 1 is the reset to 0).
        String file = Files.readString(dir.resolve(BenchRunner.COUNTER_FILE));
        assertThat(JSON.readTree(file).at("/records/counter").asLong()).isEqualTo(75);
        assertThat(JSON.readTree(file).get("generation").asLong()).isGreaterThanOrEqualTo(76);
    }

    @Test
    void cycleRunsEveryProcessOnItsOwnLockAndCleansUp() throws Exception {
        TestJvm.Result r = TestJvm.runCli(List.of("bench", dir.toString(), "--procs", "2", "--ops", "200",
                "--warmup", "10"), Map.of(), null, 240);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("mode cycle, 2 processes x 200 ops").contains("ops/s").contains("p99");
        try (var s = Files.list(dir)) {
            assertThat(s.toList()).as("locks and claims left behind").isEmpty();
        }
    }

    @Test
    void badDirectoryAndBadModeAreUsageOrIoErrorsNamingTheProblem() throws Exception {
        TestJvm.Result missing = TestJvm.runCli(List.of("bench", dir.resolve("nope").toString()), Map.of(), null, 60);
        assertThat(missing.exitCode()).isEqualTo(66); // a missing directory, as for every command
        assertThat(missing.stderr()).contains(dir.resolve("nope").toString()).contains("does not exist");
        TestJvm.Result mode = TestJvm.runCli(List.of("bench", dir.toString(), "--mode", "spin"), Map.of(), null, 60);
        assertThat(mode.exitCode()).isEqualTo(64);
        assertThat(mode.stderr()).contains("cycle or counter");
    }

    @Test
    void handOffAndOverlapAreMeasuredFromTheHoldersTimeline() throws Exception {
        // Worker 0 holds [10, 20), worker 1 asked at 12 and holds from 23: one hand-off of 3 (from 20).
        // Worker 2 asked at 30 after everyone let go: no waiter, no hand-off. Worker 3 holds from 37,
        // before worker 2 began releasing at 40: an overlap, which must be reported.
        List<OpTiming> ops = new ArrayList<>(List.of(
                new OpTiming(0, 10, 10, 20, 21, 1),
                new OpTiming(1, 12, 23, 25, 26, 2),
                new OpTiming(2, 30, 31, 40, 41, 3),
                new OpTiming(3, 32, 37, 45, 46, 3)));
        RunnerFixture f = new RunnerFixture(dir);
        BenchResult r = BenchRunner.measure(f.config(4), dir, "test", ops, true, f.store(4), new ArrayList<>());
        assertThat(r.handoff().count()).isEqualTo(1);
        assertThat(r.handoff().p50Nanos()).isEqualTo(3);
        assertThat(r.overlaps()).isEqualTo(1);
        assertThat(r.duplicateValues()).isEqualTo(1);
        assertThat(r.ok()).isFalse();
        assertThat(r.wallNanos()).isEqualTo(36);
    }

    /** A real counter file holding a given count, for the analysis test. */
    private record RunnerFixture(Path dir) {
        BenchRunner.Config config(int procs) {
            return new BenchRunner.Config(dir, BenchMode.COUNTER, procs, 1, 0, Duration.ofSeconds(10));
        }

        dev.lockscope.record.RecordStore store(long count) throws java.io.IOException {
            var s = dev.lockscope.record.RecordStore.open(dir.resolve(BenchRunner.COUNTER_FILE));
            s.put(BenchWorker.COUNTER_RECORD, com.fasterxml.jackson.databind.node.LongNode.valueOf(count));
            return s;
        }
    }
}
