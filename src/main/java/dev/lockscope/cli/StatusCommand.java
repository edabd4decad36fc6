package dev.lockscope.cli;

import dev.lockscope.lock.LockState;
import dev.lockscope.lock.Verdict;
import dev.lockscope.probe.HostChecker;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code lockscope status}: the holder and the verdict, with evidence. Main thread only. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Print who holds LOCKFILE and whether it is FREE, HELD, EXPIRED, DEAD or UNKNOWN,",
                "with the evidence: host, host id, pid, user, ages (server clock), link count, inode, lease.",
                "Other tools' locks (flufl.lock, dotlockfile, procmail, Mercurial, git, py-filelock) are judged by",
                "that tool's own rule."})
public final class StatusCommand implements Callable<Integer>, ExitCodes.Operation {

    @Parameters(index = "0", paramLabel = "LOCKFILE", description = "the lock file, e.g. /shared/records.json.lock")
    Path lockFile;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @CommandLine.Mixin
    JudgedLock.LocktimeoutOption locktimeout = new JudgedLock.LocktimeoutOption();
    // --- ask the owner's host (issue 15): one option, one call into dev.lockscope.probe ---
    @Option(names = "--ask-host", description = {"when another host holds the lock, ask that host over ssh whether",
            "the owner's process still runs (only hosts on the allow-list: LOCKSCOPE_ASK_HOSTS or",
            "~/.config/lockscope/ask-hosts)"})
    boolean askHost;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        LockPaths.requireLockFile(spec, lockFile);
        String notALock = LockPaths.notALockFile(lockFile);
        locktimeout.applyTo(lockFile.toAbsolutePath().normalize().getParent());
        // A FIFO or device has no owner, no content and no heartbeat: say what it is and nothing else.
        JudgedLock judged = notALock != null ? null : JudgedLock.inspect(lockFile);
        Verdict v = judged == null ? new Verdict(lockFile, LockState.UNKNOWN,
                "not a lock file: " + notALock, null, null, -1, -1, 0, -1, -1, null) : judged.verdict();
        HostChecker.Checked asked = askHost ? HostCheckFormat.checker(spec).check(v) : new HostChecker.Checked(v, null);
        v = asked.verdict();
        var out = spec.commandLine().getOut();
        if (json) {
            var n = VerdictFormat.toJson(v);
            if (judged != null && judged.format() != null) {
                n.put("format", judged.format());
            }
            if (asked.check() != null) {
                n.set("hostCheck", HostCheckFormat.toJson(asked.check()));
            }
            out.println(VerdictFormat.JSON.writeValueAsString(n));
        } else {
            VerdictFormat.printHuman(v, out);
            if (judged != null && judged.foreign() != null) {
                out.println(TerminalText.escape("format:     " + judged.format() + " (" + judged.foreign().foreign().description() + ")"));
            }
            if (asked.check() != null) {
                HostCheckFormat.printHuman(asked.check(), out);
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    @Override
    public String operation() {
        return "inspect lock " + lockFile;
    }
}
