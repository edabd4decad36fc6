package dev.lockscope.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.TestJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code lockscope bench --mode counter} with group commit (the default): exact, and it says how it ran. */
@MultiProcess
class BenchGroupCommitTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void counterWithGroupCommitIsExactAndReportsTheCombinedIncrements() throws Exception {
        TestJvm.Result r = TestJvm.runCli(List.of("bench", dir.toString(), "--procs", "4", "--ops", "25",
                "--mode", "counter", "--warmup", "3", "--json"), Map.of(), null, 240);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        JsonNode n = JSON.readTree(r.stdout());
        assertThat(n.at("/counter/final").asLong()).isEqualTo(100);
        assertThat(n.at("/counter/duplicateValues").asLong()).isZero();
        assertThat(n.at("/counter/overlaps").asLong()).isZero();
        assertThat(n.at("/counter/groupCommit").asBoolean()).isTrue();
        assertThat(n.at("/counter/combined").asLong()).isBetween(0L, 100L);
        assertThat(n.get("ok").asBoolean()).isTrue();

        TestJvm.Result off = TestJvm.runCli(List.of("bench", dir.toString(), "--procs", "2", "--ops", "10",
                "--mode", "counter", "--warmup", "3", "--no-group-commit"), Map.of(), null, 240);
        assertThat(off.exitCode()).as(off.stderr()).isZero();
        assertThat(off.stdout()).contains("group commit off: one lock hold per increment");
    }
}
