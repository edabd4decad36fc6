package dev.lockscope.lock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Which filesystem types count as shared (no kept claims, no events from other hosts, polling); see {@link FilesystemType}. */
class NetworkTypeTest {

    @Test
    void sharedFilesystemsAndVirtualMachineFoldersAreNetworkTypes() {
        for (String t : new String[] {"nfs", "nfs4", "NFS4", "cifs", "smb3", "fuse.glusterfs", "fuse.sshfs", "fuse",
                "9p", "afs", "ceph", "glusterfs", "lustre", "gpfs", "virtiofs", "vboxsf", "vmhgfs", "beegfs",
                "orangefs", "davfs", "ocfs2", "gfs2"}) {
            assertThat(FilesystemType.isNetwork(t)).as(t).isTrue();
        }
    }

    @Test
    void localFilesystemsAreNot() {
        for (String t : new String[] {"ext4", "xfs", "btrfs", "tmpfs", "zfs", "apfs", "overlay", "f2fs"}) {
            assertThat(FilesystemType.isNetwork(t)).as(t).isFalse();
        }
    }

    @Test
    void unknownTypesCountAsNetworkBecauseThatIsTheSafeMistake() {
        for (String t : new String[] {"?", "", "somefs", "ecryptfs", "fuseblk", "nfs5", "EXT4-but-not-quite"}) {
            assertThat(FilesystemType.isNetwork(t)).as(t).isTrue();
        }
    }

    @Test
    void aTemporaryDirectoryHereIsLocalAndAMissingOneIsNot(@TempDir Path dir) {
        assertThat(FilesystemType.isLocal(dir)).isTrue();
        assertThat(FilesystemType.isLocal(dir.resolve("missing"))).isFalse();
    }
}
