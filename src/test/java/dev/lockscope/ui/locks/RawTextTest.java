package dev.lockscope.ui.locks;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The inspector's raw view of a file: the content's lines stay lines, everything unsafe is escaped. */
class RawTextTest {

    @Test
    void hostileBytesAreEscapedAndLinesKept() {
        byte[] raw = "{\"host\":\"a\u001b[2J\u009b\u202eb\"}\nsecond\tline   \n\n".getBytes(StandardCharsets.UTF_8);
        byte[] withBadByte = java.util.Arrays.copyOf(raw, raw.length + 1);
        withBadByte[raw.length] = (byte) 0xff;
        String shown = LocksViewModel.rawText(raw, 999);
        assertThat(shown).isEqualTo("(first " + raw.length + " of 999 bytes; trailing spaces trimmed)\n"
                + "{\"host\":\"a\\x1b[2J\\u009b\\u202eb\"}\nsecond\\tline");
        assertThat(LocksViewModel.rawText(withBadByte, 999)).endsWith("\n\n\\xff");
    }
}
