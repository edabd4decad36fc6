package dev.lockscope.lock;

import java.time.Duration;
import java.util.Locale;

/** A duration in short words for messages: {@code 850 ms}, {@code 4.2 s}, {@code 12 min}, {@code 3.0 h}. Any thread. */
public final class DurationText {

    private DurationText() {
    }

    public static String ofMillis(long ms) {
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 120_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        if (ms < 7_200_000) {
            return (ms / 60_000) + " min";
        }
        return String.format(Locale.ROOT, "%.1f h", ms / 3_600_000.0);
    }

    public static String of(Duration d) {
        return ofMillis(d.toMillis());
    }
}
