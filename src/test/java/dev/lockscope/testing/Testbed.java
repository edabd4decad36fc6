package dev.lockscope.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Finds the network-filesystem testbed of ../shared/testbed (see .ci/run). Any thread.
 *
 * <p>Where it is absent, tests skip with a loud message; under {@code CI=true} a missing testbed is a
 * failure, because a green run that never touched a network filesystem proves nothing.
 */
public final class Testbed {
    public static final String ENV = "LOCKSCOPE_TESTBED";

    /** The two client mounts of one shared directory. */
    public record MountPair(String kind, Path a, Path b) {
        /** A fresh empty directory, seen as {@code a/name} and {@code b/name}. */
        public MountPair freshDir(String prefix) throws IOException {
            String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
            Files.createDirectories(a.resolve(name));
            Path viaB = b.resolve(name);
            long deadline = System.currentTimeMillis() + 30_000;
            while (!Files.isDirectory(viaB)) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IOException(viaB + " did not appear through the second mount within 30 s");
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
            }
            return new MountPair(kind, a.resolve(name), viaB);
        }
    }

    private Testbed() {
    }

    public static MountPair gluster() {
        return pair("gluster", "gA", "gB", "fuse.glusterfs");
    }

    public static MountPair sshfs() {
        return pair("sshfs", "hostA", "hostB", "fuse.sshfs");
    }

    private static MountPair pair(String kind, String a, String b, String fsType) {
        String base = System.getenv(ENV);
        String why = null;
        Path pa = null;
        Path pb = null;
        if (base == null || base.isBlank()) {
            why = ENV + " is not set";
        } else {
            pa = Path.of(base, a);
            pb = Path.of(base, b);
            why = checkMount(pa, fsType);
            if (why == null) {
                why = checkMount(pb, fsType);
            }
        }
        if (why != null) {
            String msg = "\n*** " + kind + " testbed unavailable: " + why + ". Bring it up with "
                    + "../shared/testbed/" + kind + "-up.sh and export " + ENV + "=/tmp/lockscope-testbed ***\n";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError("CI=true but" + msg);
            }
            System.err.println(msg);
            Assumptions.abort(msg);
        }
        return new MountPair(kind, pa, pb);
    }

    private static String checkMount(Path p, String fsType) {
        try {
            if (!Files.isDirectory(p)) {
                return p + " is not a directory";
            }
            String type = Files.getFileStore(p).type();
            if (!type.equals(fsType) && !("fuse." + type).equals(fsType)) {
                return p + " is " + type + ", not " + fsType;
            }
            return null;
        } catch (IOException e) {
            return p + ": " + e.getMessage();
        }
    }

    /** The small filesystems of .ci/run ({@code full} and {@code ro}), or abort/fail as above. */
    public static Path limits(String which) {
        String base = System.getenv("LOCKSCOPE_TEST_LIMITS");
        Path p = base == null ? null : Path.of(base, which);
        if (p == null || !Files.isDirectory(p)) {
            String msg = "\n*** LOCKSCOPE_TEST_LIMITS/" + which + " unavailable (see .ci/run) ***\n";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError("CI=true but" + msg);
            }
            System.err.println(msg);
            Assumptions.abort(msg);
        }
        return p;
    }
}
