package dev.lockscope.lock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a directory is on a filesystem of this host only or one that other hosts share. Any thread.
 */
public final class FilesystemType {

    /** Remembered per directory: finding the file store reads the whole mount table. */
    private static final ConcurrentHashMap<Path, Boolean> LOCAL = new ConcurrentHashMap<>();

    private FilesystemType() {
    }

    /**
     * True when {@code dir} is on a filesystem of this host only (not {@link #isNetwork a network type}):
     * WatchService events arrive for every change there, and name lookups and content are coherent between
     * processes. False when the file store cannot be found.
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
     * The filesystem types that other hosts (or virtual machines) share: their changes produce no events here, a
     * client may cache what they wrote, and claims are never kept there. Unknown types count as local, so the
     * list errs towards naming more: shared folders of virtual machines cache like network clients do.
     */
    public static boolean isNetwork(String type) {
        String t = type.toLowerCase(Locale.ROOT);
        return t.startsWith("nfs") || t.equals("cifs") || t.startsWith("smb") || t.startsWith("fuse")
                || t.equals("9p") || t.equals("afs") || t.equals("ceph") || t.equals("glusterfs")
                || t.equals("lustre") || t.equals("gpfs") || t.equals("virtiofs") || t.equals("vboxsf")
                || t.equals("vmhgfs") || t.equals("beegfs") || t.equals("orangefs") || t.equals("davfs")
                || t.equals("webdav") || t.equals("ocfs2") || t.equals("gfs2");
    }
}
