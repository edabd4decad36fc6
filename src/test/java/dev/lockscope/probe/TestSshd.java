package dev.lockscope.probe;

import dev.lockscope.testing.TestJvm;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A private, real sshd on a free loopback port, for the host-check tests. Any thread; {@link #close} once.
 *
 * <p>Own host key, own client keys, own known_hosts, own ssh config: nothing of the machine's or the sshfs
 * testbed's ssh setup is used or changed. Each client key has a forced {@code command=} wrapper in
 * authorized_keys, so each host alias of the config file plays another remote host:
 * <ul>
 *   <li>{@code hostB}: lockscope installed, host identity {@link #HOST_B_ID} (LOCKSCOPE_HOST_ID);</li>
 *   <li>{@code hostBns}: as hostB, but the session runs in a pid namespace of its own (a container's sshd);</li>
 *   <li>{@code hostP}: no lockscope on PATH (only cat, readlink, id, grep), so the cat fallback answers, with this
 *   machine's real ids;</li>
 *   <li>{@code hostO}: as hostP, with a lockscope too old to know {@code probe} (exit 64);</li>
 *   <li>{@code hostH}: as hostP, but logged in as nobody on a /proc mounted with hidepid=2;</li>
 *   <li>{@code hostK}: answered by hostB's wrapper, but its host key is not in known_hosts;</li>
 *   <li>{@code hostS}: a loopback port that accepts connections and never answers;</li>
 *   <li>{@code hostU}: 10.213.7.9, black-holed (only reachable through {@link #blackholeSsh}).</li>
 * </ul>
 * Where sshd, ssh or ssh-keygen are missing the tests skip with a loud message, and fail under CI=true.
 */
public final class TestSshd implements AutoCloseable {
    public static final String HOST_B_ID = "host-b-" + UUID.randomUUID().toString().substring(0, 8);
    static final String UNREACHABLE_ADDRESS = "10.213.7.9";

    /**
     * Appends the argv as one line (fields ended by 0x1f) in ONE write: O_APPEND keeps a single small write whole
     * while checks run in parallel ({@code ls --ask-hosts}).
     */
    private static final String RECORD_ARGV = "line=$(for a in \"$@\"; do printf '%s\\037' \"$a\"; done)\n"
            + "printf '%s\\n' \"$line\" >> 'LOG'\n";

    final Path dir;
    public final Path sshConfig;
    /** An ssh that appends its argv (fields separated by 0x1f, one line per run) to {@link #argvLog}, then runs ssh. */
    public final Path recordingSsh;
    final Path argvLog;
    final int port;
    private final Process sshd;
    private String netns;

    private final ServerSocket silent;

    private TestSshd(Path dir, Path sshConfig, Path recordingSsh, Path argvLog, int port, Process sshd,
                     ServerSocket silent) {
        this.silent = silent;
        this.dir = dir;
        this.sshConfig = sshConfig;
        this.recordingSsh = recordingSsh;
        this.argvLog = argvLog;
        this.port = port;
        this.sshd = sshd;
    }

    public static TestSshd startOrSkip() throws IOException, InterruptedException {
        for (String tool : List.of("/usr/sbin/sshd", "/usr/bin/ssh", "/usr/bin/ssh-keygen")) {
            if (!Files.isExecutable(Path.of(tool))) {
                unavailable(tool + " is not installed (apt-get install openssh-server openssh-client, see .ci/run)");
            }
        }
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "lsprobe-sshd-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        keygen(dir.resolve("host_key"));
        for (String k : List.of("key_b", "key_bns", "key_p", "key_h", "key_o")) {
            keygen(dir.resolve(k));
        }
        String cp = TestJvm.classPath();
        Path bin = Files.createDirectories(dir.resolve("bin"));
        script(bin.resolve("lockscope"), "exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -cp '" + cp
                + "' dev.lockscope.Main \"$@\"");
        // What a login shell would do with the command: run it with sh, here with a chosen PATH and identity.
        script(dir.resolve("wrap-b.sh"), "export PATH='" + bin + ":/usr/bin:/bin' LOCKSCOPE_HOST_ID='" + HOST_B_ID
                + "' LOCKSCOPE_HOSTNAME=hostB\nexec /bin/sh -c \"$SSH_ORIGINAL_COMMAND\"");
        script(dir.resolve("wrap-bns.sh"), "export PATH='" + bin + ":/usr/bin:/bin' LOCKSCOPE_HOST_ID='" + HOST_B_ID
                + "' LOCKSCOPE_HOSTNAME=hostBns\nexec /usr/bin/unshare --pid --fork --mount-proc /bin/sh -c \"$SSH_ORIGINAL_COMMAND\"");
        // The fallback's tools and nothing else: whatever lockscope this machine has installed stays out.
        Path tools = Files.createDirectories(dir.resolve("fallback-bin"));
        for (String t : List.of("cat", "readlink", "id", "grep")) {
            Files.createSymbolicLink(tools.resolve(t), Path.of("/usr/bin", t));
        }
        script(dir.resolve("wrap-p.sh"), "export PATH='" + tools + "'\nexec /bin/sh -c \"$SSH_ORIGINAL_COMMAND\"");
        // A lockscope from before 'probe': a usage error, as picocli gives it.
        Path old = Files.createDirectories(dir.resolve("old-bin"));
        script(old.resolve("lockscope"), "echo \"lockscope: Unmatched arguments from index 0: '$1', '$2'\" >&2\nexit 64");
        script(dir.resolve("wrap-o.sh"), "export PATH='" + old + ":" + tools + "'\nexec /bin/sh -c \"$SSH_ORIGINAL_COMMAND\"");
        // A login as nobody on a /proc mounted with hidepid=2 (in a mount namespace of the session's own):
        // other users' processes are invisible to it, so a live holder looks gone.
        script(dir.resolve("wrap-h.sh"), "export PATH=/usr/bin:/bin\nexec /usr/bin/unshare --mount --propagation private "
                + "/bin/sh -c 'mount -t proc -o hidepid=2 proc /proc && exec /usr/bin/setpriv --reuid=65534 "
                + "--regid=65534 --clear-groups /bin/sh -c \"$SSH_ORIGINAL_COMMAND\"'");
        StringBuilder auth = new StringBuilder();
        for (String[] kv : List.of(new String[] {"key_b", "wrap-b.sh"}, new String[] {"key_bns", "wrap-bns.sh"},
                new String[] {"key_p", "wrap-p.sh"}, new String[] {"key_h", "wrap-h.sh"},
                new String[] {"key_o", "wrap-o.sh"})) {
            auth.append("command=\"").append(dir.resolve(kv[1])).append("\",no-pty,no-port-forwarding,")
                    .append("no-agent-forwarding,no-X11-forwarding ")
                    .append(Files.readString(dir.resolve(kv[0] + ".pub")).strip()).append('\n');
        }
        Files.writeString(dir.resolve("authorized_keys"), auth);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        // hostS: a host whose TCP port accepts but never says a word (a hung sshd, a stopped VM behind a proxy).
        ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            List<Socket> held = new ArrayList<>();
            try {
                while (true) {
                    held.add(silent.accept());
                }
            } catch (IOException closed) {
                held.forEach(c -> {
                    try {
                        c.close();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                });
            }
        }, "silent-sshd");
        acceptor.setDaemon(true);
        acceptor.start();
        Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "Port " + port, "ListenAddress 127.0.0.1", "HostKey " + dir.resolve("host_key"),
                "PidFile " + dir.resolve("sshd.pid"), "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "PermitRootLogin prohibit-password", "PubkeyAuthentication yes", "PasswordAuthentication no",
                "KbdInteractiveAuthentication no", "UsePAM no", "StrictModes no", "MaxStartups 100:30:200",
                "LogLevel ERROR", "") );
        Files.createDirectories(Path.of("/run/sshd"));
        String user = System.getProperty("user.name");
        String hostKey = Files.readString(dir.resolve("host_key.pub")).strip();
        StringBuilder known = new StringBuilder();
        StringBuilder cfg = new StringBuilder();
        for (String[] h : List.of(new String[] {"hostB", "key_b"}, new String[] {"hostBns", "key_bns"},
                new String[] {"hostP", "key_p"}, new String[] {"hostK", "key_b"}, new String[] {"hostU", "key_b"},
                new String[] {"hostH", "key_h"}, new String[] {"hostO", "key_o"}, new String[] {"hostS", "key_b"})) {
            boolean unreachable = h[0].equals("hostU");
            cfg.append("Host ").append(h[0]).append('\n')
                    .append("  HostName ").append(unreachable ? UNREACHABLE_ADDRESS : "127.0.0.1").append('\n')
                    .append("  Port ").append(unreachable ? 22 : h[0].equals("hostS") ? silent.getLocalPort() : port)
                    .append('\n')
                    .append("  User ").append(user).append('\n')
                    .append("  IdentityFile ").append(dir.resolve(h[1])).append('\n')
                    .append("  IdentitiesOnly yes\n")
                    .append("  HostKeyAlias ").append(h[0]).append('\n')
                    .append("  UserKnownHostsFile ").append(dir.resolve("known_hosts")).append('\n')
                    .append("  GlobalKnownHostsFile /dev/null\n")
                    .append("  LogLevel ERROR\n");
            if (!h[0].equals("hostK")) {
                known.append(h[0]).append(' ').append(hostKey).append('\n');
            }
        }
        Files.writeString(dir.resolve("known_hosts"), known);
        Path config = dir.resolve("ssh_config");
        Files.writeString(config, cfg);
        Path log = dir.resolve("ssh-argv.log");
        Files.createFile(log);
        Path rec = dir.resolve("recording-ssh");
        script(rec, RECORD_ARGV.replace("LOG", log.toString()) + "exec /usr/bin/ssh \"$@\"");

        ProcessBuilder pb = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", dir.resolve("sshd_config").toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(dir.resolve("sshd.log").toFile());
        Process sshd = pb.start();
        TestSshd d = new TestSshd(dir, config, rec, log, port, sshd, silent);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!d.answersBanner()) {
            if (!sshd.isAlive() || System.nanoTime() > deadline) {
                String why = "sshd did not come up on 127.0.0.1:" + port + ": "
                        + Files.readString(dir.resolve("sshd.log"));
                d.close();
                unavailable(why);
            }
            Thread.sleep(50);
        }
        return d;
    }

    private boolean answersBanner() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            s.setSoTimeout(1000);
            InputStream in = s.getInputStream();
            byte[] b = in.readNBytes(4);
            return new String(b, StandardCharsets.US_ASCII).equals("SSH-");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * An ssh that runs inside a network namespace of its own in which {@link #UNREACHABLE_ADDRESS} is black-holed
     * (a veth pair to a second namespace that drops everything: SYNs go unanswered), recording like
     * {@link #recordingSsh}. Only addresses of these namespaces are involved, nothing outside this machine.
     */
    Path blackholeSsh() throws IOException, InterruptedException {
        if (netns == null) {
            String id = UUID.randomUUID().toString().substring(0, 6);
            String c = "lsprobe-c-" + id;
            String p = "lsprobe-p-" + id;
            String vc = "lspc" + id;
            String vp = "lspp" + id;
            netns = c;
            List<List<String>> steps = List.of(
                    List.of("ip", "netns", "add", c), List.of("ip", "netns", "add", p),
                    List.of("ip", "link", "add", vc, "type", "veth", "peer", "name", vp, "netns", p),
                    List.of("ip", "link", "set", vc, "netns", c),
                    List.of("ip", "-n", c, "link", "set", "lo", "up"),
                    List.of("ip", "-n", c, "addr", "add", "10.213.7.1/24", "dev", vc),
                    List.of("ip", "-n", c, "link", "set", vc, "up"),
                    List.of("ip", "-n", p, "link", "set", vp, "up"),
                    List.of("ip", "-n", c, "neigh", "add", UNREACHABLE_ADDRESS, "lladdr", "02:00:00:00:00:09",
                            "dev", vc, "nud", "permanent"));
            for (List<String> step : steps) {
                Process pr = new ProcessBuilder(step).redirectErrorStream(true).start();
                String out = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (pr.waitFor() != 0) {
                    unavailable("cannot make the black-hole network namespace (" + String.join(" ", step) + ": "
                            + out.strip() + ")");
                }
            }
        }
        Path w = dir.resolve("blackhole-ssh");
        script(w, RECORD_ARGV.replace("LOG", argvLog.toString()) + "exec /usr/sbin/ip netns exec " + netns
                + " /usr/bin/ssh \"$@\"");
        return w;
    }

    /** This machine's boot id. */
    static String bootId() throws IOException {
        return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
    }

    /** Forgets the argv recorded so far. */
    public void clearRecorded() throws IOException {
        Files.writeString(argvLog, "");
    }

    /** Every argv recorded so far, oldest first. */
    public List<List<String>> recordedArgv() throws IOException {
        List<List<String>> runs = new ArrayList<>();
        for (String line : Files.readAllLines(argvLog)) {
            if (!line.isEmpty()) {
                List<String> argv = new ArrayList<>(List.of(line.split("\u001f", -1)));
                argv.remove(argv.size() - 1); // after the last separator
                runs.add(argv);
            }
        }
        return runs;
    }

    @Override
    public void close() throws IOException {
        silent.close();
        sshd.destroy();
        try {
            if (!sshd.waitFor(5, TimeUnit.SECONDS)) {
                sshd.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        if (netns != null) {
            String p = netns.replace("lsprobe-c-", "lsprobe-p-");
            for (String ns : List.of(netns, p)) {
                try {
                    new ProcessBuilder("ip", "netns", "del", ns).redirectErrorStream(true).start().waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static void keygen(Path key) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) {
            unavailable("ssh-keygen failed for " + key);
        }
    }

    private static void script(Path p, String body) throws IOException {
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
    }

    private static void unavailable(String why) {
        String msg = "\n*** real sshd for the host-check tests unavailable: " + why + " ***\n";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("CI=true but" + msg);
        }
        System.err.println(msg);
        Assumptions.abort(msg);
    }
}
