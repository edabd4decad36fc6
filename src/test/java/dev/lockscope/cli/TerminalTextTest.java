package dev.lockscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.record.RecordFormat;
import dev.lockscope.scan.EntryNames;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The one terminal escaper: what it escapes, and that nothing it prints can control a terminal. */
class TerminalTextTest {

    @Test
    void controlCharactersBecomeVisibleEscapes() {
        assertThat(TerminalText.escape("a\r\nFORGED\u001b[31mred\u0000nul\u007fdel\tx"))
                .isEqualTo("a\\r\\nFORGED\\x1b[31mred\\x00nul\\x7fdel\\tx");
        // C1 controls (U+009B is a one-character CSI on some terminals), bidi overrides, zero-width and
        // line separators, and the replacement character that stands for undecodable bytes.
        assertThat(TerminalText.escape("\u009b2J\u0085\u202eevil\u2066\u200b\u2028\ufffd"))
                .isEqualTo("\\u009b2J\\u0085\\u202eevil\\u2066\\u200b\\u2028\\ufffd");
        // A backslash is escaped too, so that "\x1b" in the output can only mean ESC was there.
        assertThat(TerminalText.escape("C:\\x1b")).isEqualTo("C:\\\\x1b");
        assertThat(TerminalText.escape("plain-name_1.lock")).isEqualTo("plain-name_1.lock");
    }

    @Test
    void printableNonAsciiStaysWhereTheOutputCanShowIt() {
        boolean unicode = Charset.defaultCharset().name().startsWith("UTF-")
                && System.getProperty("stdout.encoding", "UTF-8").startsWith("UTF-");
        assertThat(TerminalText.escape("café 😀")).isEqualTo(unicode ? "café 😀" : "caf\\u00e9 \\U0001f600");
    }

    @Test
    void bytesThatAreNotUtf8AreShownAsHex() {
        byte[] raw = {'a', (byte) 0xff, 'b', (byte) 0xc3, (byte) 0xa9, (byte) 0xc3, 0x1b};
        String shown = TerminalText.escape(raw, 0, raw.length);
        assertThat(shown).startsWith("a\\xffb").endsWith("\\xc3\\x1b");
        // A file name carries its undecodable bytes as U+DC80..U+DCFF (EntryNames): the same \xff.
        String name = EntryNames.decode(new byte[] {'n', (byte) 0xff, (byte) 0xfe, '.', 'l'});
        assertThat(TerminalText.escape(name)).isEqualTo("n\\xff\\xfe.l");
        assertThat(EntryNames.forJson(name)).isEqualTo("n\ufffd\ufffd.l");
    }

    @Test
    void jsonForPeopleEscapesWhatJsonLeavesRaw() throws Exception {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("k\u202e", "a\u009bb\u0001\n");
        String text = TerminalJson.of(n, false);
        assertThat(text).isEqualTo("{\"k\\u202e\":\"a\\u009bb\\u0001\\n\"}");
        JsonNode back = RecordFormat.mapper().readTree(text);
        assertThat(back).isEqualTo(n);
    }

    @Property(tries = 2000)
    void nothingEscapedCanControlATerminal(@ForAll String text) {
        HostileOutputCliTest.assertSafe(TerminalText.escape(text));
    }

    @Property(tries = 2000)
    void noBytesEscapedCanControlATerminal(@ForAll byte[] bytes) {
        String shown = TerminalText.escape(bytes, 0, bytes.length);
        HostileOutputCliTest.assertSafe(shown);
        assertThat(StandardCharsets.UTF_8.newEncoder().canEncode(shown)).isTrue();
    }
}
