package dev.lockscope.lock;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Backoff}: its growth, cap, reset and jitter, computed without waiting. */
class BackoffTest {

    private static long ms(long n) {
        return Duration.ofMillis(n).toNanos();
    }

    @Test
    void doublesFromItsMinimumUpToItsMaximumAndStaysThere() {
        Backoff b = Backoff.between(Duration.ofMillis(1), Duration.ofMillis(250));
        long[] expected = {ms(1), ms(2), ms(4), ms(8), ms(16), ms(32), ms(64), ms(128), ms(250), ms(250)};
        for (long e : expected) {
            assertThat(b.currentNanos()).isEqualTo(e);
            b.grow();
        }
    }

    @Test
    void resetGoesBackToTheMinimum() {
        Backoff b = Backoff.between(Duration.ofMillis(3), Duration.ofMillis(100));
        b.grow();
        b.grow();
        assertThat(b.currentNanos()).isEqualTo(ms(12));
        b.reset();
        assertThat(b.currentNanos()).isEqualTo(ms(3));
    }

    @Test
    void aZeroMinimumDoesNotSpinOnceItHasWaitedInVain() {
        Backoff b = Backoff.between(Duration.ZERO, Duration.ofMillis(250));
        assertThat(b.currentNanos()).isZero();
        b.grow();
        assertThat(b.currentNanos()).isEqualTo(Backoff.FLOOR_NANOS);
        b.grow();
        assertThat(b.currentNanos()).isEqualTo(2 * Backoff.FLOOR_NANOS);
    }

    @Test
    void aHugeMaximumDoesNotOverflow() {
        Backoff b = Backoff.between(Duration.ofNanos(Long.MAX_VALUE / 3), Duration.ofNanos(Long.MAX_VALUE));
        b.grow();
        b.grow();
        assertThat(b.currentNanos()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void jitterIsUniformBetweenHalfTheWaitAndAllOfIt() {
        Backoff b = Backoff.between(Duration.ofMillis(8), Duration.ofMillis(8));
        RandomGenerator r = new SplittableRandom(17);
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        double sum = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            long j = b.jitteredNanos(r);
            assertThat(j).isBetween(ms(4), ms(8));
            min = Math.min(min, j);
            max = Math.max(max, j);
            sum += j;
        }
        // The whole range is used, centred on three quarters of the wait.
        assertThat(min).isLessThan(ms(4) + ms(1) / 10);
        assertThat(max).isGreaterThan(ms(8) - ms(1) / 10);
        assertThat(sum / n).isBetween(ms(6) * 0.98, ms(6) * 1.02);
    }

    @Test
    void aMaximumBelowTheMinimumIsRefused() {
        assertThatThrownBy(() -> Backoff.between(Duration.ofMillis(5), Duration.ofMillis(4)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
