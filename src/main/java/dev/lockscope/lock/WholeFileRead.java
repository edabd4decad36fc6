package dev.lockscope.lock;

import com.sun.nio.file.ExtendedOpenOption;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads lock and record files, around the client's page cache (O_DIRECT) on a network filesystem. Any thread.
 *
 * <p>Why: sshfs gives every file that a name has held one client inode (its nodes are keyed by path), so all of
 * them share one page cache. A reader that opened the old file and reads late puts its pages into that cache; a
 * reader that opened the new file then gets them. Measured on two sshfs mounts, one replacing a file by rename,
 * eight readers on the other: 8 KiB files came back torn at a page boundary (41-48 reads in 5,400 per reader), and
 * a one-page file went backwards (a reader saw a version older than one it had already seen: 4-13 reads in 8,000
 * per reader). With O_DIRECT every read goes to the open handle, which names one server file: none of either.
 * Local filesystems read through the cache, which is coherent there.
 */
public final class WholeFileRead {
    /** Larger alignments (a huge block size reported by some network filesystems) are not worth a buffer that big. */
    static final int MAX_ALIGNMENT = 1 << 20;
    /** Per directory: the O_DIRECT alignment there, or -1 to read through the page cache. */
    private static final ConcurrentHashMap<Path, Integer> ALIGNMENT = new ConcurrentHashMap<>();
    /** O_DIRECT opens tried before one read goes through the cache. */
    private static final int DIRECT_ATTEMPTS = 3;

    /** Thrown when the content is larger than the bound; built by the caller, which names the file. */
    public interface TooLarge {
        IOException of(long size);
    }

    /**
     * A file open for reading.
     *
     * @param alignment 0 when opened normally, else the O_DIRECT alignment its reads keep to
     */
    public record Opened(FileChannel channel, int alignment) implements Closeable {
        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    private WholeFileRead() {
    }

    /**
     * Opens {@code file} for reading, never following a symbolic link: with O_DIRECT on a network filesystem
     * (any type {@link FilesystemType} does not know to be local), normally elsewhere and wherever O_DIRECT was
     * refused once (Linux refuses it at open, with EINVAL).
     */
    public static Opened open(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        int alignment = dir == null ? -1 : alignment(dir);
        for (int attempt = 0; alignment > 0 && attempt < DIRECT_ATTEMPTS; attempt++) {
            try {
                return new Opened(FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS,
                        ExtendedOpenOption.DIRECT), alignment);
            } catch (NoSuchFileException e) {
                throw e;
            } catch (UnsupportedOperationException e) {
                remember(dir, -1);
                alignment = -1;
            } catch (IOException e) {
                if (e instanceof FileSystemException f && "Invalid argument".equals(f.getReason())) {
                    // EINVAL from open(2): this filesystem takes no O_DIRECT. Believed once the normal open
                    // works (and not, say, a symbolic link in the file's place).
                    FileChannel plain = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
                    remember(dir, -1);
                    return new Opened(plain, 0);
                }
                // Anything else may pass: the JDK's O_DIRECT set-up asks the filesystem (fstatvfs), which a
                // loaded FUSE server can fail. Again; then this one read goes through the cache (a torn result
                // is retried by the caller, and its next read is around the cache again).
            }
        }
        return new Opened(FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS), 0);
    }

    /** Opens {@code file} with O_DIRECT whatever its filesystem (tests do, on a local disk). */
    static Opened openDirect(Path file) throws IOException {
        int a = blockSize(file.toAbsolutePath().getParent());
        if (a <= 0) {
            throw new IOException("no usable block size for O_DIRECT reads of " + file);
        }
        return new Opened(FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS,
                ExtendedOpenOption.DIRECT), a);
    }

    /** The alignment O_DIRECT reads in {@code dir} keep to, or -1 when they are not to be used there. */
    static int alignment(Path dir) {
        Integer known = ALIGNMENT.get(dir);
        if (known != null) {
            return known;
        }
        int a = FilesystemType.isLocal(dir) ? -1 : blockSize(dir);
        remember(dir, a);
        return a;
    }

    private static void remember(Path dir, int alignment) {
        if (ALIGNMENT.size() < 1000 || ALIGNMENT.containsKey(dir)) {
            ALIGNMENT.put(dir, alignment);
        }
    }

    /**
     * The file store's block size, which is what the JDK checks O_DIRECT buffers, positions and lengths against;
     * -1 when it cannot be had or is not a usable alignment.
     */
    static int blockSize(Path dir) {
        try {
            long a = Files.getFileStore(dir).getBlockSize();
            return a > 0 && a <= MAX_ALIGNMENT && Long.bitCount(a) == 1 ? (int) a : -1;
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    /**
     * Everything from the channel's position to EOF. Never trusts {@code sizeHint} (sshfs may hold a stale size
     * for seconds); it only sizes the first buffer. A short O_DIRECT read is taken as EOF (the next read could not
     * be aligned).
     *
     * @throws IOException from {@code tooLarge} once more than {@code max} bytes were read
     */
    public static byte[] readToEnd(Opened in, long sizeHint, long max, TooLarge tooLarge) throws IOException {
        int alignment = in.alignment();
        ByteBuffer buf = allocate(Math.min(max + 1, Math.max(sizeHint, 0) + 8192), alignment);
        while (true) {
            if (!buf.hasRemaining()) {
                if (buf.position() > max) {
                    throw tooLarge.of(buf.position());
                }
                ByteBuffer bigger = allocate(Math.min(max + 1, (long) buf.limit() * 2), alignment);
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
            if (readEnded(in, buf)) {
                break;
            }
        }
        if (buf.position() > max) {
            throw tooLarge.of(buf.position());
        }
        return bytes(buf);
    }

    /** The first {@code n} bytes, or all of a shorter file. */
    public static byte[] readAtMost(Opened in, int n) throws IOException {
        ByteBuffer buf = allocate(n, in.alignment());
        while (buf.hasRemaining() && !readEnded(in, buf)) {
            // until full or EOF
        }
        byte[] b = bytes(buf);
        return b.length > n ? java.util.Arrays.copyOf(b, n) : b;
    }

    /** One read; true at EOF (or a short O_DIRECT read, which only EOF makes). */
    private static boolean readEnded(Opened in, ByteBuffer buf) throws IOException {
        int r = in.channel().read(buf);
        return r < 0 || in.alignment() > 0 && r % in.alignment() != 0;
    }

    private static byte[] bytes(ByteBuffer buf) {
        byte[] out = new byte[buf.position()];
        buf.flip();
        buf.get(out);
        return out;
    }

    /** A buffer of at least {@code want} bytes, rounded up to and aligned to {@code alignment} when that is positive. */
    private static ByteBuffer allocate(long want, int alignment) {
        int unit = Math.max(alignment, 1);
        long rounded = (want + unit - 1) / unit * unit;
        if (rounded > Integer.MAX_VALUE - 2L * unit) {
            rounded = (Integer.MAX_VALUE - 2L * unit) / unit * unit;
        }
        if (alignment <= 0) {
            return ByteBuffer.allocate((int) rounded);
        }
        return ByteBuffer.allocateDirect((int) rounded + unit).alignedSlice(unit).limit((int) rounded);
    }
}
