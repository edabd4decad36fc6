package dev.lockscope.lock;

import dev.lockscope.testing.ManualLockClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class LinkLockTest {

    @TempDir
    Path dir;

    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    LinkLock lock(String name, LockOptions o) {
        return LinkLock.of(LockFile.of(dir, name), o);
    }

    @Test
    void acquireWritesOwnerAndReleaseRemovesLockAndClaim() throws IOException {
        LinkLock l = lock("r.lock", LockOptions.defaults().withPurpose("test"));
        String claim;
        try (LockHandle h = l.acquire(Duration.ofSeconds(5))) {
            claim = h.claimPath().getFileName().toString();
            LockSnapshot s = LockSnapshot.read(dir.resolve("r.lock")).orElseThrow();
            assertThat(s.owner().token()).isEqualTo(h.token());
            assertThat(s.owner().pid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(s.owner().purpose()).isEqualTo("test");
            assertThat(s.facts().nlink()).isEqualTo(2);
            assertThat(h.truthfulLinks()).isTrue();
            assertThat(names(dir)).containsExactlyInAnyOrder("r.lock", h.claimPath().getFileName().toString());
            assertThat(l.inspect().state()).isEqualTo(LockState.HELD);
        }
        // The lock is gone at once; on a local filesystem the claim stays a moment for a quick retake
        // (KeptClaims), with one link, and goes by itself.
        assertThat(l.inspect().state()).isEqualTo(LockState.FREE);
        assertThat(names(dir)).isSubsetOf(claim);
        await().atMost(Duration.ofSeconds(5)).until(() -> names(dir).isEmpty());
    }

    static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void secondAcquirerTimesOutNamingTheHolderAndLeavesNoClaim() throws IOException {
        LinkLock l = lock("r.lock", LockOptions.defaults());
        try (LockHandle h = l.acquire(Duration.ofSeconds(5))) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> l.acquire(Duration.ofMillis(300)))
                    .isInstanceOf(LockTimeoutException.class)
                    .hasMessageContaining(dir.resolve("r.lock").toString())
                    .hasMessageContaining("pid " + ProcessHandle.current().pid())
                    .hasMessageContaining(HostIdentity.current().hostName())
                    .hasMessageContaining("age");
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
            assertThat(l.tryAcquire()).isEmpty();
            assertThat(names(dir)).hasSize(2);
        }
    }

    @Test
    void waiterGetsTheLockWhenTheHolderReleases() throws Exception {
        LinkLock l = lock("r.lock", LockOptions.defaults());
        LockHandle first = l.acquire(Duration.ofSeconds(5));
        AtomicReference<LockHandle> second = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            started.countDown();
            try {
                second.set(l.acquire(Duration.ofSeconds(10)));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        t.start();
        started.await();
        // Release only once the waiter has made its claim and found the lock held (it is then waiting to try
        // again): a release before its first try would let this pass without anyone having waited.
        await().atMost(Duration.ofSeconds(10)).until(() -> names(dir).size() == 3
                && t.getState() == Thread.State.TIMED_WAITING);
        assertThat(second.get()).isNull();
        first.release();
        t.join(10_000);
        assertThat(second.get()).isNotNull();
        assertThat(second.get().token()).isNotEqualTo(first.token());
        second.get().release();
    }

    @Test
    void lostLinkReplyIsRecognisedByTokenReadBack() throws IOException {
        // A retransmitted LINK whose first reply was lost: the lock already carries our token and link() says EEXIST.
        LockFile f = LockFile.of(dir, "r.lock");
        LockOwner mine = LockOwner.forCurrentProcess(Tokens.next(), 30_000, null);
        Files.write(f.path(), mine.toBytes());
        LockHandle h = LinkLock.of(f, LockOptions.defaults()).acquire(Duration.ofMillis(200), mine.token());
        assertThat(h.state()).isEqualTo(LockHandle.State.HELD);
        assertThat(h.token()).isEqualTo(mine.token());
        h.release();
        assertThat(Files.exists(f.path())).isFalse();
    }

    @Test
    void someoneElsesTokenIsNotMistakenForOurs() throws IOException {
        LockFile f = LockFile.of(dir, "r.lock");
        LockOwner other = new LockOwner(null, "x", "machine-elsewhere", null, null, "u", 1, null,
                Tokens.next(), 30_000, 0, null);
        Files.write(f.path(), other.toBytes());
        assertThatThrownBy(() -> LinkLock.of(f, LockOptions.defaults()).acquire(Duration.ofMillis(100), Tokens.next()))
                .isInstanceOf(LockTimeoutException.class);
    }

    @Test
    void deadOwnerOnThisHostIsBrokenByAWaiter() throws Exception {
        LockFile f = LockFile.of(dir, "r.lock");
        LockOwner ghost = TestLocks.writeDeadLock(f);
        LinkLock l = LinkLock.of(f, LockOptions.defaults());
        Verdict v = l.inspect();
        assertThat(v.state()).isEqualTo(LockState.DEAD);
        assertThat(v.ownerAlive()).isFalse();
        try (LockHandle h = l.acquire(Duration.ofSeconds(5))) {
            assertThat(h.token()).isNotEqualTo(ghost.token());
        }
        // The ghost's claim went with its lock; one audit record was written.
        LinkLock.dropKeptClaims();
        assertThat(names(dir)).containsExactly(LockFile.AUDIT_DIR);
        assertThat(names(dir.resolve(LockFile.AUDIT_DIR))).hasSize(1);
    }

    /**
     * ext4 hands a freed inode number to the next file, records are one size and mtimes are coarse, so a new
     * holder can show exactly the attributes of the one a waiter read last. The waiter must not judge (and try
     * to break) the old holder on that alone when the old holder's process dies.
     */
    @Test
    void aWaiterDoesNotJudgeAGoneHolderWhoseAttributesANewHolderHappensToShow() throws Exception {
        LockFile f = LockFile.of(dir, "r.lock");
        HostIdentity me = HostIdentity.current();
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            LockOwner first = new LockOwner(LockOwner.FORMAT, me.hostName(), me.hostId(), me.bootId(), me.pidNamespace(),
                    "first", sleeper.pid(), null, Tokens.next(), 30_000, System.currentTimeMillis(), "first holder");
            Path lock = TestLocks.writeLinked(f, first);
            FileFacts before = FileFacts.lstat(lock);
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread waiter = new Thread(() -> {
                try {
                    LinkLock.of(f, LockOptions.defaults()).acquire(Duration.ofMillis(3500)).release();
                    outcome.set(new AssertionError("acquired a lock that was held all along"));
                } catch (Throwable t) {
                    outcome.set(t);
                }
            });
            waiter.start();
            sleepMillis(600);
            // The second holder: same inode, same size, same mtime; only the content says who it is.
            LockOwner second = LockOwner.forCurrentProcess(Tokens.next(), 30_000, "second holder");
            try (var ch = java.nio.channels.FileChannel.open(lock, java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(second.toBytes()), 0);
            }
            Files.setLastModifiedTime(lock, java.nio.file.attribute.FileTime.fromMillis(before.mtimeMillis()));
            assertThat(FileFacts.lstat(lock)).isEqualTo(before);
            sleeper.destroyForcibly().waitFor();
            waiter.join(10_000);
            assertThat(outcome.get()).isInstanceOf(LockTimeoutException.class)
                    .hasMessageContaining("pid " + ProcessHandle.current().pid())
                    .hasMessageContaining("[HELD");
            assertThat(LockSnapshot.read(lock).orElseThrow().token()).isEqualTo(second.token());
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void expiredLeaseOfAnotherHostIsBrokenButAFreshOneIsNot() throws Exception {
        LockFile f = LockFile.of(dir, "r.lock");
        TestLocks.writeForeignHostLock(f, Duration.ofSeconds(5), Duration.ofSeconds(2));
        LinkLock l = LinkLock.of(f, LockOptions.defaults());
        assertThat(l.inspect().state()).isEqualTo(LockState.HELD);
        assertThat(l.tryAcquire()).isEmpty();
        Files.setLastModifiedTime(f.path(), java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 6000));
        Verdict v = l.inspect();
        assertThat(v.state()).isEqualTo(LockState.EXPIRED);
        assertThat(v.heartbeatAgeMillis()).isBetween(5000L, 20_000L);
        try (LockHandle h = l.tryAcquire().orElseThrow()) {
            assertThat(h.state()).isEqualTo(LockHandle.State.HELD);
        }
    }

    @Test
    void aLockTakenAfterALongWaitIsFreshNotAsOldAsTheWait() throws Exception {
        LinkLock l = lock("r.lock", LockOptions.defaults().withLease(Duration.ofMillis(800)).withHeartbeat(false));
        LockHandle first = LinkLock.of(LockFile.of(dir, "r.lock"), LockOptions.defaults()).acquire(Duration.ofSeconds(1));
        Thread releaser = new Thread(() -> {
            try {
                Thread.sleep(2500);
                first.release();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        releaser.start();
        try (LockHandle second = l.acquire(Duration.ofSeconds(10))) {
            long age = System.currentTimeMillis() - FileFacts.lstat(second.lockPath()).mtimeMillis();
            // Its claim was written 2.5 s ago; the lock must not look that old, or it would be judged expired.
            assertThat(age).isLessThan(600);
            assertThat(l.inspect().state()).isEqualTo(LockState.HELD);
        }
        releaser.join();
    }

    @Test
    void heartbeatRenewsByWritingSoMtimeAdvances() throws Exception {
        ManualLockClock clock = new ManualLockClock();
        Duration lease = Duration.ofMillis(600);
        LinkLock l = lock("r.lock", LockOptions.defaults().withLease(lease)
                .withRuntime(LockRuntime.create(clock, true)));
        try (LockHandle h = l.acquire(Duration.ofSeconds(5))) {
            long m0 = FileFacts.lstat(h.lockPath()).mtimeMillis();
            // A beat is due a third of a lease later on the runtime's clock; the server stamps its own time, which
            // moves by itself. Each look lets another period pass, until a renewal has written a later mtime.
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                clock.advance(lease.dividedBy(3));
                return FileFacts.lstat(h.lockPath()).mtimeMillis() > m0;
            });
            long m1 = FileFacts.lstat(h.lockPath()).mtimeMillis();
            assertThat(m1).isGreaterThan(m0);
            assertThat(l.inspect().state()).isEqualTo(LockState.HELD);
            h.ensureHeld();
        }
    }

    @Test
    void holderLearnsOfABreakThroughStateCallbackAndRelease() throws Exception {
        LinkLock l = lock("r.lock", LockOptions.defaults().withLease(Duration.ofMillis(900)));
        LockHandle h = l.acquire(Duration.ofSeconds(5));
        CountDownLatch told = new CountDownLatch(1);
        h.onLost(x -> told.countDown());
        BreakResult r = l.breakLock(l.inspect(), true);
        assertThat(r.outcome()).isEqualTo(BreakResult.Outcome.BROKEN);
        assertThat(told.await(5, TimeUnit.SECONDS)).as("loss callback").isTrue();
        assertThat(h.state()).isEqualTo(LockHandle.State.LOST);
        assertThat(h.lossReason()).contains("r.lock");
        assertThatThrownBy(h::ensureHeld).isInstanceOf(LockLostException.class);
        assertThatThrownBy(h::release).isInstanceOf(LockLostException.class);
    }

    @Test
    void releaseOfALockSomeoneElseNowHoldsNamesThemAndLeavesTheirLock() throws Exception {
        LinkLock l = lock("r.lock", LockOptions.defaults().withHeartbeat(false));
        LockHandle h = l.acquire(Duration.ofSeconds(5));
        l.breakLock(l.inspect(), true);
        LockHandle other = l.acquire(Duration.ofSeconds(5));
        assertThatThrownBy(h::ensureHeld).isInstanceOf(LockLostException.class)
                .hasMessageContaining("now held by");
        assertThatThrownBy(h::release).isInstanceOf(LockLostException.class);
        assertThat(LockSnapshot.read(l.file().path()).orElseThrow().token()).isEqualTo(other.token());
        other.release();
    }

    @Test
    void invalidNamesAreRejectedWithTheName() {
        for (String bad : List.of("a/b", "..", ".", "x..y", "")) {
            assertThatThrownBy(() -> LockFile.of(dir, bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("lock name");
        }
    }

    @Test
    void missingDirectoryIsAClearErrorNamingIt() {
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> LinkLock.at(missing.resolve("r.lock"), LockOptions.defaults()).acquire(Duration.ofSeconds(1)))
                .isInstanceOf(LockException.class).hasMessageContaining(missing.toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void fileInPlaceOfTheDirectoryIsAClearError() throws IOException {
        Path file = Files.writeString(dir.resolve("plain"), "x");
        assertThatThrownBy(() -> LinkLock.at(file.resolve("r.lock"), LockOptions.defaults()).acquire(Duration.ofSeconds(1)))
                .isInstanceOf(LockException.class).hasMessageContaining(file.toString());
    }

    @Test
    void symlinkedLockIsNeverFollowedAndIsUnknown() throws IOException {
        Path target = Files.writeString(dir.resolve("target"), "secret");
        Files.createSymbolicLink(dir.resolve("r.lock"), target);
        Verdict v = lock("r.lock", LockOptions.defaults()).inspect();
        assertThat(v.state()).isEqualTo(LockState.UNKNOWN);
        assertThat(v.reason()).contains("symbolic link");
        assertThat(new String(v.identity().content())).doesNotContain("secret");
    }

    @Test
    void garbageLockIsUnknownAndNotBrokenByWaiters() throws IOException {
        Files.writeString(dir.resolve("r.lock"), "12345\n");
        LinkLock l = lock("r.lock", LockOptions.defaults());
        assertThat(l.inspect().state()).isEqualTo(LockState.UNKNOWN);
        assertThatThrownBy(() -> l.acquire(Duration.ofMillis(200))).isInstanceOf(LockTimeoutException.class)
                .hasMessageContaining("UNKNOWN");
        assertThat(Files.readString(dir.resolve("r.lock"))).isEqualTo("12345\n");
    }
}
