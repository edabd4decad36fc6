package dev.lockscope.lock;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * One fresh, bounded read of a lock (or claim) file: its bytes, attributes and owner. Immutable; any thread.
 *
 * <p>"Fresh" follows NFS close-to-open: the file is opened (which revalidates the client's
 * cache) and only then stat'ed. Symlinks are never followed and non-regular files are never opened,
 * so a FIFO cannot block us.
 *
 * @param path       the file read
 * @param facts      its attributes
 * @param identity   inode, mtime, size and bytes: the evidence for a break
 * @param owner      the owner record, or null
 * @param readError  why the content is not an owner record, or null when it is
 */
public record LockSnapshot(Path path, FileFacts facts, LockIdentity identity, LockOwner owner, String readError) {

    /** At most this many bytes are read from any lock or claim file. */
    public static final int MAX_READ = 4096;

    /** Reads {@code path}; empty when it does not exist. */
    public static Optional<LockSnapshot> read(Path path) throws IOException {
        return Retry.onStale(path, () -> readOnce(path, true));
    }

    /**
     * As {@link #read}, but the content is not parsed: owner and readError stay null for a regular file
     * until {@link #parsed()}. A holder checking that the lock still holds its own bytes needs no JSON
     * parser; the heartbeat then never loads one (its first load took seconds under faketime).
     */
    static Optional<LockSnapshot> readUnparsed(Path path) throws IOException {
        return Retry.onStale(path, () -> readOnce(path, false));
    }

    /** This snapshot with its content parsed: itself when it already was (or is not a regular file). */
    LockSnapshot parsed() {
        if (owner != null || readError != null) {
            return this;
        }
        byte[] content = identity.content();
        try {
            return new LockSnapshot(path, facts, identity, LockOwner.parse(content, content.length), null);
        } catch (IllegalArgumentException e) {
            return new LockSnapshot(path, facts, identity, null, e.getMessage());
        }
    }

    private static Optional<LockSnapshot> readOnce(Path path, boolean parse) throws IOException {
        FileFacts before;
        try {
            before = FileFacts.lstat(path);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (before.type() == FileFacts.Type.SYMLINK) {
            String target;
            try {
                target = Files.readSymbolicLink(path).toString();
            } catch (IOException e) {
                target = "?";
            }
            byte[] b = target.getBytes(StandardCharsets.UTF_8);
            b = Arrays.copyOf(b, Math.min(b.length, MAX_READ));
            return Optional.of(new LockSnapshot(path, before,
                    new LockIdentity(before.inode(), before.mtimeMillis(), before.size(), b), null,
                    "a symbolic link to '" + target + "' (not followed)"));
        }
        if (before.type() != FileFacts.Type.REGULAR) {
            return Optional.of(new LockSnapshot(path, before,
                    new LockIdentity(before.inode(), before.mtimeMillis(), before.size(), new byte[0]), null,
                    "not a regular file (" + before.type().name().toLowerCase(Locale.ROOT) + ")"));
        }
        byte[] content;
        FileFacts after;
        // Around the page cache on a network filesystem (WholeFileRead): on sshfs a lock name read through it
        // could give an older owner's record than one already seen, such as our own after a break and a retake.
        try (WholeFileRead.Opened in = WholeFileRead.open(path)) {
            content = WholeFileRead.readAtMost(in, MAX_READ);
            // Stat while the file is open: after the open's revalidation these are fresh attributes.
            after = FileFacts.lstat(path);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (FileSystemException e) {
            if (FileFacts.isStale(e)) {
                throw e;
            }
            FileFacts now = FileFacts.lstatOrNull(path);
            if (now == null) {
                return Optional.empty();
            }
            return Optional.of(new LockSnapshot(path, now,
                    new LockIdentity(now.inode(), now.mtimeMillis(), now.size(), new byte[0]), null,
                    "unreadable: " + IoErrorText.reason(e)));
        } catch (IOException e) {
            // Gluster can report ENOENT from close() when another client removed the file meanwhile.
            if (FileFacts.isGone(e)) {
                return Optional.empty();
            }
            // A read may fail with only "Bad address" (EFAULT on a FUSE mount): say what and where.
            throw new LockException(IoErrorText.failed("read lock", path, e), e);
        }
        int n = content.length;
        LockOwner owner = null;
        String error = null;
        if (parse) {
            try {
                owner = LockOwner.parse(content, n);
            } catch (IllegalArgumentException e) {
                error = e.getMessage();
            }
        }
        return Optional.of(new LockSnapshot(path, after,
                new LockIdentity(after.inode(), after.mtimeMillis(), after.size(), content), owner, error));
    }

    /** The owner's token, or null. */
    public String token() {
        return owner == null ? null : owner.token();
    }
}
