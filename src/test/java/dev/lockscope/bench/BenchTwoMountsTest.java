package dev.lockscope.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.TestJvm;
import dev.lockscope.testing.Testbed;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code lockscope bench --second-mount}: half the workers through each of two paths to one directory, through the
 * real CLI with real worker processes. The gluster case is the real thing (two FUSE clients of one volume); the
 * local cases only carry the arguments through, and the refusal of a path that is another directory.
 */
@MultiProcess
class BenchTwoMountsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    @Tag("testbed")
    void counterThroughTwoGlusterMountsIsExactAcrossBothHalves() throws Exception {
        Testbed.MountPair pair = Testbed.gluster().freshDir("bench-two-mounts");
        JsonNode on = counter(pair, 4, 25, List.of());
        assertThat(on.at("/counter/groupCommit").asBoolean()).isTrue();
        JsonNode off = counter(pair, 4, 10, List.of("--no-group-commit"));
        assertThat(off.at("/counter/groupCommit").asBoolean()).isFalse();
        assertThat(off.at("/counter/combined").asLong()).isZero();
    }

    private JsonNode counter(Testbed.MountPair pair, int procs, int ops, List<String> extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("bench", pair.a().toString(), "--second-mount",
                pair.b().toString(), "--procs", String.valueOf(procs), "--ops", String.valueOf(ops), "--mode",
                "counter", "--warmup", "3", "--json"));
        args.addAll(extra);
        TestJvm.Result r = TestJvm.runCli(args, Map.of(), null, 300);
        assertThat(r.exitCode()).as(r.stderr() + r.stdout()).isZero();
        JsonNode n = JSON.readTree(r.stdout());
        long expected = (long) procs * ops;
        assertThat(n.at("/counter/expected").asLong()).isEqualTo(expected);
        assertThat(n.at("/counter/final").asLong()).isEqualTo(expected);
        assertThat(n.at("/counter/duplicateValues").asLong()).isZero();
        assertThat(n.at("/counter/overlaps").asLong()).isZero();
        assertThat(n.get("ok").asBoolean()).isTrue();
        assertThat(n.get("mounts")).hasSize(2);
        assertThat(n.at("/mounts/0/directory").asText()).isEqualTo(pair.a().toString());
        assertThat(n.at("/mounts/1/directory").asText()).isEqualTo(pair.b().toString());
        for (JsonNode m : n.get("mounts")) {
            assertThat(m.get("fsType").asText()).isEqualTo("fuse.glusterfs");
            assertThat(m.get("workers").asInt()).isEqualTo(procs / 2);
        }
        assertThat(n.get("mountCheck").asText()).contains("read back through " + pair.b());
        // Two clients: not the note of a directory given twice.
        assertThat(n.get("notes").toString()).doesNotContain("same mount");
        return n;
    }

    @Test
    void oneLocalDirectoryGivenTwiceRunsButSaysItIsOneMount() throws Exception {
        TestJvm.Result r = TestJvm.runCli(List.of("bench", dir.toString(), "--second-mount", dir.toString(),
                "--procs", "3", "--ops", "5", "--mode", "counter", "--warmup", "3", "--json"), Map.of(), null, 240);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        JsonNode n = JSON.readTree(r.stdout());
        assertThat(n.at("/counter/final").asLong()).isEqualTo(15);
        assertThat(n.at("/mounts/0/workers").asInt()).isEqualTo(2);
        assertThat(n.at("/mounts/1/workers").asInt()).isEqualTo(1);
        assertThat(n.get("notes").toString()).contains("both paths are on the same mount");
    }

    @Test
    void aSecondPathThatIsAnotherDirectoryIsRefusedBeforeAnyWorkerStarts() throws Exception {
        Path first = Files.createDirectory(dir.resolve("first"));
        Path other = Files.createDirectory(dir.resolve("other"));
        TestJvm.Result r = TestJvm.runCli(List.of("bench", first.toString(), "--second-mount", other.toString(),
                "--procs", "2", "--ops", "5", "--mode", "counter"), Map.of(), null, 120);
        assertThat(r.exitCode()).isEqualTo(64);
        assertThat(r.stderr()).contains("--second-mount: " + other + " is not the directory " + first)
                .contains("a marker file").contains("did not appear through " + other + " within 10.0 s");
        try (var a = Files.list(first); var b = Files.list(other)) {
            assertThat(a.toList()).as("no counter reset, no marker left").isEmpty();
            assertThat(b.toList()).isEmpty();
        }
    }
}
