package dev.lockscope.lock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Best-effort removal of the lock core's own files (claims, witnesses, moved-aside locks). Any thread. */
final class Unlink {

    private Unlink() {
    }

    /** Removes the name {@code p} if it can; never throws, never follows a symbolic link. */
    static void quietly(Path p) {
        // java.io.File#delete is one unlink(2); Files.deleteIfExists first lstats to choose between
        // unlink and rmdir, which doubles the cost of every release on a network filesystem.
        if (p.toFile().delete()) {
            return;
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // Best effort: the scanner reports orphan claims, and they are harmless to the protocol.
        }
    }
}
