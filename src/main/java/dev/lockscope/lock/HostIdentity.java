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
 */
public record HostIdentity(String hostName, String hostId, String bootId, String pidNamespace) {

    public static final String ENV_HOST_ID = "LOCKSCOPE_HOST_ID";
    public static final String ENV_HOSTNAME = "LOCKSCOPE_HOSTNAME";

    private static volatile HostIdentity current;

    public HostIdentity {
        Objects.requireNonNull(hostName, "hostName");
        Objects.requireNonNull(hostId, "hostId");
    }

    /** The identity of this process, read once. */
    public static HostIdentity current() {
        HostIdentity id = current;
        if (id == null) {
            id = detect();
            current = id;
        }
        return id;
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
        return new HostIdentity(name, hostId, bootId, pidNs);
    }

    /**
     * True when a PID recorded by {@code owner} can be looked up in this process table.
     * Boot id and namespace only veto when both sides know them.
     */
    public boolean sharesPidSpaceWith(LockOwner owner) {
        return hostId.equals(owner.hostId())
                && agrees(bootId, owner.bootId())
                && agrees(pidNamespace, owner.pidNamespace());
    }

    /** True when the owner is this machine but a previous boot of it: its processes are all gone. */
    public boolean isEarlierBootOf(LockOwner owner) {
        return hostId.equals(owner.hostId())
                && bootId != null && owner.bootId() != null
                && !bootId.equals(owner.bootId());
    }

    private static boolean agrees(String mine, String theirs) {
        return mine == null || theirs == null || mine.equals(theirs);
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
