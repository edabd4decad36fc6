package dev.lockscope.lock;

import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.TestJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The attacks of issue 10 items 1, 2, 3, 5, 7, 8 and 9 (audit), each as it was reproduced: hostile files built in a
 * temp directory, the real CLI as a child process where an operator would run it.
 */
@MultiProcess
class HostileLockDirectoryTest {

    @TempDir
    Path base;

    /** The directory an attacker shares with us, inside {@link #base}; everything else in base is "outside". */
    Path dir;

    private Path lockDir() throws IOException {
        if (dir == null) {
            dir = Files.createDirectory(base.resolve("shared"));
        }
        return dir;
    }

    /**
     * Issue 10 item 1: a record of this host with a dead pid and a token that walks out of the directory, plus the
     * directory that makes the claim path built from it resolve. Returns the file the old code deleted.
     */
    private Path plantPathTraversal(String victimName, String token) throws Exception {
        Path d = lockDir();
        HostIdentity me = HostIdentity.current();
        long dead = TestLocks.deadPid();
        LockOwner o = new LockOwner(LockOwner.FORMAT, me.hostName(), me.hostId(), me.bootId(), me.pidNamespace(),
                "mallory", dead, 1L, token, 30_000, System.currentTimeMillis(), null);
        Files.write(d.resolve("job.lock"), o.toBytes());
        // LockFile.claimPath(host, pid, token) was DIR/.job.lock.<host>.<pid>.<token>: with this directory there,
        // ".job.lock.<host>.<pid>./../../victim" is DIR/../victim to the OS.
        Files.createDirectory(d.resolve(".job.lock." + LockFile.safe(me.hostName()) + "." + dead + "."));
        return d.resolve(victimName);
    }

    @Test
    void breakYesNeverDeletesAFileNamedByATokenOutsideTheDirectory() throws Exception {
        Path victim = Files.writeString(base.resolve("victim"), "precious");
        plantPathTraversal("unused", "/../../victim");
        TestJvm.Result r = TestJvm.runCli(List.of("break", "--yes", lockDir().resolve("job.lock").toString()),
                Map.of(), null, 120);
        assertThat(victim).as(r.stdout() + r.stderr()).exists().hasContent("precious");
        assertThat(r.stdout() + r.stderr()).contains("token");
        // Reported, never acted on: the lock is still there for an operator to look at.
        assertThat(lockDir().resolve("job.lock")).exists();
    }

    @Test
    void breakYesNeverDeletesTheRecordFileThroughAToken() throws Exception {
        Path records = Files.writeString(lockDir().resolve("records.json"), "{}");
        plantPathTraversal("unused", "/../records.json");
        TestJvm.Result r = TestJvm.runCli(List.of("break", "--yes", "--force", lockDir().resolve("job.lock").toString()),
                Map.of(), null, 120);
        assertThat(records).as(r.stdout() + r.stderr()).exists().hasContent("{}");
    }

    @Test
    void aWaiterInRunNeverDeletesAFileNamedByAToken() throws Exception {
        Path victim = Files.writeString(base.resolve("victim"), "precious");
        plantPathTraversal("unused", "/../../victim");
        TestJvm.Result r = TestJvm.runCli(List.of("run", "--timeout", "1500ms",
                lockDir().resolve("job.lock").toString(), "--", "true"), Map.of(), null, 120);
        assertThat(victim).as(r.stdout() + r.stderr()).exists().hasContent("precious");
        assertThat(r.exitCode()).as(r.stderr()).isNotZero();
    }

