package dev.lockscope.ui.locks;

import dev.lockscope.scan.DirectoryWatcher;
import dev.lockscope.scan.ScanListener;
import dev.lockscope.scan.WatchOptions;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where the lock table's snapshots come from. {@link #watch} is called on I/O threads only (it touches
 * the file system); the listener is called on a scanner thread, never the FX thread.
 */
public interface DirectorySource {

    /** A running watch of one directory. Any thread; {@link #close()} may block (I/O threads only). */
    interface Subscription extends AutoCloseable {
        /** Asks for a refresh soon; returns at once. */
        void refreshNow();

        /** True when file-system events trigger refreshes; false when it only polls. */
        boolean usesEvents();

        /** How often it refreshes at the latest. */
        Duration pollInterval();

        @Override
        void close();
    }

    /** Starts watching {@code directory}; the first refresh follows at once. */
    Subscription watch(Path directory, ScanListener listener) throws IOException;

    /** The scanner's watcher: WatchService events on local filesystems, polling everywhere. */
    static DirectorySource watcher(WatchOptions options) {
        return (dir, listener) -> {
            DirectoryWatcher w = DirectoryWatcher.start(dir, options, listener);
            return new Subscription() {
                @Override
                public void refreshNow() {
                    w.refreshNow();
                }

                @Override
                public boolean usesEvents() {
                    return w.usesEvents();
                }

                @Override
                public Duration pollInterval() {
                    return w.pollInterval();
                }

                @Override
                public void close() {
                    w.close();
                }
            };
        };
    }
}
