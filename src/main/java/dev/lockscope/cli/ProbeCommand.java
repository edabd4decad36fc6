package dev.lockscope.cli;

import dev.lockscope.lock.HostIdentity;
import dev.lockscope.lock.ProcessTable;
import dev.lockscope.probe.ProbeReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/**
 * {@code lockscope probe PID}: this host's answer about one of its pids, as JSON. It is what another host's
 * {@code --ask-host} runs here over ssh, so it reads no lock file and takes nothing but a number. Main thread only.
 */
@Command(name = "probe", mixinStandardHelpOptions = true,
        description = {"Print, as one line of JSON, whether PID is alive on this host, with this host's machine id,",
                "boot id and pid namespace and the process's start (clock ticks since boot and epoch millis).",
                "Run over ssh by 'status --ask-host' on other hosts. Reads no lock file. Exit 0 either way."})
public final class ProbeCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "PID", description = "a process id (a number)")
    long pid;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * {@code probe PID} without picocli: the exit code, or null for any other shape (help, a bad number), which
     * picocli then handles with its usual messages. Each host check starts one such JVM on the remote host,
     * and building picocli's command model is most of a short command's start.
     */
    public static Integer tryRun(String[] args) {
        if (args.length != 2 || !"probe".equals(args[0]) || !args[1].matches("[0-9]{1,10}")) {
            return null;
        }
        long pid = Long.parseLong(args[1]);
        if (pid <= 0 || pid > ProbeReport.MAX_PID) {
            return null;
        }
        System.out.println(ProbeReport.ofThisHost(pid, HostIdentity.current(), ProcessTable.SYSTEM).toJson());
        System.out.flush();
        return ExitCodes.OK;
    }

    @Override
    public Integer call() {
        try {
            ProbeReport.requireValidPid(pid);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        var out = spec.commandLine().getOut();
        out.println(ProbeReport.ofThisHost(pid, HostIdentity.current(), ProcessTable.SYSTEM).toJson());
        out.flush();
        return ExitCodes.OK;
    }
}
