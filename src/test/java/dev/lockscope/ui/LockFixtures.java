package dev.lockscope.ui;

import dev.lockscope.lock.LockFile;
import dev.lockscope.lock.LockOwner;
import dev.lockscope.testing.TestJvm;
import dev.lockscope.ui.demo.DemoHolder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Real locks for UI tests: held by live child JVMs, left by crashed ones, or expired on another host. Any thread. */
final class LockFixtures {
    private LockFixtures() {
    }

    /** A child JVM that takes {@code lock} and keeps it until its stdin is closed (or it is destroyed). */
    static Process holder(Path lock) throws IOException {
        Process p = TestJvm.builder(DemoHolder.class, List.of(lock.toString(), "test holder", "hold"))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        awaitHeld(p);
        return p;
    }

    /** A DEAD lock: a child JVM took it and died without releasing it. */
    static void deadLock(Path lock) throws IOException, InterruptedException {
        Process p = TestJvm.builder(DemoHolder.class, List.of(lock.toString(), "crashing holder", "crash"))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        awaitHeld(p);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("crashing holder did not exit");
        }
    }

    /** An EXPIRED lock of another host whose heartbeat stopped an hour ago. */
    static void expiredLock(Path lock) throws IOException {
        String token = "0123456789abcdef0123456789abcdef";
        long hourAgo = System.currentTimeMillis() - 3600_000L;
        LockOwner o = new LockOwner(LockOwner.FORMAT, "far-host", "far-host-id", null, null, "ops", 777, null,
                token, 30_000, hourAgo, "expired in a test");
        LockFile lf = LockFile.at(lock);
        Path claim = lf.claimPath(o.host(), o.pid(), token);
        Files.write(claim, o.toBytes());
        Files.createLink(lf.path(), claim);
        Files.setLastModifiedTime(claim, FileTime.fromMillis(hourAgo));
    }

    /** A HELD lock owned by this test JVM (alive, on this host, with an hour's lease): no child process needed. */
    static void heldByThisProcess(Path lock) throws IOException {
        String token = java.util.HexFormat.of().formatHex(java.nio.ByteBuffer.allocate(16)
                .putLong(System.nanoTime()).putLong(lock.hashCode()).array());
        link(lock, LockOwner.forCurrentProcess(token, 3_600_000L, "held by the test"));
    }

    /**
     * A DEAD lock left by {@code deadPid}, a process of this host that has exited (see {@link #exitedPid()}):
     * the owner record of a real process of this host, with that pid and no start time.
     */
    static void deadLockOf(Path lock, long deadPid) throws IOException {
        String token = java.util.HexFormat.of().formatHex(java.nio.ByteBuffer.allocate(16)
                .putLong(deadPid).putLong(lock.hashCode()).array());
        LockOwner me = LockOwner.forCurrentProcess(token, 30_000L, "crashed in a test");
        link(lock, new LockOwner(me.format(), me.host(), me.hostId(), me.bootId(), me.pidNamespace(), me.user(),
                deadPid, null, token, me.leaseMillis(), me.acquiredAt(), me.purpose()));
    }

    /** The pid of a process that ran on this host and has exited. */
    static long exitedPid() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    private static void link(Path lock, LockOwner o) throws IOException {
        LockFile lf = LockFile.at(lock);
        Path claim = lf.claimPath(o.host(), o.pid(), o.token());
        Files.write(claim, o.toBytes());
        Files.createLink(lf.path(), claim);
    }

    private static void awaitHeld(Process p) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        if (line == null || !line.startsWith("HELD")) {
            p.destroyForcibly();
            throw new AssertionError("holder did not report HELD: " + line);
        }
    }
}
