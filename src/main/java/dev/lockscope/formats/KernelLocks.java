package dev.lockscope.formats;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The kernel locks (flock, POSIX, OFD) held on this host, from one read of {@code /proc/locks}: py-filelock's
 * default lock is an empty file held by {@code flock}, which only the kernel knows about. Immutable; any thread.
 */
public final class KernelLocks {

    private static final Path PROC_LOCKS = Path.of("/proc/locks");
    /** /proc/locks lists one line per lock; a host with more than this is not read further. */
    private static final int MAX_LINES = 100_000;

    /** "major:minor:inode" (major and minor in hex, as the kernel prints them) to the holder's pid. */
    private final Map<String, Long> holders;

    private KernelLocks(Map<String, Long> holders) {
        this.holders = holders;
    }

    /** Reads {@code /proc/locks}; null where it does not exist or cannot be read. */
    public static KernelLocks read() {
        return read(PROC_LOCKS);
    }

    static KernelLocks read(Path procLocks) {
        try {
            return parse(new String(Files.readAllBytes(procLocks), StandardCharsets.US_ASCII));
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    /** Parses lines like {@code 1: FLOCK  ADVISORY  WRITE 15359 fe:00:2154518 0 EOF}; blocked waiters ("->") are skipped. */
    static KernelLocks parse(String text) {
        Map<String, Long> m = new HashMap<>();
        int n = 0;
        for (String line : text.split("\n")) {
            if (++n > MAX_LINES) {
                break;
            }
            String[] f = line.trim().split("\\s+");
            if (f.length < 6 || line.contains("->")) {
                continue;
            }
            try {
                long pid = Long.parseLong(f[4]);
                String[] id = f[5].split(":");
                if (id.length != 3) {
                    continue;
                }
                String key = Long.parseLong(id[0], 16) + ":" + Long.parseLong(id[1], 16) + ":" + Long.parseLong(id[2]);
                m.putIfAbsent(key, pid);
            } catch (NumberFormatException e) {
                // a line in a format we do not know: not ours to guess
            }
        }
        return new KernelLocks(m);
    }

    /** The pid holding a kernel lock on the file ({@code st_dev}, inode), if any. */
    public OptionalLong holder(long device, long inode) {
        Long pid = holders.get(major(device) + ":" + minor(device) + ":" + inode);
        return pid == null ? OptionalLong.empty() : OptionalLong.of(pid);
    }

    /** The {@code st_dev} of {@code p} (not following links), or -1 where the platform does not tell. */
    public static long deviceOf(Path p) {
        try {
            Object dev = Files.getAttribute(p, "unix:dev", LinkOption.NOFOLLOW_LINKS);
            return dev instanceof Number num ? num.longValue() : -1;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
            return -1;
        }
    }

    /** glibc's gnu_dev_major. */
    static long major(long dev) {
        return ((dev >>> 8) & 0xfffL) | ((dev >>> 32) & ~0xfffL);
    }

    /** glibc's gnu_dev_minor. */
    static long minor(long dev) {
        return (dev & 0xffL) | ((dev >>> 12) & ~0xffL);
    }
}
