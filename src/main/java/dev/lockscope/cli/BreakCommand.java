package dev.lockscope.cli;

import dev.lockscope.lock.BreakResult;
import dev.lockscope.lock.LockState;
import dev.lockscope.lock.Verdict;
import dev.lockscope.probe.HostChecker;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code lockscope break}: the safe break of a stale lock, after confirmation. Main thread only. */
@Command(name = "break", mixinStandardHelpOptions = true,
        description = {"Break a stale (DEAD or EXPIRED) lock safely: only the lock that was judged is ever removed,",
                "and an audit record is written to .lockscope-audit/ beside it. Other tools' locks are judged by",
                "their own tool's rule and broken the same way, with the tool's leftover claim or temp file.",
                "Exit: 0 broken, 1 nothing to break (no lock, not a lock file) or the lock changed, 3 refused",
                "(not stale), 4 not confirmed, 66 no such directory, 75 another breaker is busy,",
                "77 permission denied or read-only filesystem."})
public final class BreakCommand implements Callable<Integer>, ExitCodes.Operation {

    @Parameters(index = "0", paramLabel = "LOCKFILE", description = "the lock file")
    Path lockFile;

    @Option(names = {"-y", "--yes"}, description = "do not ask for confirmation")
    boolean yes;

    @Option(names = "--force", description = "break even a HELD or UNKNOWN lock (its owner will lose it)")
    boolean force;

    @CommandLine.Mixin
    JudgedLock.LocktimeoutOption locktimeout = new JudgedLock.LocktimeoutOption();
    // --- ask the owner's host (issue 15): one option, one call into dev.lockscope.probe ---
    @Option(names = "--ask-host", description = {"when another host holds the lock, ask that host over ssh; its DEAD",
            "answer makes the lock stale (only hosts on the allow-list, see 'status --ask-host')"})
    boolean askHost;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        LockPaths.requireLockFile(spec, lockFile);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String notALock = LockPaths.notALockFile(lockFile);
        String data = LockPaths.recordStoreFile(lockFile);
        if (notALock != null && notALock.equals(data)) {
            // Even with --force: "breaking" it would delete the records, or a writer's change in flight.
            err.println("lockscope: " + TerminalText.escape(lockFile + " is not a lock file but " + data
                    + ": lockscope never breaks it"));
            return ExitCodes.NOTHING_DONE;
        }
        if (notALock != null) {
            err.println("lockscope: " + TerminalText.escape(lockFile + " is not a lock file but " + notALock
                    + ": nothing to break; remove it by hand if it is in the way"));
            return ExitCodes.NOTHING_DONE;
        }
        locktimeout.applyTo(lockFile.toAbsolutePath().normalize().getParent());
        JudgedLock judged = JudgedLock.inspect(lockFile);
        Verdict v = judged.verdict();
        if (v.state() == LockState.FREE) {
            out.println(TerminalText.escape("No lock at " + v.lock() + ": nothing to break."));
            out.flush();
            return ExitCodes.NOTHING_DONE;
        }
        HostChecker.Checked asked = askHost ? HostCheckFormat.checker(spec).check(v) : new HostChecker.Checked(v, null);
        v = asked.verdict();
        VerdictFormat.printHuman(v, out);
        if (judged.foreign() != null) {
            out.println(TerminalText.escape("format:     " + judged.format() + " (" + judged.foreign().foreign().description() + ")"));
        }
        if (asked.check() != null) {
            HostCheckFormat.printHuman(asked.check(), out);
        }
        if (!v.state().isStale() && !force) {
            err.println("lockscope: " + TerminalText.escape("refusing to break " + v.lock() + ": it is " + v.state()
                    + " by " + v.holderDescription() + ". Use --force to break it anyway; its owner will lose the lock."));
            return ExitCodes.REFUSED;
        }
        if (!yes) {
            String q = v.state().isStale()
                    ? "Break this " + v.state() + " lock? [y/N] "
                    : "This lock is " + v.state() + ": its owner may still be working. Force the break? [y/N] ";
            out.print(q);
            out.flush();
            String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (answer == null || !answer.trim().toLowerCase(Locale.ROOT).matches("y|yes")) {
                err.println("lockscope: not confirmed; nothing was done" + (answer == null
                        ? " (no answer on standard input; use --yes in scripts)" : ""));
                return ExitCodes.NOT_CONFIRMED;
            }
        }
        BreakResult r = judged.breakLock(lockFile, v, force);
        out.println(TerminalText.escape(r.message()));
        if (r.auditFile() != null) {
            out.println("audit: " + TerminalText.escape(r.auditFile().toString()));
        }
        out.flush();
        return switch (r.outcome()) {
            case BROKEN -> ExitCodes.OK;
            case REFUSED_NOT_STALE -> ExitCodes.REFUSED;
            case GUARD_BUSY -> ExitCodes.LOCK_TIMEOUT;
            case RESTORE_FAILED -> ExitCodes.LOCK_LOST;
            default -> ExitCodes.NOTHING_DONE;
        };
    }

    @Override
    public String operation() {
        return "break lock " + lockFile;
    }
}
