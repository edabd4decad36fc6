package dev.lockscope.scan;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.lockscope.record.RecordStore;
import dev.lockscope.testing.Testbed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The watcher of a record file and its lock: events, polling, other mounts' saves, unrelated names. */
class FileWatcherTest {

    private static final Set<String> NAMES = Set.of("records.json", "records.json.lock");

    @TempDir
    Path dir;

    private final BlockingQueue<Set<String>> changes = new LinkedBlockingQueue<>();

    private Set<String> next(long millis) throws InterruptedException {
        return changes.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Waits until a reported change names {@code name}; fails after {@code millis}. */
    private void awaitChangeOf(String name, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            Set<String> c = next(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (c != null && c.contains(name)) {
                return;
            }
        }
        throw new AssertionError("no change of " + name + " reported within " + millis + " ms");
    }

    @Test
    void eventsReportSavesOfTheRecordFileAndIgnoreOtherNames() throws Exception {
        RecordStore store = RecordStore.open(dir.resolve("records.json"));
        store.put("a", IntNode.valueOf(1));
        // A poll interval of a minute: only events can report within the test's waits.
        WatchOptions eventsOnly = WatchOptions.defaults().withPollInterval(Duration.ofMinutes(1));
        try (FileWatcher w = FileWatcher.start(dir, NAMES, eventsOnly, changes::add)) {
            assertThat(w.usesEvents()).isTrue();
            assertThat(next(5000)).containsExactly("records.json");

            Files.writeString(dir.resolve("unrelated.json"), "{}");
            Files.writeString(dir.resolve("x.lock"), "");
            assertThat(next(500)).as("changes of other names are not reported").isNull();

            store.put("a", IntNode.valueOf(2));
            awaitChangeOf("records.json", 5000);
        }
    }

    @Test
    void pollingNoticesARecordFileThatAppearsLaterAndItsLock() throws Exception {
        try (FileWatcher w = FileWatcher.start(dir, NAMES, WatchOptions.polling(Duration.ofMillis(50)), changes::add)) {
            assertThat(w.usesEvents()).isFalse();
            assertThat(next(300)).as("nothing exists yet").isNull();
            RecordStore.open(dir.resolve("records.json")).put("a", IntNode.valueOf(1));
            awaitChangeOf("records.json", 5000);
            Files.writeString(dir.resolve("records.json.lock"), "held");
            awaitChangeOf("records.json.lock", 5000);
            Files.delete(dir.resolve("records.json.lock"));
            awaitChangeOf("records.json.lock", 5000);
        }
    }

    /** Saves made through another client mount (sshfs: whole-second mtimes, cached attributes) are seen. */
    @Test
    void savesThroughAnotherMountAreSeenBySshfsPolling() throws Exception {
        Testbed.MountPair pair = Testbed.sshfs().freshDir("filewatch");
        RecordStore viaB = RecordStore.open(pair.b().resolve("records.json"));
        viaB.put("a", IntNode.valueOf(0));
        try (FileWatcher w = FileWatcher.start(pair.a(), NAMES, WatchOptions.defaults(), changes::add)) {
            assertThat(w.usesEvents()).isFalse();
            awaitChangeOf("records.json", 10_000);
            for (int i = 1; i <= 3; i++) {
                changes.clear();
                viaB.put("a", IntNode.valueOf(i));
                awaitChangeOf("records.json", 10_000);
                assertThat(RecordStore.open(pair.a().resolve("records.json")).readFresh().get("a").orElseThrow()
                        .asInt()).isEqualTo(i);
            }
        }
    }
}
