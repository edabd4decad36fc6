package dev.lockscope.lock;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The safe break of design.md section 1: guard, re-check, rename, verify, restore on mismatch,
 * audit. It never removes a lock other than the one that was judged. Stateless; any thread.
 */
public final class LockBreaker {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Fault injection for tests: runs between the re-check and the rename. Always null in production. */
    static volatile Runnable beforeRenameForTest;
    /** Fault injection for tests: runs right after the rename. Always null in production. */
    static volatile Runnable afterRenameForTest;

    private LockBreaker() {
    }

    /**
     * What a break of another tool's lock removes besides the lock itself: that tool's own claim or temp
     * files. Supplied by {@code formats}, which knows each tool's file names; called only after the judged
     * lock was moved away and verified to be the judged one. Implementations find the files by listing the
     * directory and matching the tool's exact grammar, never by a path built from file content.
     */
    @FunctionalInterface
    public interface Leftovers {
        /** Nothing beyond the lock: our own locks (their claim is removed by name) and tools without leftovers. */
        Leftovers NONE = (directory, evidence) -> java.util.List.of();

        /**
         * Removes the tool's leftovers of the broken lock.
         *
         * @param directory the lock's directory
         * @param evidence  the broken lock as judged (its inode and bytes)
         * @return the names removed, for the result message and the audit record
         */
        java.util.List<String> remove(Path directory, LockIdentity evidence);
    }

    /**
     * Breaks the judged lock under the break guard {@code R.lock.break}.
     *
     * @param judged       the verdict, whose identity is the evidence
     * @param force        break even when the verdict is not stale
     * @param guardTimeout how long to wait for another breaker
     */
    public static BreakResult breakLock(LockFile file, Verdict judged, boolean force, Duration guardTimeout)
            throws IOException {
        return breakLock(file, judged, force, guardTimeout, Leftovers.NONE);
    }

    /**
     * As {@link #breakLock(LockFile, Verdict, boolean, Duration)}, for another tool's lock: after the judged
     * lock is removed, {@code leftovers} removes that tool's own claim or temp files.
     */
    public static BreakResult breakLock(LockFile file, Verdict judged, boolean force, Duration guardTimeout,
                                        Leftovers leftovers) throws IOException {
        BreakResult early = precheck(file, judged, force);
        if (early != null) {
            return early;
        }
        LockHandle guard;
        try {
            guard = LinkLock.guardFor(file).acquire(guardTimeout);
        } catch (LockTimeoutException e) {
            return new BreakResult(BreakResult.Outcome.GUARD_BUSY, "another breaker holds " + file.guard().path()
                    + ": " + e.getMessage(), judged, null);
        }
        try {
            return breakUnguarded(file, judged, force, leftovers);
        } finally {
            try {
                guard.release();
            } catch (LockLostException ignored) {
                // Our guard was itself judged stale and broken; the break above already completed.
            }
        }
    }

    /** The break without a guard: used for the guard itself, whose stale instances have no guard of their own. */
    static BreakResult breakUnguarded(LockFile file, Verdict judged, boolean force) throws IOException {
        return breakUnguarded(file, judged, force, Leftovers.NONE);
    }

