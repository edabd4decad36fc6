package dev.lockscope.probe;

import dev.lockscope.lock.HostIdentity;
import dev.lockscope.lock.LockOwner;
import dev.lockscope.lock.LockState;
import dev.lockscope.lock.Verdict;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Asks a lock owner's host, over the operator's own {@code ssh}, whether the owner's process still runs.
 * Immutable; any thread except the JavaFX application thread (a check blocks for up to twice
 * {@link SshSettings#timeout}).
 *
 * <p>The command line is built from validated parts only: the host name must pass {@link HostNames} and the
 * allow-list, the pid is a number, everything else is constant or the operator's. No shell runs on this side
 * (ProcessBuilder with an argument vector); {@code --} ends ssh's options before the host. First
 * {@code lockscope probe PID}; when the remote shell says it has no such command (exit 127), or a lockscope too
 * old to have {@code probe} answers with a usage error (exit 64), the {@link FallbackProbe} with {@code cat}.
 */
public final class HostChecker {
    /** Exit status of a POSIX shell for "command not found". */
    private static final int COMMAND_NOT_FOUND = 127;
    /** Exit status of a lockscope too old to know {@code probe} (a usage error; the pid is valid, so not that). */
    private static final int USAGE = 64;
    private static final int SSH_FAILED = 255;

    private final SshSettings settings;
    private final HostIdentity self;

    public HostChecker(SshSettings settings, HostIdentity self) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.self = Objects.requireNonNull(self, "self");
    }

    /** A checker with the operator's settings from the environment and ~/.config/lockscope/. */
    public static HostChecker fromEnvironment() {
        return new HostChecker(SshSettings.fromEnvironment(), HostIdentity.current());
    }

    public SshSettings settings() {
        return settings;
    }

    /**
     * Whether asking the owner's host could change this verdict: a HELD or EXPIRED lock whose owner is not in
     * this host's pid space (there the local verdict is already certain). An owner from another boot of this
     * machine id is asked too: that is a reboot or a clone, and a HELD or EXPIRED verdict says the local look could
     * not tell which.
     */
    public boolean worthAsking(Verdict v) {
        return v.owner() != null && (v.state() == LockState.HELD || v.state() == LockState.EXPIRED)
                && !self.sharesPidSpaceWith(v.owner());
    }

    /** The verdict with the host's answer applied (see {@link HostCheck#applyTo}), and the check itself. */
    public record Checked(Verdict verdict, HostCheck check) {
    }

    /** Asks the owner's host when that is worth it; otherwise returns the verdict unchanged with a null check. */
    public Checked check(Verdict v) {
        if (!worthAsking(v)) {
            return new Checked(v, null);
        }
        HostCheck c = check(v.owner());
        return new Checked(c.applyTo(v), c);
    }

    /** Asks the owner's host about the owner's pid. Never throws for what the host or ssh does. */
    public HostCheck check(LockOwner owner) {
        Instant at = Instant.now();
        String host = owner.host();
        String invalid = HostNames.whyInvalid(host);
        if (invalid != null) {
            return refused(owner, at, invalid);
        }
        if (owner.pid() <= 0 || owner.pid() > ProbeReport.MAX_PID) {
            return refused(owner, at, "the lock's pid " + owner.pid() + " is not a pid");
        }
        if (!settings.allowList().allows(host)) {
            return refused(owner, at, host + " is not on the ask-hosts allow-list (" + settings.allowList()
                    + "; set " + AskHostsAllowList.ENV + " or " + AskHostsAllowList.configFile() + ")");
        }
        List<SshExchange> runs = new ArrayList<>();
        SshRunner.Outcome first = SshRunner.run(argv(host, "lockscope probe " + owner.pid()), settings.timeout());
        runs.add(first.exchange());
        SshRunner.Outcome answered = first;
        boolean fallback = false;
        Integer exit = first.exchange().exitCode();
        if (first.stdout() != null && exit != null && (exit == COMMAND_NOT_FOUND || exit == USAGE)) {
            answered = SshRunner.run(argv(host, FallbackProbe.command(owner.pid())), settings.timeout());
            runs.add(answered.exchange());
            fallback = true;
        }
        SshExchange last = answered.exchange();
        String failure = whyNoAnswer(last, fallback);
        if (failure != null) {
            return new HostCheck(host, owner.pid(), HostCheck.Result.INCONCLUSIVE, failure, null, runs, at);
        }
        ProbeReport report;
        try {
            report = fallback ? FallbackProbe.parse(answered.stdout(), owner.pid())
                    : ProbeReport.parseJson(answered.stdout(), owner.pid());
        } catch (IllegalArgumentException e) {
            return new HostCheck(host, owner.pid(), HostCheck.Result.INCONCLUSIVE, "the answer of " + host
                    + " was not understood: " + e.getMessage(), null, runs, at);
        }
        HostCheckJudge.Decision d = HostCheckJudge.judge(owner, report);
        return new HostCheck(host, owner.pid(), d.result(), d.reason() + " [" + report.source() + "]", report, runs, at);
    }

    /** The reason a run gave no answer to parse, or null when it did. */
    private static String whyNoAnswer(SshExchange ex, boolean fallback) {
        if (ex.problem() != null) {
            return ex.problem();
        }
        int exit = ex.exitCode();
        if (exit == SSH_FAILED) {
            String err = ex.stderr();
            if (err.contains("Host key verification failed") || err.contains("No ED25519 host key is known")
                    || err.contains("host key is known")) {
                return "the host key is unknown or changed (ssh: " + firstLine(err) + "); add it to known_hosts";
            }
            if (err.contains("Permission denied")) {
                return "ssh could not log in (" + firstLine(err) + ")";
            }
            return "host unreachable (ssh: " + (err.isEmpty() ? "exit 255" : firstLine(err)) + ")";
        }
        // The fallback ends with grep -c, which exits 1 when it counts 0; its output still answers.
        if (exit != 0 && !(fallback && exit == 1)) {
            return "the remote command failed with exit " + exit + (ex.stderr().isEmpty() ? "" : ": " + firstLine(ex.stderr()));
        }
        return null;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf("\\n");
        return nl < 0 ? s : s.substring(0, nl);
    }

    /**
     * {@code ssh [-F config] -n -T -o BatchMode=yes -o ConnectTimeout=5 -o StrictHostKeyChecking=yes -- HOST CMD}.
     * Public for the tests that check what is run.
     */
    public List<String> argv(String host, String remoteCommand) {
        if (!HostNames.isValid(host)) {
            throw new IllegalArgumentException(HostNames.whyInvalid(host));
        }
        List<String> a = new ArrayList<>();
        a.add(settings.sshBinary());
        if (settings.sshConfig() != null) {
            a.add("-F");
            a.add(settings.sshConfig().toString());
        }
        a.add("-n");
        a.add("-T");
        a.add("-o");
        a.add("BatchMode=yes");
        a.add("-o");
        a.add("ConnectTimeout=" + SshSettings.CONNECT_TIMEOUT_SECONDS);
        a.add("-o");
        a.add("StrictHostKeyChecking=yes");
        a.add("-o");
        a.add("ClearAllForwardings=yes");
        a.add("--");
        a.add(host);
        a.add(remoteCommand);
        return a;
    }

    private static HostCheck refused(LockOwner owner, Instant at, String why) {
        return new HostCheck(owner.host(), owner.pid(), HostCheck.Result.REFUSED, why, null, List.of(), at);
    }
}
