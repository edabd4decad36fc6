package dev.lockscope.ui.demo;

import dev.lockscope.ChildJvm;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.lockscope.lock.LockFile;
import dev.lockscope.lock.JsonMappers;
import dev.lockscope.lock.LockOwner;
import dev.lockscope.record.RecordStore;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A demo lock directory where a first-time user sees every state: live locks held by real background
 * processes, a DEAD lock (its holder was a real process that died holding it), an EXPIRED lock (another
 * host, no heartbeat for hours), and a small record file. {@link #create} and {@link #close} do I/O and
 * start or stop processes: I/O threads only.
 */
public final class DemoDirectory implements AutoCloseable {

    private final Path directory;
    private final List<Process> holders;

    private DemoDirectory(Path directory, List<Process> holders) {
        this.directory = directory;
        this.holders = holders;
    }

    public Path directory() {
        return directory;
    }

    /** Creates the demo in a fresh temporary directory. */
    public static DemoDirectory create() throws IOException {
        return create(Files.createTempDirectory("lockscope-demo-"));
    }

    /** Creates the demo in {@code dir} (which should be empty). */
    public static DemoDirectory create(Path dir) throws IOException {
        List<Process> started = new ArrayList<>();
        boolean ok = false;
        try {
            started.add(start(dir.resolve("build.lock"), "nightly build", "hold"));
            started.add(start(dir.resolve("deploy.lock"), "deploy to staging", "hold"));
            started.add(start(dir.resolve("cache-rebuild.lock"), "rebuild the search cache", "hold"));
            Process crasher = start(dir.resolve("backup.lock"), "backup of /srv/data", "crash");
            writeExpired(dir, "report.lock");
            RecordStore store = RecordStore.open(dir.resolve("records.json"));
            ObjectMapper m = JsonMappers.recordsFile();
            store.put("build-server", m.readTree("{\"host\":\"ci-01\",\"slots\":4,\"enabled\":true}"));
            store.put("deploy-target", m.readTree("{\"env\":\"staging\",\"url\":\"https://staging.example\"}"));
            store.put("retention-days", m.readTree("30"));
            for (Process p : started) {
                awaitHeld(p);
            }
            awaitHeld(crasher);
            if (!crasher.waitFor(20, TimeUnit.SECONDS)) {
                crasher.destroyForcibly();
                throw new IOException("the demo's crashing holder did not exit");
            }
            ok = true;
            return new DemoDirectory(dir, started);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the demo holders", e);
        } finally {
            if (!ok) {
                started.forEach(Process::destroyForcibly);
            }
        }
    }

    private static Process start(Path lock, String purpose, String mode) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ChildJvm.javaBinary());
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Xmx64m");
        cmd.add("-cp");
        cmd.add(ChildJvm.classPath());
        cmd.add(DemoHolder.class.getName());
        cmd.add(lock.toString());
        cmd.add(purpose);
        cmd.add(mode);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        return pb.start();
    }

    private static void awaitHeld(Process p) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        if (line == null || !line.startsWith("HELD")) {
            throw new IOException("a demo holder did not take its lock (exit " + (p.isAlive() ? "still running"
                    : p.exitValue()) + ")");
        }
    }

    /** A lock of host "batch-07" whose heartbeat stopped two hours ago: EXPIRED by server clock. */
    private static void writeExpired(Path dir, String name) throws IOException {
        byte[] rnd = new byte[16];
        new SecureRandom().nextBytes(rnd);
        String token = HexFormat.of().formatHex(rnd);
        long twoHoursAgo = System.currentTimeMillis() - 2 * 3600_000L;
        LockOwner o = new LockOwner(LockOwner.FORMAT, "batch-07", "demo-host-batch-07", null, null, "etl", 4242,
                null, token, 30_000, twoHoursAgo - 600_000, "monthly report");
        LockFile lf = LockFile.of(dir, name);
        Path claim = lf.claimPath(o.host(), o.pid(), token);
        Files.write(claim, o.toBytes());
        Files.createLink(lf.path(), claim);
        // On a local demo directory the server clock is this clock, so an explicit time is honest here.
        Files.setLastModifiedTime(claim, FileTime.fromMillis(twoHoursAgo));
    }

    /** Stops the holders (closing their stdin releases their locks) and deletes the directory. */
    @Override
    public void close() {
        for (Process p : holders) {
            try {
                p.getOutputStream().close();
            } catch (IOException ignored) {
                // already gone
            }
        }
        for (Process p : holders) {
            try {
                if (!p.waitFor(3, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        deleteTree(directory);
    }

    /** The holders still running. */
    public List<Process> holders() {
        return List.copyOf(holders);
    }

    private static void deleteTree(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // a leftover temp directory is harmless
        }
    }

}
