package dev.lockscope.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lockscope.record.RecordFormat;

import java.util.Locale;

/**
 * JSON values printed where a person reads them ({@code records get}, the lines of {@code records list}):
 * the same JSON, but C1 controls, bidi overrides and the other characters {@link TerminalText} escapes are
 * written as JSON's own {@code \u202e} escapes (JSON escapes only C0 controls itself). A script parsing
 * the text gets the same value. Stateless; any thread.
 */
final class TerminalJson {
    private static final ObjectMapper MAPPER = RecordFormat.mapper();
    /** The record store's mapper indents by default. */
    private static final ObjectWriter PRETTY = MAPPER.writer().with(new Escapes());
    private static final ObjectWriter COMPACT = PRETTY.without(SerializationFeature.INDENT_OUTPUT);

    private TerminalJson() {
    }

    /** {@code value} as JSON text, safe to print on a terminal. */
    static String of(JsonNode value, boolean pretty) {
        try {
            return (pretty ? PRETTY : COMPACT).writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Jackson's escapes for ASCII, plus {@code \\uXXXX} for every character unsafe on a terminal. */
    private static final class Escapes extends CharacterEscapes {
        private static final int[] ASCII = standardAsciiEscapesForJSON();

        @Override
        public int[] getEscapeCodesForAscii() {
            return ASCII;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return TerminalText.unsafeInJson((char) ch)
                    ? new SerializedString(String.format(Locale.ROOT, "\\u%04x", ch)) : null;
        }
    }
}