    @Test
    void aBreakFindsTheOwnersClaimByListingAndLeavesLookAlikesAlone() throws Exception {
        LockFile file = LockFile.of(lockDir(), "job.lock");
        LockOwner dead = TestLocks.writeDeadLock(file);
        Path claim = file.claimPath(dead.host(), dead.pid(), dead.token());
        // A look-alike of another token, and a symlink named as another claim of the owner's pid: neither is ours.
        Path outside = Files.writeString(base.resolve("outside"), "keep");
        Path otherToken = file.claimPath(dead.host(), dead.pid(), Tokens.next());
        Files.writeString(otherToken, "someone else's");
        Path link = file.claimPath(dead.host(), dead.pid() + 1, dead.token());
        Files.createSymbolicLink(link, outside);

        BreakResult r = LinkLock.of(file, LockOptions.defaults()).breakLock(LinkLock.of(file, LockOptions.defaults())
                .inspect(), false);
        assertThat(r.broken()).as(r.message()).isTrue();
        assertThat(claim).doesNotExist();
        assertThat(otherToken).exists();
        assertThat(link).isSymbolicLink();
        assertThat(outside).hasContent("keep");
    }

    @Test
    void aHeartbeatNeverWritesThroughAClaimSwappedForASymlinkAndTheHolderLosesTheLock() throws Exception {
        Path victim = Files.writeString(base.resolve("victim"), "precious");
        LinkLock lock = LinkLock.at(lockDir().resolve("job.lock"), LockOptions.defaults().withLease(Duration.ofMillis(900)));
        LockHandle h = lock.acquire(Duration.ofSeconds(5));
        CountDownLatch lost = new CountDownLatch(1);
        h.onLost(x -> lost.countDown());
        Path claim = h.claimPath();
        Path aside = lockDir().resolve("aside");
        Files.move(claim, aside);
        Files.createSymbolicLink(claim, victim);

        assertThat(lost.await(10, TimeUnit.SECONDS)).as("the holder hears of the loss").isTrue();
        assertThat(h.state()).isEqualTo(LockHandle.State.LOST);
        assertThat(h.lossReason()).contains("symbolic link");
        assertThat(victim).hasContent("precious");
        assertThatThrownBy(h::ensureHeld).isInstanceOf(LockLostException.class);
        assertThatThrownBy(h::release).isInstanceOf(LockLostException.class);
        assertThat(victim).hasContent("precious");
    }

    @Test
    void aClaimRemovedBeforeTheFirstCheckIsALossNotAFilesystemThatHidesLinks() throws Exception {
        LinkLock lock = LinkLock.at(lockDir().resolve("job.lock"), LockOptions.defaults().withHeartbeat(false));
        LockHandle h = lock.acquire(Duration.ofSeconds(5));
        Files.delete(h.claimPath());
        assertThatThrownBy(h::ensureHeld).isInstanceOf(LockLostException.class).hasMessageContaining("claim");
        assertThat(h.state()).isEqualTo(LockHandle.State.LOST);
    }

    @Test
    void aClaimReplacedByASymlinkBeforeTheFirstCheckIsALoss() throws Exception {
        Path victim = Files.writeString(base.resolve("victim"), "precious");
        LinkLock lock = LinkLock.at(lockDir().resolve("job.lock"), LockOptions.defaults().withHeartbeat(false));
        LockHandle h = lock.acquire(Duration.ofSeconds(5));
        Files.move(h.claimPath(), lockDir().resolve("aside"));
        Files.createSymbolicLink(h.claimPath(), victim);
        assertThatThrownBy(h::ensureHeld).isInstanceOf(LockLostException.class).hasMessageContaining("symbolic link");
        assertThatThrownBy(h::renew).isInstanceOf(LockLostException.class);
        assertThat(victim).hasContent("precious");
    }

