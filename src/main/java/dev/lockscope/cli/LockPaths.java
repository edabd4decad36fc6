package dev.lockscope.cli;

import dev.lockscope.lock.ClaimName;
import dev.lockscope.lock.FileFacts;
import dev.lockscope.record.RecordFormat;
import dev.lockscope.record.RecordIntent;
import dev.lockscope.record.RecordTempFile;
import dev.lockscope.scan.DirectoryScanner;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.regex.Pattern;

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
            case REGULAR -> recordStoreFile(lockFile);
            default -> null;
        };
    }

    /** A record file starts so (RecordFormat writes "format" first); a lock owner record never does. */
    private static final Pattern RECORD_FILE_START = Pattern.compile("\\A\\s*\\{\\s*\"format\"\\s*:\\s*\""
            + Pattern.quote(RecordFormat.FORMAT_TAG) + "\"");

    /**
     * What a record-store file at {@code path} is, in words (the record file itself, a group-commit intent or a
     * save's temp file), or null. Such a file is data, not a lock: breaking it with --force would delete the
     * records or a waiting writer's change. Judged by the name, and for the record file by at most its first
     * 256 bytes, read only from a regular file and without following a link.
     */
    static String recordStoreFile(Path path) {
        Path leaf = path.getFileName();
        if (leaf == null) {
            return null;
        }
        String name = leaf.toString();
        if (ClaimName.parse(name) == null) {
            Optional<RecordIntent.FileName> intent = RecordIntent.parseFileName(name);
            if (intent.isPresent()) {
                String of = " of the record file " + intent.get().recordFileName();
                return switch (intent.get().form()) {
                    case NEW -> "a group-commit intent being written" + of;
                    case PUBLISHED -> "a group-commit intent" + of + ", waiting for a holder of its lock";
                    case TAKEN -> "a group-commit intent" + of + ", taken by a holder of its lock";
                    case QUARANTINED -> "a group-commit intent" + of + " that a holder quarantined";
                };
            }
            Optional<String> temp = RecordTempFile.recordFileOf(name);
            if (temp.isPresent()) {
                return "the temp file of a save of the record file " + temp.get();
            }
        }
        byte[] head = new byte[256];
        int n = 0;
        try {
            // Never open a FIFO (it would block) or a device.
            FileFacts f = FileFacts.lstatOrNull(path);
            if (f == null || f.type() != FileFacts.Type.REGULAR) {
                return null;
            }
        } catch (IOException e) {
            return null;
        }
        try (SeekableByteChannel ch = Files.newByteChannel(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer b = ByteBuffer.wrap(head);
            while (b.hasRemaining() && ch.read(b) > 0) {
                n = b.position();
            }
        } catch (IOException e) {
            return null; // the lock core reports it with its own words
        }
        String start = new String(head, 0, n, StandardCharsets.UTF_8);
        return RECORD_FILE_START.matcher(start).find()
                ? "the record file " + name + " (its lock is " + name + ".lock)" : null;
    }

    /** The directory of a lock or record file does not exist: exit {@link ExitCodes#NO_INPUT}. Any thread. */
    static final class MissingDirectoryException extends IOException {
        MissingDirectoryException(String message) {
            super(message);
        }
    }
}
