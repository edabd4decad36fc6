package dev.lockscope.scan;

import dev.lockscope.formats.ForeignFormats;
import dev.lockscope.formats.ForeignJudge;
import dev.lockscope.formats.ForeignLock;
import dev.lockscope.lock.ClaimName;
import dev.lockscope.formats.ForeignLocks;
import dev.lockscope.formats.ForeignSettings;
import dev.lockscope.formats.ForeignVerdict;
import dev.lockscope.formats.KernelLocks;
import dev.lockscope.lock.DurationText;
import dev.lockscope.lock.FileFacts;
import dev.lockscope.lock.FilesystemType;
import dev.lockscope.lock.HostIdentity;
import dev.lockscope.lock.IoErrorText;
import dev.lockscope.lock.LockFile;
import dev.lockscope.lock.LockIdentity;
import dev.lockscope.lock.LockOwner;
import dev.lockscope.lock.LockSnapshot;
import dev.lockscope.lock.LockState;
import dev.lockscope.lock.ProcessTable;
import dev.lockscope.lock.ServerClock;
import dev.lockscope.lock.Verdict;

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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes snapshots of one lock directory, incrementally. Not thread-safe: one thread at a time (a
 * {@link DirectoryWatcher} calls it on its own scanner thread; the CLI on its main thread).
 *
 * <p>Every refresh lists the directory, lstats each entry (never following links) and measures the
 * server clock once with a probe file. An entry's content is re-read only when its (inode, mtime,
 * size) changed since the last refresh, or, on filesystems with whole-second timestamps (sshfs), when
 * its mtime is within the last 2 s: a coarse timestamp could hide a second change. Reads are bounded to
 * {@link LockSnapshot#MAX_READ} bytes; symlinks are read with readlink and never followed; FIFOs,
 * sockets and devices are never opened. Ages and verdicts are recomputed on every refresh from the new
 * server-clock reading, whether or not content was re-read.
 *
 * <p>Nothing here writes to the directory except the server-clock probe, which is removed at once.
 */
public final class DirectoryScanner {

    private static final Pattern BROKEN = Pattern.compile("(.+)" + Pattern.quote(LockFile.BROKEN_INFIX) + "(\\d{1,19})\\.(.+)");
    private static final Pattern NFS_SILLY = Pattern.compile("\\.nfs[0-9A-Fa-f]{4,}");
    /** Record-store save temp files: {@code .<name>.tmp.<anything>}. */
    private static final Pattern TEMP = Pattern.compile("\\.(.+?)\\.tmp\\..+");
    /** Without an owner record, a claim of another host counts as orphaned once it is older than this. */
    private static final long DEFAULT_CLAIM_PATIENCE_MILLIS = 30_000;

    private final Path directory;
    private final HostIdentity self;
    private final ProcessTable processes;
    private Map<String, Cached> cache = new HashMap<>();
    private String fileSystemType;
    private boolean network;
    /** Set once any mtime (or the probe's) has a sub-second part: then timestamps are fine enough to tell changes. */
    private boolean subSecondTimestamps;
    /** Entries whose bytes (or link target) were read in the current refresh. */
    private int contentReads;
    /**
     * What judging other tools' locks needs beyond each lock, built at most once per refresh and only when the
     * directory holds one: this host's kernel locks and open files are read once per refresh, however many.
     */
    private ForeignJudge.Context foreignContext;

    /** A scanner of {@code directory} judging as this process ({@link HostIdentity#current()}). */
    public DirectoryScanner(Path directory) {
        this(directory, HostIdentity.current(), ProcessTable.SYSTEM);
    }

    /** A scanner judging PIDs as {@code self} with {@code processes}. */
    public DirectoryScanner(Path directory, HostIdentity self, ProcessTable processes) {
        this.directory = directory.toAbsolutePath().normalize();
        this.self = self;
        this.processes = processes;
    }

    /** One full snapshot of {@code directory}. */
    public static DirectorySnapshot snapshot(Path directory) throws IOException {
        return new DirectoryScanner(directory).refresh();
    }

    public Path directory() {
        return directory;
    }

    /** {@code FileStore.type()} of the directory, known after the first refresh ("?" before or when unknown). */
    public String fileSystemType() {
        return fileSystemType == null ? "?" : fileSystemType;
    }

    /** True when the directory is on a filesystem whose other hosts' changes produce no events. */
    public boolean isNetworkFileSystem() {
        return network;
    }

    /**
     * Takes a snapshot, re-reading only what changed since the previous one.
     *
     * @throws IOException naming the directory when it is absent, not a directory, or cannot be listed
     */
    public DirectorySnapshot refresh() throws IOException {
        long startedAt = System.currentTimeMillis();
        checkDirectory();
        ServerClock.Reading clock = null;
        String clockError = null;
        try {
            clock = ServerClock.read(directory);
        } catch (IOException e) {
            clockError = "cannot write a probe file in " + directory + " (" + describe(e)
                    + "), so ages and expiry cannot be judged";
        }

        Map<String, Path> names = list();
        Map<String, Cached> next = new HashMap<>(Math.max(16, names.size() * 2));
        List<Work> work = new ArrayList<>(names.size());
        Map<String, Work> lockByName = new HashMap<>();
        contentReads = 0;
        foreignContext = null;
        long serverNow = clock == null ? -1 : clock.serverNowMillis();
        if (serverNow % 1000 != 0 && serverNow > 0) {
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
                work.add(new Work(name, p, null, unreadable("cannot lstat: " + describe(e)), null));
                continue;
            }
            if (facts.mtimeMillis() % 1000 != 0) {
                subSecondTimestamps = true;
            }
            Cached c = cache.get(name);
            Content content;
            if (c != null && c.facts.sameFileAs(facts) && !(!subSecondTimestamps && coarseAndRecent(facts, serverNow))) {
                content = c.content;
            } else {
                content = read(name, p, facts);
                if (content == null) {
                    continue; // vanished while we read it
                }
                if (content.freshFacts != null) {
                    facts = content.freshFacts;
                }
                c = new Cached(new Key(facts), content);
            }
            next.put(name, c);
            Work w = new Work(name, p, facts, content, c);
            work.add(w);
            if (content.owner != null && (content.nameClass == NameClass.CANDIDATE)) {
                lockByName.put(name, w);
            }
        }
        cache = next;

        MemoProcessTable memo = new MemoProcessTable(processes);
        List<ScanEntry> entries = new ArrayList<>(work.size());
        for (Work w : work) {
            entries.add(classify(w, clock, lockByName, memo));
        }
        return new DirectorySnapshot(directory, fileSystemType(), startedAt, clock, clockError, entries, contentReads);
    }

    private void checkDirectory() throws IOException {
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

    // ---- reading -------------------------------------------------------------------------------------

    private enum NameClass { PROBE, AUDIT_DIR, DIRECTORY, SYMLINK, SPECIAL, NFS, TEMP, CLAIM, BROKEN, CANDIDATE }

    private static NameClass nameClass(String name, FileFacts f) {
        switch (f.type()) {
            case DIRECTORY:
                return name.equals(LockFile.AUDIT_DIR) ? NameClass.AUDIT_DIR : NameClass.DIRECTORY;
            case SYMLINK:
                return NameClass.SYMLINK;
            case OTHER:
                return NameClass.SPECIAL;
            default:
                break;
        }
        if (name.startsWith(LockFile.PROBE_PREFIX)) {
            return NameClass.PROBE;
        }
        if (NFS_SILLY.matcher(name).matches()) {
            return NameClass.NFS;
        }
        ClaimName claim = ClaimName.parse(name);
        if (claim != null && !claim.lockName().endsWith(".tmp")) {
            return NameClass.CLAIM;
        }
        if (TEMP.matcher(name).matches()) {
            return NameClass.TEMP;
        }
        if (BROKEN.matcher(name).matches()) {
            return NameClass.BROKEN;
        }
        return NameClass.CANDIDATE;
    }

    /** Reads what classification needs of one entry; null when it vanished meanwhile. */
    private Content read(String name, Path p, FileFacts facts) {
        NameClass nc = nameClass(name, facts);
        switch (nc) {
            case SYMLINK: {
                contentReads++;
                String target;
                try {
                    target = Files.readSymbolicLink(p).toString();
                } catch (NoSuchFileException e) {
                    return null;
                } catch (IOException e) {
                    return new Content(nc, null, null, null, "cannot read the link: " + describe(e), true, null, null, null);
                }
                if (target.length() > LockSnapshot.MAX_READ) {
                    target = target.substring(0, LockSnapshot.MAX_READ);
                }
                return new Content(nc, null, null, null, null, false, target, ForeignFormats.ofSymlink(name, target), null);
            }
            case SPECIAL:
                return new Content(nc, null, null, null, null, false, null, null, describeSpecialFile(p));
            case CLAIM:
            case BROKEN:
            case CANDIDATE:
                return readRegular(nc, name, p);
            default:
                // Probes, temp files, silly-renames and directories are named by their names alone.
                return new Content(nc, null, null, null, null, false, null, null, null);
        }
    }

    private Content readRegular(NameClass nc, String name, Path p) {
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
                return unreadable(describe(e));
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
            return new Content(nc, fresh, owner, identity, why, false, null, foreign, null,
                    nc == NameClass.CLAIM ? ClaimName.parse(name) : null);
        }
    }

    /** What a FIFO, socket or device file is, in words: "a FIFO". Never opens it. */
    public static String describeSpecialFile(Path p) {
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

    private static Content unreadable(String why) {
        return new Content(NameClass.CANDIDATE, null, null, null, why, true, null, null, null);
    }

    // ---- classification ------------------------------------------------------------------------------

    /**
     * Classifies one entry. Entries whose classification does not depend on time or on other entries
     * (everything but locks, guards and claims not held) are kept as templates while their attributes are
     * unchanged, and only get new ages: a refresh of 10,000 unchanged entries stays cheap.
     */
    private ScanEntry classify(Work w, ServerClock.Reading clock, Map<String, Work> lockByName, MemoProcessTable memo) {
        Cached cached = w.cached;
        String lockToken = null;
        if (w.content.claimName != null) {
            Work lock = lockByName.get(w.content.claimName.lockName());
            lockToken = lock == null ? null : lock.content.owner.token();
        }
        if (cached != null && cached.template != null && Objects.equals(cached.template.facts(), w.facts)
                && Objects.equals(cached.templateLockToken, lockToken)) {
            return cached.template.withAges(lockAge(cached.template.owner(), clock), mtimeAge(w.facts, clock));
        }
        ScanEntry e = classifyAfresh(w, clock, lockByName, memo);
        if (cached != null) {
            boolean timeless = switch (e.kind()) {
                case LOCK, BREAK_GUARD, FOREIGN_LOCK -> false;
                case CLAIM -> e.state() == EntryState.HELD;
                default -> true;
            };
            cached.template = timeless ? e : null;
            cached.templateLockToken = lockToken;
        }
        return e;
    }

    private static long mtimeAge(FileFacts f, ServerClock.Reading clock) {
        return f == null || clock == null ? -1 : Math.max(0, clock.serverNowMillis() - f.mtimeMillis());
    }

    private static long lockAge(LockOwner owner, ServerClock.Reading clock) {
        return owner == null || clock == null ? -1 : Math.max(0, clock.localNowMillis() - owner.acquiredAt());
    }

    private ScanEntry classifyAfresh(Work w, ServerClock.Reading clock, Map<String, Work> lockByName,
                                     MemoProcessTable memo) {
        FileFacts f = w.facts;
        Content c = w.content;
        String name = w.name;
        long mtimeAge = mtimeAge(f, clock);
        if (c.unreadable) {
            return new ScanEntry(name, EntryKind.UNREADABLE, EntryState.UNKNOWN, "unreadable: " + c.readError, f,
                    null, null, null, null, null, null, -1, mtimeAge, -1);
        }
        switch (c.nameClass) {
            case PROBE:
                return plain(name, EntryKind.PROBE, "a server-clock probe file (normally removed within milliseconds)",
                        f, mtimeAge);
            case AUDIT_DIR:
                return plain(name, EntryKind.AUDIT_DIR, "audit records of lock breaks, one file per break", f, mtimeAge);
            case DIRECTORY:
                return plain(name, EntryKind.DIRECTORY, "a directory (not entered)", f, mtimeAge);
            case SPECIAL:
                return plain(name, EntryKind.SPECIAL, c.special + " (never opened)", f, mtimeAge);
            case NFS:
                return plain(name, EntryKind.NFS_SILLY_RENAME, "an NFS silly-rename: a removed file still open on some"
                        + " client; it goes away when that client closes it", f, mtimeAge);
            case TEMP: {
                Matcher m = TEMP.matcher(name);
                String of = m.matches() ? m.group(1) : "?";
                return new ScanEntry(name, EntryKind.RECORD_TEMP, EntryState.NONE, "temp file of a save of '" + of
                        + "': a save in progress, or left by a writer that crashed", f, null, null,
                        of, null, null, null, -1, mtimeAge, -1);
            }
            case SYMLINK:
                if (c.foreign != null) {
                    byte[] target = c.linkTarget.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    return foreign(w, new LockIdentity(f.inode(), f.mtimeMillis(), f.size(), target), clock, memo,
                            mtimeAge);
                }
                return new ScanEntry(name, EntryKind.SYMLINK, EntryState.NONE, "a symbolic link to '" + c.linkTarget
                        + "' (not followed)", f, null, null, null, null, c.linkTarget, null, -1, mtimeAge, -1);
            case BROKEN:
                return broken(w, clock, mtimeAge);
            case CLAIM:
                return claim(w, clock, lockByName, memo, mtimeAge);
            default:
                return candidate(w, clock, memo, mtimeAge);
        }
    }

    private static ScanEntry plain(String name, EntryKind kind, String reason, FileFacts f, long age) {
        return new ScanEntry(name, kind, EntryState.NONE, reason, f, null, null, null, null, null, null, -1, age, -1);
    }

    private ScanEntry candidate(Work w, ServerClock.Reading clock, MemoProcessTable memo, long mtimeAge) {
        Content c = w.content;
        FileFacts f = w.facts;
        if (c.owner == null) {
            if (c.foreign != null) {
                return foreign(w, c.identity, clock, memo, mtimeAge);
            }
            return plain(w.name, EntryKind.OTHER, "not a lock: " + c.readError, f, mtimeAge);
        }
        boolean guard = w.name.endsWith(LockFile.GUARD_SUFFIX);
        Path p = w.path;
        ProcessTable table = w.cached.dead ? GONE : memo;
        Verdict v = Verdict.of(new LockSnapshot(p, f, c.identity, c.owner, null), clock, self, table);
        if (v.state() == LockState.EXPIRED && network) {
            // lstat may have answered from the attribute cache: confirm expiry with a fresh read (open, then stat).
            try {
                var fresh = LockSnapshot.read(p);
                if (fresh.isPresent() && fresh.get().owner() != null) {
                    v = Verdict.of(fresh.get(), clock, self, memo);
                    f = fresh.get().facts();
                }
            } catch (IOException e) {
                // keep the verdict from the cached attributes; its reason says what it rests on
            }
        }
        w.cached.dead = v.state() == LockState.DEAD;
        long heartbeatAge = v.heartbeatAgeMillis() < 0 ? -1 : Math.max(0, v.heartbeatAgeMillis());
        String lockName = guard ? w.name.substring(0, w.name.length() - LockFile.GUARD_SUFFIX.length()) : null;
        String reason = guard ? "break guard of " + lockName + ": " + v.reason() : v.reason();
        return new ScanEntry(w.name, guard ? EntryKind.BREAK_GUARD : EntryKind.LOCK, EntryState.of(v.state()), reason,
                f, c.owner, v, lockName, c.owner.token(), null, null, v.lockAgeMillis(), heartbeatAge,
                c.owner.leaseMillis());
    }

    /**
     * Another tool's lock, judged by that tool's own rule ({@link ForeignJudge}), or its claim or temp file: held
     * while it is a hard link to the lock, else a crashed acquirer's leftover once it is older than 30 s.
     */
    private ScanEntry foreign(Work w, LockIdentity identity, ServerClock.Reading clock, MemoProcessTable memo,
                              long mtimeAge) {
        ForeignLock fl = w.content.foreign;
        FileFacts f = w.facts;
        String target = w.content.linkTarget;
        if (fl.role() == ForeignLock.Role.CLAIM) {
            boolean linked = f.nlink() >= 2;
            EntryState state = linked ? EntryState.HELD
                    : mtimeAge > DEFAULT_CLAIM_PATIENCE_MILLIS ? EntryState.ORPHAN : EntryState.WAITING;
            String why = fl.description() + (linked ? ": linked to its lock (link count " + f.nlink() + ")"
                    : mtimeAge > DEFAULT_CLAIM_PATIENCE_MILLIS ? ": not linked, and older than 30 s: left by a crashed"
                    + " acquirer" : ": not linked: an acquirer may still be trying" + ago(mtimeAge));
            return new ScanEntry(w.name, EntryKind.CLAIM, state, why, f, null, null, null, null, target, fl, -1,
                    mtimeAge, -1);
        }
        if (foreignContext == null) {
            foreignContext = new ForeignJudge.Context(self, memo, !network,
                    ForeignSettings.procmailLocktimeout(directory), KernelLocks.read());
        }
        ForeignJudge.Context ctx = foreignContext;
        ForeignVerdict fv = ForeignLocks.judge(new LockSnapshot(w.path, f, identity, null,
                w.content.readError), fl, clock, ctx);
        Verdict v = fv.verdict();
        return new ScanEntry(w.name, EntryKind.FOREIGN_LOCK, EntryState.of(v.state()), fl.description() + "; "
                + v.reason(), f, null, v, null, null, target, fl, -1, v.heartbeatAgeMillis(), -1);
    }

    private ScanEntry claim(Work w, ServerClock.Reading clock, Map<String, Work> lockByName, MemoProcessTable memo,
                            long mtimeAge) {
        ClaimName cn = w.content.claimName;
        String lockName = cn.lockName();
        long pid = cn.pid();
        String token = cn.token();
        FileFacts f = w.facts;
        LockOwner owner = w.content.owner;
        long lease = owner == null ? -1 : owner.leaseMillis();
        long lockAge = lockAge(owner, clock);
        Work lock = lockByName.get(lockName);
        String lockToken = lock == null ? null : lock.content.owner.token();
        if (token.equals(lockToken) || owner != null && owner.token().equals(lockToken)) {
            String why = "its token is the token of the current lock " + lockName
                    + (f.nlink() < 2 ? " (link count " + f.nlink() + ": this filesystem does not report links truthfully)"
                    : " (link count " + f.nlink() + ")");
            return new ScanEntry(w.name, EntryKind.CLAIM, EntryState.HELD, why, f, owner, null, lockName, token, null,
                    null, lockAge, mtimeAge, lease);
        }
        if (lock != null && f.nlink() >= 2 && lock.facts.inode() == f.inode() && f.inode() >= 0) {
            return new ScanEntry(w.name, EntryKind.CLAIM, EntryState.HELD, "same inode as the lock " + lockName
                    + " (link count " + f.nlink() + ")", f, owner, null, lockName, token, null, null, lockAge,
                    mtimeAge, lease);
        }
        String notHeld = lock == null ? "not linked: no lock " + lockName + " exists"
                : "not linked: the lock " + lockName + " holds another token";
        if (f.nlink() >= 2) {
            notHeld += "; link count " + f.nlink() + " (linked under another name, perhaps a lock being broken)";
        }
        EntryState state;
        String why;
        if (owner != null && self.sharesPidSpaceWith(owner)) {
            boolean alive = memo.liveness(owner.pid()) == ProcessTable.Liveness.ALIVE;
            if (alive && ProcessTable.isNewerProcessThan(owner, memo)) {
                alive = false;
            }
            state = alive ? EntryState.WAITING : EntryState.ORPHAN;
            why = alive ? "; owner pid " + owner.pid() + " is alive on this host: still trying to acquire, or keeping"
                    + " its claim for a second after a release to take the lock again quickly"
                    : "; owner pid " + owner.pid() + " is gone from this host: left by a crashed acquirer";
        } else {
            long patience = owner == null ? DEFAULT_CLAIM_PATIENCE_MILLIS : Math.max(owner.leaseMillis(), 1000);
            if (mtimeAge >= 0 && mtimeAge > patience) {
                state = EntryState.ORPHAN;
                why = "; written " + VerdictText.age(mtimeAge) + " ago (server clock), longer than "
                        + (owner == null ? "30 s" : "its lease of " + VerdictText.age(owner.leaseMillis()))
                        + ", by pid " + pid + " on " + (owner == null ? "an unknown host" : "host " + owner.host())
                        + ": probably a crashed acquirer";
            } else {
                state = EntryState.WAITING;
                why = "; pid " + pid + " on " + (owner == null ? "an unknown host" : "host " + owner.host())
                        + " may still be trying to acquire" + ago(mtimeAge);
            }
        }
        if (owner == null && w.content.readError != null) {
            why += " (content: " + w.content.readError + ")";
        }
        return new ScanEntry(w.name, EntryKind.CLAIM, state, notHeld + why, f, owner, null, lockName, token, null,
                null, lockAge, mtimeAge, lease);
    }

    private ScanEntry broken(Work w, ServerClock.Reading clock, long mtimeAge) {
        Matcher m = BROKEN.matcher(w.name);
        String lockName = m.matches() ? m.group(1) : null;
        String when = "";
        if (m.matches()) {
            try {
                when = " at " + Instant.ofEpochMilli(Long.parseLong(m.group(2)));
            } catch (RuntimeException e) {
                when = "";
            }
        }
        LockOwner owner = w.content.owner;
        String reason = "a lock " + lockName + " broken" + when + " that its breaker did not finish removing"
                + (owner == null ? "" : "; it was held by " + owner.describe());
        return new ScanEntry(w.name, EntryKind.BROKEN_LEFTOVER, EntryState.NONE, reason, w.facts, owner, null, lockName,
                owner == null ? null : owner.token(), null, null, -1, mtimeAge, owner == null ? -1 : owner.leaseMillis());
    }

    private static String ago(long ageMillis) {
        return ageMillis < 0 ? "" : " (written " + VerdictText.age(ageMillis) + " ago, server clock)";
    }

    static String describe(IOException e) {
        return IoErrorText.reason(e);
    }

    // ---- internal state -------------------------------------------------------------------------------

    /** What identifies an unchanged file: if these agree, its content is not read again. */
    private record Key(long inode, long mtimeMillis, long size, FileFacts.Type type) {
        Key(FileFacts f) {
            this(f.inode(), f.mtimeMillis(), f.size(), f.type());
        }

        boolean sameFileAs(FileFacts f) {
            return inode == f.inode() && mtimeMillis == f.mtimeMillis() && size == f.size() && type == f.type();
        }
    }

    /** What was read of an entry. */
    private record Content(NameClass nameClass, FileFacts freshFacts, LockOwner owner, LockIdentity identity,
                           String readError, boolean unreadable, String linkTarget, ForeignLock foreign,
                           String special, ClaimName claimName) {
        Content(NameClass nameClass, FileFacts freshFacts, LockOwner owner, LockIdentity identity, String readError,
                boolean unreadable, String linkTarget, ForeignLock foreign, String special) {
            this(nameClass, freshFacts, owner, identity, readError, unreadable, linkTarget, foreign, special, null);
        }
    }

    /** Cache slot of one name. {@code dead} is only touched by the scanning thread. */
    private static final class Cached {
        final Key facts;
        final Content content;
        /** DEAD stays DEAD while the content is unchanged: a PID once gone is not asked about again. */
        boolean dead;
        /** The last classification, reused with new ages while attributes (and the lock's token) stay the same. */
        ScanEntry template;
        String templateLockToken;

        Cached(Key facts, Content content) {
            this.facts = facts;
            this.content = content;
        }
    }

    private record Work(String name, Path path, FileFacts facts, Content content, Cached cached) {
    }

    /** A process table that answers GONE: for owners already judged DEAD on unchanged content. */
    private static final ProcessTable GONE = new ProcessTable() {
        @Override
        public Liveness liveness(long pid) {
            return Liveness.GONE;
        }

        @Override
        public OptionalLong startTime(long pid) {
            return OptionalLong.empty();
        }
    };

    /** Asks the real table at most once per PID per refresh. */
    private static final class MemoProcessTable implements ProcessTable {
        private final ProcessTable real;
        private final Map<Long, Liveness> liveness = new HashMap<>();
        private final Map<Long, OptionalLong> starts = new HashMap<>();
        private final Map<Long, OptionalLong> ticks = new HashMap<>();

        MemoProcessTable(ProcessTable real) {
            this.real = real;
        }

        @Override
        public Liveness liveness(long pid) {
            return liveness.computeIfAbsent(pid, real::liveness);
        }

        @Override
        public OptionalLong startTime(long pid) {
            return starts.computeIfAbsent(pid, real::startTime);
        }

        @Override
        public OptionalLong startTicks(long pid) {
            return ticks.computeIfAbsent(pid, real::startTicks);
        }
    }

    /** Short ages for reasons. */
    static final class VerdictText {
        private VerdictText() {
        }

        static String age(long ms) {
            return DurationText.ofMillis(ms);
        }
    }
}
