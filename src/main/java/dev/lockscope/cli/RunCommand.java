package dev.lockscope.cli;

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
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@code lockscope run}: run a command while holding a lock, with the heartbeat going. Main thread only. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Acquire LOCKFILE, run CMD with the heartbeat renewing the lease, and release the lock",
                "even if CMD fails. CMD sees LOCKSCOPE_LOCK and LOCKSCOPE_TOKEN in its environment.",
                "Exit: CMD's exit code; 75 if the lock could not be had in time; 70 if the lock was lost",
                "while CMD ran; 127 if CMD cannot be started."})
public final class RunCommand implements Callable<Integer> {

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
        LockPaths.requireNotDirectory(spec, lockFile);
        return execute(spec.commandLine().getErr());
    }

    /** The command itself, once the arguments are in the fields; {@link RunFastPath} calls it without picocli. */
    int execute(PrintWriter err) throws Exception {
        LockOptions options;
        try {
            options = LockOptions.defaults().withLease(lease).withPurpose(purpose != null ? purpose
                    : String.join(" ", command)).withBreakStale(!noBreakStale);
        } catch (IllegalArgumentException e) {
            err.println("lockscope: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        LockHandle handle;
        try {
            LinkLock lock = LinkLock.at(lockFile, options);
            handle = askHost ? AskingWaiter.acquire(lock, timeout, HostChecker.fromEnvironment(), line -> {
                err.println(line);
                err.flush();
            }) : lock.acquire(timeout);
        } catch (LockTimeoutException e) {
            err.println("lockscope: " + e.getMessage());
            return ExitCodes.LOCK_TIMEOUT;
        }
        AtomicBoolean lostWhileRunning = new AtomicBoolean();
        handle.onLost(h -> {
            lostWhileRunning.set(true);
            err.println("lockscope: lock lost while the command ran: " + h.lossReason());
            err.flush();
        });
        Process child = null;
        Thread hook = null;
        int exit;
        try {
            ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
            pb.environment().put("LOCKSCOPE_LOCK", handle.lockPath().toString());
            pb.environment().put("LOCKSCOPE_TOKEN", handle.token());
            try {
                child = pb.start();
            } catch (IOException e) {
                err.println("lockscope: cannot run '" + command.get(0) + "': " + e.getMessage());
                release(handle, err);
                return ExitCodes.COMMAND_NOT_FOUND;
            }
            Process running = child;
            // On SIGTERM or SIGINT: stop the command, then release the lock so nobody waits a lease.
            hook = new Thread(() -> {
                running.destroy();
                try {
                    handle.release();
                } catch (IOException ignored) {
                    // already lost or released
                }
            }, "lockscope-run-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            exit = child.waitFor();
        } finally {
            if (hook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException ignored) {
                    // shutting down already
                }
            }
        }
        boolean released = release(handle, err);
        if (lostWhileRunning.get() || !released) {
            return ExitCodes.LOCK_LOST;
        }
        return exit;
    }

    private static boolean release(LockHandle handle, PrintWriter err) {
        try {
            handle.release();
            return true;
        } catch (LockLostException e) {
            err.println("lockscope: " + e.getMessage());
            return false;
        } catch (IOException e) {
            err.println("lockscope: could not release " + handle.lockPath() + ": " + e.getMessage());
            return false;
        }
    }
}
