package dev.lockscope.cli;

import dev.lockscope.lock.FileFacts;
import dev.lockscope.scan.DirectoryScanner;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Checks of lock-file and record-file arguments shared by the commands. Stateless; any thread. */
final class LockPaths {
    private LockPaths() {
    }

    /**
     * Rejects a LOCKFILE that is empty or names a directory (usage errors, 64), or whose directory does not
     * exist ({@link MissingDirectoryException}, 66): a lock there can be neither free nor held.
     */
    static void requireLockFile(CommandLine.Model.CommandSpec spec, Path lockFile) throws MissingDirectoryException {
        requireFile(spec, lockFile, "LOCKFILE", "lock", "records.json.lock");
    }

    /** As {@link #requireLockFile}, for a record FILE. */
    static void requireRecordFile(CommandLine.Model.CommandSpec spec, Path file) throws MissingDirectoryException {
        requireFile(spec, file, "FILE", "record", "records.json");
    }

    private static void requireFile(CommandLine.Model.CommandSpec spec, Path file, String label, String kind,
                                    String example)
            throws MissingDirectoryException {
        if (file.toString().isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), label + " is empty; give the path of a "
                    + kind + " file, e.g. /shared/" + example);
        }
        if (file.toString().indexOf('\uFFFD') >= 0) {
            // Java decoded the argument with the locale's charset and replaced what it could not decode:
            // the path no longer names the file, which would then read as FREE or missing.
            throw new CommandLine.ParameterException(spec.commandLine(), label + " '" + file + "' holds bytes"
                    + " that are not valid " + System.getProperty("sun.jnu.encoding", "in this locale")
                    + ", so Java cannot name that file; rename it, or see it with 'lockscope ls DIR'");
        }
        if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new CommandLine.ParameterException(spec.commandLine(), label + " '" + file
                    + "' is a directory, not a " + kind + " file; give the file itself, e.g. " + file.resolve(example));
        }
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            requireDirectory(dir);
        }
    }

    /** Throws {@link MissingDirectoryException} unless {@code dir} is a directory (links followed: /shared may be one). */
    static void requireDirectory(Path dir) throws MissingDirectoryException {
        if (!Files.isDirectory(dir)) {
            throw new MissingDirectoryException("the directory " + dir.toAbsolutePath()
                    + (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) ? " is not a directory" : " does not exist"));
        }
    }

    /**
     * What stands at {@code lockFile} if it is something that cannot be a lock file at all (a FIFO, socket,
     * device or directory), e.g. "a FIFO"; null for a regular file, a symbolic link (the lock core judges
     * those) or nothing.
     */
    static String notALockFile(Path lockFile) {
        FileFacts f;
        try {
            f = FileFacts.lstatOrNull(lockFile);
        } catch (IOException e) {
            return null; // the lock core reports it with its own words
        }
        if (f == null) {
            return null;
        }
        return switch (f.type()) {
            case DIRECTORY -> "a directory";
            case OTHER -> DirectoryScanner.describeSpecialFile(lockFile);
            default -> null;
        };
    }

    /** The directory of a lock or record file does not exist: exit {@link ExitCodes#NO_INPUT}. Any thread. */
    static final class MissingDirectoryException extends IOException {
        MissingDirectoryException(String message) {
            super(message);
        }
    }
}
