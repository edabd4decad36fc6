package dev.lockscope.record;

import com.fasterxml.jackson.databind.JsonNode;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The byte fast path of parsing ({@link RecordFormat#parsePlainAscii}) against the reference String path. */
class PlainAsciiParseTest {

    @Provide
    Arbitrary<String> names() {
        return RecordFormatPropertiesTest.names();
    }

    @Provide
    Arbitrary<JsonNode> values() {
        return RecordFormatPropertiesTest.values();
    }

    /** ASCII content takes the fast path and reads exactly as the String path does; other content does not. */
    @Property(tries = 300)
    void theFastPathReadsWhatTheStringPathReads(
            @ForAll("names") String name,
            @ForAll("values") JsonNode value) throws Exception {
        TreeMap<String, JsonNode> records = new TreeMap<>(Map.of(name, value));
        WriterStamp ascii = new WriterStamp("host", "id", "user", 42, java.time.Instant.parse("2026-01-02T03:04:05Z"), "t");
        byte[] bytes = RecordFormat.encode(3, ascii, records, CommitLog.EMPTY);
        JsonNode reference = RecordFormat.MAPPER.readTree(new String(bytes, StandardCharsets.UTF_8));
        JsonNode fast = RecordFormat.parsePlainAscii(bytes);
        boolean plain = new String(bytes, StandardCharsets.UTF_8).chars().allMatch(c -> c > 0 && c < 0x80);
        if (plain) {
            assertThat(fast).isEqualTo(reference);
        } else {
            assertThat(fast).isNull();
        }
        com.fasterxml.jackson.databind.node.ObjectNode decoded = RecordFormat.MAPPER.createObjectNode();
        RecordFormat.decode(RecordFormatPropertiesTest.FILE, bytes).records().forEach(decoded::set);
        assertThat(decoded).isEqualTo(reference.get("records"));
    }

    @Property(tries = 300)
    void plainAsciiContentTakesTheFastPathAndDecodesTheSame(@ForAll long counter) throws Exception {
        byte[] bytes = ("{\"format\":\"lockscope-records/1\",\"generation\":2,\"writer\":{\"host\":\"h\",\"hostId\":\"i\","
                + "\"user\":\"u\",\"pid\":1,\"writtenAt\":\"2026-01-02T03:04:05Z\",\"tool\":\"t\"},"
                + "\"records\":{\"n\":" + counter + "}}\n").getBytes(StandardCharsets.US_ASCII);
        assertThat(RecordFormat.parsePlainAscii(bytes))
                .isEqualTo(RecordFormat.MAPPER.readTree(new String(bytes, StandardCharsets.US_ASCII)));
        assertThat(RecordFormat.decode(RecordFormatPropertiesTest.FILE, bytes).records().get("n").longValue())
                .isEqualTo(counter);
    }

    /** NUL bytes would let the byte parser's encoding detection take the content for UTF-16 or UTF-32. */
    @Example
    void contentWithNulOrNonAsciiBytesIsLeftToTheStringPath() {
        assertThat(RecordFormat.parsePlainAscii("\0{\0}".getBytes(StandardCharsets.US_ASCII))).isNull();
        assertThat(RecordFormat.parsePlainAscii("{\"a\":\"\u00e9\"}".getBytes(StandardCharsets.UTF_8))).isNull();
        assertThat(RecordFormat.parsePlainAscii("{\"a\":1".getBytes(StandardCharsets.US_ASCII)))
                .as("not JSON: the String path gives the error").isNull();
        assertThat(RecordFormat.parsePlainAscii("{\"a\":1}".getBytes(StandardCharsets.US_ASCII))).isNotNull();
    }
}
