package dev.lockscope.text;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The one escaper, as the inspector and the probe use it (the CLI's use is in TerminalTextTest). */
class PrintableTest {

    @Test
    void aUnicodeDisplayKeepsPrintableTextAndEscapesTheRest() {
        assertThat(Printable.escape("café 😀 build.lock")).isEqualTo("café 😀 build.lock");
        assertThat(Printable.escape("a\nFORGED\u001b[31m\u202eevil\ufffd")).isEqualTo("a\\nFORGED\\x1b[31m\\u202eevil\\ufffd");
        // A backslash is escaped, so that "\x1b" shown can only mean that ESC was there.
        assertThat(Printable.escape("C:\\x1b")).isEqualTo("C:\\\\x1b");
        assertThat(Printable.escape(null)).isEmpty();
    }

    @Test
    void aTerminalWithoutUnicodeGetsEscapesForWhatItCannotShow() {
        assertThat(Printable.escape("café", StandardCharsets.US_ASCII)).isEqualTo("caf\\u00e9");
        assertThat(Printable.escape("café", StandardCharsets.UTF_8)).isEqualTo("café");
    }

    @Test
    void shortenedTextIsEscapedAndCut() {
        assertThat(Printable.shortened("host\u001b]0;title\u0007", 80)).isEqualTo("host\\x1b]0;title\\x07");
        assertThat(Printable.shortened("abcdefghij", 4)).isEqualTo("abcd...");
        assertThat(Printable.shortened(null, 4)).isEmpty();
    }

    @Property(tries = 1000)
    void nothingShortenedCanControlATerminal(@ForAll String text, @ForAll @IntRange(min = 1, max = 200) int max) {
        String shown = Printable.shortened(text, max);
        assertSafe(shown);
        assertThat(shown.length()).isLessThanOrEqualTo(max + 10 + 3);
    }

    @Property(tries = 1000)
    void nothingEscapedForADisplayCanControlATerminal(@ForAll String text) {
        assertSafe(Printable.escape(text));
    }

    /** As HostileOutputCliTest: no C0/C1 control, format character (bidi), separator, lone surrogate or U+FFFD. */
    static void assertSafe(String shown) {
        shown.codePoints().forEach(c -> {
            int type = Character.getType(c);
            assertThat(c < 0x20 || c == 0x7f || c == 0xfffd
                    || type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
                    || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR)
                    .as("U+%04X in %s", c, shown).isFalse();
        });
    }
}
