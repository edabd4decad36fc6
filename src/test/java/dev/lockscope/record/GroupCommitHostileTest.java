package dev.lockscope.record;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static dev.lockscope.record.GroupCommitTesting.GROUP_COMMIT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Intent files are read from a hostile directory (design.md section 6): found only by our exact name grammar,
 * never followed, bounded, and a malformed one is quarantined and reported without stopping the holder's save
 * or touching the record file. Each case plants files as another user of the directory could.
 */
@Timeout(30)
class GroupCommitHostileTest {
    static final String W = "00112233445566aa";

    @TempDir
    Path dir;

    @TempDir
    Path elsewhere;

    Path file;

    @BeforeEach
    void base() throws IOException {
        file = dir.resolve("records.json");
        RecordStore.open(file, GROUP_COMMIT).put("n", IntNode.valueOf(10));
    }

    private static String valid(String writer, long seq, String record, int value) {
        return "{\"format\":\"lockscope-intent/1\",\"writer\":\"" + writer + "\",\"seq\":" + seq
                + ",\"notBefore\":0,\"host\":\"h\",\"pid\":1,\"ops\":[{\"name\":\"" + record + "\",\"op\":\"put\",\"value\":"
                + value + "}]}";
    }

    private Path plant(long seq, String content) throws IOException {
        Path p = dir.resolve(RecordIntent.publishedName("records.json", W, seq));
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    @Test
    void malformedIntentsAreQuarantinedAndReportedWhileTheSaveGoesThrough() throws Exception {
        plant(1, "{not json");
        plant(2, "\"just a string\"");
        plant(3, valid("ffffffffffffffff", 3, "other-writer", 1));   // content names another writer
        plant(4, valid(W, 4, "bad\u0001name", 1));                   // control character in a record name
        plant(5, "{\"format\":\"lockscope-intent/1\",\"writer\":\"" + W + "\",\"seq\":5,\"notBefore\":0,\"host\":\"h\","
                + "\"pid\":1,\"ops\":[{\"name\":\"n\",\"op\":\"add\",\"delta\":1.5}]}");   // not an integer delta
        plant(6, "{\"format\":\"lockscope-intent/1\",\"extra\":1}");                        // unknown field
        plant(7, "\u00ff\u00fe garbage \u001b[2J");
        Files.write(dir.resolve(RecordIntent.publishedName("records.json", W, 8)), new byte[] {(byte) 0xC3, 0x28});

        SaveResult r = RecordStore.open(file, GROUP_COMMIT).put("mine", IntNode.valueOf(1));

        assertThat(r.written()).isTrue();
        assertThat(r.warning()).contains("moved to").doesNotContain("\u001b").doesNotContain("\u0001");
        for (int seq = 1; seq <= 8; seq++) {
            assertThat(r.warning()).contains("intent " + W + "." + seq + " quarantined")
                    .contains(".records.json.bad-intent." + W + "." + seq);
            assertThat(dir.resolve(RecordIntent.quarantineName("records.json", W, seq))).exists();
        }
        RecordSnapshot s = RecordStore.open(file, GROUP_COMMIT).read();
        assertThat(s.records()).containsOnlyKeys("n", "mine");
        assertThat(s.get("n")).contains(IntNode.valueOf(10));
        assertThat(published()).isEmpty();
    }

    @Test
    void aSymbolicLinkWithAnIntentNameIsNotFollowed() throws Exception {
        // The link's target is a perfectly valid intent outside the directory: following the link would apply it.
        Path target = elsewhere.resolve("planted.json");
        Files.writeString(target, valid(W, 1, "from-outside", 666), StandardCharsets.UTF_8);
        Files.createSymbolicLink(dir.resolve(RecordIntent.publishedName("records.json", W, 1)), target);

        SaveResult r = RecordStore.open(file, GROUP_COMMIT).put("mine", IntNode.valueOf(1));

        assertThat(r.warning()).contains("not a regular file (symlink)");
        assertThat(RecordStore.open(file, GROUP_COMMIT).read().records()).containsOnlyKeys("n", "mine");
        assertThat(target).exists();
        assertThat(Files.readString(target)).isEqualTo(valid(W, 1, "from-outside", 666));
    }

    @Test
    void aFifoWithAnIntentNameDoesNotBlockTheHolder() throws Exception {
        Path fifo = dir.resolve(RecordIntent.publishedName("records.json", W, 1));
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mk.waitFor()).isZero();

        SaveResult r = RecordStore.open(file, GROUP_COMMIT).put("mine", IntNode.valueOf(1));

        assertThat(r.warning()).contains("not a regular file");
        assertThat(RecordStore.open(file, GROUP_COMMIT).read().records()).containsOnlyKeys("n", "mine");
    }

    @Test
    void anOversizedIntentIsNotReadWhole() throws Exception {
        StringBuilder big = new StringBuilder("{\"format\":\"lockscope-intent/1\",\"writer\":\"" + W + "\",\"seq\":1,"
                + "\"notBefore\":0,\"host\":\"h\",\"pid\":1,\"ops\":[{\"name\":\"big\",\"op\":\"put\",\"value\":\"");
        big.append("x".repeat(IntentFiles.MAX_INTENT_BYTES));
        big.append("\"}]}");
        plant(1, big.toString());

        SaveResult r = RecordStore.open(file, GROUP_COMMIT).put("mine", IntNode.valueOf(1));

        assertThat(r.warning()).contains("larger than " + IntentFiles.MAX_INTENT_BYTES + " bytes");
        assertThat(RecordStore.open(file, GROUP_COMMIT).read().records()).containsOnlyKeys("n", "mine");
    }

    @Test
    void namesOutsideTheGrammarAreLeftAloneAndAWellFormedPlantedIntentIsJustAWrite() throws Exception {
        // Someone who may write the directory may write the record file too: a valid intent is applied like any
        // save. Names that only look like intents (wrong writer id, another record file, a suffix) are not touched.
        plant(1, valid(W, 1, "planted", 7));
        List<String> decoys = List.of(".records.json.intent.XYZ.1", ".records.json.intent." + W + ".0",
                ".records.json.intent." + W + ".2.extra", ".other.json.intent." + W + ".3",
                ".records.json.intent." + W + ".01");
        for (String d : decoys) {
            Files.writeString(dir.resolve(d), valid(W, 9, "decoy", 1));
        }

        SaveResult r = RecordStore.open(file, GROUP_COMMIT).put("mine", IntNode.valueOf(1));

        assertThat(r.warning()).isNull();
        assertThat(RecordStore.open(file, GROUP_COMMIT).read().records()).containsOnlyKeys("n", "mine", "planted");
        for (String d : decoys) {
            assertThat(dir.resolve(d)).exists();
        }
    }

    @Test
    void aCommitLogThatBreaksItsBoundsMakesTheFileUnknownAndItIsNotRewritten() throws Exception {
        String text = Files.readString(file);
        String withLog = text.trim().replaceFirst("\\}\\s*$", ",\"commits\":{\"evictedThrough\":0,\"writers\":"
                + "{\"../../etc/passwd\":{\"seq\":1,\"generation\":1}}}}");
        Files.writeString(file, withLog);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RecordStore.open(file, GROUP_COMMIT)
                        .put("x", JsonNodeFactory.instance.numberNode(1)))
                .isInstanceOf(CorruptRecordFileException.class).hasMessageContaining("invalid writer id");
        assertThat(Files.readString(file)).isEqualTo(withLog);
    }

    private List<String> published() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> RecordIntent.parseName(n).isPresent()).toList();
        }
    }
}
