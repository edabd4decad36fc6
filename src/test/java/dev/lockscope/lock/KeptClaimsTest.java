package dev.lockscope.lock;

import dev.lockscope.testing.Testbed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.lockscope.lock.LinkLockTest.names;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** A released claim kept for the next acquisition of the same lock (KeptClaims): when, and when not. */
class KeptClaimsTest {

    @TempDir
    Path dir;

    @org.junit.jupiter.api.BeforeEach
    @AfterEach
    void dropKept() {
        LinkLock.dropKeptClaims();
    }

    @Test
    void theNextAcquisitionRelinksTheKeptClaimWithANewRecordAndAFreshMtime() throws Exception {
        LinkLock l = LinkLock.of(LockFile.of(dir, "r.lock"), LockOptions.defaults());
        LockHandle first = l.acquire(Duration.ofSeconds(5));
        LockSnapshot firstLock = LockSnapshot.read(dir.resolve("r.lock")).orElseThrow();
        Path claim = first.claimPath();
        first.release();

        FileFacts kept = FileFacts.lstat(claim);
        assertThat(kept.nlink()).isEqualTo(1);
        assertThat(Files.exists(dir.resolve("r.lock"))).isFalse();
        awaitWallClockPast(firstLock.owner().acquiredAt());

        try (LockHandle second = l.acquire(Duration.ofSeconds(5))) {
            assertThat(second.claimPath()).isEqualTo(claim);
            assertThat(second.token()).isEqualTo(first.token());
            LockSnapshot secondLock = LockSnapshot.read(dir.resolve("r.lock")).orElseThrow();
            assertThat(secondLock.facts().inode()).isEqualTo(firstLock.facts().inode());
            assertThat(secondLock.facts().nlink()).isEqualTo(2);
            // What tells the acquisitions apart for breakers and waiters: the record and the mtime.
            assertThat(secondLock.owner().acquiredAt()).isGreaterThan(firstLock.owner().acquiredAt());
            assertThat(secondLock.identity().sameContent(firstLock.identity())).isFalse();
            assertThat(secondLock.facts().mtimeMillis()).isGreaterThanOrEqualTo(firstLock.facts().mtimeMillis());
            assertThat(secondLock.identity().content()).hasSize(LockOwner.RECORD_SIZE);
            byte[] c = secondLock.identity().content();
            assertThat(LockOwner.parse(c, c.length)).isEqualTo(second.owner());
            assertThat(l.inspect().state()).isEqualTo(LockState.HELD);
            second.ensureHeld();
        }
    }

    @Test
    void aProcessTakingManyLocksKeepsABoundedNumberOfClaims() throws Exception {
        for (int i = 0; i < 3 * KeptClaims.MAX_KEPT; i++) {
            LinkLock.of(LockFile.of(dir, "r" + i + ".lock"), LockOptions.defaults()).acquire(Duration.ofSeconds(5)).release();
        }
        assertThat(LockRuntime.defaultRuntime().keptClaims().size()).isEqualTo(KeptClaims.MAX_KEPT);
        assertThat(names(dir)).hasSize(KeptClaims.MAX_KEPT).allMatch(n -> n.startsWith(".r"));
    }

