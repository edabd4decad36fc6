package dev.lockscope.scan;

import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockHandle;
import dev.lockscope.lock.LockOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** The watcher on local directories: events, polling, diffs, its thread, errors and closing. */
class DirectoryWatcherTest {

    @TempDir
    Path dir;

    /** Collects diffs and the threads they came on. */
    static final class Recorder implements ScanListener {
        final BlockingQueue<SnapshotDiff> diffs = new LinkedBlockingQueue<>();
        final BlockingQueue<Exception> errors = new LinkedBlockingQueue<>();
        final Set<String> threads = ConcurrentHashMap.newKeySet();
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger concurrent = new AtomicInteger();
        volatile int maxConcurrent;

        @Override
        public void onRefresh(SnapshotDiff diff) {
            int c = concurrent.incrementAndGet();
            maxConcurrent = Math.max(maxConcurrent, c);
            threads.add(Thread.currentThread().getName());
            calls.incrementAndGet();
            diffs.add(diff);
            concurrent.decrementAndGet();
        }

        @Override
        public void onError(Path directory, Exception error) {
            threads.add(Thread.currentThread().getName());
            errors.add(error);
        }

        /** The first diff (after now) that matches, or an assertion error after {@code millis}. */
        SnapshotDiff await(Predicate<SnapshotDiff> what, long millis, String description) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (true) {
                long left = deadline - System.nanoTime();
                SnapshotDiff d = left <= 0 ? null : diffs.poll(left, TimeUnit.NANOSECONDS);
                if (d == null) {
                    throw new AssertionError("no diff where " + description + " within " + millis + " ms");
                }
                if (what.test(d)) {
                    return d;
                }
            }
        }
    }

    static Predicate<SnapshotDiff> adds(String name) {
        return d -> d.added().stream().anyMatch(e -> e.name().equals(name));
    }

    static Predicate<SnapshotDiff> removes(String name) {
        return d -> d.removed().stream().anyMatch(e -> e.name().equals(name));
    }

    @Test
    void eventsOnALocalFilesystemTriggerARefreshLongBeforeThePoll() throws Exception {
        Recorder rec = new Recorder();
        WatchOptions slowPoll = new WatchOptions(false, Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofMillis(20));
        try (DirectoryWatcher w = DirectoryWatcher.start(dir, slowPoll, rec)) {
            assertThat(w.usesEvents()).as("ext4/tmpfs deliver events").isTrue();
            SnapshotDiff first = rec.await(d -> true, 10_000, "the first refresh");
            assertThat(first.current().entries()).isEmpty();
            assertThat(first.previous().entries()).isEmpty();

            LinkLock lock = LinkLock.at(dir.resolve("a.lock"), LockOptions.defaults());
            long t0 = System.nanoTime();
            try (LockHandle h = lock.acquire(Duration.ofSeconds(5))) {
                SnapshotDiff added = rec.await(adds("a.lock"), 5_000, "a.lock is added");
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertThat(ms).as("an event, not the 1-minute poll").isLessThan(5_000);
                ScanEntry e = added.current().entry("a.lock").orElseThrow();
                assertThat(e.state()).isEqualTo(EntryState.HELD);
                assertThat(e.pid()).isEqualTo(ProcessHandle.current().pid());
                assertThat(w.latest().entry("a.lock")).isPresent();
                h.release();
            }
            SnapshotDiff removed = rec.await(removes("a.lock"), 5_000, "a.lock is removed");
            assertThat(removed.removed()).extracting(ScanEntry::name).contains("a.lock");
            assertThat(removed.current().entry("a.lock")).isEmpty();
        }
        assertThat(rec.threads).allMatch(t -> t.startsWith("lockscope-scan "));
        assertThat(rec.maxConcurrent).isEqualTo(1);
    }

    @Test
    void pollingSeesAHolderDieAndAgesMoveOnEveryRefresh() throws Exception {
        Recorder rec = new Recorder();
        try (Children children = new Children();
             DirectoryWatcher w = DirectoryWatcher.start(dir, WatchOptions.polling(Duration.ofMillis(200)), rec)) {
            assertThat(w.usesEvents()).isFalse();
            assertThat(w.pollInterval()).isEqualTo(Duration.ofMillis(200));
            Children.Child holder = children.start(dir.resolve("h.lock"), 30_000, Map.of());
            holder.await("HELD", 60);
            SnapshotDiff added = rec.await(adds("h.lock"), 5_000, "h.lock is added");
            assertThat(added.current().entry("h.lock").orElseThrow().state()).isEqualTo(EntryState.HELD);
            long ageBefore = added.current().entry("h.lock").orElseThrow().lockAgeMillis();

            // Refreshes with no change still come, and their snapshots carry moving ages.
            SnapshotDiff quiet = rec.await(d -> d.isEmpty() && d.current().entry("h.lock").isPresent()
                    && d.current().entry("h.lock").get().lockAgeMillis() > ageBefore, 5_000, "an age moved");
            assertThat(quiet.isEmpty()).isTrue();

            holder.kill9();
            SnapshotDiff dead = rec.await(d -> d.changed().stream()
                    .anyMatch(e -> e.name().equals("h.lock") && e.state() == EntryState.DEAD), 5_000, "h.lock is DEAD");
            assertThat(dead.previous().entry("h.lock").orElseThrow().state()).isEqualTo(EntryState.HELD);
        }
    }

    @Test
    void refreshNowAndCloseStopTheCallbacks() throws Exception {
        Recorder rec = new Recorder();
        DirectoryWatcher w = DirectoryWatcher.start(dir, WatchOptions.polling(Duration.ofMinutes(1)), rec);
        rec.await(d -> true, 10_000, "the first refresh");
        Files.writeString(dir.resolve("x.lock"), "123\n");
        w.refreshNow();
        rec.await(adds("x.lock"), 5_000, "x.lock is added after refreshNow");
        w.close();
        int calls = rec.calls.get();
        w.refreshNow();
        Thread.sleep(500);
        assertThat(rec.calls.get()).as("no call after close").isEqualTo(calls);
    }

    @Test
    void aListenerThatThrowsIsReportedAndWatchingGoesOn() throws Exception {
        BlockingQueue<Exception> errors = new LinkedBlockingQueue<>();
        AtomicInteger calls = new AtomicInteger();
        ScanListener bad = new ScanListener() {
            @Override
            public void onRefresh(SnapshotDiff diff) {
                calls.incrementAndGet();
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void onError(Path directory, Exception error) {
                errors.add(error);
            }
        };
        try (DirectoryWatcher w = DirectoryWatcher.start(dir, WatchOptions.polling(Duration.ofMillis(50)), bad)) {
            assertThat(errors.poll(10, TimeUnit.SECONDS)).hasMessage("listener bug");
            long deadline = System.currentTimeMillis() + 5000;
            while (calls.get() < 3 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertThat(calls.get()).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void aDirectoryThatVanishesIsReportedByName() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Recorder rec = new Recorder();
        try (DirectoryWatcher w = DirectoryWatcher.start(sub, WatchOptions.polling(Duration.ofMillis(50)), rec)) {
            rec.await(d -> true, 10_000, "the first refresh");
            Files.delete(sub);
            Exception e = rec.errors.poll(10, TimeUnit.SECONDS);
            assertThat(e).isNotNull();
            assertThat(e.getMessage()).contains(sub.toString()).contains("no such directory");
        }
    }

    @Test
    void startRefusesAMissingDirectory() {
        Path missing = dir.resolve("missing");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> DirectoryWatcher.start(missing, WatchOptions.defaults(), d -> { }))
                .hasMessageContaining(missing.toString());
    }

    @Test
    void theFirstDiffListsEveryEntryAsAdded() throws Exception {
        for (String n : List.of("a.lock", "b.lock", "c")) {
            Files.writeString(dir.resolve(n), "1\n");
        }
        Recorder rec = new Recorder();
        try (DirectoryWatcher w = DirectoryWatcher.start(dir, WatchOptions.defaults(), rec)) {
            SnapshotDiff first = rec.await(d -> true, 10_000, "the first refresh");
            assertThat(first.added()).extracting(ScanEntry::name).containsExactly("a.lock", "b.lock", "c");
            assertThat(first.changed()).isEmpty();
            assertThat(first.removed()).isEmpty();
        }
    }
}
