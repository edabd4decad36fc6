package dev.lockscope.probe;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the owner's host is asked: which ssh, which ssh config, which hosts, how long. Immutable; any thread.
 *
 * <p>Every value here comes from the operator (environment, config file, inspector settings), never from a
 * lock directory: a lock file only supplies a host name and a pid, and both pass a grammar first.
 *
 * @param sshBinary   the ssh client: {@code ssh} (found on PATH, so the operator's own client) or an absolute path.
 *                    {@code LOCKSCOPE_SSH_BINARY} sets it, for tests that record what is run.
 * @param sshConfig   an ssh config file passed as {@code -F}, or null for the operator's own ~/.ssh/config;
 *                    {@code LOCKSCOPE_SSH_CONFIG} sets it
 * @param allowList   the hosts that may be asked
 * @param timeout     the longest one ssh run may take; it is killed after that. {@code LOCKSCOPE_ASK_TIMEOUT}
 *                    (seconds) sets it
 */
public record SshSettings(String sshBinary, Path sshConfig, AskHostsAllowList allowList, Duration timeout) {

    public static final String ENV_SSH_BINARY = "LOCKSCOPE_SSH_BINARY";
    public static final String ENV_SSH_CONFIG = "LOCKSCOPE_SSH_CONFIG";
    /** Seconds one ssh run may take, 1..120 (default {@link #DEFAULT_TIMEOUT}). */
    public static final String ENV_TIMEOUT = "LOCKSCOPE_ASK_TIMEOUT";
    /** ssh's own connect timeout, seconds: a host that does not answer costs this, once. */
    public static final int CONNECT_TIMEOUT_SECONDS = 5;
    /**
     * Connect (5 s) plus a login and a remote JVM start for {@code lockscope probe}: about 1-3 s on an idle host;
     * on the 2-core test machine at load 18-60 a login alone took 5-6 s and a whole check 8-18 s.
     */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);

    public SshSettings {
        Objects.requireNonNull(sshBinary, "sshBinary");
        Objects.requireNonNull(allowList, "allowList");
        Objects.requireNonNull(timeout, "timeout");
        if (!sshBinary.equals("ssh") && !Path.of(sshBinary).isAbsolute()) {
            throw new IllegalArgumentException("the ssh binary must be 'ssh' or an absolute path: " + sshBinary);
        }
        if (sshConfig != null && !sshConfig.isAbsolute()) {
            throw new IllegalArgumentException("the ssh config must be an absolute path: " + sshConfig);
        }
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(2)) > 0) {
            throw new IllegalArgumentException("the ssh timeout must be within (0, 2 min]: " + timeout);
        }
    }

    /** The operator's settings: environment variables and ~/.config/lockscope/ask-hosts. */
    public static SshSettings fromEnvironment() {
        String bin = System.getenv(ENV_SSH_BINARY);
        String cfg = System.getenv(ENV_SSH_CONFIG);
        Path config = null;
        if (cfg != null && !cfg.isBlank()) {
            config = Path.of(cfg);
            if (!config.isAbsolute() || !Files.isRegularFile(config, LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalArgumentException(ENV_SSH_CONFIG + " must name an existing regular file by its "
                        + "absolute path: " + cfg);
            }
        }
        Duration timeout = DEFAULT_TIMEOUT;
        String t = System.getenv(ENV_TIMEOUT);
        if (t != null && !t.isBlank()) {
            if (!t.strip().matches("[0-9]{1,3}")) {
                throw new IllegalArgumentException(ENV_TIMEOUT + " must be a number of seconds (1..120): " + t);
            }
            timeout = Duration.ofSeconds(Long.parseLong(t.strip()));
        }
        return new SshSettings(bin == null || bin.isBlank() ? "ssh" : bin, config, AskHostsAllowList.fromEnvironment(),
                timeout);
    }

    public SshSettings withAllowList(AskHostsAllowList list) {
        return new SshSettings(sshBinary, sshConfig, list, timeout);
    }

    public SshSettings withTimeout(Duration d) {
        return new SshSettings(sshBinary, sshConfig, allowList, d);
    }
}