    @Test
    void aWaitersClaimSwappedForASymlinkIsNeverWrittenThrough() throws Exception {
        Path victim = Files.writeString(base.resolve("victim"), "precious");
        LockFile file = LockFile.of(lockDir(), "job.lock");
        LockOptions opts = LockOptions.defaults().withLease(Duration.ofMillis(400));
        LockHandle holder = LinkLock.of(file, opts).acquire(Duration.ofSeconds(5));
        try {
            Thread swapper = new Thread(() -> {
                // Swap every waiting claim (not the holder's) for a symlink to the victim, for a while.
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                while (System.nanoTime() < end) {
                    try (Stream<Path> s = Files.list(file.directory())) {
                        for (Path p : s.toList()) {
                            if (ClaimName.parse(p.getFileName().toString()) != null && !p.equals(holder.claimPath())
                                    && !Files.isSymbolicLink(p)) {
                                Files.move(p, p.resolveSibling("moved-" + p.getFileName()));
                                Files.createSymbolicLink(p, victim);
                            }
                        }
                    } catch (IOException ignored) {
                        // raced with the waiter: try again
                    }
                }
            });
            swapper.start();
            try {
                LinkLock.of(file, opts).acquire(Duration.ofMillis(2500)).release();
            } catch (IOException expected) {
                // timed out or refused: either way nothing may have been written through the link
            }
            swapper.join();
        } finally {
            holder.release();
        }
        assertThat(victim).hasContent("precious");
    }

    @Test
    void aSymlinkedAuditDirectoryIsRefusedAndNeverWrittenThrough() throws Exception {
        Path elsewhere = Files.createDirectory(base.resolve("elsewhere"));
        LockFile file = LockFile.of(lockDir(), "job.lock");
        Files.createSymbolicLink(file.auditDirectory(), elsewhere);
        TestLocks.writeDeadLock(file);
        LinkLock lock = LinkLock.of(file, LockOptions.defaults());
        BreakResult r = lock.breakLock(lock.inspect(), false);
        assertThat(r.broken()).as(r.message()).isTrue();
        assertThat(r.auditFile()).isNull();
        assertThat(r.message()).contains("audit record not written").contains("symbolic link");
        try (Stream<Path> s = Files.list(elsewhere)) {
            assertThat(s.toList()).isEmpty();
        }
    }

    @Test
    void aBreakThatFindsNothingToBreakWritesNoAuditFile() throws Exception {
        LockFile file = LockFile.of(lockDir(), "job.lock");
        TestLocks.writeDeadLock(file);
        LinkLock lock = LinkLock.of(file, LockOptions.defaults());
        Verdict v = lock.inspect();
        Files.delete(file.path());
        BreakResult r = lock.breakLock(v, false);
        assertThat(r.outcome()).isEqualTo(BreakResult.Outcome.NOTHING_TO_BREAK);
        assertThat(file.auditDirectory()).doesNotExist();
    }

    /** Breaks a DEAD lock and SIGKILLs itself right after the rename, before the audit could be completed. */
    public static final class BreakAndDieAfterRename {
        public static void main(String[] args) throws Exception {
            LockFile file = LockFile.at(Path.of(args[0]));
            Runnable dieAfterRename = () -> {
                try {
                    new ProcessBuilder("kill", "-KILL", Long.toString(ProcessHandle.current().pid())).start().waitFor();
                    Thread.sleep(60_000);
                } catch (Exception e) {
                    Runtime.getRuntime().halt(99);
                }
            };
            LinkLock lock = LinkLock.of(file, LockOptions.defaults());
            LockBreaker.breakLock(file, lock.inspect(), false, Duration.ofSeconds(10), LockBreaker.Leftovers.NONE,
                    new LockBreaker.Hooks(LockBreaker.Hooks.NONE.beforeRename(), dieAfterRename));
            System.exit(3); // not reached: the break is never refused here
        }
    }

