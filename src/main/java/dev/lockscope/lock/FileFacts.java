package dev.lockscope.lock;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * The attributes of one directory entry, read with lstat (never following links). Immutable; any thread.
 *
 * @param inode       inode number, or -1 where the platform does not tell
 * @param nlink       link count, or -1
 * @param size        size in bytes
 * @param mtimeMillis modification time, epoch millis
 * @param type        what kind of entry it is
 */
public record FileFacts(long inode, long nlink, long size, long mtimeMillis, Type type) {

    /** Entry kinds that matter for safe reading. */
    public enum Type { REGULAR, DIRECTORY, SYMLINK, OTHER }

    private static final boolean UNIX_VIEW =
            java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("unix");

    /** lstat {@code p}; throws NoSuchFileException when it is not there. ESTALE is retried. */
    public static FileFacts lstat(Path p) throws IOException {
        return Retry.onStale(p, () -> read(p));
    }

    private static FileFacts read(Path p) throws IOException {
        if (UNIX_VIEW) {
            Map<String, Object> a = Files.readAttributes(p, "unix:ino,nlink,size,lastModifiedTime,mode",
                    LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            int fmt = mode & 0170000;
            Type t = fmt == 0100000 ? Type.REGULAR : fmt == 0040000 ? Type.DIRECTORY
                    : fmt == 0120000 ? Type.SYMLINK : Type.OTHER;
            return new FileFacts((Long) a.get("ino"), ((Number) a.get("nlink")).longValue(), (Long) a.get("size"),
                    ((FileTime) a.get("lastModifiedTime")).toMillis(), t);
        }
        var a = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Type t = a.isRegularFile() ? Type.REGULAR : a.isDirectory() ? Type.DIRECTORY
                : a.isSymbolicLink() ? Type.SYMLINK : Type.OTHER;
        return new FileFacts(-1, -1, a.size(), a.lastModifiedTime().toMillis(), t);
    }

    /** An entry's inode number and link count, or -1 each where the platform does not tell. */
    public record Links(long inode, long nlink) {
    }

    /**
     * lstat for just the inode number and link count, or null when absent: the release check asks for
     * nothing else, and the attribute map of the full {@link #lstat} was a tenth of an uncontended cycle's CPU.
     */
    public static Links linksOrNull(Path p) throws IOException {
        if (!UNIX_VIEW) {
            return lstatOrNull(p) == null ? null : new Links(-1, -1);
        }
        try {
            return Retry.onStale(p, () -> {
                Map<String, Object> a = Files.readAttributes(p, "unix:ino,nlink", LinkOption.NOFOLLOW_LINKS);
                return new Links((Long) a.get("ino"), ((Number) a.get("nlink")).longValue());
            });
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * Whether an entry of that name exists, by lstat (a link counts as an entry and is not followed). For
     * polling: no attribute map is built, which {@link #linksOrNull} and {@link #lstat} cost. ESTALE is retried.
     */
    public static boolean exists(Path p) throws IOException {
        try {
            Retry.onStale(p, () -> Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS));
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /** lstat, or null when absent. */
    public static FileFacts lstatOrNull(Path p) throws IOException {
        try {
            return lstat(p);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** True when the failure means the file is gone, however the platform phrased it. */
    public static boolean isGone(IOException e) {
        return e instanceof NoSuchFileException
                || e.getMessage() != null && e.getMessage().contains("No such file or directory");
    }

    /** True when the failure means "this name now points elsewhere": re-open by path and retry. */
    public static boolean isStale(IOException e) {
        String m = e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason() : e.getMessage();
        // Gluster also answers EBADFD for a name another client just renamed or replaced.
        return m != null && (m.contains("Stale file handle") || m.contains("File descriptor in bad state"));
    }
}
