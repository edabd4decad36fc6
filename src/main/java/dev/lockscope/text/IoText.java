package dev.lockscope.text;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;

/**
 * The one description of an I/O failure for people: the operating system's own words (its errno text,
 * "Permission denied", "Stale file handle") where it gave them, plain words otherwise, and never a Java
 * class name. Stateless; any thread.
 */
public final class IoText {
    private IoText() {
    }

    /** "Permission denied", "No such file or directory", "Read-only file system", …; without the path. */
    public static String reason(IOException e) {
        if (e instanceof FileSystemException fse && fse.getReason() != null && !fse.getReason().isBlank()) {
            return fse.getReason();
        }
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof NotDirectoryException) {
            return "Not a directory";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "File exists";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "Directory not empty";
        }
        if (e instanceof NotLinkException) {
            return "Not a symbolic link";
        }
        if (e instanceof FileSystemException) {
            return "Input/output error";
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? "Input/output error" : m;
    }
}
