package dev.lockscope.scan;

import dev.lockscope.formats.ForeignLock;
import dev.lockscope.lock.FileFacts;
import dev.lockscope.lock.LockOwner;
import dev.lockscope.lock.Verdict;

import java.util.Objects;

/**
 * One classified entry of a lock directory, as seen by one refresh. Immutable; any thread.
 *
 * <p>Which components a kind carries is stated once, by its factory ({@link #lock}, {@link #claim},
 * {@link #plain}…); the components a kind does not carry are null, or -1 for the numbers.
 *
 * <p>All ages are server time: the server's "now" from the snapshot's probe file against the entry's
 * mtime. They are recomputed on every refresh, even when the content was not re-read.
 *
 * @param name               the file name inside the directory
 * @param kind               what the entry is
 * @param state              the state shown for it ({@link EntryState#NONE} for non-lock kinds)
 * @param reason             the evidence for the state or the kind, in words an operator can check
 * @param facts              lstat of the entry (never following links), or null when even that failed
 * @param owner              the lockscope owner record (locks, guards, claims, broken leftovers), or null
 * @param verdict            the lock core's verdict, for {@link EntryKind#LOCK} and {@link EntryKind#BREAK_GUARD}; for
 *                           {@link EntryKind#FOREIGN_LOCK}, the verdict by that tool's own rule; else null
 * @param lockName           for a claim, guard or leftover: the name of the lock it belongs to; else null
 * @param token              the acquisition token (from the claim name or owner record), or null
 * @param linkTarget         for a symlink: its target, read but never followed; else null
 * @param foreign            for {@link EntryKind#FOREIGN_LOCK}, and a foreign tool's claim or temp file
 *                           ({@link EntryKind#CLAIM}): what the tool recorded; else null
 * @param lockAgeMillis      time since the owner acquired it, or -1
 * @param heartbeatAgeMillis time since the entry was last written (server clock), or -1 when the server
 *                           clock could not be read
 * @param leaseMillis        the owner's lease, or -1
 */
