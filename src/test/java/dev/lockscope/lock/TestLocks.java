package dev.lockscope.lock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;

/** Builds lock files of owners that are not this process, the way a crashed owner leaves them. Any thread. */
final class TestLocks {
    private TestLocks() {
    }

    /** The PID of a process that has exited. */
    static long deadPid() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    /** A lock (with its claim) left by a process of this host that is gone: judged DEAD. */
    static LockOwner writeDeadLock(LockFile file) throws IOException, InterruptedException {
        HostIdentity me = HostIdentity.current();
        String token = Tokens.next();
        LockOwner o = new LockOwner(LockOwner.FORMAT, me.hostName(), me.hostId(), me.bootId(), me.pidNamespace(),
                "ghost", deadPid(), 12345L, token, 30_000, System.currentTimeMillis(), "crashed");
        writeLinked(file, o);
        return o;
    }

    /** A lock of another host whose last heartbeat is {@code age} old with a lease of {@code lease}. */
    static LockOwner writeForeignHostLock(LockFile file, Duration lease, Duration age) throws IOException {
        String token = Tokens.next();
        LockOwner o = new LockOwner(LockOwner.FORMAT, "otherhost", "machine-elsewhere", "boot-elsewhere", null,
                "remote", 777, 1L, token, lease.toMillis(), System.currentTimeMillis() - age.toMillis(), "remote job");
        Path lock = writeLinked(file, o);
        Files.setLastModifiedTime(lock, FileTime.fromMillis(System.currentTimeMillis() - age.toMillis()));
        return o;
    }

    static Path writeLinked(LockFile file, LockOwner o) throws IOException {
        Path claim = file.claimPath(o.host(), o.pid(), o.token());
        Files.write(claim, o.toBytes());
        Files.createLink(file.path(), claim);
        return file.path();
    }
}
