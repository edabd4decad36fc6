package dev.lockscope.scan;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The name of a listed directory entry as a String that loses nothing. Stateless; any thread.
 *
 * <p>Java decodes file names with {@code sun.jnu.encoding}, and replaces every byte it cannot decode with
 * U+FFFD: under UTF-8 a name with byte 0xff, under a POSIX locale every non-ASCII name. Such a String
 * cannot be turned back into the file's path (so the entry could be neither examined nor shown), and two
 * names may become one. Here the raw bytes are decoded as UTF-8 and each byte that is not UTF-8 becomes
 * U+DC80..U+DCFF, as Python's "surrogateescape" does: the name stays unique, and a terminal escaper shows
 * the byte itself ({@code \xff}). Measured: {@code Path.toUri()} keeps the raw bytes (percent-encoded)
 * under both {@code LANG=C.UTF-8} and {@code LANG=C}, so that is where they are read from.
 */
public final class EntryNames {
    private EntryNames() {
    }

    /** The file name of {@code listed} (a path as a directory listing returned it). */
    public static String of(Path listed) {
        String plain = listed.getFileName().toString();
        if (plain.indexOf('\uFFFD') < 0) {
            return plain; // decoded without loss (or holds a real U+FFFD, which the bytes below give back too)
        }
        byte[] raw = rawBytes(listed);
        return raw == null ? plain : decode(raw);
    }

    /** The raw bytes of the last name element, from the percent-encoded URI; null where that fails. */
    private static byte[] rawBytes(Path listed) {
        try {
            String uri = listed.toUri().getRawPath();
            if (uri.endsWith("/")) {
                uri = uri.substring(0, uri.length() - 1); // toUri() marks a directory with a trailing slash
            }
            String last = uri.substring(uri.lastIndexOf('/') + 1);
            ByteBuffer out = ByteBuffer.allocate(last.length());
            for (int i = 0; i < last.length(); i++) {
                char c = last.charAt(i);
                if (c == '%' && i + 2 < last.length()) {
                    out.put((byte) Integer.parseInt(last.substring(i + 1, i + 3), 16));
                    i += 2;
                } else {
                    out.put((byte) c);
                }
            }
            byte[] b = new byte[out.position()];
            out.flip().get(b);
            return b;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * {@code name} for JSON, which cannot carry bytes that are not UTF-8: each becomes U+FFFD again (what
     * Java itself would have made of it).
     */
    public static String forJson(String name) {
        if (name == null) {
            return null;
        }
        StringBuilder b = null;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean escapedByte = c >= 0xDC80 && c <= 0xDCFF
                    && !(i > 0 && Character.isHighSurrogate(name.charAt(i - 1)));
            if (escapedByte && b == null) {
                b = new StringBuilder(name.substring(0, i));
            }
            if (b != null) {
                b.append(escapedByte ? '\uFFFD' : c);
            }
        }
        return b == null ? name : b.toString();
    }

    /** The name of the raw bytes {@code raw}: UTF-8, with each byte that is not UTF-8 as U+DC80..U+DCFF. */
    public static String decode(byte[] raw) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(raw);
        CharBuffer out = CharBuffer.allocate(raw.length + 1);
        while (true) {
            CoderResult r = d.decode(in, out, true);
            if (r.isError()) {
                for (int k = 0; k < r.length(); k++) {
                    out.put((char) (0xDC00 | (in.get() & 0xff)));
                }
            } else if (r.isUnderflow()) {
                break;
            }
        }
        return out.flip().toString();
    }
}
