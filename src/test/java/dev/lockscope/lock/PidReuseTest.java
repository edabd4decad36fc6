package dev.lockscope.lock;

import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.TestJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Same-host DEAD detection with real processes: a PID that is alive but belongs to a process started
 * at another time than the owner's is a reused PID (DEAD); the same PID with the owner's start time is
 * alive (HELD). And a real holder JVM's start time, as recorded by itself, matches what another JVM reads.
 */
@MultiProcess
class PidReuseTest {

    @TempDir
    Path dir;

    /** A lock of this host whose owner PID is {@code pid}, started at {@code startTime}, renewed just now. */
    static LockOwner lockOf(LockFile file, long pid, Long startTime) throws Exception {
        HostIdentity me = HostIdentity.current();
        LockOwner o = new LockOwner(LockOwner.FORMAT, me.hostName(), me.hostId(), me.bootId(), me.pidNamespace(),
                "someone", pid, startTime, Tokens.next(), 60_000, System.currentTimeMillis(), "pid reuse");
        TestLocks.writeLinked(file, o);
        return o;
    }

    @Test
    void livePidWithAnotherStartTimeIsDeadAndBroken() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            long realStart = sleeper.info().startInstant().orElseThrow().toEpochMilli();
            LockFile file = LockFile.of(dir, "reused.lock");
            LockOwner o = lockOf(file, sleeper.pid(), realStart - 3_600_000L); // the owner started an hour earlier
            LinkLock l = LinkLock.of(file, LockOptions.defaults());
            Verdict v = l.inspect();
            assertThat(v.state()).as(v.reason()).isEqualTo(LockState.DEAD);
            assertThat(v.reason()).contains("newer process");
            assertThat(v.ownerAlive()).isFalse();
            Optional<LockHandle> h = l.tryAcquire();
            assertThat(h).as("a waiter breaks the lock of a reused PID at once, within its lease").isPresent();
            assertThat(h.get().token()).isNotEqualTo(o.token());
            h.get().release();
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void livePidWithTheOwnersStartTimeIsHeldAndNotBroken() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            long realStart = sleeper.info().startInstant().orElseThrow().toEpochMilli();
            LockFile file = LockFile.of(dir, "alive.lock");
            lockOf(file, sleeper.pid(), realStart);
            LinkLock l = LinkLock.of(file, LockOptions.defaults());
            Verdict v = l.inspect();
            assertThat(v.state()).as(v.reason()).isEqualTo(LockState.HELD);
            assertThat(v.ownerAlive()).isTrue();
            assertThat(l.tryAcquire()).isEmpty();
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void aRealHolderJvmIsAliveToAnotherJvm() throws Exception {
        Path lock = dir.resolve("jvm.lock");
        ProcessBuilder pb = TestJvm.builder(HoldWorker.class, List.of(lock.toString(), "30000"));
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process holder = pb.start();
        try {
            String line = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertThat(line).startsWith("HELD ");
            LinkLock l = LinkLock.at(lock, LockOptions.defaults());
            Verdict v = l.inspect();
            assertThat(v.state()).as(v.reason()).isEqualTo(LockState.HELD);
            assertThat(v.ownerAlive()).isTrue();
            assertThat(v.owner().startTime()).isEqualTo(holder.info().startInstant().orElseThrow().toEpochMilli());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> l.acquire(Duration.ofMillis(300)))
                    .isInstanceOf(LockTimeoutException.class).hasMessageContaining("pid " + holder.pid());
        } finally {
            holder.destroyForcibly();
        }
    }
}
