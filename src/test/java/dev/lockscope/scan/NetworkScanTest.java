package dev.lockscope.scan;

import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockHandle;
import dev.lockscope.lock.LockOptions;
import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.Testbed;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The scanner and watcher on the network-filesystem testbeds (gluster and sshfs, two mounts each). */
@MultiProcess
class NetworkScanTest {

    /** Gluster's FUSE client caches attributes and entries for about 1 s each (see the testbed README). */
    private static final long ATTRIBUTE_AND_ENTRY_CACHE_MILLIS = 2_000;
    /** Scheduling slack on a shared 2-core machine. */
    private static final long SLACK_MILLIS = 1_000;

    @Test
    void onGlusterAChangeThroughMountAAppearsThroughMountBWithinPollPlusCacheTime() throws Exception {
        Testbed.MountPair m = Testbed.gluster().freshDir("scan");
        Duration poll = Duration.ofMillis(500);
        long bound = poll.toMillis() + ATTRIBUTE_AND_ENTRY_CACHE_MILLIS + SLACK_MILLIS;
        DirectoryWatcherTest.Recorder rec = new DirectoryWatcherTest.Recorder();
        try (DirectoryWatcher w = DirectoryWatcher.start(m.b(), WatchOptions.defaults().withPollInterval(poll), rec)) {
            assertThat(w.usesEvents()).as("no events cross FUSE mounts: it must poll").isFalse();
            rec.await(d -> true, 10_000, "the first refresh");
            assertThat(w.latest().fileSystemType()).startsWith("fuse");

            LinkLock lock = LinkLock.at(m.a().resolve("x.lock"), LockOptions.defaults());
            long t0 = System.nanoTime();
            long seenMillis;
            try (LockHandle h = lock.acquire(Duration.ofSeconds(10))) {
                SnapshotDiff added = rec.await(DirectoryWatcherTest.adds("x.lock"), bound,
                        "x.lock made through mount a appears through mount b");
                seenMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                ScanEntry e = added.current().entry("x.lock").orElseThrow();
                assertThat(e.state()).isEqualTo(EntryState.HELD);
                assertThat(e.pid()).isEqualTo(ProcessHandle.current().pid());
                assertThat(e.token()).isEqualTo(h.owner().token());
                assertThat(added.current().clock()).as("server clock through mount b").isNotNull();
                // The claim may show up one poll later than the lock (separate directory entries).
                rec.await(d -> d.current().ofKind(EntryKind.CLAIM).stream()
                        .anyMatch(c -> c.state() == EntryState.HELD && "x.lock".equals(c.lockName())), bound,
                        "x.lock's claim is HELD through mount b");
                h.release();
            }
            long t1 = System.nanoTime();
            rec.await(DirectoryWatcherTest.removes("x.lock"), bound, "x.lock's release appears through mount b");
            long goneMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);

            // A change of content (same name) made through a is seen through b as "changed".
            Files.writeString(m.a().resolve("mbox.lock"), "111\n");
            rec.await(DirectoryWatcherTest.adds("mbox.lock"), bound, "mbox.lock appears");
            long t2 = System.nanoTime();
            Files.writeString(m.a().resolve("mbox.lock"), "222222\n");
            SnapshotDiff changed = rec.await(d -> d.changed().stream()
                    .anyMatch(e -> e.name().equals("mbox.lock") && e.pid() == 222222), bound,
                    "mbox.lock's new pid is seen through mount b");
            long changedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t2);
            assertThat(changed.previous().entry("mbox.lock").orElseThrow().pid()).isEqualTo(111);
            System.out.printf("gluster a->b: added after %d ms, removed after %d ms, changed after %d ms "
                    + "(poll %d ms, bound %d ms)%n", seenMillis, goneMillis, changedMillis, poll.toMillis(), bound);
        }
    }

    @Test
    void onSshfsAClaimIsHeldByItsTokenThoughTheLinkCountIsOne() throws Exception {
        Testbed.MountPair m = Testbed.sshfs().freshDir("scan");
        DirectoryScanner scanner = new DirectoryScanner(m.a());
        LinkLock lock = LinkLock.at(m.a().resolve("s.lock"), LockOptions.defaults());
        String firstToken;
        try (LockHandle h = lock.acquire(Duration.ofSeconds(10))) {
            firstToken = h.owner().token();
            DirectorySnapshot snap = scanner.refresh();
            ScanEntry l = snap.entry("s.lock").orElseThrow();
            assertThat(l.state()).isEqualTo(EntryState.HELD);
            assertThat(l.nlink()).as("sshfs reports link count 1").isEqualTo(1);
            List<ScanEntry> claims = DirectoryScannerTest.claimsOf(snap, "s.lock");
            assertThat(claims).singleElement().satisfies(c -> {
                assertThat(c.nlink()).isEqualTo(1);
                assertThat(c.state()).isEqualTo(EntryState.HELD);
                assertThat(c.reason()).contains("token").contains("link count 1");
            });
            h.release();
        }
        // Re-acquired at once: with whole-second mtimes and equal sizes only a re-read can tell.
        try (LockHandle h = lock.acquire(Duration.ofSeconds(10))) {
            DirectorySnapshot snap = scanner.refresh();
            assertThat(snap.entry("s.lock").orElseThrow().token()).isEqualTo(h.owner().token()).isNotEqualTo(firstToken);
            assertThat(DirectoryScannerTest.claimsOf(snap, "s.lock")).singleElement()
                    .extracting(ScanEntry::state).isEqualTo(EntryState.HELD);
            h.release();
        }
        assertThat(scanner.refresh().entry("s.lock")).isEmpty();
    }
}
