package dev.lockscope.ui.common;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What the inspector asks of the file system and the desktop about a directory it is given or offers: is it one,
 * and show it in the file manager. The view models get this injected, so they never touch the file system or start
 * processes themselves. Every method does I/O: I/O threads only.
 */
public interface Folders {

    /** Whether {@code p} is a directory (following a symbolic link, as a file chooser does). */
    boolean isDirectory(Path p) throws IOException;

    /**
     * Returns when {@code dir} is a directory the inspector can open.
     *
     * @throws NoSuchFileException   when nothing is there (a dangling symbolic link included)
     * @throws NotDirectoryException when it is something else
     */
    void requireDirectory(Path dir) throws IOException;

    /**
     * Opens {@code dir} in the desktop's file manager (xdg-open) and returns its exit code, or 0 when it is still
     * running after a few seconds (some file managers stay in the foreground).
     */
    int showInFileManager(Path dir) throws IOException, InterruptedException;

    /** This machine's file system and desktop. */
    static Folders desktop() {
        return new Folders() {
            @Override
            public boolean isDirectory(Path p) {
                return Files.isDirectory(p);
            }

            @Override
            public void requireDirectory(Path dir) throws IOException {
                if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                    throw new NoSuchFileException(dir.toString());
                }
                if (!Files.isDirectory(dir)) {
                    throw new NotDirectoryException(dir.toString());
                }
            }

            @Override
            public int showInFileManager(Path dir) throws IOException, InterruptedException {
                Process p = new ProcessBuilder("xdg-open", dir.toString()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                return p.waitFor(5, TimeUnit.SECONDS) ? p.exitValue() : 0;
            }
        };
    }
}