    private static BreakResult breakUnguarded(LockFile file, Verdict judged, boolean force, Leftovers leftovers)
            throws IOException {
        BreakResult early = precheck(file, judged, force);
        if (early != null) {
            return early;
        }
        Path lock = file.path();
        LockIdentity evidence = judged.identity();
        // Link counts of 2 mean the claim is still there and this filesystem reports inodes truthfully.
        boolean compareInodes = judged.nlink() >= 2;

        Optional<LockSnapshot> fresh = LockSnapshot.read(lock);
        if (fresh.isEmpty()) {
            return audit(file, judged, force, BreakResult.Outcome.NOTHING_TO_BREAK,
                    "lock " + lock + " is already gone", null, false);
        }
        if (!evidence.sameAs(fresh.get().identity(), compareInodes, !force)) {
            return new BreakResult(BreakResult.Outcome.CHANGED, "lock " + lock + " changed since it was judged"
                    + describeChange(evidence, fresh.get()) + "; nothing was touched", judged, null);
        }

        // A fresh read is not always fresh: gluster's client caches serve small files and names for
        // about a second. So pin what the name holds right now with a hard link (resolved by the
        // server) and judge the witness, whose content is immutable per inode. Nothing is moved
        // unless the witness is the judged lock, so a live lock is never exposed on a stale read.
        long stamp = System.currentTimeMillis();
        String tag = judged.owner() != null ? judged.owner().token().substring(0, Math.min(16, judged.owner().token().length()))
                : LinkLock.newToken().substring(0, 16);
        String unique = tag + "." + LinkLock.newToken().substring(0, 8);
        Path witness = file.brokenPath(stamp, unique + ".w");
        Path moved = file.brokenPath(stamp, unique);
        try {
            Files.createLink(witness, lock);
        } catch (NoSuchFileException e) {
            return audit(file, judged, force, BreakResult.Outcome.NOTHING_TO_BREAK,
                    "lock " + lock + " vanished before it could be broken", null, false);
        }
        try {
            Optional<LockSnapshot> pinned = LockSnapshot.read(witness);
            // The witness is a hard link we just made: a link count of 2 or more on it proves this filesystem
            // counts links truthfully, so inodes can be compared even for a lock without a claim (other tools'
            // locks have a link count of 1, and an empty git lock has no content to compare).
            compareInodes = compareInodes || pinned.isPresent() && pinned.get().facts().nlink() >= 2;
            if (pinned.isEmpty() || !matches(evidence, pinned.get(), compareInodes, force)) {
                return new BreakResult(BreakResult.Outcome.CHANGED, "lock " + lock + " changed since it was judged"
                        + (pinned.isPresent() ? describeChange(evidence, pinned.get()) : "")
                        + "; nothing was touched", judged, null);
            }
            return moveAndVerify(file, judged, force, evidence, compareInodes, moved, leftovers);
        } finally {
            LinkLock.deleteQuietly(witness);
        }
    }

    private static boolean matches(LockIdentity evidence, LockSnapshot seen, boolean compareInodes, boolean force) {
        return (!compareInodes || seen.facts().inode() == evidence.inode())
                && seen.identity().sameContent(evidence)
                && (force || seen.facts().mtimeMillis() == evidence.mtimeMillis());
    }

