package dev.lockscope.lock;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What a waiter knows of the lock between its tries, so that most looks are one lstat. Used by one acquiring
 * thread.
 *
 * <p>After a failed link, on a filesystem whose link count of two shows it tells inodes truthfully:
 * <ul>
 * <li>the very inode, mtime, size and link count of the snapshot read last: nothing about the holder
 *     changed (content is per inode, a renewal changes the mtime), so that snapshot stands;</li>
 * <li>other attributes, not our claim's inode: a new holder. It is not read at once: while a lock
 *     changes hands every few milliseconds, reading and judging each holder (an open, a read, a JSON
 *     parse per waiter per hand-off) was most of the CPU of a contended machine, and a holder that
 *     is gone a moment later needs no verdict. Only a holder still there after
 *     {@link #JUDGE_AFTER_NANOS} is read and judged, so a dead holder is found that much later.</li>
 * </ul>
 * Where link counts say nothing (sshfs), unchanged attributes are trusted for at most
 * {@link #UNTRUSTED_REREAD_NANOS}: a LINK that succeeded although it reported failure, or a new holder
 * with the same attributes, is then found within a second. Anything else (another error than EEXIST,
 * our own inode, a first look, any change) is a full fresh read with the token read-back.
 */
final class WaiterView {

    /** Where link counts say nothing, how long a waiter trusts unchanged attributes before it reads the lock again. */
    static final long UNTRUSTED_REREAD_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long a new holder seen only by its attributes may keep the lock before a waiter reads and judges it. */
    static final long JUDGE_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /** {@link #claimInode} before the first EEXIST: not looked up yet. (-1 is FileFacts' "unknown".) */
    private static final long NOT_LOOKED_UP = Long.MIN_VALUE;

    private final LockClock clock;
    private long claimInode = NOT_LOOKED_UP;
    private LockSnapshot lastRead;
    private FileFacts pending;
    private long pendingSinceNanos;
    private long lastReadNanos;
    /** True after a look that saw a new holder by its attributes only. */
    private boolean unjudged;
    /**
     * With {@link #unjudged}: the lock changed hands since the previous look: another inode, or the same
     * inode rewritten at two looks in a row (a process relinking its kept claim, see {@link KeptClaims},
     * shows the same inode with a new mtime each time; a heartbeat changes it once per lease/3 and must not
     * start a hot spell: that raised a waiter's steady load from 11.9 to 17.4 calls/s).
     */
    private boolean changedHands;
    /** Whether the previous look saw the same inode's attributes change (see {@link #changedHands}). */
    private boolean changedAtLastLook;

    WaiterView(LockClock clock) {
        this.clock = clock;
    }

    /** Whether the last look saw a new holder by its attributes only (then it returned the previous snapshot). */
    boolean unjudged() {
        return unjudged;
    }

    /** With {@link #unjudged()}: whether the lock changed hands since the look before. */
    boolean changedHands() {
        return changedHands;
    }

    /** Forgets the snapshot read last, so the next look reads the lock again. */
    void forgetLastRead() {
        lastRead = null;
    }

    /**
     * The lock as this waiter now knows it, after a link of {@code claim} failed with {@code linkError}: empty when
     * there is no lock. See the class comment for when that is one lstat and when a fresh read.
     */
    Optional<LockSnapshot> look(Path lockPath, Path claim, IOException linkError) throws IOException {
        if (claimInode == NOT_LOOKED_UP && linkError instanceof FileAlreadyExistsException) {
            FileFacts c = FileFacts.lstatOrNull(claim);
            claimInode = c == null ? -1 : c.inode();
        }
        unjudged = false;
        boolean changedBefore = changedAtLastLook;
        changedAtLastLook = false;
        LockSnapshot last = lastRead;
        if (last != null && linkError instanceof FileAlreadyExistsException && last.facts().nlink() >= 2
                && last.facts().inode() != -1 && claimInode != -1 && claimInode != NOT_LOOKED_UP) {
            // (-1 is FileFacts' "unknown"; gluster's inode numbers are 64-bit and often negative here.)
            FileFacts now = FileFacts.lstatOrNull(lockPath);
            if (now == null) {
                pending = null;
                return Optional.empty();
            }
            if (now.type() == FileFacts.Type.REGULAR && now.inode() != claimInode && now.nlink() >= 2) {
                if (sameAttributes(now, last.facts())) {
                    pending = null;
                    return Optional.of(last);
                }
                long t = clock.nanoTime();
                boolean changedSinceLastLook = pending == null || !sameAttributes(now, pending);
                if (changedSinceLastLook) {
                    pending = now;
                    pendingSinceNanos = t;
                }
                if (t - pendingSinceNanos < JUDGE_AFTER_NANOS) {
                    unjudged = true;
                    changedAtLastLook = changedSinceLastLook;
                    changedHands = now.inode() != last.facts().inode() || changedSinceLastLook && changedBefore;
                    return Optional.of(last);
                }
            }
        }
        pending = null;
        if (last != null && linkError instanceof FileAlreadyExistsException
                && clock.nanoTime() - lastReadNanos < UNTRUSTED_REREAD_NANOS) {
            // Link counts and inodes say nothing here (sshfs): unchanged attributes are weak
            // evidence, so the full read (and its token read-back) still comes once a second.
            FileFacts now = FileFacts.lstatOrNull(lockPath);
            if (now == null) {
                return Optional.empty();
            }
            if (sameAttributes(now, last.facts()) && now.type() == FileFacts.Type.REGULAR) {
                return Optional.of(last);
            }
        }
        Optional<LockSnapshot> seen = read(lockPath);
        lastRead = seen.orElse(null);
        lastReadNanos = clock.nanoTime();
        return seen;
    }

    /** A fresh read of the lock; a lock we may not read is a {@link LockException} naming it. */
    static Optional<LockSnapshot> read(Path lockPath) throws IOException {
        try {
            return LockSnapshot.read(lockPath);
        } catch (AccessDeniedException e) {
            throw new LockException("cannot read lock " + lockPath + ": permission denied", e);
        }
    }

    private static boolean sameAttributes(FileFacts a, FileFacts b) {
        return a.inode() == b.inode() && a.mtimeMillis() == b.mtimeMillis() && a.size() == b.size()
                && a.nlink() == b.nlink();
    }
}