    @Test
    void anUnusedClaimGoesWithinTwoSeconds() throws Exception {
        LinkLock l = LinkLock.of(LockFile.of(dir, "r.lock"), LockOptions.defaults());
        Path claim;
        try (LockHandle h = l.acquire(Duration.ofSeconds(5))) {
            claim = h.claimPath();
        }
        assertThat(Files.exists(claim)).isTrue();
        long t0 = System.nanoTime();
        await("the kept claim is swept").atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(20))
                .until(() -> !Files.exists(claim));
        long tookMillis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(tookMillis).isLessThan(2_500);
        assertThat(names(dir)).isEmpty();
    }

    @Test
    void aForcedBreakJudgedOnTheEarlierAcquisitionLeavesTheLaterOneAlone() throws Exception {
        LockFile f = LockFile.of(dir, "r.lock");
        LinkLock l = LinkLock.of(f, LockOptions.defaults());
        LockHandle first = l.acquire(Duration.ofSeconds(5));
        Verdict judgedFirst = l.inspect();
        first.release();
        awaitWallClockPast(judgedFirst.owner().acquiredAt());
        try (LockHandle second = l.acquire(Duration.ofSeconds(5))) {
            assertThat(second.claimPath()).isEqualTo(first.claimPath());
            BreakResult r = LinkLock.of(f, LockOptions.defaults()).breakLock(judgedFirst, true);
            assertThat(r.broken()).as(r.message()).isFalse();
            assertThat(r.message()).contains("changed since it was judged");
            second.ensureHeld();
            assertThat(second.state()).isEqualTo(LockHandle.State.HELD);
        }
    }

    @Test
    void aReleaseDuringShutdownKeepsNoClaimAndThrowsNothing() throws Exception {
        // Released from a shutdown hook, the claim used to be kept, and registering the hook that deletes
        // kept claims at exit threw "Shutdown in progress": the claim stayed behind as an orphan.
        Path lock = dir.resolve("r.lock");
        Process p = dev.lockscope.testing.TestJvm.builder(ReleaseAtExitWorker.class, List.of(lock.toString()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("RELEASED").doesNotContain("Exception");
        assertThat(names(dir)).isEmpty();
    }

    @Test
    void aLostLockDoesNotKeepItsClaim() throws Exception {
        LockFile f = LockFile.of(dir, "r.lock");
        LinkLock l = LinkLock.of(f, LockOptions.defaults());
        LockHandle h = l.acquire(Duration.ofSeconds(5));
        // Someone removed our lock and another host took it; our claim is still there, with one link.
        Files.delete(f.path());
        TestLocks.writeForeignHostLock(f, Duration.ofSeconds(30), Duration.ZERO);
        assertThat(FileFacts.lstat(h.claimPath()).nlink()).isEqualTo(1);
        assertThatThrownBy(h::release).isInstanceOf(LockLostException.class).hasMessageContaining("otherhost");
        assertThat(Files.exists(h.claimPath())).isFalse();
        Files.delete(f.path());
        try (LockHandle next = l.acquire(Duration.ofSeconds(5))) {
            assertThat(next.token()).isNotEqualTo(h.token());
        }
    }

    @Test
    void aClaimPinnedByABreakersWitnessIsNotKept() throws Exception {
        LockFile f = LockFile.of(dir, "r.lock");
        LinkLock l = LinkLock.of(f, LockOptions.defaults());
        LockHandle h = l.acquire(Duration.ofSeconds(5));
        // What a breaker does first: pin the lock's inode with a hard link of its own.
        Path witness = dir.resolve("r.lock.broken.1.w");
        Files.createLink(witness, f.path());
        h.release();
        assertThat(Files.exists(h.claimPath())).isFalse();
        Files.delete(witness);
        try (LockHandle next = l.acquire(Duration.ofSeconds(5))) {
            assertThat(next.token()).isNotEqualTo(h.token());
        }
    }

    @Test
    void aKeptClaimRemovedBySomeoneElseIsMadeAgain() throws Exception {
        LinkLock l = LinkLock.of(LockFile.of(dir, "r.lock"), LockOptions.defaults());
        LockHandle h = l.acquire(Duration.ofSeconds(5));
        h.release();
        long keptInode = FileFacts.lstat(h.claimPath()).inode();
        // An operator cleaning up "orphan" claims; a hard link keeps the old inode's number from being reused.
        Path elsewhere = dir.resolve("old-claim");
        Files.createLink(elsewhere, h.claimPath());
        Files.delete(h.claimPath());
        try (LockHandle next = l.acquire(Duration.ofSeconds(5))) {
            FileFacts claim = FileFacts.lstat(next.claimPath());
            FileFacts lock = FileFacts.lstat(dir.resolve("r.lock"));
            assertThat(claim.nlink()).isEqualTo(2);
            assertThat(lock.inode()).isEqualTo(claim.inode()).isNotEqualTo(keptInode);
            next.ensureHeld();
            assertThat(l.inspect().owner().token()).isEqualTo(next.token());
        }
        Files.delete(elsewhere);
    }

    @Test
    void breakGuardsAndDisabledKeepingUseAClaimPerAcquisition() throws Exception {
        LockFile f = LockFile.of(dir, "r.lock");
        try (LockHandle g = LinkLock.guardFor(f).acquire(Duration.ofSeconds(5))) {
            assertThat(g.lockPath()).isEqualTo(f.guard().path());
        }
        assertThat(names(dir)).isEmpty();
        LockRuntime keepingNone = LockRuntime.create(LockClock.SYSTEM, false);
        try (LockHandle h = LinkLock.of(f, LockOptions.defaults().withRuntime(keepingNone))
                .acquire(Duration.ofSeconds(5))) {
            assertThat(h.token()).isNotBlank();
        }
        assertThat(names(dir)).isEmpty();
    }

    @Test
    void onANetworkFilesystemEveryAcquisitionHasAClaimOfItsOwn() throws Exception {
        Testbed.MountPair m = Testbed.gluster().freshDir("kept");
        LinkLock l = LinkLock.of(LockFile.of(m.a(), "r.lock"), LockOptions.defaults());
        LockHandle first = l.acquire(Duration.ofSeconds(10));
        first.release();
        assertThat(Files.exists(first.claimPath())).isFalse();
        try (LockHandle second = l.acquire(Duration.ofSeconds(10))) {
            assertThat(second.token()).isNotEqualTo(first.token());
        }
        List<String> left = names(m.a());
        assertThat(left).isEmpty();
    }

    /**
     * Waits until this host's wall clock has passed {@code millis}: an acquisition after that records a later time,
     * which is what tells it apart from the earlier one.
     */
    private static void awaitWallClockPast(long millis) {
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
                .until(() -> System.currentTimeMillis() > millis);
    }
}
