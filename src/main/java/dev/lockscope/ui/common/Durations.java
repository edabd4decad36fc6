package dev.lockscope.ui.common;

import java.util.Locale;

/** Short human forms of durations for tables and messages. Stateless; any thread. */
public final class Durations {
    private Durations() {
    }

    /** "850 ms", "12 s", "4 min 05 s", "3 h 02 min", "2 d 4 h"; "—" for a negative (unknown) value. */
    public static String human(long millis) {
        if (millis < 0) {
            return "—";
        }
        if (millis < 1000) {
            return millis + " ms";
        }
        long s = millis / 1000;
        if (s < 60) {
            return s + " s";
        }
        long m = s / 60;
        if (m < 60) {
            return String.format(Locale.ROOT, "%d min %02d s", m, s % 60);
        }
        long h = m / 60;
        if (h < 48) {
            return String.format(Locale.ROOT, "%d h %02d min", h, m % 60);
        }
        return String.format(Locale.ROOT, "%d d %d h", h / 24, h % 24);
    }

    /** A skew with its sign: "+3 ms", "-1 s". */
    public static String signed(long millis) {
        return (millis < 0 ? "-" : "+") + human(Math.abs(millis));
    }
}
