package dev.lockscope.text;

import java.util.Locale;

/**
 * Text from a lock directory made safe to show: control characters (C0, DEL, C1), the replacement
 * character left by invalid UTF-8, and bidirectional overrides become visible escapes, so a file name
 * or owner field can neither fake lines nor reorder what the operator reads. Stateless; any thread.
 */
public final class Printable {
    private Printable() {
    }

    /** {@code s} with every unsafe character as {@code \xNN} or {@code \\uNNNN}; null becomes "". */
    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean unsafe = c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\uFFFD'
                    || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');
            if (unsafe && b == null) {
                b = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (b != null) {
                b.append(!unsafe ? String.valueOf(c) : c < 0x100 ? String.format(Locale.ROOT, "\\x%02x", (int) c)
                        : String.format(Locale.ROOT, "\\u%04x", (int) c));
            }
        }
        return b == null ? s : b.toString();
    }
}
