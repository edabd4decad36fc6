package dev.lockscope.lock;

import dev.lockscope.testing.ManualLockClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Single attempts of an {@link Acquisition} on a real lock directory, with time moved by hand: its deadline and
 * its claim refresh follow the clock it is given, not the time that passes.
 */
class AcquisitionTest {

    @TempDir
    Path dir;

    private final ManualLockClock clock = ManualLockClock.nearWrap();
    private LockFile file;
    private LockHandle holder;
    private Acquisition acquisition;

    @BeforeEach
    void holdTheLock() throws IOException {
        file = LockFile.of(dir, "r.lock");
        // A live holder in this process; no heartbeat, so nothing else touches the directory.
        holder = LinkLock.of(file, LockOptions.defaults().withHeartbeat(false)).acquire(Duration.ofSeconds(5));
    }

    @AfterEach
    void release() throws IOException {
        if (acquisition != null) {
            Unlink.quietly(acquisition.claim());
        }
        holder.close();
        LinkLock.dropKeptClaims();
    }

    private Acquisition waiter(Duration timeout, LockOptions options) throws IOException {
        acquisition = new Acquisition(file, options, true, timeout, Tokens.next(), null, false, clock);
        return acquisition;
    }

    @Test
    void timesOutWhenItsClockPassesTheDeadlineAndNotBefore() throws IOException {
        Acquisition a = waiter(Duration.ofSeconds(5), LockOptions.defaults().withWatch(false));
        assertThat(a.attempt()).as("held by another: try again").isNull();
        clock.advance(Duration.ofSeconds(4));
        assertThat(a.attempt()).isNull();
        clock.advance(Duration.ofSeconds(1));
        assertThatThrownBy(a::attempt)
                .isInstanceOf(LockTimeoutException.class)
                .hasMessageStartingWith("timed out after 5.0 s waiting for lock " + file.path() + ": held by ")
                .hasMessageContaining("[HELD: ");
    }

    @Test
    void rewritesAWaitingClaimOnlyOnceItIsOlderThanAQuarterLease() throws IOException {
        // Lease 1 s: a waiting claim is rewritten after 250 ms.
        Acquisition a = waiter(Duration.ofSeconds(30), LockOptions.defaults().withLease(Duration.ofSeconds(1))
                .withWatch(false));
        FileTime old = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
        Files.setLastModifiedTime(a.claim(), old);

        clock.advance(Duration.ofMillis(250));
        assertThat(a.attempt()).isNull();
        assertThat(Files.getLastModifiedTime(a.claim())).as("not yet a quarter lease old").isEqualTo(old);

        clock.advance(Duration.ofMillis(1));
        assertThat(a.attempt()).isNull();
        assertThat(Files.getLastModifiedTime(a.claim()).toInstant())
                .as("rewritten: a fresh mtime").isAfter(Instant.now().minusSeconds(60));
    }

    @Test
    void takesTheLockAtTheFirstAttemptAfterItIsReleased() throws IOException {
        Acquisition a = waiter(Duration.ofSeconds(5), LockOptions.defaults().withWatch(false).withHeartbeat(false));
        assertThat(a.attempt()).isNull();
        holder.close();
        try (LockHandle h = a.attempt()) {
            assertThat(h).isNotNull();
            assertThat(h.claimPath()).isEqualTo(a.claim());
            assertThat(LockSnapshot.read(file.path()).orElseThrow().owner().token()).isEqualTo(h.token());
        }
    }
}
