package dev.lockscope.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.probe.ScanHostChecks;
import dev.lockscope.scan.DirectoryScanner;
import dev.lockscope.scan.DirectorySnapshot;
import dev.lockscope.scan.DirectoryWatcher;
import dev.lockscope.scan.ScanEntry;
import dev.lockscope.scan.ScanListener;
import dev.lockscope.scan.SnapshotDiff;
import dev.lockscope.scan.WatchOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code lockscope ls}: the locks of a directory, like lslocks. Main thread; --watch prints from the scanner thread. */
@Command(name = "ls", mixinStandardHelpOptions = true,
        description = {"List the locks in DIR with their state (HELD, EXPIRED, DEAD, UNKNOWN), owner and ages.",
                "Ages are server time (measured with a probe file). --all adds claims (HELD, WAITING, ORPHAN),",
                "break guards' leftovers, record-save temp files, group-commit intents, .nfsXXXX files, probes",
                "and everything else.",
                "Symlinks are never followed and FIFOs or devices never opened."})
public final class LsCommand implements Callable<Integer>, ExitCodes.Operation {

    @Parameters(index = "0", paramLabel = "DIR", description = "the lock directory")
    Path dir;

    @Parameters(index = "1..*", paramLabel = "DIR", description = "further directories (with --format prometheus)")
    List<Path> moreDirs = new java.util.ArrayList<>();

    /** Output formats of {@code ls}. */
    enum Format { table, json, prometheus }

    @Option(names = "--format", paramLabel = "FORMAT", description = {"table (the default), json (as --json), or"
            + " prometheus: the text exposition format of node_exporter's textfile collector, for every DIR.",
            "With prometheus the exit code is 0 even when a DIR cannot be scanned: lockscope_scan_success says so."})
    Format format = Format.table;

    @Option(names = "--json", description = "print a JSON array of objects (with --watch: one JSON object per change and line)")
    boolean json;

    @Option(names = "--all", description = "include claims, leftovers, temp files, intents and every other entry")
    boolean all;

    @Option(names = "--watch", description = "print the table, then each change as it happens, until interrupted")
    boolean watch;

    @Option(names = "--interval", paramLabel = "DUR", converter = DurationConverter.class,
            description = "with --watch: poll every DUR (default 1s on network filesystems, 5s on local ones)")
    Duration interval;

    @Option(names = "--poll", description = "with --watch: poll only, even where filesystem events arrive")
    boolean poll;

