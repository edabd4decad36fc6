package dev.lockscope.text;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The one escaper of text from a lock directory (or from another host) for people: file names, owner fields, raw
 * content, and the messages that embed them, whether the CLI prints them or the inspector shows them. As
 * {@code ls -b} and git do, nothing shown can move the cursor, change colours, set a window title, add or
 * overwrite lines, or reorder text. Stateless; any thread.
 *
 * <p>Escaped: the backslash itself ({@code \\}, so that an escape in the output can only mean an escape); C0
 * controls and DEL ({@code \t}, {@code \n}, {@code \r}, else {@code \x1b}); C1 controls, Unicode format
 * characters (bidi overrides such as U+202E, zero-width characters), line and paragraph separators, private-use
 * and unassigned code points, U+FFFD (what an undecodable byte became before it reached us) and unpaired
 * surrogates ({@code \u202e}); bytes that are not UTF-8, whether raw or carried as U+DC80..U+DCFF (see
 * {@code dev.lockscope.scan.EntryNames}) ({@code \xff}); and, for a terminal, anything its charset cannot encode
 * (under a POSIX locale: all of non-ASCII), which would otherwise print as '?'.
 */
public final class Printable {
    private Printable() {
    }

    /** {@code s} with everything unsafe escaped, for a Unicode display (the inspector); null becomes "". */
    public static String escape(String s) {
        return s == null ? "" : escape(s, null);
    }

    /**
     * {@code text} with everything unsafe escaped, and everything {@code output} cannot encode too.
     *
     * @param output the charset the text will be encoded with, or null for any Unicode encoding
     */
    public static String escape(String text, Charset output) {
        if (isPlain(text)) {
            return text;
        }
        CharsetEncoder encoder = encoderFor(output);
        StringBuilder b = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            append(b, c, encoder);
        }
        return b.toString();
    }

    /** {@code s} escaped for a Unicode display and cut to about {@code max} characters ("..." marks a cut); null is "". */
    public static String shortened(String s, int max) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), max) + 8);
        for (int i = 0; i < s.length(); ) {
            if (b.length() >= max) {
                b.append("...");
                break;
            }
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            append(b, c, null);
        }
        return b.toString();
    }

    /** Bytes read from a file, decoded as UTF-8, with every byte that is not UTF-8 shown as {@code \xHH}. */
    public static String escape(byte[] bytes, int offset, int length, Charset output) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, offset, length);
        CharBuffer out = CharBuffer.allocate(length + 1);
        StringBuilder b = new StringBuilder(length + 16);
        while (true) {
            CoderResult r = decoder.decode(in, out, true);
            out.flip();
            b.append(escape(out.toString(), output));
            out.clear();
            if (r.isError()) {
                for (int k = 0; k < r.length(); k++) {
                    hexByte(b, in.get() & 0xff);
                }
            } else if (r.isUnderflow()) {
                break;
            }
        }
        return b.toString();
    }

    /**
     * Whether the BMP character {@code c} (above ASCII) must not reach a display as it is, where {@code output}
     * (null: Unicode) is the charset: for JSON text, whose own escapes ({@code \u202e}) are then used instead.
     * Surrogate halves count as safe where the output is Unicode, since JSON text is written one UTF-16 unit at a
     * time and pairs are printable.
     */
    public static boolean unsafeInJson(char c, Charset output) {
        CharsetEncoder encoder = encoderFor(output);
        if (Character.isSurrogate(c)) {
            return encoder != null;
        }
        return unsafe(c) || encoder != null && !encoder.canEncode(c);
    }

    private static CharsetEncoder encoderFor(Charset output) {
        return output == null || output.name().startsWith("UTF-") ? null : output.newEncoder();
    }

    private static boolean isPlain(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7f || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private static void append(StringBuilder b, int c, CharsetEncoder encoder) {
        switch (c) {
            case '\\' -> b.append("\\\\");
            case '\t' -> b.append("\\t");
            case '\n' -> b.append("\\n");
            case '\r' -> b.append("\\r");
            default -> {
                if (c < 0x20 || c == 0x7f) {
                    hexByte(b, c);
                } else if (c >= 0xDC80 && c <= 0xDCFF) {
                    hexByte(b, c - 0xDC00); // an undecodable byte of a file name, kept as a lone surrogate
                } else if (c < 0x7f) {
                    b.append((char) c);
                } else if (unsafe(c) || encoder != null && !encoder.canEncode(new String(Character.toChars(c)))) {
                    b.append(c > 0xFFFF ? String.format(Locale.ROOT, "\\U%08x", c)
                            : String.format(Locale.ROOT, "\\u%04x", c));
                } else {
                    b.appendCodePoint(c);
                }
            }
        }
    }

    private static boolean unsafe(int c) {
        if (c == 0xFFFD) {
            return true;
        }
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED -> true;
            default -> false;
        };
    }

    private static void hexByte(StringBuilder b, int v) {
        b.append("\\x").append(Character.forDigit(v >> 4, 16)).append(Character.forDigit(v & 0xf, 16));
    }
}
