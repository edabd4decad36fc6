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
 * whatever this host's clock says. Any thread.
 *
 * <p>One instance per {@link LockRuntime} ({@link LockRuntime#serverClock()}) remembers the last probe per
 * directory; the static methods use the default runtime's.
 */
public final class ServerClock {

    /**
     * One reading.
     *
     * @param serverNowMillis the server's now
     * @param localNowMillis  this host's wall clock at the same moment (midpoint of the probe)
     * @param carriedForward  true when it comes from an earlier probe carried forward by {@link #recent}
     */
    public record Reading(long serverNowMillis, long localNowMillis, boolean carriedForward) {
        public Reading(long serverNowMillis, long localNowMillis) {
            this(serverNowMillis, localNowMillis, false);
        }

        /** Server clock minus local clock. Positive: the server is ahead. */
        public long skewMillis() {
            return serverNowMillis - localNowMillis;
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    /** The last probe per directory, with the monotonic time it was taken. */
    private record Probe(Reading reading, long nanos) { }

    private final LockClock clock;
    private final java.util.concurrent.ConcurrentHashMap<Path, Probe> recent =
            new java.util.concurrent.ConcurrentHashMap<>();

    ServerClock(LockClock clock) {
        this.clock = clock;
    }

    /** {@link #recentReading} of the default runtime. */
    public static Reading recent(Path directory, long maxAgeNanos) throws IOException {
        return LockRuntime.defaultRuntime().serverClock().recentReading(directory, maxAgeNanos);
    }

    /** {@link #probe} of the default runtime. */
    public static Reading read(Path directory) throws IOException {
        return LockRuntime.defaultRuntime().serverClock().probe(directory);
    }

    /**
     * The server's clock for {@code directory} from a probe at most {@code maxAgeNanos} old, carried
     * forward with this host's monotonic clock (never its wall clock, which may be stepped); a new probe
     * when there is none that recent. Waiters use it to judge each new holder without writing a probe
     * file each time: with 16 waiters, a probe per waiter per hand-off was 16 file creations and
     * deletions per hand-off, each waking every other waiter. A verdict that would act on such a reading
     * (EXPIRED) must be confirmed with {@link #probe(Path)}.
     *
     * @return the reading and whether it is carried forward (true) or was just measured (false)
     */
    public Reading recentReading(Path directory, long maxAgeNanos) throws IOException {
        Probe p = recent.get(directory);
        long now = clock.nanoTime();
        if (p != null && now - p.nanos() <= maxAgeNanos && now - p.nanos() >= 0) {
            long elapsedMillis = (now - p.nanos()) / 1_000_000;
            return new Reading(p.reading().serverNowMillis() + elapsedMillis, clock.wallMillis(), true);
        }
        return probe(directory);
    }

    /**
     * Measures the server's clock for {@code directory}.
     *
     * @throws IOException when no probe can be written there (read-only, full, no permission)
     */
    public Reading probe(Path directory) throws IOException {
        byte[] rnd = new byte[6];
        RANDOM.nextBytes(rnd);
        Path probe = directory.resolve(LockFile.PROBE_PREFIX + LockFile.safe(HostIdentity.current().hostName()) + "."
                + ProcessHandle.current().pid() + "." + HexFormat.of().formatHex(rnd));
        long before = clock.wallMillis();
        try {
            try (SeekableByteChannel ch = Files.newByteChannel(probe, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[] {'p'}));
            }
            long mtime;
            // Reopened without following links: the probe's name may have been swapped for a link (to a FIFO).
            try (SeekableByteChannel ch = Files.newByteChannel(probe, StandardOpenOption.READ,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                mtime = FileFacts.lstat(probe).mtimeMillis();
            }
            long after = clock.wallMillis();
            Reading r = new Reading(mtime, before + (after - before) / 2);
            if (recent.size() < 1000 || recent.containsKey(directory)) {
                recent.put(directory, new Probe(r, clock.nanoTime()));
            }
            return r;
        } finally {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException ignored) {
                // A leftover probe is harmless and the scanner names it.
            }
        }
    }
}
