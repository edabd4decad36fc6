package dev.lockscope.ui.locks;

import dev.lockscope.lock.FileFacts;
import dev.lockscope.lock.HostIdentity;
import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockFile;
import dev.lockscope.lock.LockSnapshot;
import dev.lockscope.lock.ProcessTable;
import dev.lockscope.lock.ServerClock;
import dev.lockscope.lock.Verdict;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a lock directory with the lock core alone: names classified by the conventions of
 * {@link LockFile}, locks read with {@link LockSnapshot} (bounded, no symlinks followed) and judged with
 * one server-clock probe per read. I/O threads only.
 */
public final class CoreDirectoryReader implements DirectoryReader {

    /** More entries than this are listed by name only, so a huge directory cannot stall the window. */
    static final int MAX_JUDGED = 2000;

    @Override
    public DirectoryReading read(Path directory) throws IOException {
        long t0 = System.nanoTime();
        FileFacts dirFacts = FileFacts.lstat(directory);
        if (dirFacts.type() != FileFacts.Type.DIRECTORY) {
            throw new NotDirectoryException(directory.toString());
        }
        String fsType = "?";
        try {
            fsType = Files.getFileStore(directory).type();
        } catch (IOException e) {
            fsType = "?";
        }
        ServerClock.Reading clock = null;
        String clockError = null;
        try {
            clock = ServerClock.read(directory);
        } catch (IOException e) {
            clockError = e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null
                    ? fse.getReason() : e.toString();
        }
        List<Path> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory)) {
            for (Path p : ds) {
                names.add(p);
            }
        }
        HostIdentity self = HostIdentity.current();
        List<LockEntry> out = new ArrayList<>(names.size());
        int judged = 0;
        for (Path p : names) {
            String name = p.getFileName().toString();
            EntryKind kind = classify(name);
            if (kind == null) {
                continue;
            }
            if (kind == EntryKind.OTHER || ++judged > MAX_JUDGED) {
                out.add(new LockEntry(name, p, kind, lstatOrNull(p), null, null, null));
                continue;
            }
            try {
                Optional<LockSnapshot> snap = LockSnapshot.read(p);
                if (snap.isEmpty()) {
                    continue; // gone between listing and reading
                }
                LockSnapshot s = snap.get();
                Verdict v = null;
                if (kind == EntryKind.LOCK || kind == EntryKind.BREAK_GUARD) {
                    v = LinkLock.verdictOf(s, clock, self, ProcessTable.SYSTEM);
                    if (s.owner() == null) {
                        kind = s.readError() != null && s.readError().startsWith("unreadable")
                                ? EntryKind.UNREADABLE : EntryKind.FOREIGN_LOCK;
                    }
                } else if (kind == EntryKind.CLAIM && s.facts().nlink() == 1 && !lockHasSameToken(directory, name, s)) {
                    kind = EntryKind.ORPHAN_CLAIM;
                }
                out.add(new LockEntry(name, p, kind, s.facts(), v, s.identity().content(), s.readError()));
            } catch (IOException e) {
                out.add(new LockEntry(name, p, EntryKind.UNREADABLE, lstatOrNull(p), null, null,
                        e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.toString()));
            }
        }
        long took = (System.nanoTime() - t0) / 1_000_000;
        return new DirectoryReading(directory, out, fsType, LinkLock.isNetworkType(fsType), clock, clockError, took,
                System.currentTimeMillis(), System.nanoTime());
    }

    /** The kind a name stands for, or null for entries that are the inspector's own business. */
    static EntryKind classify(String name) {
        if (name.equals(LockFile.AUDIT_DIR)) {
            return null;
        }
        if (name.startsWith(LockFile.PROBE_PREFIX)) {
            return EntryKind.PROBE;
        }
        if (name.startsWith(".nfs")) {
            return EntryKind.NFS_SILLY_RENAME;
        }
        if (name.contains(LockFile.LOCK_SUFFIX + LockFile.BROKEN_INFIX)) {
            return EntryKind.BROKEN_LEFTOVER;
        }
        if (name.startsWith(".") && name.contains(LockFile.LOCK_SUFFIX + ".")) {
            return EntryKind.CLAIM;
        }
        if (name.endsWith(LockFile.LOCK_SUFFIX + LockFile.GUARD_SUFFIX)) {
            return EntryKind.BREAK_GUARD;
        }
        if (name.endsWith(LockFile.LOCK_SUFFIX)) {
            return EntryKind.LOCK;
        }
        if (name.contains(".tmp")) {
            return EntryKind.TEMP_FILE;
        }
        return EntryKind.OTHER;
    }

    /** On filesystems with one inode per name (sshfs) nlink is always 1; the lock's token still tells. */
    private static boolean lockHasSameToken(Path dir, String claimName, LockSnapshot claim) {
        int at = claimName.indexOf(LockFile.LOCK_SUFFIX + ".");
        if (at < 0 || claim.owner() == null) {
            return false;
        }
        Path lock = dir.resolve(claimName.substring(1, at + LockFile.LOCK_SUFFIX.length()));
        try {
            return LockSnapshot.read(lock).map(l -> claim.owner().token().equals(l.token())).orElse(false);
        } catch (IOException e) {
            return false;
        }
    }

    private static FileFacts lstatOrNull(Path p) {
        try {
            return FileFacts.lstatOrNull(p);
        } catch (IOException e) {
            return null;
        }
    }
}
