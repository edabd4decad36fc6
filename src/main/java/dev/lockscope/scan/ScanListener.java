package dev.lockscope.scan;

import java.nio.file.Path;

/**
 * Receives the refreshes of a {@link DirectoryWatcher}.
 *
 * <p><b>Thread:</b> every call comes on the watcher's own scanner thread (named
 * {@code lockscope-scan <dir>}), one at a time, never concurrently and never on the caller's
 * thread. A JavaFX view must hand the diff over with {@code Platform.runLater}. A listener should
 * return quickly: the next refresh waits for it. An exception thrown by a listener is caught and
 * reported to {@link #onError}; the watcher keeps going.
 */
public interface ScanListener {

    /**
     * Called after every refresh, including the first (whose diff lists every entry as added) and
     * refreshes where only ages moved ({@link SnapshotDiff#isEmpty()} is then true).
     */
    void onRefresh(SnapshotDiff diff);

    /**
     * Called when a refresh failed as a whole: the directory vanished, became unreadable, or the
     * listener threw. The watcher retries at its next interval. Default: ignore.
     */
    default void onError(Path directory, Exception error) {
    }
}
