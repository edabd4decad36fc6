package dev.lockscope.lock;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A claim file: the owner record an acquisition writes under its own name and links to the lock's name. Writes,
 * refreshes and checks it in a directory others can write. Any thread, each claim used by one at a time.
 */
final class ClaimFile {

    private ClaimFile() {
    }

    /** Writes and closes the claim before it is linked: NFS close-to-open lets others read it whole. */
    static void write(Path claim, byte[] record) throws LockException {
        boolean created = false;
        try (SeekableByteChannel ch = Files.newByteChannel(claim, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            created = true;
            ByteBuffer bb = ByteBuffer.wrap(record);
            while (bb.hasRemaining()) {
                ch.write(bb);
            }
        } catch (IOException e) {
            if (created) {
                Unlink.quietly(claim);
            }
            String why = e instanceof AccessDeniedException ? "permission denied"
                    : e instanceof NoSuchFileException ? "directory does not exist"
                    : IoErrorText.reason(e);
            throw new LockException("cannot create claim file " + claim + ": " + why, e);
        }
    }

    /**
     * Writes this acquisition's record over a kept claim through its open channel (the write also gives it a
     * fresh mtime). False, with the claim discarded, on a write error. A claim name that someone removed
     * meanwhile is not seen here (the channel still writes the inode): the link then fails with ENOENT and the
     * acquisition makes the claim again.
     */
    static boolean overwriteKept(KeptClaims.Kept kept, byte[] record) {
        try {
            ByteBuffer bb = ByteBuffer.wrap(record);
            long at = 0;
            while (bb.hasRemaining()) {
                at += kept.channel().write(bb, at);
            }
            return true;
        } catch (IOException e) {
            kept.discard();
            return false;
        }
    }

    /**
     * {@link #rewriteInPlace} for a waiting claim.
     *
     * @throws ClaimTamperedException or {@link NoSuchFileException} when the claim is no longer ours or gone
     * @throws LockException          naming the claim, on any other error
     */
    static void refresh(Path claim, byte[] record) throws IOException {
        try {
            rewriteInPlace(claim, record);
        } catch (ClaimTamperedException | NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            throw new LockException("cannot refresh claim file " + claim + ": " + IoErrorText.reason(e), e);
        }
    }

    /**
     * Writes {@code record} over an existing claim without truncating it. The bytes are the same every time,
     * so a reader never sees a torn record, and the write makes the server stamp a fresh mtime.
     *
     * <p>The claim's name is in a directory others can write, so it is opened with O_NOFOLLOW (a symbolic link put
     * in its place is refused, never written through) and the bytes are written only when the opened file already
     * holds exactly them, read through the same descriptor: whatever file someone may have put under the name (a
     * hard link to another file, a file of their own), this write can change nothing but its mtime.
     *
     * @throws ClaimTamperedException when the name is a symbolic link or holds other bytes: the claim is not ours
     */
    static void rewriteInPlace(Path claim, byte[] record) throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(claim, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            if (!holdsExactly(ch, record)) {
                throw new ClaimTamperedException("claim file " + claim + " no longer holds our owner record: someone"
                        + " replaced or rewrote it; nothing was written to it");
            }
            ByteBuffer bb = ByteBuffer.wrap(record);
            ch.position(0);
            while (bb.hasRemaining()) {
                ch.write(bb);
            }
        } catch (FileSystemException e) {
            if (isSymlinkRefusal(claim, e)) {
                throw new ClaimTamperedException("claim file " + claim + " was replaced by a symbolic link; it was not"
                        + " followed and nothing was written", e);
            }
            throw e;
        }
    }

    /** Whether {@code ch} (at position 0) holds exactly {@code expected}: no byte more or less. */
    static boolean holdsExactly(SeekableByteChannel ch, byte[] expected) throws IOException {
        ByteBuffer got = ByteBuffer.allocate(expected.length + 1);
        while (got.hasRemaining()) {
            if (ch.read(got) < 0) {
                break;
            }
        }
        return got.position() == expected.length
                && Arrays.equals(got.array(), 0, expected.length, expected, 0, expected.length);
    }

    /** Whether an O_NOFOLLOW open of {@code p} failed because {@code p} is a symbolic link (ELOOP). */
    static boolean isSymlinkRefusal(Path p, FileSystemException e) {
        try {
            FileFacts f = FileFacts.lstatOrNull(p);
            return f != null && f.type() == FileFacts.Type.SYMLINK;
        } catch (IOException unreadable) {
            return e.getReason() != null && e.getReason().contains("symbolic links");
        }
    }
}
