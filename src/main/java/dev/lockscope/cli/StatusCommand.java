package dev.lockscope.cli;

import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockOptions;
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
                "with the evidence: host, host id, pid, user, ages (server clock), link count, inode, lease."})
public final class StatusCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "LOCKFILE", description = "the lock file, e.g. /shared/records.json.lock")
    Path lockFile;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    // --- ask the owner's host (issue 15): one option, one call into dev.lockscope.probe ---
    @Option(names = "--ask-host", description = {"when another host holds the lock, ask that host over ssh whether",
            "the owner's process still runs (only hosts on the allow-list: LOCKSCOPE_ASK_HOSTS or",
            "~/.config/lockscope/ask-hosts)"})
    boolean askHost;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        LockPaths.requireNotDirectory(spec, lockFile);
        Verdict v = LinkLock.at(lockFile, LockOptions.defaults()).inspect();
        HostChecker.Checked asked = askHost ? HostCheckFormat.checker(spec).check(v) : new HostChecker.Checked(v, null);
        v = asked.verdict();
        var out = spec.commandLine().getOut();
        if (json) {
            var n = VerdictFormat.toJson(v);
            if (asked.check() != null) {
                n.set("hostCheck", HostCheckFormat.toJson(asked.check()));
            }
            out.println(VerdictFormat.JSON.writeValueAsString(n));
        } else {
            VerdictFormat.printHuman(v, out);
            if (asked.check() != null) {
                HostCheckFormat.printHuman(asked.check(), out);
            }
        }
        out.flush();
        return ExitCodes.OK;
    }
}
