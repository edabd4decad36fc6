package dev.lockscope.lock;

import dev.lockscope.testing.ManualLockClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** A runtime of its own: its clock decides lease time, its heartbeat stops and starts, its claims are its own. */
class LockRuntimeTest {

    @TempDir
    Path dir;

    private final ManualLockClock clock = new ManualLockClock();
    private final LockRuntime runtime = LockRuntime.create(clock, true);

    private LinkLock lock(LockOptions o) {
        return LinkLock.of(LockFile.of(dir, "r.lock"), o.withRuntime(runtime));
    }

    @Test
    void aLeaseLapsesOnTheRuntimesClockWithoutAnyoneWaitingForIt() throws Exception {
        Duration lease = Duration.ofSeconds(1);
        LockHandle h = lock(LockOptions.defaults().withLease(lease).withHeartbeat(false))
                .acquire(Duration.ofSeconds(5));
        clock.advance(lease.minusMillis(1));
        h.ensureHeld();
        clock.advance(Duration.ofMillis(2));
        assertThatThrownBy(h::ensureHeld).isInstanceOf(LockLostException.class).hasMessageContaining("lapsed");
        assertThat(h.state()).isEqualTo(LockHandle.State.LOST);
        assertThatThrownBy(h::release).isInstanceOf(LockLostException.class);
    }

    @Test
    void theHeartbeatCancelsItsScheduleWhenNothingIsHeldAndStartsAgainForTheNextHold() throws Exception {
        LockHandle.Heartbeats heartbeats = runtime.heartbeats();
        LinkLock l = lock(LockOptions.defaults().withLease(Duration.ofMillis(600)));
        l.acquire(Duration.ofSeconds(5)).release();
        assertThat(heartbeats.isTicking()).isTrue();
        // Idle for IDLE_TICKS_BEFORE_STOP real ticks: the ticker cancels its own schedule, leaving nothing queued.
        await().atMost(Duration.ofSeconds(10)).until(() -> !heartbeats.isTicking() && heartbeats.scheduledTicks() == 0);

        try (LockHandle h = l.acquire(Duration.ofSeconds(5))) {
            assertThat(heartbeats.isTicking()).isTrue();
            assertThat(heartbeats.scheduledTicks()).isEqualTo(1);
            long m0 = FileFacts.lstat(h.lockPath()).mtimeMillis();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                clock.advance(Duration.ofMillis(200));
                return FileFacts.lstat(h.lockPath()).mtimeMillis() > m0;
            });
            h.ensureHeld();
        }
    }

    @Test
    void eachRuntimeKeepsItsOwnClaims() throws Exception {
        LockRuntime other = LockRuntime.create(LockClock.SYSTEM, true);
        lock(LockOptions.defaults()).acquire(Duration.ofSeconds(5)).release();
        assertThat(runtime.keptClaims().size()).isEqualTo(1);
        assertThat(other.keptClaims().size()).isZero();
        try (LockHandle h = LinkLock.of(LockFile.of(dir, "r.lock"), LockOptions.defaults().withRuntime(other))
                .acquire(Duration.ofSeconds(5))) {
            assertThat(runtime.keptClaims().size()).as("the other runtime did not take this one's claim").isEqualTo(1);
            assertThat(h.state()).isEqualTo(LockHandle.State.HELD);
        }
        runtime.dropKeptClaims();
        other.dropKeptClaims();
        assertThat(runtime.keptClaims().size()).isZero();
        assertThat(LinkLockTest.names(dir)).isEmpty();
    }
}
