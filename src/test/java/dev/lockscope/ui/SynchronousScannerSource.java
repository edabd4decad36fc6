package dev.lockscope.ui;

import dev.lockscope.scan.DirectoryScanner;
import dev.lockscope.scan.DirectorySnapshot;
import dev.lockscope.scan.ScanListener;
import dev.lockscope.scan.SnapshotDiff;
import dev.lockscope.ui.locks.DirectorySource;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The real scanner, driven synchronously: every {@code refreshNow()} scans the directory on the calling
 * thread. View-model tests use it with {@code BackgroundIo.synchronous()}. Test thread only.
 */
final class SynchronousScannerSource implements DirectorySource {
    @Override
    public Subscription watch(Path directory, ScanListener listener) throws IOException {
        DirectoryScanner scanner = new DirectoryScanner(directory);
        DirectorySnapshot[] previous = {DirectorySnapshot.empty(directory)};
        Runnable refresh = () -> {
            try {
                DirectorySnapshot now = scanner.refresh();
                SnapshotDiff diff = SnapshotDiff.between(previous[0], now);
                previous[0] = now;
                listener.onRefresh(diff);
            } catch (IOException e) {
                listener.onError(directory, e);
            }
        };
        scanner.refresh(); // fail like the watcher does for a missing directory
        refresh.run();
        return new Subscription() {
            @Override
            public void refreshNow() {
                refresh.run();
            }

            @Override
            public boolean usesEvents() {
                return false;
            }

            @Override
            public Duration pollInterval() {
                return Duration.ofHours(1);
            }

            @Override
            public void close() {
            }
        };
    }
}
