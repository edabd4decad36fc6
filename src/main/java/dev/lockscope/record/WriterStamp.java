package dev.lockscope.record;

import dev.lockscope.lock.HostIdentity;

import java.time.Instant;
import java.util.Objects;

/**
 * Who wrote a generation of a record file, and when (in the writer's own clock). Immutable; any thread.
 *
 * @param host     host name, for people
 * @param hostId   machine identity (see {@link HostIdentity})
 * @param user     user name
 * @param pid      process id
 * @param writtenAt time of the save in the writer's clock
 * @param tool     the program that wrote it, e.g. {@code lockscope 0.1.0}
 */
public record WriterStamp(String host, String hostId, String user, long pid, Instant writtenAt, String tool) {

    public WriterStamp {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(writtenAt, "writtenAt");
        Objects.requireNonNull(tool, "tool");
    }

    /** The stamp for a save by this process, now. */
    public static WriterStamp now(String tool) {
        HostIdentity id = HostIdentity.current();
        return new WriterStamp(id.hostName(), id.hostId(), System.getProperty("user.name", "?"),
                ProcessHandle.current().pid(), Instant.now(), tool);
    }

    /**
     * {@link Instant#parse}, faster for the one shape {@link Instant#toString} writes for our years
     * ({@code 2026-11-30T21:10:57.746246631Z}: a four-digit year, UTC, 0 to 9 fraction digits): every reader of a
     * record file parses one, and the formatter was a tenth of a waiting writer's CPU. Anything else, and any
     * out-of-range field, goes to {@link Instant#parse}, which gives the answer or the error.
     */
    static Instant parseInstant(String text) {
        int n = text.length();
        if (n >= 20 && n <= 30 && text.charAt(4) == '-' && text.charAt(7) == '-' && text.charAt(10) == 'T'
                && text.charAt(13) == ':' && text.charAt(16) == ':' && text.charAt(n - 1) == 'Z'
                && (n == 20 || text.charAt(19) == '.' && n > 21)) {
            int year = digits(text, 0, 4);
            int month = digits(text, 5, 7);
            int day = digits(text, 8, 10);
            int hour = digits(text, 11, 13);
            int minute = digits(text, 14, 16);
            int second = digits(text, 17, 19);
            int fraction = n == 20 ? 0 : digits(text, 20, n - 1);
            if (year >= 0 && month >= 0 && day >= 0 && hour >= 0 && minute >= 0 && second >= 0 && fraction >= 0) {
                int nanos = fraction;
                for (int i = n - 1 - 20; i < 9 && n > 20; i++) {
                    nanos *= 10;
                }
                try {
                    return java.time.LocalDateTime.of(year, month, day, hour, minute, second, nanos)
                            .toInstant(java.time.ZoneOffset.UTC);
                } catch (java.time.DateTimeException e) {
                    // out of range (a 24:00 or a leap second): the formatter decides
                }
            }
        }
        return Instant.parse(text);
    }

    /** The decimal number in text[from, to), or -1 if any character there is not an ASCII digit. */
    private static int digits(String text, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** {@code user@host pid N at T}. */
    public String describe() {
        return user + "@" + host + " pid " + pid + " at " + writtenAt;
    }
}
