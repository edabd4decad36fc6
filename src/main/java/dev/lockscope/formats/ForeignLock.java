package dev.lockscope.formats;

/**
 * Another tool's lock file, as far as its bytes tell. Immutable; any thread.
 *
 * @param format      which tool: {@code flufl.lock}, {@code dotlockfile}, {@code mercurial}, {@code git}, or
 *                    {@code unknown}
 * @param description what it is, in words an operator can check
 * @param host        the host the tool recorded, or null
 * @param pid         the pid the tool recorded, or -1
 */
public record ForeignLock(String format, String description, String host, long pid) {
    public static final String UNKNOWN = "unknown";
}
