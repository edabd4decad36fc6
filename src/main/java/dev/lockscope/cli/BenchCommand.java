package dev.lockscope.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockscope.lock.JsonMappers;
import dev.lockscope.bench.BenchMode;
import dev.lockscope.bench.BenchResult;
import dev.lockscope.bench.BenchRunner;
import dev.lockscope.bench.SameDirectoryCheck;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code lockscope bench}: how fast locking is in a directory, measured with real processes. Main thread only. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Run N worker processes (child JVMs), each doing M operations on locks in DIR, and print",
                "throughput, latency percentiles and, under contention, the hand-off latency (the time from",
                "a holder starting to release to the next waiter holding the lock).",
                "  cycle:   uncontended acquire+release, every process on its own lock name",
                "  counter: one shared lock; each op increments a JSON counter through the record store's",
                "           save path (" + BenchRunner.COUNTER_FILE + " in DIR); the final count must be N*M.",
                "--second-mount DIR2: DIR seen through another client's mount (two NFS or",
                "gluster mounts); the even workers use DIR, the odd ones DIR2. A marker file",
                "written through each must be read back through the other within 10 s first.",
                "Exit: 0 ok; 64 bad usage, or DIR2 is not DIR through another mount; 65 if the",
                "counter lost or duplicated an increment; 66 no such directory; 74 if a worker",
                "failed."})
public final class BenchCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "the directory to lock in (must exist)")
    Path dir;

    @Option(names = {"-n", "--procs"}, paramLabel = "N", defaultValue = "4",
            description = "worker processes (default: ${DEFAULT-VALUE})")
    int procs;

    @Option(names = {"-m", "--ops"}, paramLabel = "M", defaultValue = "500",
            description = "measured operations per process (default: ${DEFAULT-VALUE})")
    int ops;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "cycle",
            description = "cycle or counter (default: ${DEFAULT-VALUE})")
    String mode;

    @Option(names = "--warmup", paramLabel = "W",
            description = "unmeasured warm-up operations per process, on private names, so the JIT has compiled"
                    + " the lock path before the clock starts (default: 3000 for cycle, 30 for counter)")
    Integer warmup;

    @Option(names = "--timeout", paramLabel = "DUR", converter = DurationConverter.class, defaultValue = "10m",
            description = "the whole run must finish within DUR (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(names = "--json", description = "print one JSON object instead of the table")
    boolean json;

    @Option(names = "--group-commit", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "counter: a worker that finds the lock held publishes its increment for the holder to"
                    + " commit with its own (the record store's default); --no-group-commit takes the lock for"
                    + " every increment (default: on)")
    boolean groupCommit;

    @Option(names = "--second-mount", paramLabel = "DIR2",
            description = "the same directory as DIR seen through another mount: half the workers (the odd ones)"
                    + " lock through DIR2, so the lock and the counter are shared by two clients; checked first with"
                    + " a marker file written through each path and read back through the other")
    Path secondMount;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        BenchMode m;
        try {
            m = BenchMode.valueOf(mode.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            err.println("lockscope: --mode must be cycle or counter, got '" + mode + "'");
            return ExitCodes.USAGE;
        }
        BenchRunner.Config config;
        try {
            int w = warmup != null ? warmup : m == BenchMode.CYCLE ? 3000 : 30;
            config = new BenchRunner.Config(dir, m, procs, ops, w, timeout, groupCommit, secondMount);
        } catch (IllegalArgumentException e) {
            err.println("lockscope: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        BenchResult r;
        try {
            LockPaths.requireDirectory(dir);
            if (secondMount != null) {
                LockPaths.requireDirectory(secondMount);
            }
            r = BenchRunner.run(config);
        } catch (SameDirectoryCheck.NotTheSameDirectoryException e) {
            err.println("lockscope: --second-mount: " + TerminalText.escape(e.getMessage()));
            return ExitCodes.USAGE;
        } catch (BenchRunner.WorkerFailedException e) {
            err.println("lockscope: " + TerminalText.escape(e.getMessage()));
            return ExitCodes.IO_ERROR;
        } catch (IOException e) {
            err.println(ExitCodes.describe(e, "benchmark locks in " + dir));
            return ExitCodes.forFailure(e);
        }
        if (json) {
            ObjectMapper mapper = JsonMappers.cliOutput();
            out.println(mapper.writeValueAsString(r.toJson(mapper)));
        } else {
            out.print(r.toText());
        }
        out.flush();
        if (!r.ok()) {
            err.println("lockscope: the counter is wrong: " + r.finalCount() + " of " + r.expectedCount()
                    + " (" + r.lost() + " lost, " + r.duplicateValues() + " duplicate values, " + r.overlaps()
                    + " overlapping holders)");
            return ExitCodes.DATA_ERROR;
        }
        return ExitCodes.OK;
    }
}
