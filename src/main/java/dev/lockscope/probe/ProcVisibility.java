package dev.lockscope.probe;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Whether this process may be blind to other users' pids: /proc mounted with {@code hidepid} and this process
 * not root. Then a pid that looks gone may be another user's live process, and "gone" proves nothing.
 * Stateless; any thread.
 */
final class ProcVisibility {
    /** hidepid=1 and 2 (or invisible, noaccess) hide other users' /proc/PID; 0 (ptraceable) hides nothing. */
    static final Pattern HIDING = Pattern.compile("(^|,)hidepid=([12]|invisible|noaccess)(,|$)");
    private static final int MAX_MOUNTINFO = 1 << 20;

    private ProcVisibility() {
    }

    /** True when pids of other users may be hidden from this process; true as well when it cannot be told. */
    static boolean otherUsersPidsHidden() {
        try {
            if (effectiveUid() == 0) {
                return false;
            }
            return procMountHides(readBounded(Path.of("/proc/self/mountinfo")));
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    /** Whether the {@code /proc} line of a mountinfo text has a hiding {@code hidepid} super option. */
    static boolean procMountHides(String mountinfo) {
        for (String line : mountinfo.split("\n")) {
            String[] f = line.split(" ");
            int dash = java.util.Arrays.asList(f).indexOf("-");
            if (f.length > 4 && f[4].equals("/proc") && dash > 0 && dash + 3 < f.length && f[dash + 1].equals("proc")
                    && HIDING.matcher(f[dash + 3]).find()) {
                return true;
            }
        }
        return false;
    }

    private static long effectiveUid() throws IOException {
        for (String line : readBounded(Path.of("/proc/self/status")).split("\n")) {
            if (line.startsWith("Uid:")) {
                return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
            }
        }
        throw new IOException("no Uid line in /proc/self/status");
    }

    private static String readBounded(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            return new String(in.readNBytes(MAX_MOUNTINFO), StandardCharsets.UTF_8);
        }
    }
}
