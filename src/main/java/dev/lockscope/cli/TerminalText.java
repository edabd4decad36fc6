package dev.lockscope.cli;

import dev.lockscope.text.Printable;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * The escaper of every human-readable line the CLI prints: {@link Printable}, bound to the charset System.out
 * encodes with, so that under a POSIX locale non-ASCII prints as an escape rather than as '?'. {@code --json}
 * output needs none (JSON escapes control characters itself; see {@link TerminalJson}). Stateless; any thread.
 */
public final class TerminalText {
    /** The charset System.out encodes with (Java 17: the locale's; file.encoding). */
    private static final Charset OUTPUT = outputCharset();

    private TerminalText() {
    }

    /** {@code text} with everything unsafe escaped; "null" for null. */
    public static String escape(String text) {
        return text == null ? "null" : Printable.escape(text, OUTPUT);
    }

    /** Bytes read from a file, decoded as UTF-8, with every byte that is not UTF-8 shown as {@code \xHH}. */
    public static String escape(byte[] bytes, int offset, int length) {
        return Printable.escape(bytes, offset, length, OUTPUT);
    }

    /** Whether {@code c} must be written as a JSON escape on this terminal ({@link Printable#unsafeInJson}). */
    static boolean unsafeInJson(char c) {
        return Printable.unsafeInJson(c, OUTPUT);
    }

    private static Charset outputCharset() {
        String name = System.getProperty("stdout.encoding", System.getProperty("sun.stdout.encoding"));
        try {
            return name == null ? Charset.defaultCharset() : Charset.forName(name);
        } catch (RuntimeException e) {
            return StandardCharsets.US_ASCII;
        }
    }
}
