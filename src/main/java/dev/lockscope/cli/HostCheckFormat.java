package dev.lockscope.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.probe.HostCheck;
import dev.lockscope.probe.HostChecker;
import dev.lockscope.probe.ProbeReport;
import dev.lockscope.probe.SshExchange;

import java.io.PrintWriter;
import java.util.Locale;

/** Renders a check on the owner's host (the ssh evidence) for people and for scripts. Stateless; any thread. */
public final class HostCheckFormat {

    private HostCheckFormat() {
    }

    /** The operator's ssh settings, or a usage error naming what is wrong with them. */
    static HostChecker checker(picocli.CommandLine.Model.CommandSpec spec) {
        try {
            return HostChecker.fromEnvironment();
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    public static ObjectNode toJson(HostCheck c) {
        ObjectNode n = VerdictFormat.JSON.createObjectNode();
        n.put("host", c.host());
        n.put("pid", c.pid());
        n.put("result", c.result().name());
        n.put("reason", c.reason());
        n.put("at", c.at().toString());
        ProbeReport r = c.report();
        if (r != null) {
            ObjectNode a = n.putObject("answer");
            a.put("source", r.source());
            a.put("alive", r.alive());
            a.put("machineId", r.hostId());
            a.put("bootId", r.bootId());
            a.put("pidNamespace", r.pidNamespace());
            if (r.startTicks() != null) {
                a.put("startTicks", r.startTicks());
            }
            if (r.startTime() != null) {
                a.put("startTime", r.startTime());
            }
        }
        ArrayNode runs = n.putArray("ssh");
        for (SshExchange e : c.exchanges()) {
            ObjectNode x = runs.addObject();
            ArrayNode argv = x.putArray("argv");
            e.argv().forEach(argv::add);
            x.put("startedAt", e.startedAt().toString());
            x.put("durationMillis", e.durationMillis());
            if (e.exitCode() == null) {
                x.putNull("exitCode");
            } else {
                x.put("exitCode", e.exitCode());
            }
            x.put("stdout", e.stdout());
            x.put("stderr", e.stderr());
            if (e.problem() != null) {
                x.put("problem", e.problem());
            }
        }
        return n;
    }

    /** The check as rows under a verdict printed by {@link VerdictFormat#printHuman}. */
    public static void printHuman(HostCheck c, PrintWriter out) {
        row(out, "host check", c.headline());
        c.evidence().forEach(line -> row(out, line.label(), line.text()));
    }

    private static void row(PrintWriter out, String k, String v) {
        out.printf(Locale.ROOT, "%-11s %s%n", k + ":", v);
    }
}
