package dev.lockscope.probe;

import dev.lockscope.text.Printable;
import java.util.regex.Pattern;

/**
 * The host-name grammar a name from a lock file must pass before it goes anywhere near {@code ssh}.
 * Stateless; any thread.
 *
 * <p>RFC 1123 labels (letters, digits, inner hyphens; underscores too, which ssh config aliases often
 * have), dot-separated, at most 253 characters. So no leading '-' (an ssh option), no spaces, no shell or
 * ssh-config metacharacters ({@code $ ( ) ; | & % ' " \ *}), no '@' (a user), no ':' (a port or IPv6).
 */
public final class HostNames {
    private static final String LABEL = "[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?";
    private static final Pattern NAME = Pattern.compile(LABEL + "(?:\\." + LABEL + ")*\\.?");

    private HostNames() {
    }

    /** The reason {@code name} may not be asked, or null when it is a well-formed host name. */
    public static String whyInvalid(String name) {
        if (name == null || name.isEmpty()) {
            return "no host name";
        }
        if (name.length() > 253) {
            return "the host name is longer than 253 characters";
        }
        if (name.startsWith("-")) {
            return "the host name starts with '-' (it would be read as an ssh option)";
        }
        if (!NAME.matcher(name).matches()) {
            return "'" + Printable.shortened(name, 80) + "' is not a host name (only letters, digits, '-', '_' and dots)";
        }
        return null;
    }

    public static boolean isValid(String name) {
        return whyInvalid(name) == null;
    }
}
