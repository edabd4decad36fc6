package dev.lockscope.ui.locks;

import dev.lockscope.lock.ServerClock;

import java.nio.file.Path;
import java.util.List;

/**
 * One complete read of a lock directory. Immutable; any thread.
 *
 * @param directory   the directory read
 * @param entries     its entries
 * @param fsType      the file-system type ({@code FileStore.type()}), or "?"
 * @param network     true when events from other hosts cannot arrive, so only polling tells
 * @param clock       the server clock reading, or null when no probe could be written (read-only, full)
 * @param clockError  why the clock could not be read, or null
 * @param tookMillis  how long the read took
 * @param readAtWallMillis this host's wall clock when the read finished
 * @param readAtNanos {@link System#nanoTime()} when the read finished, for ticking ages
 */
public record DirectoryReading(Path directory, List<LockEntry> entries, String fsType, boolean network,
                               ServerClock.Reading clock, String clockError, long tookMillis,
                               long readAtWallMillis, long readAtNanos) {
    public DirectoryReading {
        entries = List.copyOf(entries);
    }
}
