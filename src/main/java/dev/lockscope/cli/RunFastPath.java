package dev.lockscope.cli;


import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * {@code lockscope run} without picocli, for the one common shape
 * {@code run [-t DUR] [-l DUR] [-p TEXT] [-g DUR] [--no-break-stale] [--keep-running-on-loss] LOCKFILE -- CMD...}.
 * Main thread only.
 *
 * <p>Building picocli's model of the command tree takes 100-300 ms of a ~350 ms start (picocli's classes
 * are Java 5 class files, which class-data sharing cannot archive, and every subcommand is reflected
 * over); a lock taken around a short command should not cost that. Anything else (help, version, an
 * unknown or clustered option, a bad value, no {@code --}, a LOCKFILE that {@link LockPaths} refuses)
 * returns null and goes through picocli as before, so every message and error stays picocli's. The
 * command is run by {@link RunCommand#execute}, the same code picocli calls, and failures map to the same
 * exit codes and "lockscope: message" lines as {@link LockscopeCommand}'s exception handler.
 */
public final class RunFastPath {

    private RunFastPath() {
    }

    /** The exit code, or null when picocli must handle these arguments. */
    public static Integer tryRun(String[] args) {
        RunCommand cmd = parse(args);
        if (cmd == null) {
            return null;
        }
        PrintWriter err = new PrintWriter(System.err, true);
        try {
            return cmd.execute(err);
        } catch (Exception ex) {
            err.println(ExitCodes.describe(ex, cmd.operation()));
            return ExitCodes.forFailure(ex);
        } finally {
            err.flush();
        }
    }

    /** The filled-in command, or null for anything but the plain shape. */
    static RunCommand parse(String[] args) {
        if (args.length < 4 || !"run".equals(args[0])) {
            return null;
        }
        RunCommand c = new RunCommand();
        c.timeout = Duration.ofSeconds(60);
        c.lease = Duration.ofSeconds(30);
        c.grace = RunCommand.DEFAULT_GRACE;
        int i = 1;
        try {
            while (i < args.length && args[i].startsWith("-") && !args[i].equals("--")) {
                String a = args[i];
                String name = a;
                String value = null;
                int eq = a.indexOf('=');
                if (a.startsWith("--") && eq > 0) {
                    name = a.substring(0, eq);
                    value = a.substring(eq + 1);
                }
                if (name.equals("--no-break-stale") && value == null) {
                    c.noBreakStale = true;
                    i++;
                    continue;
                }
                if (name.equals("--keep-running-on-loss") && value == null) {
                    c.keepRunningOnLoss = true;
                    i++;
                    continue;
                }
                if (value == null) {
                    if (i + 1 >= args.length) {
                        return null;
                    }
                    value = args[i + 1];
                    i += 2;
                } else {
                    i++;
                }
                switch (name) {
                    case "-t", "--timeout" -> c.timeout = DurationConverter.parse(value);
                    case "-l", "--lease" -> c.lease = DurationConverter.parse(value);
                    case "-p", "--purpose" -> c.purpose = value;
                    case "-g", "--grace" -> c.grace = DurationConverter.parse(value);
                    default -> {
                        return null;
                    }
                }
            }
        } catch (RuntimeException badValue) {
            return null; // picocli says what is wrong with it
        }
        // LOCKFILE, then "--", then at least one word of CMD.
        if (i + 2 >= args.length || args[i].startsWith("-") || !args[i + 1].equals("--")) {
            return null;
        }
        c.lockFile = Path.of(args[i]);
        // An empty LOCKFILE (""), a directory, a missing directory or an undecodable name (U+FFFD):
        // picocli's path says what is wrong (LockPaths).
        Path dir = c.lockFile.toAbsolutePath().getParent();
        if (Files.isDirectory(c.lockFile, LinkOption.NOFOLLOW_LINKS) || dir == null || !Files.isDirectory(dir)
                || args[i].indexOf('\uFFFD') >= 0) {
            return null;
        }
        c.command = List.copyOf(Arrays.asList(args).subList(i + 2, args.length));
        return c;
    }
}
