package dev.lockscope.cli;

import dev.lockscope.lock.IoErrorText;
import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockHandle;
import dev.lockscope.lock.LockLostException;
import dev.lockscope.lock.LockOptions;
import dev.lockscope.lock.LockTimeoutException;
import dev.lockscope.probe.AskingWaiter;
import dev.lockscope.probe.HostChecker;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code lockscope run}: run a command while holding a lock, with the heartbeat going. Main thread only. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Acquire LOCKFILE, run CMD with the heartbeat renewing the lease, and",
                "release the lock once CMD has exited, even if CMD fails. CMD sees",
                "LOCKSCOPE_LOCK and LOCKSCOPE_TOKEN in its environment. SIGTERM, SIGINT and",
                "SIGHUP are passed on to CMD, and the lock is released only once CMD is dead",
                "(SIGKILL after the grace period). On Linux CMD dies with a killed run.",
                "Exit: CMD's exit code; 75 if the lock could not be had in time; 70 if the",
                "lock was lost (CMD is then stopped, unless --keep-running-on-loss);",
                "128+N after signal N (143 for SIGTERM); 127 if CMD cannot be started."})
public final class RunCommand implements Callable<Integer>, ExitCodes.Operation {

    static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);

    @Option(names = {"-t", "--timeout"}, paramLabel = "DUR", converter = DurationConverter.class,
            description = "how long to wait for the lock (default: ${DEFAULT-VALUE}); e.g. 500ms, 10s, 2m",
            defaultValue = "60s")
    Duration timeout;

    @Option(names = {"-l", "--lease"}, paramLabel = "DUR", converter = DurationConverter.class,
            description = "lease renewed by the heartbeat every lease/3 (default: ${DEFAULT-VALUE})",
            defaultValue = "30s")
    Duration lease;

    @Option(names = {"-p", "--purpose"}, paramLabel = "TEXT", description = "recorded in the owner record")
    String purpose;

    @Option(names = "--no-break-stale", negatable = false,
            description = "wait out DEAD or EXPIRED locks instead of breaking them")
    boolean noBreakStale;

    @Option(names = {"-g", "--grace"}, paramLabel = "DUR", converter = DurationConverter.class,
            description = "how long CMD has to exit after a signal passed on to it or a lost lock, before it"
                    + " gets SIGKILL (default: ${DEFAULT-VALUE})",
            defaultValue = "10s")
    Duration grace = DEFAULT_GRACE;

    @Option(names = "--keep-running-on-loss", negatable = false,
            description = "when the lock is lost, let CMD run on (run still exits 70) instead of stopping it")
    boolean keepRunningOnLoss;
    // --- ask the owner's host (issue 15): one option, one call into dev.lockscope.probe ---
    @Option(names = "--ask-host", negatable = false, description = {"while waiting, ask the holder's host over ssh",
            "(allow-listed hosts only) and break the lock when it says the holder is DEAD"})
    boolean askHost;

    @Parameters(index = "0", paramLabel = "LOCKFILE", description = "the lock file, e.g. /shared/records.json.lock")
    Path lockFile;

    @Parameters(index = "1..*", paramLabel = "CMD", arity = "1..*", description = "the command and its arguments (after --)")
    List<String> command;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        LockPaths.requireLockFile(spec, lockFile);
        return execute(spec.commandLine().getErr());
    }

    /** The command itself, once the arguments are in the fields; {@link RunFastPath} calls it without picocli. */
    int execute(PrintWriter err) throws Exception {
        String data = LockPaths.recordStoreFile(lockFile);
        if (data != null && Files.isRegularFile(lockFile, LinkOption.NOFOLLOW_LINKS)) {
            // Its content is no owner record, so a lock there could never be taken, only waited for.
            err.println("lockscope: " + TerminalText.escape("LOCKFILE " + lockFile + " is not a lock file but " + data
                    + "; give the lock's own name"));
            return ExitCodes.USAGE;
        }
        LockOptions options;
        try {
            options = LockOptions.defaults().withLease(lease).withPurpose(purpose != null ? purpose
                    : String.join(" ", command)).withBreakStale(!noBreakStale);
        } catch (IllegalArgumentException e) {
            err.println(ExitCodes.describe(e));
            return ExitCodes.USAGE;
        }
        RunInterruptions interruptions = RunInterruptions.install(!keepRunningOnLoss, err);
        LockHandle handle;
        interruptions.waiting(true);
        try {
            LinkLock lock = LinkLock.at(lockFile, options);
            handle = askHost ? AskingWaiter.acquire(lock, timeout, HostChecker.fromEnvironment(), line -> {
                err.println(TerminalText.escape(line));
                err.flush();
            }) : lock.acquire(timeout);
        } catch (LockTimeoutException e) {
            err.println(ExitCodes.describe(e)); // names the holder, whose fields anyone may have written
            return ExitCodes.LOCK_TIMEOUT;
        } catch (IOException e) {
            if (interruptions.signal() == null) {
                throw e;
            }
            // The signal interrupted the wait; the acquisition removed its claim on the way out.
            err.println("lockscope: " + TerminalText.escape("got SIG" + interruptions.signal() + " while waiting for "
                    + lockFile + "; not running the command"));
            return interruptions.signalExitCode();
        } finally {
            interruptions.waiting(false);
        }
        handle.onLost(h -> interruptions.lockLost(h.lossReason()));
        Integer exit = null; // CMD's code; null while CMD has not run
        boolean cannotStart = false;
        boolean released;
        try {
            // Told to stop between taking the lock and starting CMD: CMD is not started.
            if (interruptions.signal() == null && !interruptions.lostAndStopping()) {
                exit = runToItsEnd(handle, interruptions, err);
            }
        } catch (IOException e) {
            err.println("lockscope: " + TerminalText.escape("cannot run '" + command.get(0) + "': " + e.getMessage()));
            cannotStart = true;
        } finally {
            // CMD is dead and reaped, or never ran: only now may the lock go.
            released = release(handle, err);
        }
        if (cannotStart) {
            return ExitCodes.COMMAND_NOT_FOUND;
        }
        if (interruptions.lostAndStopping() || !released) {
            return ExitCodes.LOCK_LOST;
        }
        if (interruptions.signal() != null) {
            return interruptions.signalExitCode();
        }
        return exit;
    }

    /** Starts CMD under the lock and waits until it is dead: CMD's exit code. */
    private int runToItsEnd(LockHandle handle, RunInterruptions interruptions, PrintWriter err) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        pb.environment().put("LOCKSCOPE_LOCK", handle.lockPath().toString());
        pb.environment().put("LOCKSCOPE_TOKEN", handle.token());
        // This thread starts CMD and waits for it, as it must: see SupervisedCommand.PDEATHSIG_HELPER.
        interruptions.starting();
        SupervisedCommand child = SupervisedCommand.start(pb, grace, err);
        try {
            interruptions.running(child);
            return child.awaitExit();
        } catch (RuntimeException | Error e) {
            // run itself failed while CMD ran: CMD must be dead before the lock is released.
            child.kill();
            child.awaitExit();
            throw e;
        }
    }

    @Override
    public String operation() {
        return "run " + (command == null || command.isEmpty() ? "a command" : "'" + command.get(0) + "'")
                + " under lock " + lockFile;
    }

    private static boolean release(LockHandle handle, PrintWriter err) {
        try {
            handle.release();
            return true;
        } catch (LockLostException e) {
            err.println(ExitCodes.describe(e));
            return false;
        } catch (IOException e) {
            err.println("lockscope: " + TerminalText.escape(IoErrorText.failed("release", handle.lockPath(), e)));
            return false;
        }
    }
}
