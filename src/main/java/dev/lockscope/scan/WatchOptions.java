package dev.lockscope.scan;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link DirectoryWatcher} learns of changes. Immutable; any thread.
 *
 * @param forcePolling        poll only, even where WatchService events arrive
 * @param networkPollInterval how often to poll on filesystems that deliver no events for other hosts'
 *                            changes (NFS, CIFS/SMB, FUSE: {@code FilesystemType.isNetwork})
 * @param localPollInterval   how often to poll on local filesystems anyway: ages change without events
 * @param eventSettle         after a WatchService event, wait this long for more before refreshing, so a
 *                            burst of changes costs one refresh
 */
public record WatchOptions(boolean forcePolling, Duration networkPollInterval, Duration localPollInterval,
                           Duration eventSettle) {

    public WatchOptions {
        Objects.requireNonNull(networkPollInterval, "networkPollInterval");
        Objects.requireNonNull(localPollInterval, "localPollInterval");
        Objects.requireNonNull(eventSettle, "eventSettle");
        if (networkPollInterval.toMillis() < 10 || localPollInterval.toMillis() < 10) {
            throw new IllegalArgumentException("poll interval must be at least 10 ms");
        }
        if (eventSettle.isNegative()) {
            throw new IllegalArgumentException("eventSettle must not be negative");
        }
    }

    /** Events where they arrive; poll every 1 s on network filesystems and every 5 s on local ones. */
    public static WatchOptions defaults() {
        return new WatchOptions(false, Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofMillis(20));
    }

    /** Poll only, every {@code interval}, whatever the filesystem. */
    public static WatchOptions polling(Duration interval) {
        return new WatchOptions(true, interval, interval, Duration.ofMillis(20));
    }

    /** The same options with one poll interval for every filesystem (events still used where they arrive). */
    public WatchOptions withPollInterval(Duration interval) {
        return new WatchOptions(forcePolling, interval, interval, eventSettle);
    }
}