    private static BreakResult moveAndVerify(LockFile file, Verdict judged, boolean force, LockIdentity evidence,
                                             boolean compareInodes, Path moved, Leftovers leftovers)
            throws IOException {
        Path lock = file.path();
        Runnable hook = beforeRenameForTest;
        if (hook != null) {
            hook.run();
        }
        try {
            Files.move(lock, moved, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return audit(file, judged, force, BreakResult.Outcome.NOTHING_TO_BREAK,
                    "lock " + lock + " vanished before it could be moved", null, false);
        }

        Runnable after = afterRenameForTest;
        if (after != null) {
            after.run();
        }
        Optional<LockSnapshot> movedSnap;
        String unverifiable = null;
        try {
            movedSnap = LockSnapshot.read(moved);
        } catch (IOException e) {
            // What we moved cannot be checked: treat it as not the judged lock and put it back.
            movedSnap = Optional.empty();
            unverifiable = "; what was moved could not be read back (" + LockSnapshot.describe(e) + ")";
        }
        boolean same = movedSnap.isPresent() && matches(evidence, movedSnap.get(), compareInodes, force);
        if (!same) {
            // We moved a lock that is not the judged one (it was replaced between check and rename,
            // or renewed): put it back under its name.
            try {
                Files.createLink(lock, moved);
                LinkLock.deleteQuietly(moved);
                return audit(file, judged, force, BreakResult.Outcome.RESTORED,
                        "lock " + lock + " changed while being broken; it was put back untouched"
                                + (movedSnap.isPresent() ? describeChange(evidence, movedSnap.get()) : "")
                                + (unverifiable == null ? "" : unverifiable), null, false);
            } catch (FileAlreadyExistsException e) {
                return audit(file, judged, force, BreakResult.Outcome.RESTORE_FAILED,
                        "lock " + lock + " changed while being broken, and a new lock took its name before it could"
                                + " be put back; the moved lock is kept as " + moved, moved, false);
            }
        }

        LinkLock.deleteQuietly(moved);
        if (judged.owner() != null) {
            LockOwner o = judged.owner();
            LinkLock.deleteQuietly(file.claimPath(o.host(), o.pid(), o.token()));
        }
        java.util.List<String> removed = leftovers.remove(file.directory(), evidence);
        return audit(file, judged, force, BreakResult.Outcome.BROKEN, "broke lock " + lock + " held by "
                + judged.holderDescription() + " [" + judged.state() + ": " + judged.reason() + "]"
                + (removed.isEmpty() ? "" : "; removed its leftover " + String.join(", ", removed)), null, true);
    }

    private static BreakResult precheck(LockFile file, Verdict judged, boolean force) {
        if (judged.state() == LockState.FREE || judged.identity() == null) {
            return new BreakResult(BreakResult.Outcome.NOTHING_TO_BREAK, "there is no lock at " + file.path(),
                    judged, null);
        }
        if (!judged.state().isStale() && !force) {
            return new BreakResult(BreakResult.Outcome.REFUSED_NOT_STALE, "refusing to break " + file.path()
                    + ": it is " + judged.state() + " by " + judged.holderDescription() + " (" + judged.reason()
                    + "); use force to break it anyway", judged, null);
        }
        return null;
    }

    private static String describeChange(LockIdentity evidence, LockSnapshot now) {
        StringBuilder b = new StringBuilder();
        if (!evidence.sameContent(now.identity())) {
            b.append("; it now holds ").append(now.owner() == null ? "other content" : now.owner().describe());
        }
        if (evidence.mtimeMillis() != now.facts().mtimeMillis()) {
            b.append("; it was renewed (mtime ").append(evidence.mtimeMillis()).append(" -> ")
                    .append(now.facts().mtimeMillis()).append(')');
        }
        if (evidence.inode() != now.facts().inode()) {
            b.append("; inode ").append(evidence.inode()).append(" -> ").append(now.facts().inode());
        }
        return b.toString();
    }

    /** One audit record per break, as its own file: appends are not atomic on NFS. */
    private static BreakResult audit(LockFile file, Verdict judged, boolean force, BreakResult.Outcome outcome,
                                     String message, Path kept, boolean acted) {
        Path dir = file.auditDirectory();
        Path written = null;
        try {
            Files.createDirectories(dir);
            HostIdentity me = HostIdentity.current();
            ObjectNode n = JSON.createObjectNode();
            n.put("format", "lockscope-break/1");
            n.put("lock", file.path().toString());
            n.put("outcome", outcome.name());
            n.put("message", message);
            n.put("forced", force);
            n.put("brokenBy", System.getProperty("user.name", "?") + "@" + me.hostName());
            n.put("breakerHostId", me.hostId());
            n.put("breakerPid", ProcessHandle.current().pid());
            n.put("at", Instant.now().toString());
            n.put("verdict", judged.state().name());
            n.put("reason", judged.reason());
            ObjectNode ev = n.putObject("evidence");
            LockIdentity id = judged.identity();
            ev.put("inode", id.inode());
            ev.put("mtimeMillis", id.mtimeMillis());
            ev.put("size", id.size());
            ev.put("nlink", judged.nlink());
            ev.put("serverNowMillis", judged.serverNowMillis());
            ev.put("heartbeatAgeMillis", judged.heartbeatAgeMillis());
            if (judged.owner() != null) {
                n.set("owner", JSON.valueToTree(judged.owner()));
            } else {
                ev.put("content", new String(id.content(), StandardCharsets.UTF_8));
            }
            if (kept != null) {
                n.put("keptAs", kept.toString());
            }
            String base = System.currentTimeMillis() + "-" + LockFile.safe(file.name()) + "-" + LinkLock.newToken().substring(0, 8);
            Path tmp = dir.resolve("." + base + ".tmp");
            written = dir.resolve(base + ".json");
            Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
            Files.move(tmp, written, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            message = message + " (audit record not written to " + dir + ": " + LockSnapshot.describe(e) + ")";
            written = null;
        }
        return new BreakResult(outcome, message, judged, written);
    }
}
