package dev.lockscope.ui.common;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** Times for people: this machine's local time with its zone, to the second. Stateless; any thread. */
public final class Times {
    private static final DateTimeFormatter LOCAL =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z", Locale.ROOT).withZone(ZoneId.systemDefault());

    private Times() {
    }

    /** "2026-11-30 10:11:12 CET"; "unknown" for a negative value. */
    public static String local(long epochMillis) {
        return epochMillis < 0 ? "unknown" : LOCAL.format(Instant.ofEpochMilli(epochMillis));
    }

    /** An ISO-8601 instant ("2026-11-30T09:11:12.345Z") in local time; the text itself when it is not one. */
    public static String localFromIso(String iso) {
        if (iso == null || iso.isEmpty()) {
            return "";
        }
        try {
            return LOCAL.format(Instant.parse(iso));
        } catch (DateTimeParseException e) {
            return iso;
        }
    }
}
