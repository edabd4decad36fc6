package dev.lockscope.lock;

import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.Testbed;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The light checks of the fast path (release within half a lease by two lstats, a heartbeat that
 * compares bytes, waiters that look by attributes) keep the protocol's guarantees: on every filesystem
 * a lock taken over by someone else is never removed by the old holder, and link counts are judged as
 * each filesystem reports them.
 */
@MultiProcess
class LeanPathTest {

    @TempDir
    Path dir;

    /** A forced break and a new owner, within the old holder's lease: its release must not touch the new lock. */
    void releaseAfterTakeoverLeavesTheNewLock(Path d) throws Exception {
        LockFile f = LockFile.of(d, "r.lock");
        LockHandle old = LinkLock.of(f, LockOptions.defaults()).acquire(Duration.ofSeconds(10));
        // What a forced break does: the lock is moved away; then another owner links its claim.
        Files.move(f.path(), d.resolve("r.lock.broken.1.x"), StandardCopyOption.ATOMIC_MOVE);
        LockOwner other = new LockOwner(null, "elsewhere", "other-host", null, null, "u", 4242, null,
                Tokens.next(), 30_000, System.currentTimeMillis(), "new owner");
        Path otherClaim = f.claimPath(other.host(), other.pid(), other.token());
        Files.write(otherClaim, other.toBytes());
        Files.createLink(f.path(), otherClaim);

        assertThatThrownBy(old::release).isInstanceOf(LockLostException.class).hasMessageContaining("elsewhere");
        Optional<LockSnapshot> now = LockSnapshot.read(f.path());
        assertThat(now).isPresent();
        assertThat(now.get().token()).isEqualTo(other.token());
        assertThat(Files.exists(old.claimPath())).isFalse();
    }

    @Test
    void localReleaseAfterTakeover() throws Exception {
        releaseAfterTakeoverLeavesTheNewLock(dir);
    }

    @Test
    @Tag("testbed")
    void glusterReleaseAfterTakeoverAndTruthfulLinks() throws Exception {
        Testbed.MountPair m = Testbed.gluster().freshDir("lean");
        releaseAfterTakeoverLeavesTheNewLock(m.a());
        // Gluster's inode numbers are 64-bit and often negative as a Java long: still truthful links.
        try (LockHandle h = LinkLock.at(m.a().resolve("t.lock"), LockOptions.defaults()).acquire(Duration.ofSeconds(10))) {
            assertThat(h.truthfulLinks()).isTrue();
            h.ensureHeld();
        }
    }

    @Test
    @Tag("testbed")
    void sshfsReleaseAfterTakeoverAndNoLinkCounts() throws Exception {
        Testbed.MountPair m = Testbed.sshfs().freshDir("lean");
        releaseAfterTakeoverLeavesTheNewLock(m.a());
        try (LockHandle h = LinkLock.at(m.a().resolve("t.lock"), LockOptions.defaults()).acquire(Duration.ofSeconds(10))) {
            assertThat(h.truthfulLinks()).isFalse();
            h.ensureHeld();
        }
        assertThat(Files.exists(m.a().resolve("t.lock"))).isFalse();
    }

    @Test
    void heartbeatNoticesAnotherOwnersBytes() throws Exception {
        LockFile f = LockFile.of(dir, "h.lock");
        LockHandle h = LinkLock.of(f, LockOptions.defaults()).acquire(Duration.ofSeconds(10));
        h.renew();
        // Same inode, different content: somebody overwrote the lock file in place.
        LockOwner other = new LockOwner(null, "intruder", "x", null, null, "u", 1, null, Tokens.next(), 30_000,
                System.currentTimeMillis(), null);
        Files.write(f.path(), other.toBytes());
        assertThatThrownBy(h::ensureHeld).isInstanceOf(LockLostException.class).hasMessageContaining("intruder");
        assertThat(h.state()).isEqualTo(LockHandle.State.LOST);
        Files.deleteIfExists(f.path());
    }
}
