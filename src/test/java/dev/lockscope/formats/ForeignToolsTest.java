package dev.lockscope.formats;

import dev.lockscope.lock.BreakResult;
import dev.lockscope.lock.HostIdentity;
import dev.lockscope.lock.LockFile;
import dev.lockscope.lock.LockState;
import dev.lockscope.scan.DirectoryScanner;
import dev.lockscope.scan.EntryKind;
import dev.lockscope.scan.ScanEntry;
import dev.lockscope.testing.MultiProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Locks made by the real tools, judged by each tool's own rule and broken safely: a live holder, a dead one, an
 * expired one where the tool has expiry, and the break of each stale one. Each case prints one "MEASURED" line
 * (tool, case, verdict, break outcome) for the table.
 */
@MultiProcess
class ForeignToolsTest {

    @TempDir
    Path dir;

    @AfterEach
    void clearSettings() {
        ForeignSettings.setProcmailLocktimeout(dir, null);
    }

    // ---- flufl.lock ---------------------------------------------------------------------------------------

    @Test
    void fluflLiveHolderIsHeldAndNotBroken() throws Exception {
        Path lock = dir.resolve("f.lock");
        try (RealTools.Holder h = RealTools.python(RealTools.FLUFL_HOLDER, lock.toString(), "300", "hold")) {
            ForeignVerdict v = judged(lock, ForeignLock.FLUFL, LockState.HELD);
            assertThat(v.verdict().reason()).contains("holder pid " + h.pid() + " is alive").contains("expires in");
            BreakResult r = ForeignLocks.breakLock(v, false);
            assertThat(r.outcome()).isEqualTo(BreakResult.Outcome.REFUSED_NOT_STALE);
            assertThat(lock).exists();
            measured("flufl.lock", "live", v, r);
        }
    }

