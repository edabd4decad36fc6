package dev.lockscope.lock;

import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.Testbed;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A lock name read through one mount while another mount keeps renaming new content over it: no reader ever
 * reads a version older than one it has already read. Through the page cache on sshfs (one client inode for
 * every file the name held) readers went back a version now and then, which for a holder checking its lock means
 * reading its own record after another process broke and retook the lock. {@link WholeFileRead} reads around
 * the cache there.
 */
@MultiProcess
class LockReadOrderTest {
    static final int READERS = 8;
    static final Duration RUN = Duration.ofSeconds(8);

    @Test
    void readsOfALockNameOnSshfsNeverGoBack() throws Exception {
        readWhileReplaced(Testbed.sshfs());
    }

    // Not on gluster: its client keys inodes by the file's gfid, so there is no shared cache to go back through
    // (0 reads went back there either way); under this test's churn, hundreds of renames a second, its lookups
    // answered ESTALE for longer than LockSnapshot's 3 s retry, with or without O_DIRECT.

    private void readWhileReplaced(Testbed.MountPair bed) throws Exception {
        Testbed.MountPair d = bed.freshDir("lock-read-order");
        Path viaA = d.a().resolve("job.lock");
        Path viaB = d.b().resolve("job.lock");
        Files.write(viaA, content(0));
        long seen = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (LockSnapshot.readUnparsed(viaB).isEmpty() && System.nanoTime() < seen) {
            Thread.sleep(20);
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger written = new AtomicInteger();
        Thread writer = new Thread(() -> {
            try {
                for (int v = 1; !stop.get(); v++) {
                    Path temp = d.a().resolve(".job.lock.test." + v);
                    Files.write(temp, content(v));
                    Files.move(temp, viaA, StandardCopyOption.ATOMIC_MOVE);
                    written.set(v);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "replacer");
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        AtomicInteger reads = new AtomicInteger();
        List<Thread> readers = new ArrayList<>();
        long end = System.nanoTime() + RUN.toNanos();
        for (int t = 0; t < READERS; t++) {
            readers.add(new Thread(() -> {
                long newest = -1;
                while (System.nanoTime() < end) {
                    try {
                        Optional<LockSnapshot> s = LockSnapshot.readUnparsed(viaB);
                        if (s.isEmpty()) {
                            continue; // sshfs: a moment of ENOENT while the name is renamed over
                        }
                        reads.incrementAndGet();
                        long v = version(s.get().identity().content());
                        if (v < newest) {
                            problems.add("read version " + v + " after version " + newest);
                        }
                        newest = Math.max(newest, v);
                    } catch (Exception e) {
                        problems.add("read failed: " + e);
                    }
                }
            }, "reader-" + t));
        }
        writer.start();
        readers.forEach(Thread::start);
        for (Thread t : readers) {
            t.join();
        }
        stop.set(true);
        writer.join();
        System.out.println("FIGURES lock read order " + bed.kind() + ": readers=" + READERS + " reads=" + reads.get()
                + " written=" + written.get() + " problems=" + problems.size());
        assertThat(written.get()).as("versions written during the reads").isGreaterThan(50);
        assertThat(problems).as("reads that went back, of %d", reads.get()).isEmpty();
    }

    /** A version number, repeated to fill a few hundred bytes (a lock record's size). */
    private static byte[] content(long v) {
        return (String.format("%012d\n", v).repeat(20)).getBytes(StandardCharsets.US_ASCII);
    }

    private static long version(byte[] content) {
        String s = new String(content, StandardCharsets.US_ASCII);
        String first = s.substring(0, s.indexOf('\n'));
        for (String line : s.split("\n")) {
            if (!line.equals(first)) {
                throw new IllegalStateException("torn: " + first + " and " + line);
            }
        }
        return Long.parseLong(first);
    }
}
