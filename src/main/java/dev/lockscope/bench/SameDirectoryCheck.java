package dev.lockscope.bench;

import dev.lockscope.lock.DurationText;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Proves, before a two-mount benchmark, that two paths are one directory: a marker file with a random name and
 * content written through each path must be read back, byte for byte, through the other within a few seconds.
 * A wrong second path would otherwise give two independent counters whose exactness checks prove nothing.
 * Called from one thread.
 */
public final class SameDirectoryCheck {

    /**
     * How long a marker may take to appear through the other mount: the two gluster mounts of the testbed showed
     * both markers in 2.9 s together at load 8 (a client caches "no such name" for about a second).
     */
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);

    /** A second directory that is not the first one seen through another mount. */
    public static final class NotTheSameDirectoryException extends IOException {
        NotTheSameDirectoryException(String message) {
            super(message);
        }
    }

    /**
     * What the check found.
     *
     * @param checked   one sentence saying what was checked, for the report
     * @param sameMount whether both paths are on the same device (one client: not a two-mount measurement)
     */
    public record Outcome(String checked, boolean sameMount) {
    }

    private static final String PREFIX = ".lockscope-bench-mount-check-";
    private static final SecureRandom RANDOM = new SecureRandom();

    private SameDirectoryCheck() {
    }

    /** Checks that {@code second} is {@code first} (both must be existing directories), or throws saying why not. */
    public static Outcome verify(Path first, Path second, Duration wait) throws IOException {
        long t0 = System.nanoTime();
        long deadline = t0 + wait.toNanos();
        see(first, second, deadline, wait);
        see(second, first, deadline, wait);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        boolean sameMount = device(first) != null && device(first).equals(device(second));
        return new Outcome("a marker file written through " + first + " was read back through " + second
                + " and one written through " + second + " through " + first + " (in " + DurationText.ofMillis(ms) + ")", sameMount);
    }

    /** Writes a marker through {@code writer} and waits until {@code reader} shows the same name and content. */
    private static void see(Path writer, Path reader, long deadline, Duration wait) throws IOException {
        byte[] token = new byte[16];
        RANDOM.nextBytes(token);
        String name = PREFIX + HexFormat.of().formatHex(token);
        byte[] content = ("lockscope bench mount check " + name + "\n").getBytes(StandardCharsets.US_ASCII);
        Path written = writer.resolve(name);
        Path seen = reader.resolve(name);
        try {
            // CREATE_NEW is O_EXCL: it follows no symlink that someone put in our way.
            try (OutputStream o = Files.newOutputStream(written, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                o.write(content);
            }
            byte[] last = null;
            while (true) {
                last = readBounded(seen, content.length + 1);
                if (last != null && java.util.Arrays.equals(last, content)) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    break;
                }
                // A listing refreshes a network client's cached "no such name" (gluster, NFS).
                refresh(reader);
                pause();
            }
            throw new NotTheSameDirectoryException(reader + " is not the directory " + writer + " seen through another"
                    + " mount: a marker file " + name + " written through " + writer
                    + (last == null ? " did not appear through " + reader + " within " + DurationText.of(wait)
                    : " appeared through " + reader + " with other content"));
        } finally {
            Files.deleteIfExists(written);
        }
    }

    /** The file's first {@code max} bytes, or null while it is absent; a symlink is not followed. */
    private static byte[] readBounded(Path p, int max) throws IOException {
        try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
            return in.readNBytes(max);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static void refresh(Path dir) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, PREFIX + "*")) {
            s.forEach(p -> {
            });
        }
    }

    private static void pause() throws IOException {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while checking the second mount");
        }
    }

    private static Object device(Path p) {
        try {
            return Files.getAttribute(p, "unix:dev");
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }
}
