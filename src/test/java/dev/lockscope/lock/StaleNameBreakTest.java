package dev.lockscope.lock;

import dev.lockscope.testing.MountKind;
import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.Testbed;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A client's name cache may still map the lock's name to a lock that another client already broke and
 * replaced. On a FUSE mount (gluster keeps names for a second, sshfs longer) open() does not revalidate the
 * name, and link(2) pins the inode the client resolved, not the one the server has under the name; so a
 * breaker on that client "pinned" the dead lock, renamed the live one (rename goes by name, on the server),
 * read back the dead one's bytes through the moved cache entry, and removed the live lock as BROKEN. It
 * happened in RecordChaosTest on gluster (2026-11-30): one dead lock broken twice, 63 ms apart, by breakers on
 * the two mounts, and the record file lost a committed update to the two holders that followed.
 */
@MultiProcess
class StaleNameBreakTest {

    @TempDir
    Path logs;

    @ParameterizedTest(name = "{0}")
    @EnumSource(MountKind.class)
    void aBreakerWhoseClientStillSeesTheDeadLockNeverRemovesTheLockThatReplacedIt(MountKind kind) throws Exception {
        Testbed.MountPair m = kind.freshDir("stale-name-break", logs);
        Path lockA = m.a().resolve("job.lock");
        Path lockB = m.b().resolve("job.lock");
        StringBuilder deadToken = new StringBuilder();
        Process holder = MultiProcessLockTest.startHolder(lockA, 30_000, Map.of(), logs, "holder", deadToken);
        holder.destroyForcibly();
        assertThat(holder.waitFor(10, TimeUnit.SECONDS)).isTrue();

        // Client B judges the dead lock; its name cache now maps job.lock to that lock.
        Verdict judged = LinkLock.at(lockB, LockOptions.defaults()).inspect();
        assertThat(judged.state()).isEqualTo(LockState.DEAD);

        // Through client A, a breaker moves the dead lock away (its inode lives on, as it does whenever the
        // dead owner's claim file outlives the break) and a live process takes the lock.
        Files.move(lockA, m.a().resolve("job.lock.moved-by-another-breaker"), StandardCopyOption.ATOMIC_MOVE);
        try (LockHandle live = LinkLock.at(lockA, LockOptions.defaults().withPurpose("live")).acquire(Duration.ofSeconds(5))) {
            BreakResult r = LockBreaker.breakLock(LockFile.at(lockB), judged, false, Duration.ofSeconds(5));

            assertThat(r.outcome()).as("%s: %s", kind, r.message()).isNotEqualTo(BreakResult.Outcome.BROKEN);
            live.ensureHeld();
            assertThat(LinkLock.at(lockA, LockOptions.defaults()).inspect().owner().token())
                    .as("the live lock is still under its name").isEqualTo(live.token());
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(MountKind.class)
    void aHolderWhoseClientStillSeesItsBrokenLockLearnsItAtTheCheckBeforeACommit(MountKind kind) throws Exception {
        Testbed.MountPair m = kind.freshDir("stale-name-check", logs);
        LockHandle mine = holdThenLoseThroughTheOtherClient(m);
        try (LockHandle next = LinkLock.at(m.b().resolve("job.lock"), LockOptions.defaults().withPurpose("next"))
                .acquire(Duration.ofSeconds(5))) {
            assertThatThrownBy(mine::ensureHeld).as(kind.label()).isInstanceOf(LockLostException.class);
            assertNextStillHolds(m, next);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(MountKind.class)
    void aHolderWhoseClientStillSeesItsBrokenLockRemovesNothingWhenItReleases(MountKind kind) throws Exception {
        Testbed.MountPair m = kind.freshDir("stale-name-release", logs);
        LockHandle mine = holdThenLoseThroughTheOtherClient(m);
        try (LockHandle next = LinkLock.at(m.b().resolve("job.lock"), LockOptions.defaults().withPurpose("next"))
                .acquire(Duration.ofSeconds(5))) {
            assertThatThrownBy(mine::release).as(kind.label()).isInstanceOf(LockLostException.class);
            assertNextStillHolds(m, next);
        }
    }

    /**
     * Takes the lock through client A (whose name cache then maps job.lock to it) and breaks it through client
     * B the way a breaker does: moved away, so its inode lives on under the new name and our claim.
     */
    private static LockHandle holdThenLoseThroughTheOtherClient(Testbed.MountPair m) throws Exception {
        Path lockA = m.a().resolve("job.lock");
        LockHandle mine = LinkLock.at(lockA, LockOptions.defaults().withPurpose("first")).acquire(Duration.ofSeconds(5));
        assertThat(LinkLock.at(lockA, LockOptions.defaults()).inspect().owner().token()).isEqualTo(mine.token());
        Files.move(m.b().resolve("job.lock"), m.b().resolve("job.lock.moved-by-a-breaker"), StandardCopyOption.ATOMIC_MOVE);
        return mine;
    }

    private static void assertNextStillHolds(Testbed.MountPair m, LockHandle next) throws Exception {
        next.ensureHeld();
        assertThat(LinkLock.at(m.b().resolve("job.lock"), LockOptions.defaults()).inspect().owner().token())
                .as("the next holder's lock is still under its name").isEqualTo(next.token());
    }
}
