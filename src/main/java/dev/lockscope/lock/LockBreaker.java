package dev.lockscope.lock;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.LinkOption;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;

/**
 * The safe break of docs/PROTOCOL.md ("Breaking"): guard, re-check, rename, verify, restore on mismatch,
 * audit ({@link BreakAudit}). It never removes a lock other than the one that was judged. Stateless; any thread.
 */
public final class LockBreaker {

    /**
     * Fault injection for tests, passed to one break: {@code beforeRename} runs between the re-check and the rename,
     * {@code afterRename} right after the rename. {@link #NONE} everywhere else.
     */
    record Hooks(Runnable beforeRename, Runnable afterRename) {
        static final Hooks NONE = new Hooks(() -> { }, () -> { });
    }

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
        return breakLock(file, judged, force, guardTimeout, leftovers, Hooks.NONE);
    }

    static BreakResult breakLock(LockFile file, Verdict judged, boolean force, Duration guardTimeout,
                                 Leftovers leftovers, Hooks hooks) throws IOException {
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
            return breakUnguarded(file, judged, force, leftovers, hooks);
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
        return breakUnguarded(file, judged, force, Leftovers.NONE, Hooks.NONE);
    }

    static BreakResult breakUnguarded(LockFile file, Verdict judged, boolean force, Hooks hooks) throws IOException {
        return breakUnguarded(file, judged, force, Leftovers.NONE, hooks);
    }

    private static BreakResult breakUnguarded(LockFile file, Verdict judged, boolean force, Leftovers leftovers,
                                              Hooks hooks) throws IOException {
        BreakResult early = precheck(file, judged, force);
        if (early != null) {
            return early;
        }
        Path lock = file.path();
        LockIdentity evidence = judged.identity();
        // Link counts of 2 mean the claim is still there and this filesystem reports inodes truthfully.
        boolean compareInodes = judged.nlink() >= 2;

        // The evidence was read through this client's name cache, which may still show a lock that another
        // client already broke and replaced; the witness below would then pin that dead lock (see NameCache).
        NameCache.refresh(file.directory());
        Optional<LockSnapshot> fresh = LockSnapshot.read(lock);
        if (fresh.isEmpty()) {
            return new BreakResult(BreakResult.Outcome.NOTHING_TO_BREAK, "lock " + lock + " is already gone", judged,
                    null);
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
                : Tokens.next().substring(0, 16);
        String unique = tag + "." + Tokens.next().substring(0, 8);
        Path witness = file.brokenPath(stamp, unique + ".w");
        Path moved = file.brokenPath(stamp, unique);
        try {
            Files.createLink(witness, lock);
        } catch (NoSuchFileException e) {
            return new BreakResult(BreakResult.Outcome.NOTHING_TO_BREAK,
                    "lock " + lock + " vanished before it could be broken", judged, null);
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
            return moveAndVerify(file, judged, force, evidence, compareInodes, moved, leftovers, hooks);
        } finally {
            Unlink.quietly(witness);
        }
    }

    private static boolean matches(LockIdentity evidence, LockSnapshot seen, boolean compareInodes, boolean force) {
        return (!compareInodes || seen.facts().inode() == evidence.inode())
                && seen.identity().sameContent(evidence)
                && (force || seen.facts().mtimeMillis() == evidence.mtimeMillis());
    }

    private static BreakResult moveAndVerify(LockFile file, Verdict judged, boolean force, LockIdentity evidence,
                                             boolean compareInodes, Path moved, Leftovers leftovers, Hooks hooks)
            throws IOException {
        Path lock = file.path();
        hooks.beforeRename().run();
        // The intent first: a breaker killed between the rename and the audit still leaves a record of what it
        // was doing. It is completed (replaced) with the outcome below.
        Audit audit = Audit.begin(file, judged, force, moved);
        try {
            Files.move(lock, moved, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            audit.withdraw();
            return new BreakResult(BreakResult.Outcome.NOTHING_TO_BREAK,
                    "lock " + lock + " vanished before it could be moved" + audit.problem(), judged, null);
        } catch (IOException | RuntimeException e) {
            audit.withdraw();
            throw e;
        }
        try {
            hooks.afterRename().run();
            return verifyMoved(file, judged, force, evidence, compareInodes, moved, audit, leftovers);
        } finally {
            audit.close(); // an I/O error below leaves the BREAKING intent on record, as it should
        }
    }

    /** After the rename: check what was moved, put it back if it is not the judged lock, else clean up. */
    private static BreakResult verifyMoved(LockFile file, Verdict judged, boolean force, LockIdentity evidence,
                                           boolean compareInodes, Path moved, Audit audit, Leftovers leftovers)
            throws IOException {
        Path lock = file.path();
        Optional<LockSnapshot> movedSnap;
        String unverifiable = null;
        try {
            // The server renamed whatever the name held; the client's cache moved what it believed the name held.
            NameCache.refresh(file.directory());
            movedSnap = LockSnapshot.read(moved);
        } catch (IOException e) {
            // What we moved cannot be checked: treat it as not the judged lock and put it back.
            movedSnap = Optional.empty();
            unverifiable = "; what was moved could not be read back (" + IoErrorText.reason(e) + ")";
        }
        boolean same = movedSnap.isPresent() && matches(evidence, movedSnap.get(), compareInodes, force);
        if (!same) {
            // We moved a lock that is not the judged one (it was replaced between check and rename,
            // or renewed): put it back under its name.
            try {
                Files.createLink(lock, moved);
                Unlink.quietly(moved);
                return audit.complete(BreakResult.Outcome.RESTORED,
                        "lock " + lock + " changed while being broken; it was put back untouched"
                                + (movedSnap.isPresent() ? describeChange(evidence, movedSnap.get()) : "")
                                + (unverifiable == null ? "" : unverifiable), null);
            } catch (FileAlreadyExistsException e) {
                return audit.complete(BreakResult.Outcome.RESTORE_FAILED,
                        "lock " + lock + " changed while being broken, and a new lock took its name before it could"
                                + " be put back; the moved lock is kept as " + moved, moved);
            }
        }

        Unlink.quietly(moved);
        String claimNote = "";
        if (judged.owner() != null) {
            // Found by listing and matching the claim grammar, never built from the record (docs/PROTOCOL.md, "A lock
            // directory is hostile ground").
            // Best effort: an orphan claim is harmless, and a lagging listing (sshfs) may not show it yet.
            Optional<Path> claim = file.findClaim(judged.owner());
            if (claim.isPresent()) {
                Unlink.quietly(claim.get());
            } else {
                claimNote = "; the owner's claim file was not found in the listing and is left to the scanner";
            }
        }
        java.util.List<String> removed = leftovers.remove(file.directory(), evidence);
        return audit.complete(BreakResult.Outcome.BROKEN, "broke lock " + lock + " held by "
                + judged.holderDescription() + " [" + judged.state() + ": " + judged.reason() + "]" + claimNote
                + (removed.isEmpty() ? "" : "; removed its leftover " + String.join(", ", removed)), null);
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

    /**
     * One audit record per break, as its own file (appends are not atomic on NFS) in {@code D/.lockscope-audit/}.
     * Used by one breaking thread.
     *
     * <p>The record is written as an intent before the lock is moved and completed with the outcome after, so a
     * breaker killed in between leaves an {@code outcome: "BREAKING"} record naming where the lock went. The audit
     * directory is opened relative to the lock directory with O_NOFOLLOW (a {@link SecureDirectoryStream}), and
     * every file in it is created with O_CREAT|O_EXCL|O_NOFOLLOW and renamed within it: a symbolic link in its
     * place, or swapped in for it later, is refused with a reason and never written through. An audit that cannot
     * be written does not stop the break (its safety does not depend on it); the result says why it is missing.
     */
    private static final class Audit {
        private final LockFile file;
        private final Verdict judged;
        private BreakAudit record;
        private final SecureDirectoryStream<Path> dir;
        private final String problem;
        private final String name;
        private boolean intentWritten;

        private Audit(LockFile file, Verdict judged, BreakAudit record, SecureDirectoryStream<Path> dir, String problem,
                      String name) {
            this.file = file;
            this.judged = judged;
            this.record = record;
            this.dir = dir;
            this.problem = problem;
            this.name = name;
        }

        static Audit begin(LockFile file, Verdict judged, boolean force, Path moved) {
            BreakAudit n = BreakAudit.intent(file, judged, force, moved);
            String base = System.currentTimeMillis() + "-" + LockFile.safe(file.name()) + "-"
                    + Tokens.next().substring(0, 8);
            SecureDirectoryStream<Path> dir;
            try {
                dir = openAuditDirectory(file);
            } catch (IOException e) {
                return new Audit(file, judged, n, null, e.getMessage(), base + ".json");
            }
            Audit a = new Audit(file, judged, n, dir, null, base + ".json");
            String failed = a.write(n);
            if (failed != null) {
                a.close();
                return new Audit(file, judged, n, null, failed, base + ".json");
            }
            a.intentWritten = true;
            return a;
        }

        /** Why there is no audit record, as a message suffix, or "". */
        String problem() {
            return problem == null ? "" : " (audit record not written: " + problem + ")";
        }

        /** Nothing was done after all: the intent is removed. */
        void withdraw() {
            if (dir != null) {
                if (intentWritten) {
                    try {
                        dir.deleteFile(Path.of(name));
                    } catch (IOException ignored) {
                        // a leftover BREAKING record says the break may not have finished: true enough
                    }
                }
                close();
            }
        }

        /** Replaces the intent with the outcome. */
        BreakResult complete(BreakResult.Outcome outcome, String message, Path kept) {
            record = record.completed(outcome, message, kept);
            String failed = dir == null ? problem : write(record);
            close();
            if (failed != null) {
                return new BreakResult(outcome, message + " (audit record not written: " + failed + ")", judged, null);
            }
            return new BreakResult(outcome, message, judged, file.auditDirectory().resolve(name));
        }

        /** Writes {@code n} under a temp name (O_EXCL, O_NOFOLLOW) and renames it to {@link #name}; the error or null. */
        private String write(BreakAudit n) {
            Path tmp = Path.of("." + name + "." + Tokens.next().substring(0, 8) + ".tmp");
            try {
                byte[] bytes = n.toBytes();
                try (SeekableByteChannel ch = dir.newByteChannel(tmp, Set.of(StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS))) {
                    ByteBuffer bb = ByteBuffer.wrap(bytes);
                    while (bb.hasRemaining()) {
                        ch.write(bb);
                    }
                }
                dir.move(tmp, dir, Path.of(name));
                return null;
            } catch (IOException e) {
                try {
                    dir.deleteFile(tmp);
                } catch (IOException ignored) {
                    // it was never created, or is gone
                }
                return "cannot write to " + file.auditDirectory() + ": " + IoErrorText.reason(e);
            }
        }

        void close() {
            if (dir != null) {
                try {
                    dir.close();
                } catch (IOException ignored) {
                    // a directory descriptor that cannot be closed loses nothing
                }
            }
        }
    }

    /**
     * The audit directory, opened with O_NOFOLLOW relative to the lock directory (created when missing: mkdir
     * never follows a link either).
     *
     * @throws IOException whose message says why it cannot be used (a symbolic link, not a directory, ...)
     */
    static SecureDirectoryStream<Path> openAuditDirectory(LockFile file) throws IOException {
        Path auditName = Path.of(LockFile.AUDIT_DIR);
        DirectoryStream<Path> parent = Files.newDirectoryStream(file.directory());
        try {
            if (!(parent instanceof SecureDirectoryStream<Path> sds)) {
                throw new IOException("this platform cannot open " + file.auditDirectory()
                        + " without following links (no openat)");
            }
            for (int attempt = 0; ; attempt++) {
                try {
                    return sds.newDirectoryStream(auditName, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException e) {
                    if (attempt > 0) {
                        throw e;
                    }
                    try {
                        Files.createDirectory(file.auditDirectory());
                    } catch (FileAlreadyExistsException raced) {
                        // made meanwhile (or a link made meanwhile): the O_NOFOLLOW open decides
                    }
                } catch (IOException e) {
                    FileFacts f = FileFacts.lstatOrNull(file.auditDirectory());
                    if (f != null && f.type() == FileFacts.Type.SYMLINK) {
                        String target;
                        try {
                            target = Files.readSymbolicLink(file.auditDirectory()).toString();
                        } catch (IOException unreadable) {
                            target = "?";
                        }
                        throw new IOException(file.auditDirectory() + " is a symbolic link (to '" + target
                                + "'); audit records are never written through one: remove it", e);
                    }
                    if (f != null && f.type() != FileFacts.Type.DIRECTORY) {
                        throw new IOException(file.auditDirectory() + " is not a directory", e);
                    }
                    throw new IOException("cannot open " + file.auditDirectory() + ": " + IoErrorText.reason(e), e);
                }
            }
        } finally {
            parent.close();
        }
    }
}
