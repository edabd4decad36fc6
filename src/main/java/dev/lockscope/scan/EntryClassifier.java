package dev.lockscope.scan;

import dev.lockscope.formats.ForeignJudge;
import dev.lockscope.formats.ForeignLock;
import dev.lockscope.formats.ForeignLocks;
import dev.lockscope.formats.ForeignSettings;
import dev.lockscope.formats.KernelLocks;
import dev.lockscope.formats.ForeignVerdict;
import dev.lockscope.lock.ClaimName;
import dev.lockscope.lock.FileFacts;
import dev.lockscope.lock.HostIdentity;
import dev.lockscope.lock.DurationText;
import dev.lockscope.lock.LockFile;
import dev.lockscope.lock.LockIdentity;
import dev.lockscope.lock.LockOwner;
import dev.lockscope.lock.LockSnapshot;
import dev.lockscope.lock.LockState;
import dev.lockscope.lock.ProcessTable;
import dev.lockscope.lock.ServerClock;
import dev.lockscope.lock.Verdict;
import dev.lockscope.record.RecordIntent;
import dev.lockscope.record.RecordTempFile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The pure half of {@link DirectoryScanner}: turns what {@link DirectoryReader} read into classified entries, with
 * ages and verdicts from one server-clock reading. One thread at a time (the scanner's).
 *
 * <p>It reads no file itself. What a verdict may need beyond the read entries (a fresh re-read of a lock that
 * looks expired on a network filesystem, this host's kernel locks for py-filelock) comes through {@link Evidence},
 * and process liveness through the {@link ProcessTable}: given those, the same entries always classify the same.
 */
final class EntryClassifier {
    /** Without an owner record, a claim of another host counts as orphaned once it is older than this. */
    static final long DEFAULT_CLAIM_PATIENCE_MILLIS = 30_000;
    /**
     * A published or taken intent older than this while its record file's lock is free was left by a process
     * that died: a live writer tries the lock every 250 ms and a live holder removes its taken files before it
     * releases, so 30 s (the claims' patience) leaves room for slow network filesystems.
     */
    static final long INTENT_PATIENCE_MILLIS = 30_000;
    /** An {@code intent-new} file lives for one write and one rename; older than this, its writer was killed. */
    static final long INTENT_NEW_PATIENCE_MILLIS = 10 * 60_000;

    /** What judging may need from outside the read entries. */
    interface Evidence {
        /**
         * A fresh read of the lock at {@code path} (open, then stat): on a network filesystem an EXPIRED verdict
         * from listed attributes is confirmed with one, since lstat may have answered from the attribute cache.
         */
        Optional<LockSnapshot> reread(Path path) throws IOException;

        /** This host's kernel locks (py-filelock's flock), or null when they cannot be read; asked once per refresh. */
        KernelLocks kernelLocks();
    }

    private final Path directory;
    private final HostIdentity self;
    private final boolean network;
    private final Evidence evidence;
    /** Per name: the classification of the content last seen, reused while nothing it rests on changed. */
    private Map<String, Memo> memos = new HashMap<>();
    /** Built at most once per refresh, and only when the directory holds another tool's lock. */
    private ForeignJudge.Context foreignContext;

    /**
     * @param directory the directory the entries are in (procmail's locktimeout is set per directory)
     * @param self      this process, to judge owners that share its pid space
     * @param network   true on a network filesystem: other hosts' changes may show late
     */
    EntryClassifier(Path directory, HostIdentity self, boolean network, Evidence evidence) {
        this.directory = directory;
        this.self = self;
        this.network = network;
        this.evidence = evidence;
    }

    /**
     * Classifies one refresh's entries, in their order. A claim is judged against the lock of its name among
     * {@code entries}, so they must be the whole directory.
     *
     * @param clock     the refresh's server-clock reading, or null when none could be taken (ages are then -1)
     * @param processes this host's process table; each pid is asked at most once per call
     */
    List<ScanEntry> classify(List<ReadEntry> entries, ServerClock.Reading clock, ProcessTable processes) {
        Map<String, ReadEntry> lockByName = new HashMap<>();
        for (ReadEntry e : entries) {
            if (e.content().isOwnedLock()) {
                lockByName.put(e.name(), e);
            }
        }
        Map<String, Memo> next = new HashMap<>(Math.max(16, entries.size() * 2));
        MemoProcessTable memo = new MemoProcessTable(processes);
        foreignContext = null;
        List<ScanEntry> out = new ArrayList<>(entries.size());
        List<Integer> intents = new ArrayList<>();
        for (ReadEntry e : entries) {
            if (e.facts() != null && e.content().nameClass() == EntryContent.NameClass.INTENT) {
                // Judged below, against the classified lock of its record file; named only, so nothing to memo.
                intents.add(out.size());
                out.add(null);
                continue;
            }
            Memo m = null;
            if (e.facts() != null) {
                m = memos.get(e.name());
                if (m == null || m.content != e.content()) {
                    m = new Memo(e.content()); // new content: nothing judged of the old one carries over
                }
                next.put(e.name(), m);
            }
            out.add(classify(e, m, clock, lockByName, memo));
        }
        if (!intents.isEmpty()) {
            Map<String, ScanEntry> locks = new HashMap<>();
            for (ScanEntry s : out) {
                if (s != null && s.kind() == EntryKind.LOCK) {
                    locks.put(s.name(), s);
                }
            }
            for (int i : intents) {
                out.set(i, intent(entries.get(i), clock, locks));
            }
        }
        memos = next;
        return out;
    }

    /**
     * Entries whose classification does not depend on time or on other entries (everything but locks, guards and
     * claims not held) are kept as templates while their attributes are unchanged, and only get new ages: a
     * refresh of 10,000 unchanged entries stays cheap.
     */
    private ScanEntry classify(ReadEntry w, Memo memo, ServerClock.Reading clock, Map<String, ReadEntry> lockByName,
                               MemoProcessTable processes) {
        String lockToken = null;
        if (w.content().claimName() != null) {
            ReadEntry lock = lockByName.get(w.content().claimName().lockName());
            lockToken = lock == null ? null : lock.content().owner().token();
        }
        if (memo != null && memo.template != null && Objects.equals(memo.template.facts(), w.facts())
                && Objects.equals(memo.templateLockToken, lockToken)) {
            return memo.template.withAges(lockAge(memo.template.owner(), clock), mtimeAge(w.facts(), clock));
        }
        ScanEntry e = classifyAfresh(w, memo, clock, lockByName, processes);
        if (memo != null) {
            boolean timeless = switch (e.kind()) {
                case LOCK, BREAK_GUARD, FOREIGN_LOCK -> false;
                case CLAIM -> e.state() == EntryState.HELD;
                default -> true;
            };
            memo.template = timeless ? e : null;
            memo.templateLockToken = lockToken;
        }
        return e;
    }

    private static long mtimeAge(FileFacts f, ServerClock.Reading clock) {
        return f == null || clock == null ? -1 : Math.max(0, clock.serverNowMillis() - f.mtimeMillis());
    }

    private static long lockAge(LockOwner owner, ServerClock.Reading clock) {
        return owner == null || clock == null ? -1 : Math.max(0, clock.localNowMillis() - owner.acquiredAt());
    }

    private ScanEntry classifyAfresh(ReadEntry w, Memo memo, ServerClock.Reading clock,
                                     Map<String, ReadEntry> lockByName, MemoProcessTable processes) {
        FileFacts f = w.facts();
        EntryContent c = w.content();
        String name = w.name();
        long mtimeAge = mtimeAge(f, clock);
        if (c.unreadable()) {
            return ScanEntry.unreadable(name, c.readError(), f, mtimeAge);
        }
        switch (c.nameClass()) {
            case PROBE:
                return ScanEntry.plain(name, EntryKind.PROBE,
                        "a server-clock probe file (normally removed within milliseconds)", f, mtimeAge);
            case AUDIT_DIR:
                return ScanEntry.plain(name, EntryKind.AUDIT_DIR, "audit records of lock breaks, one file per break",
                        f, mtimeAge);
            case DIRECTORY:
                return ScanEntry.plain(name, EntryKind.DIRECTORY, "a directory (not entered)", f, mtimeAge);
            case SPECIAL:
                return ScanEntry.plain(name, EntryKind.SPECIAL, c.special() + " (never opened)", f, mtimeAge);
            case NFS:
                return ScanEntry.plain(name, EntryKind.NFS_SILLY_RENAME, "an NFS silly-rename: a removed file still"
                        + " open on some client; it goes away when that client closes it", f, mtimeAge);
            case TEMP: {
                String of = RecordTempFile.recordFileOf(name).orElse("?");
                return ScanEntry.recordTemp(name, of, "temp file of a save of '" + of
                        + "': a save in progress, or left by a writer that crashed", f, mtimeAge);
            }
            case SYMLINK:
                if (c.foreign() != null) {
                    byte[] target = c.linkTarget().getBytes(StandardCharsets.UTF_8);
                    return foreign(w, new LockIdentity(f.inode(), f.mtimeMillis(), f.size(), target), clock,
                            processes, mtimeAge);
                }
                return ScanEntry.symlink(name, c.linkTarget(), "a symbolic link to '" + c.linkTarget()
                        + "' (not followed)", f, mtimeAge);
            case BROKEN:
                return broken(w, mtimeAge);
            case CLAIM:
                return claim(w, clock, lockByName, processes, mtimeAge);
            default:
                return candidate(w, memo, clock, processes, mtimeAge);
        }
    }

    private ScanEntry candidate(ReadEntry w, Memo memo, ServerClock.Reading clock, MemoProcessTable processes,
                                long mtimeAge) {
        EntryContent c = w.content();
        FileFacts f = w.facts();
        if (c.owner() == null) {
            if (c.foreign() != null) {
                return foreign(w, c.identity(), clock, processes, mtimeAge);
            }
            return ScanEntry.plain(w.name(), EntryKind.OTHER, "not a lock: " + c.readError(), f, mtimeAge);
        }
        boolean guard = w.name().endsWith(LockFile.GUARD_SUFFIX);
        ProcessTable table = memo.dead ? GONE : processes;
        Verdict v = Verdict.of(new LockSnapshot(w.path(), f, c.identity(), c.owner(), null), clock, self, table);
        if (v.state() == LockState.EXPIRED && network) {
            // lstat may have answered from the attribute cache: confirm expiry with a fresh read (open, then stat).
            try {
                Optional<LockSnapshot> fresh = evidence.reread(w.path());
                if (fresh.isPresent() && fresh.get().owner() != null) {
                    v = Verdict.of(fresh.get(), clock, self, processes);
                    f = fresh.get().facts();
                }
            } catch (IOException e) {
                // keep the verdict from the cached attributes; its reason says what it rests on
            }
        }
        memo.dead = v.state() == LockState.DEAD;
        long heartbeatAge = v.heartbeatAgeMillis() < 0 ? -1 : Math.max(0, v.heartbeatAgeMillis());
        String guardOf = guard ? w.name().substring(0, w.name().length() - LockFile.GUARD_SUFFIX.length()) : null;
        String reason = guard ? "break guard of " + guardOf + ": " + v.reason() : v.reason();
        return ScanEntry.lock(w.name(), guardOf, reason, f, c.owner(), v, heartbeatAge);
    }

    /**
     * Another tool's lock, judged by that tool's own rule ({@link ForeignJudge}), or its claim or temp file: held
     * while it is a hard link to the lock, else a crashed acquirer's leftover once it is older than 30 s.
     */
    private ScanEntry foreign(ReadEntry w, LockIdentity identity, ServerClock.Reading clock,
                              MemoProcessTable processes, long mtimeAge) {
        ForeignLock fl = w.content().foreign();
        FileFacts f = w.facts();
        String target = w.content().linkTarget();
        if (fl.role() == ForeignLock.Role.CLAIM) {
            boolean linked = f.nlink() >= 2;
            EntryState state = linked ? EntryState.HELD
                    : mtimeAge > DEFAULT_CLAIM_PATIENCE_MILLIS ? EntryState.ORPHAN : EntryState.WAITING;
            String why = fl.description() + (linked ? ": linked to its lock (link count " + f.nlink() + ")"
                    : mtimeAge > DEFAULT_CLAIM_PATIENCE_MILLIS ? ": not linked, and older than 30 s: left by a crashed"
                    + " acquirer" : ": not linked: an acquirer may still be trying" + ago(mtimeAge));
            return ScanEntry.foreignClaim(w.name(), state, why, f, fl, target, mtimeAge);
        }
        if (foreignContext == null) {
            foreignContext = new ForeignJudge.Context(self, processes, !network,
                    ForeignSettings.procmailLocktimeout(directory), evidence.kernelLocks());
        }
        ForeignVerdict fv = ForeignLocks.judge(new LockSnapshot(w.path(), f, identity, null,
                w.content().readError()), fl, clock, foreignContext);
        Verdict v = fv.verdict();
        return ScanEntry.foreignLock(w.name(), fl.description() + "; " + v.reason(), f, fl, target, v);
    }

    private ScanEntry claim(ReadEntry w, ServerClock.Reading clock, Map<String, ReadEntry> lockByName,
                            MemoProcessTable processes, long mtimeAge) {
        ClaimName cn = w.content().claimName();
        String lockName = cn.lockName();
        long pid = cn.pid();
        String token = cn.token();
        FileFacts f = w.facts();
        LockOwner owner = w.content().owner();
        long lockAge = lockAge(owner, clock);
        ReadEntry lock = lockByName.get(lockName);
        String lockToken = lock == null ? null : lock.content().owner().token();
        if (token.equals(lockToken) || owner != null && owner.token().equals(lockToken)) {
            String why = "its token is the token of the current lock " + lockName
                    + (f.nlink() < 2 ? " (link count " + f.nlink() + ": this filesystem does not report links truthfully)"
                    : " (link count " + f.nlink() + ")");
            return ScanEntry.claim(w.name(), EntryState.HELD, why, f, owner, lockName, token, lockAge, mtimeAge);
        }
        if (lock != null && f.nlink() >= 2 && lock.facts().inode() == f.inode() && f.inode() >= 0) {
            return ScanEntry.claim(w.name(), EntryState.HELD, "same inode as the lock " + lockName
                    + " (link count " + f.nlink() + ")", f, owner, lockName, token, lockAge, mtimeAge);
        }
        String notHeld = lock == null ? "not linked: no lock " + lockName + " exists"
                : "not linked: the lock " + lockName + " holds another token";
        if (f.nlink() >= 2) {
            notHeld += "; link count " + f.nlink() + " (linked under another name, perhaps a lock being broken)";
        }
        EntryState state;
        String why;
        if (owner != null && self.sharesPidSpaceWith(owner)) {
            boolean alive = processes.liveness(owner.pid()) == ProcessTable.Liveness.ALIVE;
            if (alive && ProcessTable.isNewerProcessThan(owner, processes)) {
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
                why = "; written " + age(mtimeAge) + " ago (server clock), longer than "
                        + (owner == null ? "30 s" : "its lease of " + age(owner.leaseMillis()))
                        + ", by pid " + pid + " on " + (owner == null ? "an unknown host" : "host " + owner.host())
                        + ": probably a crashed acquirer";
            } else {
                state = EntryState.WAITING;
                why = "; pid " + pid + " on " + (owner == null ? "an unknown host" : "host " + owner.host())
                        + " may still be trying to acquire" + ago(mtimeAge);
            }
        }
        if (owner == null && w.content().readError() != null) {
            why += " (content: " + w.content().readError() + ")";
        }
        return ScanEntry.claim(w.name(), state, notHeld + why, f, owner, lockName, token, lockAge, mtimeAge);
    }

    /**
     * A group-commit intent, judged by its name, its age (server clock; a rename keeps the mtime, so for every
     * form it is the time since the writer wrote it) and the lock of its record file ({@code locks}: the
     * lockscope locks of this refresh, classified).
     */
    private static ScanEntry intent(ReadEntry w, ServerClock.Reading clock, Map<String, ScanEntry> locks) {
        // NameClass.INTENT was decided by this same parser, on this same name.
        RecordIntent.FileName n = RecordIntent.parseFileName(w.name()).orElseThrow();
        long age = mtimeAge(w.facts(), clock);
        String record = n.recordFileName();
        String lockName = record + LockFile.LOCK_SUFFIX;
        String who = " (writer " + n.writerId() + ", #" + n.seq() + ")";
        ScanEntry lock = locks.get(lockName);
        boolean lockHeld = lock != null && !lock.state().isStale();
        String owner = lock == null || lock.owner() == null ? "" : lock.owner().describe();
        String lockNow = lock == null ? lockName + " is free"
                : lockHeld ? lockName + " is held" + (owner.isEmpty() ? "" : " by " + owner)
                : lockName + " is " + lock.state() + (owner.isEmpty() ? "" : " (left by " + owner + ")");
        EntryState state;
        String why;
        switch (n.form()) {
            case NEW:
                if (age > INTENT_NEW_PATIENCE_MILLIS) {
                    state = EntryState.ORPHAN;
                    why = "a change for " + record + " whose writer was killed while publishing it" + who
                            + ": written " + age(age) + " ago (server clock), longer than "
                            + age(INTENT_NEW_PATIENCE_MILLIS) + "; never read by a holder, so never applied:"
                            + " safe to remove";
                } else {
                    state = EntryState.WAITING;
                    why = "a change for " + record + " being published" + who + ": it is renamed to its"
                            + " published name at once (a writer was killed mid-publish if it is old)" + ago(age);
                }
                break;
            case PUBLISHED:
                if (!lockHeld && age > INTENT_PATIENCE_MILLIS) {
                    state = EntryState.ORPHAN;
                    why = "a change waiting to be committed into " + record + " by the next lock holder" + who
                            + "; written " + age(age) + " ago (server clock) and " + lockNow + ": its writer"
                            + " is gone (a waiting writer takes a free lock itself), but the next save of " + record
                            + " commits it all the same";
                } else {
                    state = EntryState.WAITING;
                    why = "a change waiting to be committed into " + record + " by the next lock holder" + who
                            + "; " + lockNow + ago(age);
                }
                break;
            case TAKEN:
                if (lockHeld) {
                    state = EntryState.HELD;
                    why = "taken by " + (owner.isEmpty() ? "" : owner + ", ") + "the holder of " + lockName
                            + ", which is committing it into " + record + who;
                } else if (lock != null || age > INTENT_PATIENCE_MILLIS) {
                    state = EntryState.ORPHAN;
                    why = "taken by a holder that died before it finished" + who + ": " + lockNow
                            + (lock == null ? " (a live holder removes its taken files before it releases)" : "")
                            + "; the next holder of " + lockName + " applies it to " + record
                            + ", or removes it if " + record + " already holds it";
                } else {
                    state = EntryState.WAITING;
                    why = "taken by a holder that is committing it into " + record + who + "; " + lockNow
                            + ": if it stays while the lock is free, the holder died and the next holder applies it"
                            + ago(age);
                }
                break;
            default:
                state = EntryState.UNKNOWN;
                why = "quarantined: a holder of " + lockName + " could not read this change for " + record
                        + " or prove whether it was applied" + who + "; its writer was told it was not saved, or"
                        + " that the outcome is unknown; nothing reads it again: inspect it, then remove it";
                break;
        }
        return ScanEntry.recordIntent(w.name(), state, record, why, w.facts(), age);
    }

    private static ScanEntry broken(ReadEntry w, long mtimeAge) {
        Optional<LockFile.BrokenName> parsed = LockFile.parseBroken(w.name());
        String lockName = parsed.map(LockFile.BrokenName::lockName).orElse(null);
        String when = "";
        if (parsed.isPresent() && parsed.get().brokenAtMillis() >= 0) {
            try {
                when = " at " + Instant.ofEpochMilli(parsed.get().brokenAtMillis());
            } catch (RuntimeException e) {
                when = "";
            }
        }
        LockOwner owner = w.content().owner();
        String reason = "a lock " + lockName + " broken" + when + " that its breaker did not finish removing"
                + (owner == null ? "" : "; it was held by " + owner.describe());
        return ScanEntry.brokenLeftover(w.name(), lockName, reason, w.facts(), owner, mtimeAge);
    }

    private static String ago(long ageMillis) {
        return ageMillis < 0 ? "" : " (written " + age(ageMillis) + " ago, server clock)";
    }

    /** Short ages for reasons. */
    private static String age(long ms) {
        return DurationText.ofMillis(ms);
    }

    /** What was judged of one entry's content; replaced when the reader hands over new content. */
    private static final class Memo {
        final EntryContent content;
        /** DEAD stays DEAD while the content is unchanged: a PID once gone is not asked about again. */
        boolean dead;
        /** The last classification, reused with new ages while attributes (and the lock's token) stay the same. */
        ScanEntry template;
        String templateLockToken;

        Memo(EntryContent content) {
            this.content = content;
        }
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
}
