package dev.lockscope.formats;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The operator's settings for other tools' locks, per directory: today procmail's {@code locktimeout}, which
 * procmail has no default for, so without it a procmail lock is judged by its age only. Set by the CLI from
 * {@code --locktimeout} and by the inspector from its saved settings; read by whoever judges a lock in that
 * directory (the scanner's thread, the CLI). Kept here rather than passed through every watcher and source
 * because it belongs to the directory, not to one scan. Thread-safe.
 */
public final class ForeignSettings {

    /** Longer than any locktimeout procmail users set (its manual suggests minutes): a typo, not a setting. */
    public static final Duration MAX_LOCKTIMEOUT = Duration.ofDays(7);

    private static final Map<Path, Duration> PROCMAIL_LOCKTIMEOUT = new ConcurrentHashMap<>();

    private ForeignSettings() {
    }

    /** procmail's locktimeout for {@code directory}, or null when none is set (age only). */
    public static Duration procmailLocktimeout(Path directory) {
        return PROCMAIL_LOCKTIMEOUT.get(key(directory));
    }

    /**
     * Sets (or, with null, clears) procmail's locktimeout for {@code directory}.
     *
     * @throws IllegalArgumentException when it is not positive or longer than {@link #MAX_LOCKTIMEOUT}
     */
    public static void setProcmailLocktimeout(Path directory, Duration timeout) {
        if (timeout == null) {
            PROCMAIL_LOCKTIMEOUT.remove(key(directory));
            return;
        }
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_LOCKTIMEOUT) > 0) {
            throw new IllegalArgumentException("procmail locktimeout must be between 1 s and 7 days, not " + timeout);
        }
        PROCMAIL_LOCKTIMEOUT.put(key(directory), timeout);
    }

    /** Every directory's procmail locktimeout, as set now (a copy). */
    public static Map<Path, Duration> procmailLocktimeouts() {
        return Map.copyOf(PROCMAIL_LOCKTIMEOUT);
    }

    private static Path key(Path directory) {
        return directory.toAbsolutePath().normalize();
    }
}
