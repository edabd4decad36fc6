package dev.lockscope.lock;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Who this process is, as far as lock ownership goes. Immutable; any thread.
 *
 * <p>"Same host" must mean "same PID space": two containers can share a hostname, and after a
 * reboot every old PID is meaningless. So besides the host id (machine id) we keep the boot id
 * and the PID-namespace id, and only compare PIDs when all of them agree.
 *
 * @param hostName     the name shown to people; {@code LOCKSCOPE_HOSTNAME} overrides it
 * @param hostId       the machine identity; {@code LOCKSCOPE_HOST_ID} overrides it
 * @param bootId       the kernel boot id, or null where the OS has none
 * @param pidNamespace the PID namespace id, or null where the OS has none
 * @param bootTimeMillis when this kernel booted, epoch millis of this host's clock (Linux /proc/stat btime), or null
 */
public record HostIdentity(String hostName, String hostId, String bootId, String pidNamespace, Long bootTimeMillis) {

    public static final String ENV_HOST_ID = "LOCKSCOPE_HOST_ID";
    public static final String ENV_HOSTNAME = "LOCKSCOPE_HOSTNAME";

    /** This process's identity, detected on first use (class initialisation is the JVM's once-only lazy init). */
    private static final class Current {
        static final HostIdentity VALUE = detect();
    }

    /**
     * How far apart two readings of one boot time may be: btime is computed from the wall clock minus the uptime,
     * so it jitters by a second and moves when the clock is stepped.
     */
    static final long BOOT_TIME_MARGIN_MILLIS = 5_000;

    public HostIdentity {
        Objects.requireNonNull(hostName, "hostName");
        Objects.requireNonNull(hostId, "hostId");
    }

    /** An identity without a known boot time. */
    public HostIdentity(String hostName, String hostId, String bootId, String pidNamespace) {
        this(hostName, hostId, bootId, pidNamespace, null);
    }

    /** The identity of this process, read once. */
    public static HostIdentity current() {
        return Current.VALUE;
    }

    private static HostIdentity detect() {
        String name = nonBlank(System.getenv(ENV_HOSTNAME));
        if (name == null) {
            name = nonBlank(readSmall(Path.of("/proc/sys/kernel/hostname")));
        }
        if (name == null) {
            try {
                name = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                name = "unknown-host";
            }
        }
        String bootId = nonBlank(readSmall(Path.of("/proc/sys/kernel/random/boot_id")));
        String hostId = nonBlank(System.getenv(ENV_HOST_ID));
        if (hostId == null) {
            hostId = nonBlank(readSmall(Path.of("/etc/machine-id")));
        }
        if (hostId == null) {
            hostId = nonBlank(readSmall(Path.of("/var/lib/dbus/machine-id")));
        }
        if (hostId == null) {
            // Without a machine id the hostname is the best we have; PIDs are then only trusted
            // when boot id and PID namespace agree as well.
            hostId = "name:" + name;
        }
        String pidNs = null;
        try {
            Path ns = Path.of("/proc/self/ns/pid");
            if (Files.isSymbolicLink(ns)) {
                pidNs = Files.readSymbolicLink(ns).toString();
            }
        } catch (IOException | UnsupportedOperationException e) {
            pidNs = null;
        }
        return new HostIdentity(name, hostId, bootId, pidNs, readBootTime());
    }

    /** The {@code btime} line of /proc/stat (seconds since the epoch) in millis, or null. */
    private static Long readBootTime() {
        try (java.io.BufferedReader r = Files.newBufferedReader(Path.of("/proc/stat"),
                java.nio.charset.StandardCharsets.US_ASCII)) {
            String line;
            for (int i = 0; i < 10_000 && (line = r.readLine()) != null; i++) {
                if (line.startsWith("btime ")) {
                    return Long.parseLong(line.substring(6).trim()) * 1000;
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /**
     * True when a PID recorded by {@code owner} can be looked up in this process table: same machine id, and the
     * same boot id and PID namespace, both KNOWN on both sides. An owner whose boot id or namespace is unknown is
     * never judged by its PID: that PID may belong to another container or boot.
     */
    public boolean sharesPidSpaceWith(LockOwner owner) {
        return hostId.equals(owner.hostId())
                && known(bootId) && bootId.equals(owner.bootId())
                && known(pidNamespace) && pidNamespace.equals(owner.pidNamespace());
    }

    /**
     * True when the owner is provably this machine in an earlier boot, so its processes are all gone.
     *
     * <p>A different boot id with the same machine id is NOT proof: cloned virtual machines and containers share a
     * machine id and each has a boot id of its own. Proof needs all of:
     * <ul>
     * <li>both boot times on record, the owner's before ours (a reboot always boots later; a clone that booted
     *     earlier than the owner is told apart here);</li>
     * <li>the lock's last renewal before our boot (a clone that booted after the owner still renews it), and</li>
     * <li>our boot more than half the owner's lease ago: a live owner renews every lease/3, so had it been alive
     *     it would have renewed after our boot by now.</li>
     * </ul>
     * Anything less leaves the lock to its lease. {@code lockMtimeMillis} and {@code serverNowMillis} are server
     * clock; {@code skewMillis} is server minus local; {@code serverNowMillis < 0} means unknown (never proof).
     */
    public boolean isEarlierBootOf(LockOwner owner, long lockMtimeMillis, long serverNowMillis, long skewMillis) {
        if (!differentBootOfThisMachine(owner) || bootTimeMillis == null || owner.bootTime() == null
                || serverNowMillis < 0) {
            return false;
        }
        long myBootServer = bootTimeMillis + skewMillis;
        long lease = Math.min(owner.leaseMillis(), LockOwner.MAX_LEASE_MILLIS);
        return owner.bootTime() < bootTimeMillis - BOOT_TIME_MARGIN_MILLIS
                && lockMtimeMillis < myBootServer - BOOT_TIME_MARGIN_MILLIS
                && serverNowMillis - myBootServer > lease / 2 + BOOT_TIME_MARGIN_MILLIS;
    }

    /** Same machine id, both boot ids known and different: a reboot, or a clone of this machine. */
    public boolean differentBootOfThisMachine(LockOwner owner) {
        return hostId.equals(owner.hostId()) && known(bootId) && known(owner.bootId()) && !bootId.equals(owner.bootId());
    }

    private static boolean known(String s) {
        return s != null && !s.isEmpty();
    }

    private static String readSmall(Path p) {
        try {
            if (!Files.isReadable(p)) {
                return null;
            }
            byte[] b = Files.readAllBytes(p);
            return new String(b, 0, Math.min(b.length, 256), java.nio.charset.StandardCharsets.UTF_8).trim();
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    private static String nonBlank(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
