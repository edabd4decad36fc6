package dev.lockscope.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where a multi-mount test runs: one local directory seen twice, or the two client mounts of a network testbed.
 * A parameterised test takes one of these and calls {@link #freshDir}. Any thread.
 *
 * <p>A missing testbed skips the network cases locally and fails them under {@code CI=true}, as {@link Testbed} does.
 */
public enum MountKind {
    LOCAL,
    GLUSTER,
    SSHFS;

    /**
     * A fresh empty directory for one test case, seen through both mounts ({@code a} and {@code b} are the same
     * path for {@link #LOCAL}, a new directory under {@code localParent}).
     */
    public Testbed.MountPair freshDir(String prefix, Path localParent) throws IOException {
        return switch (this) {
            case LOCAL -> {
                Path d = Files.createDirectories(localParent.resolve(prefix));
                yield new Testbed.MountPair("local", d, d);
            }
            case GLUSTER -> Testbed.gluster().freshDir(prefix);
            case SSHFS -> Testbed.sshfs().freshDir(prefix);
        };
    }

    /** The name the figures files and log lines use: local, gluster, sshfs. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
