package dev.lockscope.text;

import java.util.Locale;

/**
 * The one way Lockscope writes a duration for people, in the CLI and the inspector alike: "850ms",
 * "4.2s", "12m5s", "3h2m", "2d4h"; "-" for a negative (unknown) value. Stateless; any thread.
 */
public final class Durations {
    private Durations() {
    }

    /** {@code ms} in the shortest form that keeps the precision people need at that size. */
    public static String compact(long ms) {
        if (ms < 0) {
            return "-";
        }
        if (ms < 1000) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s < 120) {
            return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        if (s < 7200) {
            return (s / 60) + "m" + (s % 60) + "s";
        }
        if (s < 172_800) {
            return (s / 3600) + "h" + (s % 3600 / 60) + "m";
        }
        return (s / 86400) + "d" + (s % 86400 / 3600) + "h";
    }

    /** A skew with its sign: "+3ms", "-1.0s". */
    public static String signed(long ms) {
        return (ms < 0 ? "-" : "+") + compact(Math.abs(ms));
    }
}
