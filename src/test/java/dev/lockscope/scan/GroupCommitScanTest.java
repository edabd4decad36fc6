package dev.lockscope.scan;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockHandle;
import dev.lockscope.lock.LockOptions;
import dev.lockscope.lock.LockOwner;
import dev.lockscope.record.RecordStore;
import dev.lockscope.record.RecordStoreOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A real local directory with the intent files the record store leaves with group commit on: a writer that finds
 * the lock held publishes an intent (the test holds the lock, as GroupCommitTest does), a holder that dies after
 * taking it leaves the taken file, and a holder quarantines an intent it cannot read. One process, threads only.
 */
@Timeout(60)
class GroupCommitScanTest {
    /** GroupCommitTesting.GROUP_COMMIT of the record tests (package-private there). */
    private static final RecordStoreOptions GROUP_COMMIT = RecordStoreOptions.defaults().withGroupCommit(true);
    private static final String BAD_WRITER = "00000000000000aa";
    private static final String KILLED_WRITER = "00000000000000bb";

    @TempDir
    Path dir;

    @Test
    void theScannerShowsEachIntentOfARealStoreWhereItStands() throws Exception {
        Path file = dir.resolve("records.json");
        RecordStore.open(file, GROUP_COMMIT).put("base", IntNode.valueOf(1));

        // A holder quarantines an intent it cannot read (not UTF-8), and says so in its warning.
        String published = ".records.json.intent." + BAD_WRITER + ".1";
        Files.write(dir.resolve(published), new byte[] {(byte) 0xC3, 0x28});
        assertThat(RecordStore.open(file, GROUP_COMMIT).put("q", IntNode.valueOf(1)).warning()).contains("quarantined");
        String quarantined = ".records.json.bad-intent." + BAD_WRITER + ".1";
        assertThat(dir.resolve(quarantined)).exists();

        // A writer killed mid-publish leaves its intent-new file, which nobody reads: here it holds a lockscope
        // owner record, so a scanner that read it would take it for a lock.
        String killed = ".records.json.intent-new." + KILLED_WRITER + ".1";
        Files.write(dir.resolve(killed), new LockOwner(LockOwner.FORMAT, "far", "far-host-id", null, null, "tester",
                4242, null, "0123456789abcdef0123456789abcdef", 60_000, System.currentTimeMillis(), "forged").toBytes());
        Files.setLastModifiedTime(dir.resolve(killed), FileTime.fromMillis(System.currentTimeMillis() - 11 * 60_000));

        CountDownLatch published1 = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        RecordStore writer = RecordStore.open(file, GROUP_COMMIT).withStepListener(step -> {
            if (step == RecordStore.SaveStep.PUBLISHED) {
                published1.countDown();
                awaitQuietly(resume); // stands still between publish and wait, so no one else moves its intent
            }
        });
        ExecutorService pool = Executors.newSingleThreadExecutor();
        Future<?> put;
        LockHandle held = LinkLock.of(RecordStore.open(file, GROUP_COMMIT).lockFile(), LockOptions.defaults())
                .acquire(Duration.ofSeconds(5));
        String waiting;
        try {
            put = pool.submit(() -> writer.put("a", IntNode.valueOf(7)));
            assertThat(published1.await(20, TimeUnit.SECONDS)).isTrue();
            waiting = only(".records.json.intent.");

            DirectorySnapshot snap = DirectoryScanner.snapshot(dir);
            assertThat(snap.entry("records.json.lock").orElseThrow().state()).isEqualTo(EntryState.HELD);
            assertThat(intent(snap, killed, EntryState.ORPHAN).reason()).contains("killed while publishing");
            ScanEntry w = intent(snap, waiting, EntryState.WAITING);
            assertThat(w.reason()).contains("a change waiting to be committed into records.json by the next lock holder",
                    "records.json.lock is held by");
            assertThat(intent(snap, quarantined, EntryState.UNKNOWN).reason()).startsWith("quarantined:");
            assertThat(snap.entries()).noneMatch(e -> e.kind() == EntryKind.LOCK && !e.name().equals("records.json.lock"));
        } finally {
            held.release();
        }

        // A holder takes the waiting intent and dies before it commits (here: throws, and so releases the lock).
        RecordStore dying = RecordStore.open(file, GROUP_COMMIT).withStepListener(step -> {
            if (step == RecordStore.SaveStep.TAKEN) {
                throw new IllegalStateException("holder dies after the take");
            }
        });
        assertThatThrownBy(() -> dying.put("b", IntNode.valueOf(2))).hasMessageContaining("holder dies");
        String taken = waiting.replace(".intent.", ".taken.");
        assertThat(dir.resolve(taken)).exists();
        assertThat(dir.resolve("records.json.lock")).doesNotExist();

        ScanEntry recent = intent(DirectoryScanner.snapshot(dir), taken, EntryState.WAITING);
        assertThat(recent.reason()).contains("records.json.lock is free",
                "if it stays while the lock is free, the holder died and the next holder applies it");
        // As if 40 s had passed (the mtime is the writer's; a rename keeps it).
        Files.setLastModifiedTime(dir.resolve(taken), FileTime.fromMillis(System.currentTimeMillis() - 40_000));
        ScanEntry orphan = intent(DirectoryScanner.snapshot(dir), taken, EntryState.ORPHAN);
        assertThat(orphan.reason()).contains("taken by a holder that died",
                "the next holder of records.json.lock applies it to records.json");

        // The writer goes on, finds its intent taken and the lock free, becomes the holder and applies it.
        resume.countDown();
        put.get(20, TimeUnit.SECONDS);
        pool.shutdown();
        assertThat(RecordStore.open(file, GROUP_COMMIT).read().get("a")).contains(IntNode.valueOf(7));
        // That holder also removed the intent-new abandoned more than 10 minutes ago; the quarantined one stays
        // for people.
        DirectorySnapshot after = DirectoryScanner.snapshot(dir);
        assertThat(after.entries()).filteredOn(e -> e.kind() == EntryKind.RECORD_INTENT).extracting(ScanEntry::name)
                .containsExactly(quarantined);
    }

    private static ScanEntry intent(DirectorySnapshot snap, String name, EntryState state) {
        ScanEntry e = snap.entry(name).orElseThrow(() -> new AssertionError("no entry " + name));
        assertThat(e.kind()).as(name + ": " + e.reason()).isEqualTo(EntryKind.RECORD_INTENT);
        assertThat(e.state()).as(name + ": " + e.reason()).isEqualTo(state);
        assertThat(e.lockName()).isEqualTo("records.json");
        return e;
    }

    private String only(String infix) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> names = s.map(p -> p.getFileName().toString()).filter(n -> n.contains(infix))
                    .filter(n -> !n.contains(BAD_WRITER)).toList();
            assertThat(names).hasSize(1);
            return names.get(0);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("not resumed within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
