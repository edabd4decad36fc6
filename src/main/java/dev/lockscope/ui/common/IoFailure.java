package dev.lockscope.ui.common;

import dev.lockscope.text.Durations;

import dev.lockscope.lock.IoErrorText;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * Why a piece of background file-system work failed: its cause as a value, the error itself, and one
 * sentence for people that names what was being done and the path. Immutable; any thread.
 *
 * @param cause   the kind of failure, for decisions (mark rows stale, offer a retry, choose a colour)
 * @param message the sentence shown to the operator; no Java class names
 * @param error   the underlying error (a {@link TimeoutException} for {@link Cause#TIMED_OUT})
 */
public record IoFailure(Cause cause, String message, Throwable error) {

    /** Every cause an operator can tell apart and act on. */
    public enum Cause {
        /** EACCES/EPERM: the user may not read or write it. */
        PERMISSION_DENIED,
        /** ENOENT/ESTALE: deleted, replaced on the server, or its mount vanished. */
        NOT_FOUND,
        /** A file where a directory was expected. */
        NOT_A_DIRECTORY,
        /** EROFS. */
        READ_ONLY,
        /** ENOSPC/EDQUOT. */
        NO_SPACE,
        /** No answer within the timeout: the call may still be pending on a hung server. */
        TIMED_OUT,
        /** Any other I/O error, described by the operating system's errno text. */
        IO_ERROR,
        /** Content that cannot be used (a damaged settings file, an argument out of range). */
        INVALID,
        /** A bug: not an I/O problem. */
        UNEXPECTED
    }

    /** True when the directory itself can no longer be read, so what is shown of it is no longer current. */
    public boolean directoryLost() {
        return cause == Cause.NOT_FOUND || cause == Cause.PERMISSION_DENIED || cause == Cause.NOT_A_DIRECTORY
                || cause == Cause.TIMED_OUT || cause == Cause.IO_ERROR;
    }

    @Override
    public String toString() {
        return message;
    }

    /**
     * The failure of {@code what} ("reading /shared/locks") with error {@code t}.
     *
     * @param timeout the limit that ran out, for {@link Cause#TIMED_OUT}
     */
    public static IoFailure of(String what, Throwable t, Duration timeout) {
        if (t instanceof UncheckedIOException u) {
            t = u.getCause();
        }
        if (t instanceof TimeoutException) {
            return new IoFailure(Cause.TIMED_OUT, "No answer within " + Durations.compact(timeout.toMillis())
                    + " while " + what + ". The file server may be hung or the mount gone. The window stays"
                    + " usable; the call is still pending and is not repeated until it returns.", t);
        }
        if (t instanceof IOException e) {
            return ofIo(what, e);
        }
        if (t instanceof IllegalArgumentException) {
            return new IoFailure(Cause.INVALID, "Cannot complete " + what + ": " + t.getMessage(), t);
        }
        // A bug, not the file system: say so without a class name; the trace goes to the log.
        t.printStackTrace();
        return new IoFailure(Cause.UNEXPECTED, "Internal error while " + what
                + (t.getMessage() == null ? "" : ": " + t.getMessage()) + " (details on standard error)", t);
    }

    private static IoFailure ofIo(String what, IOException e) {
        String file = e instanceof FileSystemException f && f.getFile() != null ? f.getFile() : null;
        String at = file == null ? "" : ": " + file;
        String reason = IoErrorText.reason(e);
        String r = reason.toLowerCase(Locale.ROOT);
        if (e instanceof AccessDeniedException || r.contains("permission denied")
                || r.contains("operation not permitted")) {
            return new IoFailure(Cause.PERMISSION_DENIED, "Permission denied while " + what + at
                    + ". This user may not read it; ask its owner, or run as a user who may.", e);
        }
        if (e instanceof NotDirectoryException || r.endsWith("not a directory")) {
            return new IoFailure(Cause.NOT_A_DIRECTORY, "Not a directory while " + what + at
                    + (r.equals("not a directory") ? "" : ": " + reason), e);
        }
        if (e instanceof NoSuchFileException || r.contains("no such file") || r.contains("stale file handle")) {
            return new IoFailure(Cause.NOT_FOUND, "Gone while " + what + at + " (" + reason
                    + "): it was deleted or replaced, or its mount has vanished.", e);
        }
        if (r.contains("read-only file system")) {
            return new IoFailure(Cause.READ_ONLY, "Read-only file system while " + what + at
                    + ": nothing can be written there.", e);
        }
        if (r.contains("no space left") || r.contains("quota exceeded")) {
            return new IoFailure(Cause.NO_SPACE, reason + " while " + what + at + ".", e);
        }
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException) {
            return new IoFailure(Cause.INVALID, "Cannot complete " + what + ": not valid JSON.", e);
        }
        return new IoFailure(Cause.IO_ERROR, "I/O error while " + what + at + ": " + reason, e);
    }
}
