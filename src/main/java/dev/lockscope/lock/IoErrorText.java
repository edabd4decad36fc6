package dev.lockscope.lock;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;

/**
 * The one description of an I/O error for people, for every layer (the CLI, the inspector and the scanner use
 * it too): the operation, the path and the problem, so that no message ends up as a bare "Bad address" (which
 * is all a FileChannel write on a FUSE mount may say). Stateless; any thread.
 */
public final class IoErrorText {
    private IoErrorText() {
    }

    /**
     * "cannot OPERATION PATH: problem", e.g. "cannot save /x/records.json: Bad address". A problem on a
     * file other than {@code path} names that file too.
     */
    public static String failed(String operation, Path path, IOException e) {
        return "cannot " + operation + " " + path + ": " + problem(e, path);
    }

    /** The problem alone, naming the file(s) concerned when the exception knows them and they are not {@code known}. */
    public static String problem(IOException e, Path known) {
        String reason = reason(e);
        if (e instanceof FileSystemException fse && fse.getFile() != null
                && (known == null || !fse.getFile().equals(known.toString()))) {
            String files = fse.getFile() + (fse.getOtherFile() == null ? "" : " -> " + fse.getOtherFile());
            return files + ": " + reason;
        }
        return reason;
    }

    /**
     * What went wrong, without any path: the operating system's own words where it gave them ("Read-only file
     * system", "Bad address", "Stale file handle"), plain words otherwise ("permission denied"), never a Java class
     * name.
     */
    public static String reason(IOException e) {
        if (e instanceof FileSystemException fse && fse.getReason() != null && !fse.getReason().isBlank()) {
            return fse.getReason();
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "already exists";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "directory not empty";
        }
        if (e instanceof NotLinkException) {
            return "not a symbolic link";
        }
        if (e instanceof FileSystemException) {
            return "input/output error";
        }
        return e.getMessage() == null || e.getMessage().isBlank() ? "input/output error" : e.getMessage();
    }

    /** True for errors that mean "not allowed here": permission denied, or a read-only filesystem (EROFS). */
    public static boolean isNotPermitted(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AccessDeniedException || t instanceof FileSystemException fse
                    && fse.getReason() != null && fse.getReason().contains("Read-only file system")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
