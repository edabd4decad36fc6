package dev.lockscope.record;

import com.sun.nio.file.ExtendedOpenOption;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads a whole file until EOF, bounded, either through the page cache or around it (O_DIRECT). Any thread.
 *
 * <p>Why around it: sshfs gives every version of {@code records.json} the same client inode (its nodes are keyed by
 * path), so all versions share one page cache. A reader that opened the file before a rename and reads late puts
 * pages of the old version into that cache; a reader that opened the new version then gets the old pages for the
 * part it has not read yet: a file torn at a page boundary (eight readers on one mount, one writer on the other:
 * 41-48 torn reads in 5,400 each; in CI a reader saw torn bytes for its whole 2 s retry). With O_DIRECT every read
 * goes to the open handle, which names one server file: 0 torn in 29,000.
 */
final class WholeFileRead {
    /** Larger alignments (a huge block size reported by some network filesystems) are not worth a buffer that big. */
    static final int MAX_ALIGNMENT = 1 << 20;

    /** Thrown when the content is larger than the bound; built by the caller, which names the file. */
    interface TooLarge {
        IOException of(long size);
    }

    private WholeFileRead() {
    }

    /**
     * The alignment O_DIRECT reads in {@code dir} need (the JDK checks buffer address, position and length against
     * the file store's block size), or -1 when O_DIRECT is not to be tried there.
     */
    static int directAlignment(Path dir) {
        try {
            long a = Files.getFileStore(dir).getBlockSize();
            return a > 0 && a <= MAX_ALIGNMENT && Long.bitCount(a) == 1 ? (int) a : -1;
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    /** Opens {@code file} for reading with O_DIRECT, never following a symbolic link. */
    static FileChannel openDirect(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS, ExtendedOpenOption.DIRECT);
    }

    /**
     * Everything from the channel's position to EOF. Never trusts {@code size} (sshfs may hold a stale size for
     * seconds); it only sizes the first buffer.
     *
     * @param alignment 0 for a channel opened normally, else the {@link #directAlignment} of a channel opened with
     *                  {@link #openDirect}; a short direct read is taken as EOF (the next one could not be aligned)
     * @throws IOException from {@code tooLarge} once more than {@code max} bytes were read
     */
    static byte[] readToEnd(FileChannel ch, long size, long max, int alignment, TooLarge tooLarge) throws IOException {
        int unit = Math.max(alignment, 1);
        ByteBuffer buf = allocate(Math.min(max + 1, Math.max(size, 0) + 8192), unit, alignment > 0);
        while (true) {
            if (!buf.hasRemaining()) {
                if (buf.position() > max) {
                    throw tooLarge.of(buf.position());
                }
                ByteBuffer bigger = allocate(Math.min(max + 1, (long) buf.capacity() * 2), unit, alignment > 0);
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
            int r = ch.read(buf);
            if (r < 0 || alignment > 0 && r % alignment != 0) {
                break;
            }
        }
        if (buf.position() > max) {
            throw tooLarge.of(buf.position());
        }
        byte[] out = new byte[buf.position()];
        buf.flip();
        buf.get(out);
        return out;
    }

    /** A buffer of at least {@code want} bytes (rounded up to {@code unit}), aligned to it when direct. */
    private static ByteBuffer allocate(long want, int unit, boolean direct) {
        long rounded = (want + unit - 1) / unit * unit;
        if (rounded > Integer.MAX_VALUE - 2L * unit) {
            rounded = (Integer.MAX_VALUE - 2L * unit) / unit * unit;
        }
        if (!direct) {
            return ByteBuffer.allocate((int) rounded);
        }
        return ByteBuffer.allocateDirect((int) rounded + unit).alignedSlice(unit).limit((int) rounded);
    }
}