    @Test
    void fluflDeadHolderIsDeadAndItsBreakRemovesTheClaimToo() throws Exception {
        Path lock = dir.resolve("f.lock");
        RealTools.Holder h = RealTools.python(RealTools.FLUFL_HOLDER, lock.toString(), "300", "exit");
        assertThat(h.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(names()).anyMatch(n -> n.startsWith("f.lock|"));
        ForeignVerdict v = judged(lock, ForeignLock.FLUFL, LockState.DEAD);
        BreakResult r = ForeignLocks.breakLock(v, false);
        assertThat(r.outcome()).isEqualTo(BreakResult.Outcome.BROKEN);
        assertThat(r.message()).contains("removed its leftover f.lock|");
        assertThat(names()).noneMatch(n -> n.startsWith("f.lock"));
        assertThat(r.auditFile()).exists();
        measured("flufl.lock", "dead", v, r);
        // flufl.lock itself can take the lock again.
        RealTools.python(RealTools.FLUFL_HOLDER, lock.toString(), "300", "exit").process.waitFor(30, TimeUnit.SECONDS);
    }

    @Test
    void fluflExpiredWhileItsHolderLivesIsExpiredAndBroken() throws Exception {
        Path lock = dir.resolve("f.lock");
        try (RealTools.Holder h = RealTools.python(RealTools.FLUFL_HOLDER, lock.toString(), "1", "hold")) {
            ForeignVerdict v = waitForState(lock, LockState.EXPIRED);
            assertThat(v.verdict().reason()).contains("is alive").contains("expiry");
            BreakResult r = ForeignLocks.breakLock(v, false);
            assertThat(r.outcome()).isEqualTo(BreakResult.Outcome.BROKEN);
            assertThat(names()).noneMatch(n -> n.startsWith("f.lock"));
            measured("flufl.lock", "expired", v, r);
        }
    }

    // ---- dotlockfile ---------------------------------------------------------------------------------------

    /** {@code dotlockfile -p} writes its parent's pid: the shell that then execs sleep keeps that pid alive. */
    private Process dotlockHolder(Path lock, boolean stay) throws Exception {
        String script = "dotlockfile -p '" + lock + "' || exit 9; echo locked; " + (stay ? "exec sleep 600" : "exit 0");
        Process p = new ProcessBuilder("sh", "-c", script).start();
        String line = new String(p.getInputStream().readNBytes(7), StandardCharsets.UTF_8);
        assertThat(line).isEqualTo("locked\n".substring(0, 7));
        return p;
    }

    @Test
    void dotlockfileLiveHolderIsHeld() throws Exception {
        Path lock = dir.resolve("d.lock");
        Process p = dotlockHolder(lock, true);
        try {
            ForeignVerdict v = judged(lock, ForeignLock.DOTLOCKFILE, LockState.HELD);
            assertThat(v.foreign().pid()).isEqualTo(p.pid());
            BreakResult r = ForeignLocks.breakLock(v, false);
            assertThat(r.outcome()).isEqualTo(BreakResult.Outcome.REFUSED_NOT_STALE);
            assertThat(lock).exists();
            measured("dotlockfile", "live", v, r);
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void dotlockfileDeadHolderIsDeadAndBrokenWithItsLeftoverTempFile() throws Exception {
        Path lock = dir.resolve("d.lock");
        Process p = dotlockHolder(lock, false);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        // An acquirer that crashed between its link and its unlink leaves its temp file as a second link.
        Path temp = dir.resolve(String.format(java.util.Locale.ROOT, ".lk%05d3%s", p.pid(),
                HostIdentity.current().hostName()));
        Files.createLink(temp, lock);
        ForeignVerdict v = judged(lock, ForeignLock.DOTLOCKFILE, LockState.DEAD);
        BreakResult r = ForeignLocks.breakLock(v, false);
        assertThat(r.outcome()).isEqualTo(BreakResult.Outcome.BROKEN);
        assertThat(lock).doesNotExist();
        assertThat(temp).doesNotExist();
        measured("dotlockfile", "dead", v, r);
        // dotlockfile itself takes it at once.
        assertThat(RealTools.run(dir, "dotlockfile", "-r", "0", lock.toString())).isZero();
    }

    @Test
    void dotlockfileUntouchedForFiveMinutesIsExpiredEvenWithALiveHolder() throws Exception {
        Path lock = dir.resolve("d.lock");
        Process p = dotlockHolder(lock, true);
        try {
            backdate(lock, Duration.ofMinutes(6));
            ForeignVerdict v = judged(lock, ForeignLock.DOTLOCKFILE, LockState.EXPIRED);
            assertThat(v.verdict().reason()).contains("stale after 5 minutes");
            BreakResult r = ForeignLocks.breakLock(v, false);
            assertThat(r.outcome()).isEqualTo(BreakResult.Outcome.BROKEN);
            assertThat(lock).doesNotExist();
            measured("dotlockfile", "expired", v, r);
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    // ---- procmail lockfile ----------------------------------------------------------------------------------

    @Test
    void procmailWithoutALocktimeoutIsAgeOnlyAndOnlyForceBreakable() throws Exception {
        Path lock = dir.resolve("p.lock");
        assertThat(RealTools.run(dir, "lockfile", "-r", "0", lock.toString())).isZero();
        ForeignVerdict v = judged(lock, ForeignLock.PROCMAIL, LockState.UNKNOWN);
        assertThat(v.verdict().reason()).contains("age only");
        assertThat(ForeignLocks.breakLock(v, false).outcome()).isEqualTo(BreakResult.Outcome.REFUSED_NOT_STALE);
        BreakResult forced = ForeignLocks.breakLock(v, true);
        assertThat(forced.outcome()).isEqualTo(BreakResult.Outcome.BROKEN);
        assertThat(lock).doesNotExist();
        measured("procmail", "live/dead (no owner, no locktimeout)", v, forced);
    }

    @Test
    void procmailJudgedByTheDirectorysLocktimeout() throws Exception {
        Path lock = dir.resolve("p.lock");
        assertThat(RealTools.run(dir, "lockfile", "-r", "0", lock.toString())).isZero();
        ForeignSettings.setProcmailLocktimeout(dir, Duration.ofSeconds(60));
        ForeignVerdict fresh = judged(lock, ForeignLock.PROCMAIL, LockState.HELD);
        measured("procmail", "live (locktimeout 60 s)", fresh, ForeignLocks.breakLock(fresh, false));
        backdate(lock, Duration.ofSeconds(90));
        ForeignVerdict v = judged(lock, ForeignLock.PROCMAIL, LockState.EXPIRED);
        assertThat(v.verdict().reason()).contains("locktimeout of 60.0 s");
        BreakResult r = ForeignLocks.breakLock(v, false);
        assertThat(r.outcome()).isEqualTo(BreakResult.Outcome.BROKEN);
        assertThat(lock).doesNotExist();
        measured("procmail", "expired (locktimeout 60 s)", v, r);
        // procmail's own rule agrees: lockfile -l 60 would have forced it too; now it simply takes it.
        assertThat(RealTools.run(dir, "lockfile", "-r", "0", lock.toString())).isZero();
    }

    // ---- Mercurial -----------------------------------------------------------------------------------------

    private Path hgRepo() throws Exception {
        Path repo = dir.resolve("repo");
        assertThat(RealTools.run(dir, "hg", "init", repo.toString())).isZero();
        return repo;
    }

    @Test
    void mercurialLiveHolderIsHeld() throws Exception {
        Path repo = hgRepo();
        Path wlock = repo.resolve(".hg/wlock");
        try (RealTools.Holder h = RealTools.python(RealTools.HG_HOLDER, repo.toString(), "hold")) {
            assertThat(Files.isSymbolicLink(wlock)).isTrue();
            ForeignVerdict v = judged(wlock, ForeignLock.MERCURIAL, LockState.HELD);
            assertThat(v.foreign().pid()).isEqualTo(h.pid());
            BreakResult r = ForeignLocks.breakLock(v, false);
            assertThat(r.outcome()).isEqualTo(BreakResult.Outcome.REFUSED_NOT_STALE);
            assertThat(Files.isSymbolicLink(wlock)).isTrue();
            measured("mercurial", "live", v, r);
        }
    }

    @Test
    void mercurialDeadHolderIsDeadAndTheLinkItselfIsBroken() throws Exception {
        Path repo = hgRepo();
        Path wlock = repo.resolve(".hg/wlock");
        RealTools.Holder h = RealTools.python(RealTools.HG_HOLDER, repo.toString(), "exit");
        assertThat(h.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String target = Files.readSymbolicLink(wlock).toString();
        // If the link were followed, this file (named like the target) would be what got judged or moved.
        Path decoy = wlock.resolveSibling(target.replace('/', '_'));
        Files.writeString(decoy, "decoy");
        ForeignVerdict v = judged(wlock, ForeignLock.MERCURIAL, LockState.DEAD);
        assertThat(v.verdict().reason()).contains("no longer exists on this host");
        BreakResult r = ForeignLocks.breakLock(v, false);
        assertThat(r.outcome()).isEqualTo(BreakResult.Outcome.BROKEN);
        assertThat(RealTools.exists(wlock)).isFalse();
        assertThat(decoy).hasContent("decoy");
        try (Stream<Path> s = Files.list(wlock.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("wlock"));
        }
        measured("mercurial", "dead", v, r);
        // Mercurial takes its lock again.
        RealTools.python(RealTools.HG_HOLDER, repo.toString(), "exit").process.waitFor(30, TimeUnit.SECONDS);
    }

    @Test
    void mercurialHolderRecordedOnAnotherHostIsNeverDeadByPid() throws Exception {
        Path repo = hgRepo();
        Path wlock = repo.resolve(".hg/wlock");
        Files.createSymbolicLink(wlock, Path.of("some-other-host/effffffc:" + RealTools.deadPid()));
        ForeignVerdict v = judged(wlock, ForeignLock.MERCURIAL, LockState.HELD);
        assertThat(v.verdict().reason()).contains("is not this host");
        measured("mercurial", "dead pid, other host", v, ForeignLocks.breakLock(v, false));
    }

    // ---- git -------------------------------------------------------------------------------------------------

    @Test
    void gitLockHasNoOwnerSoLiveAndDeadAreUnknownAndOnlyAForcedBreakRemovesIt() throws Exception {
        Path repo = dir.resolve("g");
        Files.createDirectories(repo);
        assertThat(RealTools.run(repo, "git", "init", "-q")).isZero();
        RealTools.run(repo, "git", "config", "user.email", "t@example.invalid");
        RealTools.run(repo, "git", "config", "user.name", "t");
        Files.writeString(repo.resolve("f"), "a");
        RealTools.run(repo, "git", "add", "f");
        RealTools.run(repo, "git", "commit", "-qm", "1");
        Files.writeString(repo.resolve("f"), "b");
        // git commit -a holds .git/index.lock while its editor runs.
        ProcessBuilder pb = new ProcessBuilder("git", "commit", "-a", "-q").directory(repo.toFile());
        pb.environment().put("GIT_EDITOR", "sleep 600; true");
        Process git = pb.start();
        Path lock = repo.resolve(".git/index.lock");
        try {
            waitFor(() -> Files.exists(lock));
            ForeignVerdict live = judged(lock, ForeignLock.GIT, LockState.UNKNOWN);
            assertThat(live.verdict().reason()).contains("owner unknown");
            measured("git", "live", live, ForeignLocks.breakLock(live, false));
            // kill -9 git itself (before its editor, whose failure it would clean up after): its lock stays behind.
            List<ProcessHandle> editor = git.descendants().toList();
            git.destroyForcibly().waitFor();
            editor.forEach(ProcessHandle::destroyForcibly);
            assertThat(lock).exists();
            ForeignVerdict dead = judged(lock, ForeignLock.GIT, LockState.UNKNOWN);
            assertThat(ForeignLocks.breakLock(dead, false).outcome()).isEqualTo(BreakResult.Outcome.REFUSED_NOT_STALE);
            BreakResult forced = ForeignLocks.breakLock(dead, true);
            assertThat(forced.outcome()).isEqualTo(BreakResult.Outcome.BROKEN);
            assertThat(lock).doesNotExist();
            measured("git", "dead (forced break)", dead, forced);
        } finally {
            git.descendants().forEach(ProcessHandle::destroyForcibly);
            git.destroyForcibly().waitFor();
        }
    }

    // ---- py-filelock -----------------------------------------------------------------------------------------

    @Test
    void pyFilelockKernelLockIsHeldWhileHeldAndFreeOnceItsHolderDied() throws Exception {
        Path lock = dir.resolve("k.lock");
        try (RealTools.Holder h = RealTools.python(RealTools.FILELOCK_HOLDER, lock.toString(), "FileLock", "hold")) {
            ForeignVerdict v = judged(lock, ForeignLock.PY_FILELOCK, LockState.HELD);
            assertThat(v.verdict().reason()).contains("kernel lock").contains("pid " + h.pid());
            measured("py-filelock FileLock (Debian 3.9, flock)", "live", v, ForeignLocks.breakLock(v, false));
        }
        RealTools.Holder dead = RealTools.python(RealTools.FILELOCK_HOLDER, lock.toString(), "FileLock", "exit");
        assertThat(dead.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        ForeignVerdict free = judged(lock, ForeignLock.PY_FILELOCK, LockState.FREE);
        assertThat(free.verdict().reason()).startsWith("free");
        measured("py-filelock FileLock (Debian 3.9, flock)", "dead", free, null);
    }

    @Test
    void pyFilelockEmptySoftFileLockHeldOpenIsHeldNotFree() throws Exception {
        Path lock = dir.resolve("s.lock");
        try (RealTools.Holder h = RealTools.python(RealTools.FILELOCK_HOLDER, lock.toString(), "SoftFileLock", "hold")) {
            ForeignVerdict v = judged(lock, ForeignLock.PY_FILELOCK, LockState.HELD);
            assertThat(v.verdict().reason()).contains("pid " + h.pid() + " has it open");
            measured("py-filelock SoftFileLock (Debian 3.9, empty)", "live", v, ForeignLocks.breakLock(v, false));
        }
    }

    /**
     * py-filelock 3.10 and later write {@code <pid>\n<host>\n[<start>\n]} (protocol 1) or a {@code filelock/2}
     * marker. This machine reaches no PyPI and Debian ships 3.9, so these markers are written here by hand, byte
     * for byte as tox-dev/filelock's {@code _soft.py} (protocol 1) and {@code _marker.py} (protocol 2) write them.
     */
    @Test
    void pyFilelockSoftMarkersWrittenByHandAreJudgedByPidHostAndStartTick() throws Exception {
        String host = HostIdentity.current().hostName();
        Path live = dir.resolve("live.lock");
        Files.writeString(live, ProcessHandle.current().pid() + "\n" + host + "\n");
        ForeignVerdict lv = judged(live, ForeignLock.PY_FILELOCK, LockState.HELD);
        measured("py-filelock SoftFileLock (protocol 1, by hand)", "live", lv, ForeignLocks.breakLock(lv, false));

        Path dead = dir.resolve("dead.lock");
        Files.writeString(dead, RealTools.deadPid() + "\n" + host + "\n");
        ForeignVerdict dv = judged(dead, ForeignLock.PY_FILELOCK, LockState.DEAD);
        BreakResult r = ForeignLocks.breakLock(dv, false);
        assertThat(r.outcome()).isEqualTo(BreakResult.Outcome.BROKEN);
        assertThat(dead).doesNotExist();
        measured("py-filelock SoftFileLock (protocol 1, by hand)", "dead", dv, r);

        Path recycled = dir.resolve("recycled.lock");
        Files.writeString(recycled, "filelock/2\npid=" + ProcessHandle.current().pid() + "\nhost=" + host
                + "\nmode=exclusive\nstart=1\n");
        ForeignVerdict rv = judged(recycled, ForeignLock.PY_FILELOCK, LockState.DEAD);
        assertThat(rv.verdict().reason()).contains("newer process");
        measured("py-filelock marker (protocol 2, by hand)", "pid recycled", rv, ForeignLocks.breakLock(rv, false));

        Path elsewhere = dir.resolve("elsewhere.lock");
        Files.writeString(elsewhere, RealTools.deadPid() + "\nsome-other-host\n");
        ForeignVerdict ev = judged(elsewhere, ForeignLock.PY_FILELOCK, LockState.HELD);
        assertThat(ev.verdict().reason()).contains("is not this host");
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    /** Judges {@code lock} both ways the surfaces do (scanner for ls and the inspector, by path for status). */
    private ForeignVerdict judged(Path lock, String format, LockState expected) throws Exception {
        Optional<ForeignVerdict> v = ForeignLocks.inspect(lock);
        assertThat(v).as("a foreign lock at " + lock).isPresent();
        assertThat(v.get().foreign().format()).isEqualTo(format);
        assertThat(v.get().verdict().state()).as(v.get().verdict().reason()).isEqualTo(expected);
        ScanEntry e = new DirectoryScanner(lock.getParent()).refresh().entries().stream()
                .filter(x -> x.name().equals(lock.getFileName().toString())).findFirst().orElseThrow();
        assertThat(e.kind()).isEqualTo(EntryKind.FOREIGN_LOCK);
        assertThat(e.foreign().format()).isEqualTo(format);
        assertThat(e.state().name()).as(e.reason()).isEqualTo(expected.name());
        assertThat(e.verdict()).isNotNull();
        return v.get();
    }

    private ForeignVerdict waitForState(Path lock, LockState state) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            ForeignVerdict v = ForeignLocks.inspect(lock).orElseThrow();
            if (v.verdict().state() == state) {
                return v;
            }
            assertThat(System.nanoTime()).as("waiting for " + state + ": " + v.verdict().reason()).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!c.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met in 30 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static void backdate(Path lock, Duration by) throws Exception {
        // A local filesystem: the server's clock is this host's, so an explicit time is server time here.
        Files.setLastModifiedTime(lock, FileTime.fromMillis(System.currentTimeMillis() - by.toMillis()));
    }

    private List<String> names() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(LockFile.AUDIT_DIR)).toList();
        }
    }

    private static void measured(String tool, String what, ForeignVerdict v, BreakResult r) {
        System.out.println("MEASURED | " + tool + " | " + what + " | " + v.verdict().state() + " | "
                + (r == null ? "-" : r.outcome()) + " | " + v.verdict().reason());
    }
}
