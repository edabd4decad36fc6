package dev.lockscope.probe;

import java.time.Instant;
import java.util.List;

/**
 * One ssh run as evidence: what was asked, when, and what came back. Immutable; any thread.
 *
 * @param argv           the exact argument vector that was started (no shell)
 * @param startedAt      when it started, this host's clock
 * @param durationMillis how long it ran
 * @param exitCode       ssh's exit code (255: ssh itself failed; else the remote command's), or null when it was
 *                       killed or could not be started
 * @param stdout         what the remote side printed, bounded and escaped for display
 * @param stderr         ssh's and the remote's error output, bounded and escaped
 * @param problem        why there is no usable answer from this run (timeout, output too long, not startable),
 *                       or null
 */
public record SshExchange(List<String> argv, Instant startedAt, long durationMillis, Integer exitCode,
                          String stdout, String stderr, String problem) {

    public SshExchange {
        argv = List.copyOf(argv);
    }

    /** One line for people: {@code ssh ... -> exit 0 in 412 ms}. */
    public String summary() {
        return String.join(" ", argv) + " -> "
                + (problem != null ? problem : "exit " + exitCode) + " in " + durationMillis + " ms at " + startedAt;
    }
}
