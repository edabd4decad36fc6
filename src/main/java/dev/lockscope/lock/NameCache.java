package dev.lockscope.lock;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The client's cache of names in a shared directory, and how to make it tell the truth. Any thread.
 *
 * <p>A network client maps a name to an inode from its cache for a while (gluster's FUSE client for about a
 * second, sshfs and NFS longer), and on FUSE an open() does not ask the server again. So a name that another
 * client renamed or replaced still leads, here, to the file it used to be: lstat and reads show the old file, a
 * link(2) from the name links the old inode (the client sends the inode it resolved, not the name), and after a
 * rename(2) of the name (which the server resolves by name) the cache moves the old inode to the new name too.
 * Listing the directory refreshes it: the server answers with each name's current inode, and the client drops
 * every cached name whose inode differs (FUSE and NFS "readdirplus"). A name that no longer exists is not in the
 * answer and may stay cached; every caller is safe in that case (a link or rename of it fails on the server).
 *
 * <p>On a local filesystem names are coherent between processes and nothing is listed.
 */
public final class NameCache {
    private NameCache() {
    }

    /**
     * Lists {@code dir} when it is on a network filesystem, so that the names read next are the server's.
     * Best effort: a directory that cannot be listed is read as it is, and the caller's own checks decide.
     */
    public static void refresh(Path dir) {
        if (FilesystemType.isLocal(dir)) {
            return;
        }
        refreshAlways(dir);
    }

    /** As {@link #refresh}, whatever the filesystem type (for callers that have already decided). */
    public static void refreshAlways(Path dir) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path ignored : entries) {
                // reading every entry is the point: each one carries the server's inode for its name
            }
        } catch (IOException | DirectoryIteratorException e) {
            // best effort, see above
        }
    }
}
