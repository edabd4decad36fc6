package dev.lockscope.lock;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Reads the file server's clock: write a probe file in the directory and take its mtime, which the
 * server stamps on WRITE with its own clock. Ages of locks are then server time against server time,
 * whatever this host's clock says. Stateless; any thread.
 */
public final class ServerClock {

    /**
     * One reading.
     *
     * @param serverNowMillis the server's now
     * @param localNowMillis  this host's wall clock at the same moment (midpoint of the probe)
     */
    public record Reading(long serverNowMillis, long localNowMillis) {
        /** Server clock minus local clock. Positive: the server is ahead. */
        public long skewMillis() {
            return serverNowMillis - localNowMillis;
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private ServerClock() {
    }

    /**
     * Measures the server's clock for {@code directory}.
     *
     * @throws IOException when no probe can be written there (read-only, full, no permission)
     */
    public static Reading read(Path directory) throws IOException {
        byte[] rnd = new byte[6];
        RANDOM.nextBytes(rnd);
        Path probe = directory.resolve(LockFile.PROBE_PREFIX + LockFile.safe(HostIdentity.current().hostName()) + "."
                + ProcessHandle.current().pid() + "." + HexFormat.of().formatHex(rnd));
        long before = System.currentTimeMillis();
        try {
            try (SeekableByteChannel ch = Files.newByteChannel(probe, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[] {'p'}));
            }
            long mtime;
            try (SeekableByteChannel ch = Files.newByteChannel(probe, StandardOpenOption.READ)) {
                mtime = FileFacts.lstat(probe).mtimeMillis();
            }
            long after = System.currentTimeMillis();
            return new Reading(mtime, before + (after - before) / 2);
        } finally {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException ignored) {
                // A leftover probe is harmless and the scanner names it.
            }
        }
    }
}
