package dev.lockscope.ui.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/** Turns failures of file-system work into sentences an operator can act on. Stateless; any thread. */
public final class IoErrors {
    private IoErrors() {
    }

    /** A message naming what was being done, the path and the problem. */
    public static String describe(String what, Throwable t, Duration timeout) {
        if (t instanceof UncheckedIOException u) {
            t = u.getCause();
        }
        if (t instanceof TimeoutException) {
            return "No answer within " + Durations.human(timeout.toMillis()) + " while " + what
                    + ". The file server may be hung or the mount gone. The window stays usable;"
                    + " the call is still pending and is not repeated until it returns.";
        }
        if (t instanceof AccessDeniedException e) {
            return "Permission denied while " + what + ": " + e.getFile();
        }
        if (t instanceof NotDirectoryException e) {
            return "Not a directory: " + e.getFile();
        }
        if (t instanceof NoSuchFileException e) {
            return "Not found while " + what + ": " + e.getFile()
                    + " (deleted, or its mount has vanished)";
        }
        if (t instanceof FileSystemException e) {
            String reason = e.getReason() == null ? e.getClass().getSimpleName() : e.getReason();
            return "Cannot complete " + what + ": " + (e.getFile() == null ? "" : e.getFile() + ": ") + reason;
        }
        if (t instanceof IllegalArgumentException) {
            return "Cannot complete " + what + ": " + t.getMessage();
        }
        if (t instanceof IOException) {
            return "Cannot complete " + what + ": " + t.getMessage();
        }
        return "Unexpected error while " + what + ": " + t;
    }
}
