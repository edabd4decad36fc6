package dev.lockscope.lock;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.lockscope.record.RecordStore;
import dev.lockscope.record.RecordStoreOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10: while holders heartbeat, breakers break and a record store saves, an attacker swaps the files Lockscope
 * writes in the directory (claims, the lock, the break guard, record temp files, broken leftovers, the audit
 * directory) for symbolic links to files and a directory outside it, at random moments. Nothing outside the
 * directory may change: not its content, not its mtime, not its mode.
 */
class SymlinkSwapTest {

    @TempDir
    Path base;

    @Test
    void filesSwappedForSymlinksDuringHeartbeatBreakAndSaveNeverLetAWriteOut() throws Exception {
        Path dir = Files.createDirectory(base.resolve("shared"));
        Path victim = Files.writeString(base.resolve("victim"), "precious");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
        Path victimDir = Files.createDirectory(base.resolve("victim-dir"));
        Map<String, String> before = outside(base, dir);

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger swaps = new AtomicInteger();
        List<Throwable> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();

        // Holders: short leases, so heartbeats (and claim rewrites by waiters) come every 100 ms.
        for (int i = 0; i < 2; i++) {
            threads.add(worker("holder-" + i, stop, unexpected, () -> {
                LinkLock lock = LinkLock.at(dir.resolve("hb.lock"), LockOptions.defaults()
                        .withLease(Duration.ofMillis(300)));
                try (LockHandle h = lock.acquire(Duration.ofMillis(500))) {
                    Thread.sleep(ThreadLocalRandom.current().nextInt(50, 400));
                    h.ensureHeld();
                }
            }));
        }
        // Breakers: dead locks, broken with guard, rename and audit.
        threads.add(worker("breaker", stop, unexpected, () -> {
            LockFile file = LockFile.of(dir, "dead.lock");
            if (!Files.exists(file.path(), LinkOption.NOFOLLOW_LINKS)) {
                TestLocks.writeDeadLock(file);
            }
            LinkLock lock = LinkLock.of(file, LockOptions.defaults());
            lock.breakLock(lock.inspect(), ThreadLocalRandom.current().nextBoolean());
        }));
        // A record store saving. A lock swapped for a link is UNKNOWN and rightly never broken, so a save can wait
        // its whole lock timeout (twice, for a taken intent): keep that well inside the 30 s the test waits for it.
        threads.add(worker("saver", stop, unexpected, () -> {
            RecordStore.open(dir.resolve("records.json"),
                    RecordStoreOptions.defaults().withLockTimeout(Duration.ofSeconds(5))).put("n" + ThreadLocalRandom.current().nextInt(5),
                    IntNode.valueOf(ThreadLocalRandom.current().nextInt()));
        }));
        // The attacker.
        Thread attacker = new Thread(() -> {
            int n = 0;
            while (!stop.get()) {
                try (Stream<Path> s = Files.list(dir)) {
                    for (Path p : s.toList()) {
                        String name = p.getFileName().toString();
                        if (name.startsWith("swapped-") || Files.isSymbolicLink(p) || !ours(name)
                                || ThreadLocalRandom.current().nextInt(3) != 0) {
                            continue;
                        }
                        boolean isDir = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
                        try {
                            Files.move(p, dir.resolve("swapped-" + (n++)));
                            Files.createSymbolicLink(p, isDir ? victimDir : victim);
                            swaps.incrementAndGet();
                        } catch (IOException raced) {
                            // the owner moved first
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // a listing raced with a removal: list again
                }
                // Clear old links now and then, so that the workers can make their files again and be swapped again.
                if (ThreadLocalRandom.current().nextInt(20) == 0) {
                    try (Stream<Path> s = Files.list(dir)) {
                        for (Path p : s.toList()) {
                            if (Files.isSymbolicLink(p)) {
                                Files.deleteIfExists(p);
                            }
                        }
                    } catch (IOException | RuntimeException e) {
                        // again next time
                    }
                }
            }
        }, "attacker");
        threads.add(attacker);

        threads.forEach(Thread::start);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
        while (System.nanoTime() < end) {
            Thread.sleep(100);
        }
        stop.set(true);
        for (Thread t : threads) {
            t.join(30_000);
            assertThat(t.isAlive()).as(t.getName() + " stopped").isFalse();
        }

        assertThat(swaps.get()).as("the attacker swapped files").isGreaterThan(20);
        assertThat(unexpected).isEmpty();
        assertThat(outside(base, dir)).isEqualTo(before);
        try (Stream<Path> s = Files.list(victimDir)) {
            assertThat(s.toList()).isEmpty();
        }
    }

    /** Names Lockscope writes in a lock directory. */
    private static boolean ours(String name) {
        return ClaimName.parse(name) != null || name.endsWith(".lock") || name.endsWith(LockFile.GUARD_SUFFIX)
                || name.contains(LockFile.BROKEN_INFIX) || name.contains(".tmp.") || name.equals(LockFile.AUDIT_DIR)
                || name.startsWith(LockFile.PROBE_PREFIX) || name.equals("records.json");
    }

    interface Step {
        void run() throws Exception;
    }

    /** Runs {@code step} until stopped; I/O errors are what an attacked directory gives, anything else is a bug. */
    private static Thread worker(String name, AtomicBoolean stop, List<Throwable> unexpected, Step step) {
        return new Thread(() -> {
            while (!stop.get()) {
                try {
                    step.run();
                } catch (IOException expected) {
                    // refused, lost, timed out, corrupt: all fine here, as long as nothing outside changed
                } catch (Exception | Error e) {
                    unexpected.add(e);
                    return;
                }
            }
        }, name);
    }

    /** Path, type, mode, mtime and content of every entry under {@code base} outside {@code dir}. */
    private static Map<String, String> outside(Path base, Path dir) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(base)) {
            for (Path p : s.filter(p -> !p.startsWith(dir)).toList()) {
                String content = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "dir" : Files.readString(p);
                m.put(base.relativize(p).toString(), content + " "
                        + PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS))
                        + " @" + Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS));
            }
        }
        return m;
    }
}
