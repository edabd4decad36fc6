package dev.lockscope.cli;

import dev.lockscope.lock.BreakResult;
import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockOptions;
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
                "and an audit record is written to .lockscope-audit/ beside it.",
                "Exit: 0 broken, 1 nothing to break or the lock changed, 3 refused (not stale), 4 not confirmed,",
                "75 another breaker is busy."})
public final class BreakCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "LOCKFILE", description = "the lock file")
    Path lockFile;

    @Option(names = {"-y", "--yes"}, description = "do not ask for confirmation")
    boolean yes;

    @Option(names = "--force", description = "break even a HELD or UNKNOWN lock (its owner will lose it)")
    boolean force;

    // --- ask the owner's host (issue 15): one option, one call into dev.lockscope.probe ---
    @Option(names = "--ask-host", description = {"when another host holds the lock, ask that host over ssh; its DEAD",
            "answer makes the lock stale (only hosts on the allow-list, see 'status --ask-host')"})
    boolean askHost;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        LockPaths.requireNotDirectory(spec, lockFile);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LinkLock lock = LinkLock.at(lockFile, LockOptions.defaults());
        Verdict v = lock.inspect();
        if (v.state() == LockState.FREE) {
            out.println("No lock at " + v.lock() + ": nothing to break.");
            out.flush();
            return ExitCodes.NOTHING_DONE;
        }
        HostChecker.Checked asked = askHost ? HostCheckFormat.checker(spec).check(v) : new HostChecker.Checked(v, null);
        v = asked.verdict();
        VerdictFormat.printHuman(v, out);
        if (asked.check() != null) {
            HostCheckFormat.printHuman(asked.check(), out);
        }
        if (!v.state().isStale() && !force) {
            err.println("lockscope: refusing to break " + v.lock() + ": it is " + v.state() + " by "
                    + v.holderDescription() + ". Use --force to break it anyway; its owner will lose the lock.");
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
        BreakResult r = lock.breakLock(v, force);
        out.println(r.message());
        if (r.auditFile() != null) {
            out.println("audit: " + r.auditFile());
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
}
