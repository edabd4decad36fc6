package dev.lockscope.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockscope.record.RecordStore;
import com.fasterxml.jackson.databind.node.LongNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The two-mount benchmark's guard and report, without worker processes: {@link SameDirectoryCheck} on real
 * directories (one directory given twice passes but is flagged as one mount; two different ones are refused), and
 * the result's account of which paths the workers used. The real two-mount run is in {@code BenchTwoMountsTest}.
 */
class SameDirectoryCheckTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void oneDirectoryGivenTwicePassesButIsFlaggedAsOneMount() throws Exception {
        SameDirectoryCheck.Outcome o = SameDirectoryCheck.verify(dir, dir, Duration.ofSeconds(5));
        assertThat(o.sameMount()).isTrue();
        assertThat(o.checked()).contains("marker file written through " + dir).contains("read back through " + dir);
        try (var s = Files.list(dir)) {
            assertThat(s.toList()).as("markers left behind").isEmpty();
        }
    }

    @Test
    void anotherDirectoryIsRefusedSayingWhatWasChecked() throws Exception {
        Path first = Files.createDirectory(dir.resolve("first"));
        Path other = Files.createDirectory(dir.resolve("other"));
        assertThatThrownBy(() -> SameDirectoryCheck.verify(first, other, Duration.ofMillis(300)))
                .isInstanceOf(SameDirectoryCheck.NotTheSameDirectoryException.class)
                .hasMessageContaining(other + " is not the directory " + first + " seen through another mount")
                .hasMessageContaining("a marker file .lockscope-bench-mount-check-")
                .hasMessageContaining("written through " + first)
                .hasMessageContaining("did not appear through " + other + " within 300 ms");
        try (var a = Files.list(first); var b = Files.list(other)) {
            assertThat(a.toList()).as("markers left behind").isEmpty();
            assertThat(b.toList()).isEmpty();
        }
    }

    @Test
    void aSecondMountNeedsAWorkerForEachMount() {
        assertThatThrownBy(() -> new BenchRunner.Config(dir, BenchMode.COUNTER, 1, 1, 0, Duration.ofSeconds(1), true,
                dir)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--second-mount needs at least 2");
    }

    @Test
    void theResultSaysWhichMountsTheWorkersUsedAndWhatProvedThemOneDirectory() throws Exception {
        Path viaB = Files.createDirectory(dir.resolve("b"));
        BenchRunner.Config c = new BenchRunner.Config(dir, BenchMode.COUNTER, 3, 1, 0, Duration.ofSeconds(10), true,
                viaB);
        RecordStore store = RecordStore.open(dir.resolve(BenchRunner.COUNTER_FILE));
        store.put(BenchWorker.COUNTER_RECORD, LongNode.valueOf(3));
        List<OpTiming> ops = List.of(new OpTiming(0, 10, 10, 20, 21, 1), new OpTiming(1, 12, 23, 25, 26, 2),
                new OpTiming(2, 13, 30, 35, 36, 3));
        List<BenchResult.MountUse> mounts = List.of(new BenchResult.MountUse(dir, "ext4", 2),
                new BenchResult.MountUse(viaB, "fuse.glusterfs", 1));
        BenchResult r = BenchRunner.measure(c, mounts, "the check", ops, true, store, new ArrayList<>());
        assertThat(r.ok()).isTrue();

        JsonNode n = r.toJson(JSON);
        assertThat(n.at("/mounts/0/directory").asText()).isEqualTo(dir.toString());
        assertThat(n.at("/mounts/0/workers").asInt()).isEqualTo(2);
        assertThat(n.at("/mounts/1/directory").asText()).isEqualTo(viaB.toString());
        assertThat(n.at("/mounts/1/fsType").asText()).isEqualTo("fuse.glusterfs");
        assertThat(n.at("/mounts/1/workers").asInt()).isEqualTo(1);
        assertThat(n.get("mountCheck").asText()).isEqualTo("the check");
        assertThat(r.toText()).contains("  mounts      2 workers through " + dir + " (ext4), 1 through "
                + viaB + " (fuse.glusterfs)\n  same dir    the check\n");

        BenchResult one = BenchRunner.measure(new BenchRunner.Config(dir, BenchMode.COUNTER, 3, 1, 0,
                Duration.ofSeconds(10)), dir, "ext4", ops, true, store, new ArrayList<>());
        JsonNode j = one.toJson(JSON);
        assertThat(j.get("mounts")).hasSize(1);
        assertThat(j.at("/mounts/0/workers").asInt()).isEqualTo(3);
        assertThat(j.has("mountCheck")).isFalse();
        assertThat(one.toText()).doesNotContain("mounts");
    }
}