public record ScanEntry(String name, EntryKind kind, EntryState state, String reason, FileFacts facts,
                        LockOwner owner, Verdict verdict, String lockName, String token, String linkTarget,
                        ForeignLock foreign, long lockAgeMillis, long heartbeatAgeMillis, long leaseMillis) {

    public ScanEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(reason, "reason");
    }

    // ---- one factory per kind: each says which components that kind carries, so no caller lines up nulls ----

    /**
     * An entry named by its kind alone (probe, audit directory, directory, FIFO or device, NFS silly-rename, a file
     * that is not a lock): no owner, verdict, lock or token.
     */
    public static ScanEntry plain(String name, EntryKind kind, String reason, FileFacts facts, long heartbeatAgeMillis) {
        return new ScanEntry(name, kind, EntryState.NONE, reason, facts, null, null, null, null, null, null, -1,
                heartbeatAgeMillis, -1);
    }

    /** An entry that could not be examined: {@code why} is shown after "unreadable: ". */
    public static ScanEntry unreadable(String name, String why, FileFacts facts, long heartbeatAgeMillis) {
        return new ScanEntry(name, EntryKind.UNREADABLE, EntryState.UNKNOWN, "unreadable: " + why, facts, null, null,
                null, null, null, null, -1, heartbeatAgeMillis, -1);
    }

    /** A record-store save's temp file; {@code recordFile} (the file it saves) is kept as its lock name. */
    public static ScanEntry recordTemp(String name, String recordFile, String reason, FileFacts facts,
                                       long heartbeatAgeMillis) {
        return new ScanEntry(name, EntryKind.RECORD_TEMP, EntryState.NONE, reason, facts, null, null, recordFile, null,
                null, null, -1, heartbeatAgeMillis, -1);
    }

    /**
     * A group-commit intent of the record file {@code recordFile}, kept as its lock name as for a temp file; its
     * state is where it stands in its life (see {@link EntryClassifier}).
     */
    public static ScanEntry recordIntent(String name, EntryState state, String recordFile, String reason,
                                         FileFacts facts, long heartbeatAgeMillis) {
        return new ScanEntry(name, EntryKind.RECORD_INTENT, state, reason, facts, null, null, recordFile, null, null,
                null, -1, heartbeatAgeMillis, -1);
    }

    /** A symbolic link that is not a recognised lock: its target, read but never followed. */
    public static ScanEntry symlink(String name, String target, String reason, FileFacts facts,
                                    long heartbeatAgeMillis) {
        return new ScanEntry(name, EntryKind.SYMLINK, EntryState.NONE, reason, facts, null, null, null, null, target,
                null, -1, heartbeatAgeMillis, -1);
    }

    /**
     * A lockscope lock ({@code guardOf == null}) or the break guard of the lock {@code guardOf}, judged by the lock
     * core: the owner's token and lease, the verdict's ages.
     */
    public static ScanEntry lock(String name, String guardOf, String reason, FileFacts facts, LockOwner owner,
                                 Verdict verdict, long heartbeatAgeMillis) {
        return new ScanEntry(name, guardOf == null ? EntryKind.LOCK : EntryKind.BREAK_GUARD, EntryState.of(verdict.state()),
                reason, facts, owner, verdict, guardOf, owner.token(), null, null, verdict.lockAgeMillis(),
                heartbeatAgeMillis, owner.leaseMillis());
    }

    /** A lockscope claim of the lock {@code lockName}, with the token from its name and its owner record if any. */
    public static ScanEntry claim(String name, EntryState state, String reason, FileFacts facts, LockOwner owner,
                                  String lockName, String token, long lockAgeMillis, long heartbeatAgeMillis) {
        return new ScanEntry(name, EntryKind.CLAIM, state, reason, facts, owner, null, lockName, token, null, null,
                lockAgeMillis, heartbeatAgeMillis, owner == null ? -1 : owner.leaseMillis());
    }

    /** Another tool's claim or temp file: what the tool recorded, and the link target when it is a symlink. */
    public static ScanEntry foreignClaim(String name, EntryState state, String reason, FileFacts facts,
                                         ForeignLock foreign, String linkTarget, long heartbeatAgeMillis) {
        return new ScanEntry(name, EntryKind.CLAIM, state, reason, facts, null, null, null, null, linkTarget, foreign,
                -1, heartbeatAgeMillis, -1);
    }

    /** Another tool's lock, judged by that tool's own rule. */
    public static ScanEntry foreignLock(String name, String reason, FileFacts facts, ForeignLock foreign,
                                        String linkTarget, Verdict verdict) {
        return new ScanEntry(name, EntryKind.FOREIGN_LOCK, EntryState.of(verdict.state()), reason, facts, null,
                verdict, null, null, linkTarget, foreign, -1, verdict.heartbeatAgeMillis(), -1);
    }

    /** A broken lock of {@code lockName} that a crashed breaker left behind, with the owner record it held. */
    public static ScanEntry brokenLeftover(String name, String lockName, String reason, FileFacts facts,
                                           LockOwner owner, long heartbeatAgeMillis) {
        return new ScanEntry(name, EntryKind.BROKEN_LEFTOVER, EntryState.NONE, reason, facts, owner, null, lockName,
                owner == null ? null : owner.token(), null, null, -1, heartbeatAgeMillis,
                owner == null ? -1 : owner.leaseMillis());
    }

    /** This entry judged again (a host check): state, reason and verdict from {@code v}, nothing else. */
    public ScanEntry withVerdict(Verdict v) {
        return new ScanEntry(name, kind, EntryState.of(v.state()), v.reason(), facts, owner, v, lockName, token,
                linkTarget, foreign, lockAgeMillis, heartbeatAgeMillis, leaseMillis);
    }

    /** The owner's (or foreign tool's) host name, or null. */
    public String host() {
        if (owner != null) {
            return owner.host();
        }
        return foreign == null ? null : foreign.host();
    }

    /** The owner's (or foreign tool's) pid, or -1. */
    public long pid() {
        if (owner != null) {
            return owner.pid();
        }
        return foreign == null ? -1 : foreign.pid();
    }

    /** The owner's user name, or null. */
    public String user() {
        return owner == null ? null : owner.user();
    }

    /** Link count as reported (always 1 on sshfs), or -1. */
    public long nlink() {
        return facts == null ? -1 : facts.nlink();
    }

    /** Inode number as reported, or -1. */
    public long inode() {
        return facts == null ? -1 : facts.inode();
    }

    /** Size in bytes, or -1. */
    public long size() {
        return facts == null ? -1 : facts.size();
    }

    /** Modification time (server clock), epoch millis, or -1. */
    public long mtimeMillis() {
        return facts == null ? -1 : facts.mtimeMillis();
    }

    /** A copy with other ages: the same entry seen by a later refresh. */
    public ScanEntry withAges(long newLockAgeMillis, long newHeartbeatAgeMillis) {
        return new ScanEntry(name, kind, state, reason, facts, owner, verdict, lockName, token, linkTarget, foreign,
                newLockAgeMillis, newHeartbeatAgeMillis, leaseMillis);
    }

    /**
     * True when {@code other} differs from this entry in more than its ages and the wording of its
     * reason: kind, state, attributes, owner, token, target or foreign format. Ages change on every
     * refresh and do not count.
     */
    public boolean differsBeyondAges(ScanEntry other) {
        return other == null
                || !name.equals(other.name)
                || kind != other.kind
                || state != other.state
                || !Objects.equals(facts, other.facts)
                || !Objects.equals(owner, other.owner)
                || !Objects.equals(lockName, other.lockName)
                || !Objects.equals(token, other.token)
                || !Objects.equals(linkTarget, other.linkTarget)
                || !Objects.equals(foreign, other.foreign)
                || leaseMillis != other.leaseMillis;
    }
}