    @CommandLine.Mixin
    JudgedLock.LocktimeoutOption locktimeout = new JudgedLock.LocktimeoutOption();
    // --- ask the owners' hosts (issue 15): one option, one call into dev.lockscope.probe ---
    @Option(names = "--ask-hosts", description = {"ask the hosts of locks held from other hosts over ssh whether their",
            "owners still run (allow-listed hosts only, see 'status --ask-host'); not with --watch"})
    boolean askHosts;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (interval != null && interval.toMillis() < 10) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--interval must be at least 10ms");
        }
        if (format == Format.prometheus) {
            return printPrometheus(out, err);
        }
        if (!moreDirs.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "several DIRs need --format prometheus");
        }
        json |= format == Format.json;
        LockPaths.requireDirectory(dir);
        locktimeout.applyTo(dir.toAbsolutePath().normalize());
        if (askHosts && watch) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--ask-hosts cannot be used with --watch");
        }
        if (!watch) {
            DirectorySnapshot snap = DirectoryScanner.snapshot(dir);
            if (askHosts) {
                printAsked(snap, ScanHostChecks.check(shown(snap.entries()), HostCheckFormat.checker(spec)), out, err);
                out.flush();
                return ExitCodes.OK;
            }
            printSnapshot(snap, out, err);
            out.flush();
            return ExitCodes.OK;
        }
        WatchOptions opts = WatchOptions.defaults();
        if (interval != null) {
            opts = opts.withPollInterval(interval);
        }
        if (poll) {
            opts = WatchOptions.polling(interval == null ? opts.networkPollInterval() : interval);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        ScanListener listener = new ScanListener() {
            private boolean first = true;

            @Override
            public void onRefresh(SnapshotDiff diff) {
                if (first) {
                    first = false;
                    printSnapshot(diff.current(), out, err);
                } else if (!diff.isEmpty()) {
                    printDiff(diff, out);
                }
                out.flush();
            }

            @Override
            public void onError(Path directory, Exception error) {
                err.println(ExitCodes.describe(error, operation()));
                err.flush();
            }
        };
        DirectoryWatcher watcher = DirectoryWatcher.start(dir, opts, listener);
        Thread hook = new Thread(() -> {
            watcher.close();
            stopped.countDown();
        }, "lockscope-ls-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        stopped.await();
        return ExitCodes.OK;
    }

    @Override
    public String operation() {
        return "list lock directory " + dir;
    }

    private int printPrometheus(PrintWriter out, PrintWriter err) {
        if (watch || json) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--format prometheus goes without --watch and --json");
        }
        List<Path> dirs = new java.util.ArrayList<>(List.of(dir));
        dirs.addAll(moreDirs);
        List<PrometheusFormat.DirectoryScan> scans = PrometheusFormat.scan(dirs);
        out.print(PrometheusFormat.format(scans));
        out.flush();
        scans.stream().filter(s -> s.error() != null).forEach(s -> err.println(TerminalText.escape(s.error())));
        return ExitCodes.OK;
    }

    private List<ScanEntry> shown(List<ScanEntry> entries) {
        return all ? entries : entries.stream().filter(e -> e.kind().isLockLike()).toList();
    }

    private void printSnapshot(DirectorySnapshot snap, PrintWriter out, PrintWriter err) {
        List<ScanEntry> entries = shown(snap.entries());
        if (json && !watch) {
            ArrayNode arr = VerdictFormat.JSON.createArrayNode();
            entries.forEach(e -> arr.add(ScanFormat.toJson(e)));
            out.println(arr.toPrettyString());
        } else if (json) {
            for (ScanEntry e : entries) {
                out.println(change("added", e));
            }
        } else {
            ScanFormat.printTable(entries, out);
        }
        if (snap.clockError() != null) {
            err.println("lockscope: note: " + TerminalText.escape(snap.clockError()));
        }
    }

    private void printAsked(DirectorySnapshot snap, List<ScanHostChecks.CheckedEntry> checked, PrintWriter out,
                            PrintWriter err) {
        if (json) {
            ArrayNode arr = VerdictFormat.JSON.createArrayNode();
            for (ScanHostChecks.CheckedEntry c : checked) {
                ObjectNode n = ScanFormat.toJson(c.entry());
                if (c.check() != null) {
                    n.set("hostCheck", HostCheckFormat.toJson(c.check()));
                }
                arr.add(n);
            }
            out.println(arr.toPrettyString());
        } else {
            ScanFormat.printTable(checked.stream().map(ScanHostChecks.CheckedEntry::entry).toList(), out);
            for (ScanHostChecks.CheckedEntry c : checked) {
                if (c.check() != null) {
                    out.println(c.entry().name() + ": " + c.check().headline());
                }
            }
        }
        if (snap.clockError() != null) {
            err.println("lockscope: note: " + snap.clockError());
        }
    }

    private void printDiff(SnapshotDiff diff, PrintWriter out) {
        String now = LocalTime.now().format(CLOCK);
        for (ScanEntry e : shown(diff.removed())) {
            out.println(json ? change("removed", e) : now + " - " + String.join("  ", ScanFormat.cells(e)));
        }
        for (ScanEntry e : shown(diff.added())) {
            out.println(json ? change("added", e) : now + " + " + String.join("  ", ScanFormat.cells(e)));
        }
        for (ScanEntry e : shown(diff.changed())) {
            out.println(json ? change("changed", e) : now + " ~ " + String.join("  ", ScanFormat.cells(e)));
        }
    }

    private static String change(String what, ScanEntry e) {
        ObjectNode n = VerdictFormat.JSON.createObjectNode();
        n.put("change", what);
        n.setAll(ScanFormat.toJson(e));
        return n.toString();
    }
}
