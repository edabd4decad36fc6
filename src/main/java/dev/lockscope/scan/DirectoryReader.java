package dev.lockscope.scan;

import dev.lockscope.formats.ForeignFormats;
import dev.lockscope.formats.ForeignLock;
import dev.lockscope.formats.KernelLocks;
import dev.lockscope.lock.ClaimName;
import dev.lockscope.lock.FileFacts;
import dev.lockscope.lock.IoErrorText;
import dev.lockscope.lock.FilesystemType;
import dev.lockscope.lock.LockIdentity;
import dev.lockscope.lock.LockOwner;
import dev.lockscope.lock.LockSnapshot;
import dev.lockscope.scan.EntryContent.NameClass;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The I/O half of {@link DirectoryScanner}: lists one lock directory, lstats each entry (never following links)
 * and reads what classification needs of it, incrementally. One thread at a time (the scanner's).
 *
 * <p>An entry's content is re-read only when its (inode, mtime, size, type) changed since the last read, or, on
 * filesystems with whole-second timestamps (sshfs), when its mtime is within the last 2 s: a coarse timestamp
 * could hide a second change. Reads are bounded to {@link LockSnapshot#MAX_READ} bytes; symlinks are read with
 * readlink and never followed; FIFOs, sockets and devices are never opened.
 */
final class DirectoryReader {
    private final Path directory;
    private Map<String, Cached> cache = new HashMap<>();
    private String fileSystemType;
    private boolean network;
    /** Set once any mtime (or the probe's) has a sub-second part: then timestamps are fine enough to tell changes. */
    private boolean subSecondTimestamps;
    /** Entries whose bytes (or link target) were read in the current refresh. */
    private int contentReads;

    DirectoryReader(Path directory) {
        this.directory = directory;
    }

    /** {@code FileStore.type()} of the directory, known after the first check ("?" before or when unknown). */
    String fileSystemType() {
        return fileSystemType == null ? "?" : fileSystemType;
    }

    boolean isNetworkFileSystem() {
        return network;
    }

    /** Entries whose content was read by the last {@link #read}. */
    int contentReads() {
        return contentReads;
    }

    /** Fails, naming the directory, when it is absent or not a directory; learns its filesystem type once. */
    void checkDirectory() throws IOException {
        FileFacts d;
        try {
            d = FileFacts.lstat(directory);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(directory.toString(), null, "no such directory");
        }
        if (d.type() != FileFacts.Type.DIRECTORY && !Files.isDirectory(directory)) {
            throw new FileSystemException(directory.toString(), null, "not a directory");
        }
        if (fileSystemType == null) {
            try {
                fileSystemType = Files.getFileStore(directory).type();
            } catch (IOException e) {
                fileSystemType = "?";
            }
            network = FilesystemType.isNetwork(fileSystemType);
        }
    }

    /**
     * Every entry now in the directory, sorted by name; entries that vanish while being read are left out.
     *
     * @param serverNowMillis the server clock's "now" from this refresh's probe, or -1 when it could not be read
     */
    List<ReadEntry> read(long serverNowMillis) throws IOException {
        Map<String, Path> names = list();
        Map<String, Cached> next = new HashMap<>(Math.max(16, names.size() * 2));
        List<ReadEntry> out = new ArrayList<>(names.size());
        contentReads = 0;
        if (serverNowMillis % 1000 != 0 && serverNowMillis > 0) {
            subSecondTimestamps = true;
        }
        for (Map.Entry<String, Path> listed : names.entrySet()) {
            String name = listed.getKey();
            // The listed path, not directory.resolve(name): its bytes are the file's, whatever the locale.
            Path p = listed.getValue();
            FileFacts facts;
            try {
                facts = FileFacts.lstat(p);
            } catch (NoSuchFileException e) {
                continue; // gone between listing and lstat
            } catch (IOException e) {
                out.add(new ReadEntry(name, p, null, EntryContent.unreadable("cannot lstat: " + IoErrorText.reason(e))));
                continue;
            }
            if (facts.mtimeMillis() % 1000 != 0) {
                subSecondTimestamps = true;
            }
            Cached c = cache.get(name);
            if (c == null || !c.sameFileAs(facts) || !subSecondTimestamps && coarseAndRecent(facts, serverNowMillis)) {
                EntryContent content = read(name, p, facts);
                if (content == null) {
                    continue; // vanished while we read it
                }
                if (content.freshFacts() != null) {
                    facts = content.freshFacts();
                }
                c = new Cached(facts, content);
            }
            next.put(name, c);
            out.add(new ReadEntry(name, p, facts, c.content));
        }
        cache = next;
        return out;
    }

    /** Every entry, sorted by name, each name as {@link EntryNames} gives it, with the path as listed. */
    private Map<String, Path> list() throws IOException {
        Map<String, Path> names = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory)) {
            for (Path p : ds) {
                names.put(EntryNames.of(p), p);
            }
        } catch (AccessDeniedException e) {
            throw new AccessDeniedException(directory.toString(), null, "permission denied: cannot list the directory");
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(directory.toString(), null, "no such directory");
        }
        return names;
    }

    /**
     * On a filesystem with whole-second timestamps (sshfs), an mtime written in the last 2 s may hide a
     * second change in the same second, with the same size (owner records all have one size).
     */
    private static boolean coarseAndRecent(FileFacts f, long serverNow) {
        return f.mtimeMillis() % 1000 == 0 && (serverNow < 0 || serverNow - f.mtimeMillis() < 2000);
    }

    /** Reads what classification needs of one entry; null when it vanished meanwhile. */
    private EntryContent read(String name, Path p, FileFacts facts) {
        NameClass nc = NameClass.of(name, facts.type());
        switch (nc) {
            case SYMLINK: {
                contentReads++;
                String target;
                try {
                    target = Files.readSymbolicLink(p).toString();
                } catch (NoSuchFileException e) {
                    return null;
                } catch (IOException e) {
                    return EntryContent.unreadable("cannot read the link: " + IoErrorText.reason(e));
                }
                if (target.length() > LockSnapshot.MAX_READ) {
                    target = target.substring(0, LockSnapshot.MAX_READ);
                }
                return EntryContent.symlink(target, ForeignFormats.ofSymlink(name, target));
            }
            case SPECIAL:
                return EntryContent.special(describeSpecialFile(p));
            case CLAIM:
            case BROKEN:
            case CANDIDATE:
                return readRegular(nc, name, p);
            default:
                return EntryContent.named(nc);
        }
    }

    private EntryContent readRegular(NameClass nc, String name, Path p) {
        contentReads++;
        for (int attempt = 0; ; attempt++) {
            byte[] buf = new byte[LockSnapshot.MAX_READ];
            int n;
            FileFacts fresh;
            try (SeekableByteChannel ch = Files.newByteChannel(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                ByteBuffer bb = ByteBuffer.wrap(buf);
                while (bb.hasRemaining() && ch.read(bb) >= 0) {
                    // fill the bounded buffer or stop at EOF
                }
                n = bb.position();
                // Stat while open: after the open's revalidation these are fresh attributes (NFS close-to-open).
                fresh = FileFacts.lstat(p);
            } catch (NoSuchFileException e) {
                return null;
            } catch (IOException e) {
                if (FileFacts.isStale(e) && attempt < 3) {
                    continue; // the name now points elsewhere: re-open by path
                }
                if (e instanceof FileSystemException fse && "Too many levels of symbolic links".equals(fse.getReason())) {
                    return null; // replaced by a symlink meanwhile: the next refresh sees it as one
                }
                return EntryContent.unreadable(IoErrorText.reason(e));
            }
            LockOwner owner = null;
            String why = null;
            try {
                owner = LockOwner.parse(buf, n);
            } catch (IllegalArgumentException e) {
                why = e.getMessage();
            }
            ForeignLock foreign = null;
            LockIdentity identity = null;
            if (owner != null) {
                identity = new LockIdentity(fresh.inode(), fresh.mtimeMillis(), fresh.size(), Arrays.copyOf(buf, n));
            } else if (nc == NameClass.CANDIDATE) {
                foreign = ForeignFormats.ofFile(name, directory, fresh, buf, n, why);
                if (foreign != null) {
                    // Kept as the evidence a break of this foreign lock checks against.
                    identity = new LockIdentity(fresh.inode(), fresh.mtimeMillis(), fresh.size(), Arrays.copyOf(buf, n));
                    if (ForeignLock.PY_FILELOCK.equals(foreign.format()) && foreign.host() == null) {
                        foreign = ForeignFormats.withDevice(foreign, KernelLocks.deviceOf(p));
                    }
                }
            }
            return EntryContent.regular(nc, fresh, owner, identity, why, foreign,
                    nc == NameClass.CLAIM ? ClaimName.parse(name) : null);
        }
    }

    /** What a FIFO, socket or device file is, in words: "a FIFO". Never opens it. */
    static String describeSpecialFile(Path p) {
        try {
            int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return switch (mode & 0170000) {
                case 0010000 -> "a FIFO";
                case 0020000 -> "a character device";
                case 0060000 -> "a block device";
                case 0140000 -> "a socket";
                default -> "a special file";
            };
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "a special file";
        }
    }

    /** What identifies an unchanged file (if these agree its content is not read again), and what was read. */
    private record Cached(long inode, long mtimeMillis, long size, FileFacts.Type type, EntryContent content) {
        Cached(FileFacts f, EntryContent content) {
            this(f.inode(), f.mtimeMillis(), f.size(), f.type(), content);
        }

        boolean sameFileAs(FileFacts f) {
            return inode == f.inode() && mtimeMillis == f.mtimeMillis() && size == f.size() && type == f.type();
        }
    }
}
