package dev.lockscope.cli;

import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Checks of lock-file arguments shared by the commands. Stateless; any thread. */
final class LockPaths {
    private LockPaths() {
    }

    /** Rejects a LOCKFILE that names a directory: a common slip, and never a lock. */
    static void requireNotDirectory(CommandLine.Model.CommandSpec spec, Path lockFile) {
        if (Files.isDirectory(lockFile, LinkOption.NOFOLLOW_LINKS)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "LOCKFILE '" + lockFile
                    + "' is a directory; give the lock file itself, e.g. " + lockFile.resolve("records.json.lock"));
        }
    }
}
