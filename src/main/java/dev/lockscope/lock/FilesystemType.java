package dev.lockscope.lock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a directory is on a filesystem of this host only or one that other hosts share. Any thread.
 *
 * <p>The one rule for the whole code base: <b>a filesystem counts as local only when its type is one this class
 * knows to be local; an unknown type, or a directory whose file store cannot be found, counts as network.</b>
 * Taking a network filesystem for a local one is unsafe: claims would be kept and relinked, waiters would wait for
 * WatchService events that other hosts' changes never send, and the record store would trust a client's cached
 * bytes for its fencing check. Taking a local filesystem for a network one is only slower (polling, no kept claims,
 * a re-read to fence). A new local filesystem is added to {@link #LOCAL_TYPES} when someone meets it.
 */
public final class FilesystemType {

    /** Remembered per directory: finding the file store reads the whole mount table. */
    private static final ConcurrentHashMap<Path, Boolean> LOCAL = new ConcurrentHashMap<>();

    /**
     * Filesystems of one host, as {@code FileStore.type()} names them on Linux (the mount table's type), macOS and
     * Windows (lower-cased). Stacking filesystems that may sit on a network one (ecryptfs) are not here.
     */
    static final Set<String> LOCAL_TYPES = Set.of(
            "ext2", "ext3", "ext4", "xfs", "btrfs", "bcachefs", "zfs", "f2fs", "jfs", "reiserfs", "nilfs2",
            "tmpfs", "ramfs", "overlay", "overlayfs", "aufs", "squashfs", "erofs", "iso9660", "udf",
            "vfat", "msdos", "fat", "fat32", "exfat", "ntfs", "ntfs3", "refs", "hfs", "hfsplus", "apfs", "ufs");

    private FilesystemType() {
    }

    /**
     * True when {@code dir} is on a filesystem of this host only (not {@link #isNetwork a network type}):
     * WatchService events arrive for every change there, and name lookups and content are coherent between
     * processes. False for an unknown type and when the file store cannot be found (see the class comment).
     */
    public static boolean isLocal(Path dir) {
        Boolean known = LOCAL.get(dir);
        if (known != null) {
            return known;
        }
        boolean local;
        try {
            String type = Files.getFileStore(dir).type().toLowerCase(Locale.ROOT);
            local = !isNetwork(type);
        } catch (IOException e) {
            return false;
        }
        if (LOCAL.size() < 1000) {
            LOCAL.put(dir, local);
        }
        return local;
    }

    /**
     * Whether {@code type} (a {@code FileStore.type()}, any case) is shared by other hosts or virtual machines, or
     * not known to be local (see the class comment): their changes produce no events here, a client may cache what
     * they wrote, and claims are never kept there. FUSE filesystems ({@code fuse.sshfs}, {@code fuse.glusterfs},
     * {@code fuseblk}) are network ones, as are the shared folders of virtual machines ({@code 9p},
     * {@code virtiofs}, {@code vboxsf}), which cache like network clients do.
     */
    public static boolean isNetwork(String type) {
        return !LOCAL_TYPES.contains(type.toLowerCase(Locale.ROOT));
    }
}
