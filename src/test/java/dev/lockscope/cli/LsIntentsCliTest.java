package dev.lockscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.TestJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code lockscope ls} of group-commit intent files, through real CLI processes. The files are made by hand: the
 * scanner judges them by name alone (GroupCommitScanTest scans the ones a real store leaves).
 */
@MultiProcess
class LsIntentsCliTest {
    private static final String W = "1a2b3c4d5e6f7081";
    /** A record file whose name clears the screen and forges a line. */
    private static final String EVIL_RECORD = "evil\u001b[2J\nFORGED.json";

    @TempDir
    Path dir;

    private TestJvm.Result ls(String... args) throws Exception {
        List<String> a = new ArrayList<>();
        a.add("ls");
        a.addAll(List.of(args));
        return TestJvm.runCli(a, Map.of(), null, 120);
    }

    @Test
    void allListsIntentsWithTheirStateAndJsonSaysWhichIntentEachIs() throws Exception {
        Files.writeString(dir.resolve("records.json"), "{}");
        Files.writeString(dir.resolve(".records.json.intent." + W + ".3"), "{}");
        Files.writeString(dir.resolve(".records.json.bad-intent." + W + ".2"), "{}");
        Files.writeString(dir.resolve("." + EVIL_RECORD + ".taken." + W + ".1"), "{}");

        TestJvm.Result locksOnly = ls(dir.toString());
        assertThat(locksOnly.exitCode()).as(locksOnly.stderr()).isZero();
        assertThat(locksOnly.stdout()).doesNotContain("intent").doesNotContain("taken");

        TestJvm.Result all = ls(dir.toString(), "--all");
        assertThat(all.exitCode()).as(all.stderr()).isZero();
        assertThat(all.stdout())
                .containsPattern("(?m)^\\.records\\.json\\.intent\\." + W + "\\.3\\s+WAITING\\s+-\\s+-\\s+-\\s+-\\s+\\S+\\s+1\\s+-\\s+RECORD_INTENT$")
                .containsPattern("(?m)^\\.records\\.json\\.bad-intent\\." + W + "\\.2\\s+UNKNOWN\\s.*RECORD_INTENT$")
                .contains(".evil\\x1b[2J\\nFORGED.json.taken." + W + ".1");
        HostileOutputCliTest.assertSafe(all);

        TestJvm.Result json = ls(dir.toString(), "--all", "--json");
        assertThat(json.exitCode()).as(json.stderr()).isZero();
        JsonNode arr = new ObjectMapper().readTree(json.stdout());
        JsonNode waiting = find(arr, ".records.json.intent." + W + ".3");
        assertThat(waiting.get("kind").asText()).isEqualTo("RECORD_INTENT");
        assertThat(waiting.get("state").asText()).isEqualTo("WAITING");
        assertThat(waiting.get("reason").asText()).contains("a change waiting to be committed into records.json");
        assertThat(waiting.get("intent").get("record").asText()).isEqualTo("records.json");
        assertThat(waiting.get("record").asText()).isEqualTo("records.json");
        assertThat(waiting.get("lock").asText()).as("the lock that governs it").isEqualTo("records.json.lock");
        assertThat(waiting.get("intent").get("form").asText()).isEqualTo("intent");
        assertThat(waiting.get("intent").get("writer").asText()).isEqualTo(W);
        assertThat(waiting.get("intent").get("seq").asLong()).isEqualTo(3);
        assertThat(waiting.has("verdict")).as("an intent is no lock").isFalse();
        assertThat(find(arr, ".records.json.bad-intent." + W + ".2").get("intent").get("form").asText())
                .isEqualTo("bad-intent");
        JsonNode evil = find(arr, "." + EVIL_RECORD + ".taken." + W + ".1");
        assertThat(evil.get("intent").get("record").asText()).isEqualTo(EVIL_RECORD);
        assertThat(evil.get("intent").get("form").asText()).isEqualTo("taken");
        assertThat(find(arr, "records.json").get("kind").asText()).isEqualTo("OTHER");
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