    @Test
    void aBreakerKilledBetweenTheRenameAndTheAuditLeavesARecordOfItsIntent() throws Exception {
        LockFile file = LockFile.of(lockDir(), "job.lock");
        TestLocks.writeDeadLock(file);
        Process p = TestJvm.builder(BreakAndDieAfterRename.class, List.of(file.path().toString()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isEqualTo(137);
        assertThat(file.path()).as("the lock was renamed away before the kill").doesNotExist();
        try (Stream<Path> s = Files.list(file.auditDirectory())) {
            List<Path> records = s.filter(x -> x.getFileName().toString().endsWith(".json")).toList();
            assertThat(records).hasSize(1);
            String record = Files.readString(records.get(0));
            assertThat(record).contains("\"outcome\" : \"BREAKING\"").contains(".broken.");
        }
    }

    @Test
    void aZombieHolderCountsAsDead() throws Exception {
        // sh forks a short sleep, then becomes a long sleep that never reaps it: the short one stays a zombie.
        Process parent = new ProcessBuilder("sh", "-c", "sleep 0.2 & exec sleep 30").start();
        try {
            long zombie = waitForValue(() -> parent.toHandle().children().findFirst().map(ProcessHandle::pid)
                    .filter(pid -> ProcessTable.readState(pid) == 'Z').orElse(-1L));
            assertThat(ProcessHandle.of(zombie).map(ProcessHandle::isAlive)).as("the JDK calls a zombie alive")
                    .contains(true);
            assertThat(ProcessTable.SYSTEM.liveness(zombie)).isEqualTo(ProcessTable.Liveness.GONE);
        } finally {
            parent.destroyForcibly();
            parent.waitFor();
        }
    }

    @Test
    void aLexicalDotDotIsResolvedAsTheOsResolvesIt() throws Exception {
        // link -> real/sub: the OS takes link/.. to real, a lexical normalize to the directory of link.
        Path real = Files.createDirectories(lockDir().resolve("real").resolve("sub"));
        Path link = Files.createSymbolicLink(lockDir().resolve("link"), real);
        Path named = link.resolve("..").resolve("x.lock");
        assertThat(LockFile.at(named).path()).isEqualTo(lockDir().toRealPath().resolve("real").resolve("x.lock"));
        TestJvm.Result r = TestJvm.runCli(List.of("run", named.toString(), "--", "sh", "-c",
                "test -f '" + lockDir().resolve("real").resolve("x.lock") + "'"), Map.of(), null, 120);
        assertThat(r.exitCode()).as("the lock CMD saw is where the OS puts link/../x.lock: " + r.stderr()).isZero();
        assertThat(lockDir().resolve("x.lock")).doesNotExist();
    }

    @Test
    void aLeaseOverTheMaximumIsRefusedForOurOwnLocks() {
        assertThatThrownBy(() -> LockOptions.defaults().withLease(Duration.ofHours(25)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("24 h");
    }

    @Test
    void aFutureMtimeIsSuspiciousAndNoNegativeAge() throws Exception {
        LockFile file = LockFile.of(lockDir(), "job.lock");
        TestLocks.writeForeignHostLock(file, Duration.ofSeconds(30), Duration.ZERO);
        Files.setLastModifiedTime(file.path(), FileTime.fromMillis(System.currentTimeMillis() + 1_000_000_000L));
        Verdict v = LinkLock.of(file, LockOptions.defaults()).inspect();
        assertThat(v.state()).isEqualTo(LockState.HELD);
        assertThat(v.reason()).contains("SUSPICIOUS").contains("future");
        assertThat(v.heartbeatAgeMillis()).isEqualTo(-1);
    }

    @Test
    void aHugeLeaseInARecordIsJudgedAsTheMaximum() throws Exception {
        LockFile file = LockFile.of(lockDir(), "job.lock");
        LockOwner o = new LockOwner(LockOwner.FORMAT, "otherhost", "machine-elsewhere", "boot-elsewhere", null,
                "remote", 777, 1L, Tokens.next(), Long.MAX_VALUE, 0, null);
        TestLocks.writeLinked(file, o);
        Files.setLastModifiedTime(file.path(), FileTime.fromMillis(System.currentTimeMillis()
                - LockOwner.MAX_LEASE_MILLIS - 60_000));
        Verdict v = LinkLock.of(file, LockOptions.defaults()).inspect();
        assertThat(v.state()).as(v.reason()).isEqualTo(LockState.EXPIRED);
        assertThat(v.reason()).contains("maximum");
    }

    /** The first positive value {@code value} gives within 20 s. */
    private static long waitForValue(java.util.function.LongSupplier value) {
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(value::getAsLong, v -> v > 0);
    }
}
