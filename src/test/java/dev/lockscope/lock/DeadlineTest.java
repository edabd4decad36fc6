package dev.lockscope.lock;

import dev.lockscope.testing.ManualLockClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Deadline} on a clock the test advances: no sleeps. */
class DeadlineTest {

    private final ManualLockClock clock = ManualLockClock.nearWrap();

    @Test
    void expiresExactlyWhenItsBudgetHasPassedEvenAcrossAWrapOfTheClock() {
        // The clock starts 5 s below Long.MAX_VALUE: this deadline lies past the wrap.
        Deadline d = Deadline.after(Duration.ofSeconds(10), clock);
        assertThat(d.expired()).isFalse();
        assertThat(d.remainingNanos()).isEqualTo(Duration.ofSeconds(10).toNanos());

        clock.advance(Duration.ofSeconds(6));
        assertThat(d.expired()).isFalse();
        assertThat(d.remainingNanos()).isEqualTo(Duration.ofSeconds(4).toNanos());

        clock.advance(Duration.ofSeconds(4).minusNanos(1));
        assertThat(d.expired()).isFalse();
        assertThat(d.remainingNanos()).isEqualTo(1);

        clock.advance(Duration.ofNanos(1));
        assertThat(d.expired()).isTrue();
        assertThat(d.remainingNanos()).isZero();

        clock.advance(Duration.ofSeconds(1));
        assertThat(d.expired()).isTrue();
        assertThat(d.remainingNanos()).isEqualTo(-Duration.ofSeconds(1).toNanos());
    }

    @Test
    void zeroAndNegativeBudgetsAreAlreadyExpiredAndKeepTheBudgetAsGiven() {
        assertThat(Deadline.after(Duration.ZERO, clock).expired()).isTrue();
        Deadline negative = Deadline.after(Duration.ofSeconds(-3), clock);
        assertThat(negative.expired()).isTrue();
        assertThat(negative.remainingNanos()).isZero();
        assertThat(negative.budget()).isEqualTo(Duration.ofSeconds(-3));
    }

    @Test
    void capsAWaitAtWhatRemainsAndNeverBelowZero() {
        Deadline d = Deadline.after(Duration.ofMillis(100), clock);
        assertThat(d.cap(Duration.ofMillis(30).toNanos())).isEqualTo(Duration.ofMillis(30).toNanos());
        clock.advance(Duration.ofMillis(80));
        assertThat(d.cap(Duration.ofMillis(30).toNanos())).isEqualTo(Duration.ofMillis(20).toNanos());
        clock.advance(Duration.ofMillis(50));
        assertThat(d.cap(Duration.ofMillis(30).toNanos())).isZero();
    }
}
