package dev.lockscope.scan;

import dev.lockscope.lock.FileFacts;
import dev.lockscope.lock.HostIdentity;
import dev.lockscope.lock.LockIdentity;
import dev.lockscope.lock.LockOwner;
import dev.lockscope.lock.ProcessTable;
import dev.lockscope.lock.ServerClock;
import dev.lockscope.record.RecordIntent;
import dev.lockscope.scan.EntryContent.NameClass;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Group-commit intent files (docs/RECORDS.md) through the classifier, on entries built in memory: no directory
 * exists at {@link #DIR}, and an {@link EntryClassifier.Evidence} that is asked fails the test.
 */
class IntentClassifierTest {
    private static final Path DIR = Path.of("/nonexistent/lockscope-intent-classifier-test");
    private static final long NOW = 1_700_000_000_000L;
    private static final String W = "1a2b3c4d5e6f7081";
    private static final String TOKEN = "0123456789abcdef0123456789abcdef";
    private static final HostIdentity SELF = HostIdentity.current();

    private static final EntryClassifier.Evidence NONE = UnaskedEvidence.INSTANCE;

    private static String name(String form, long seq) {
        return ".records.json." + form + "." + W + "." + seq;
    }

    private static FileFacts regular(long inode, long mtime) {
        return new FileFacts(inode, 1, 120, mtime, FileFacts.Type.REGULAR);
    }

    /** An entry as the reader hands it over: its class from its name and lstat type, its content never read. */
    private static ReadEntry named(String name, FileFacts f) {
        return new ReadEntry(name, DIR.resolve(name), f, EntryContent.named(NameClass.of(name, f.type())));
    }

    /** records.json.lock held by another host with a 60 s lease, written at {@code mtime}. */
    private static ReadEntry lock(long mtime) {
        LockOwner owner = new LockOwner(LockOwner.FORMAT, "far", "far-host-id", null, null, "tester", 4242, null,
                TOKEN, 60_000, NOW - 5_000, "test");
        FileFacts f = regular(99, mtime);
        return new ReadEntry("records.json.lock", DIR.resolve("records.json.lock"), f, EntryContent.regular(
                NameClass.CANDIDATE, f, owner, new LockIdentity(99, mtime, 120, owner.toBytes()), null, null, null));
    }

    private static ScanEntry classify(long now, ReadEntry... entries) {
        return classifyAll(new EntryClassifier(DIR, SELF, false, NONE), now, entries).get(0);
    }

    private static List<ScanEntry> classifyAll(EntryClassifier c, long now, ReadEntry... entries) {
        return c.classify(List.of(entries), new ServerClock.Reading(now, now), ProcessTable.SYSTEM);
    }

    @Test
    void eachOfTheFourNamesIsAnIntentOfItsRecordFileByItsNameAlone() {
        for (String form : List.of("intent-new", "intent", "taken", "bad-intent")) {
            String n = name(form, 7);
            assertThat(NameClass.of(n, FileFacts.Type.REGULAR)).as(n).isEqualTo(NameClass.INTENT);
            ScanEntry e = classify(NOW, named(n, regular(1, NOW - 1_000)));
            assertThat(e.kind()).as(n).isEqualTo(EntryKind.RECORD_INTENT);
            assertThat(e.lockName()).isEqualTo("records.json");
            assertThat(e.reason()).contains("(writer " + W + ", #7)");
            assertThat(e.heartbeatAgeMillis()).isEqualTo(1_000);
            assertThat(e.kind().isLockLike()).as("shown by ls --all only").isFalse();
        }
        RecordIntent.FileName parsed = RecordIntent.parseFileName(name("bad-intent", 7)).orElseThrow();
        assertThat(parsed).isEqualTo(new RecordIntent.FileName("records.json", W, 7, RecordIntent.Form.QUARANTINED));
    }

    @Test
    void aPublishedIntentWaitsForTheNextHolderUntilItsWriterIsProvablyGone() {
        String n = name("intent", 3);
        ScanEntry whileHeld = classify(NOW, named(n, regular(1, NOW - 45_000)), lock(NOW - 1_000));
        assertThat(whileHeld.state()).isEqualTo(EntryState.WAITING);
        assertThat(whileHeld.reason()).contains("a change waiting to be committed into records.json by the next lock"
                + " holder (writer " + W + ", #3)", "records.json.lock is held by tester@far pid 4242");

        ScanEntry recentAndFree = classify(NOW, named(n, regular(1, NOW - 2_000)));
        assertThat(recentAndFree.state()).isEqualTo(EntryState.WAITING);
        assertThat(recentAndFree.reason()).contains("records.json.lock is free");

        ScanEntry oldAndFree = classify(NOW, named(n, regular(1, NOW - 31_000)));
        assertThat(oldAndFree.state()).isEqualTo(EntryState.ORPHAN);
        assertThat(oldAndFree.reason()).contains("its writer is gone", "the next save of records.json commits it");
    }

    @Test
    void aTakenIntentIsHeldWhileItsLockIsAndOrphanedWhenItsHolderDied() {
        String n = name("taken", 9);
        ScanEntry held = classify(NOW, named(n, regular(1, NOW - 90_000)), lock(NOW - 1_000));
        assertThat(held.state()).isEqualTo(EntryState.HELD);
        assertThat(held.reason()).contains("taken by tester@far pid 4242 (test), the holder of records.json.lock,"
                + " which is committing it into records.json");

        // The lock's lease ran out two minutes ago: its holder died, whatever the taken file's age.
        ScanEntry expiredLock = classify(NOW + 120_000, named(n, regular(1, NOW + 119_000)), lock(NOW - 1_000));
        assertThat(expiredLock.state()).isEqualTo(EntryState.ORPHAN);
        assertThat(expiredLock.reason()).contains("taken by a holder that died", "records.json.lock is EXPIRED",
                "the next holder of records.json.lock applies it to records.json, or removes it if records.json"
                        + " already holds it");

        ScanEntry recentAndFree = classify(NOW, named(n, regular(1, NOW - 2_000)));
        assertThat(recentAndFree.state()).isEqualTo(EntryState.WAITING);
        assertThat(recentAndFree.reason()).contains("if it stays while the lock is free, the holder died and the next"
                + " holder applies it");

        ScanEntry oldAndFree = classify(NOW, named(n, regular(1, NOW - 31_000)));
        assertThat(oldAndFree.state()).isEqualTo(EntryState.ORPHAN);
        assertThat(oldAndFree.reason()).contains("records.json.lock is free (a live holder removes its taken files"
                + " before it releases)");
    }

    @Test
    void anIntentBeingPublishedIsALeftoverAfterTenMinutes() {
        String n = name("intent-new", 2);
        ScanEntry fresh = classify(NOW, named(n, regular(1, NOW - 9 * 60_000)));
        assertThat(fresh.state()).isEqualTo(EntryState.WAITING);
        assertThat(fresh.reason()).contains("being published", "a writer was killed mid-publish if it is old");

        ScanEntry old = classify(NOW, named(n, regular(1, NOW - 11 * 60_000)));
        assertThat(old.state()).isEqualTo(EntryState.ORPHAN);
        assertThat(old.reason()).contains("whose writer was killed while publishing it", "never applied: safe to remove");
    }

    @Test
    void aQuarantinedIntentAsksForAPerson() {
        ScanEntry bad = classify(NOW, named(name("bad-intent", 4), regular(1, NOW - 1_000)), lock(NOW - 1_000));
        assertThat(bad.state()).isEqualTo(EntryState.UNKNOWN);
        assertThat(bad.reason()).startsWith("quarantined: a holder of records.json.lock could not read this change"
                + " for records.json or prove whether it was applied").contains("inspect it, then remove it");
    }

    /** Its state rests on time and on its lock, so a refresh judges it again even when its attributes did not change. */
    @Test
    void aLaterRefreshJudgesAnUnchangedIntentAgain() {
        EntryClassifier c = new EntryClassifier(DIR, SELF, false, NONE);
        ReadEntry taken = named(name("taken", 5), regular(1, NOW - 5_000));
        assertThat(classifyAll(c, NOW, taken).get(0).state()).isEqualTo(EntryState.WAITING);
        assertThat(classifyAll(c, NOW, taken, lock(NOW)).get(0).state()).isEqualTo(EntryState.HELD);
        assertThat(classifyAll(c, NOW + 60_000, taken).get(0).state()).isEqualTo(EntryState.ORPHAN);
    }

    /** Only the lock of its own record file counts: another file's lock says nothing about this holder. */
    @Test
    void anotherRecordFilesLockDoesNotHoldATakenIntent() {
        ScanEntry e = classify(NOW, named(".other.json.taken." + W + ".1", regular(1, NOW - 31_000)), lock(NOW));
        assertThat(e.lockName()).isEqualTo("other.json");
        assertThat(e.state()).isEqualTo(EntryState.ORPHAN);
        assertThat(e.reason()).contains("other.json.lock is free");
    }

    @Test
    void hostileNamesAreNotIntents() {
        List<String> hostile = new ArrayList<>(List.of(
                name("intent", 0),                                   // seq 0: the first intent is #1
                name("intent", 1234567890123456789L),                // 19 digits: more than a writer numbers
                ".records.json.intent." + W + ".07",                 // a leading zero
                ".records.json.intent." + W + ".1\n",                // a line break after the number
                ".records.json.intent." + W + ".1\u001b[2J",         // an escape sequence after it
                ".records.json.intent.1a2b3c4d5e6f708\u0007.1",      // a control character in the writer id
                ".records.json.intent.1A2B3C4D5E6F7081.1",           // upper-case hex: not ours
                ".records.json.intent.1a2b3c4d5e6f708.1",            // 15 hex digits
                ".records.json.intents." + W + ".1",                 // an unknown form
                ".records.json.Taken." + W + ".1",
                "records.json.intent." + W + ".1",                   // no leading dot
                "..intent." + W + ".1",                              // no record file name
                "...intent." + W + ".1",                             // record file "."
                "....taken." + W + ".1",                             // record file ".."
                ".a\u0000b.intent." + W + ".1",                      // NUL, which no file name holds
                "." + "r".repeat(256) + ".intent." + W + ".1"));     // longer than any file name can be
        // 255 chars is the longest name that can exist (NAME_MAX bytes): one more is not ours.
        String longest = "." + "r".repeat(255 - ".".length() - ".intent.".length() - 16 - ".1".length())
                + ".intent." + W + ".1";
        assertThat(longest).hasSize(255);
        assertThat(RecordIntent.parseFileName(longest)).isPresent();
        hostile.add("r" + longest);
        for (String n : hostile) {
            assertThat(RecordIntent.parseFileName(n)).as(n).isEmpty();
            assertThat(NameClass.of(n, FileFacts.Type.REGULAR)).as(n).isNotEqualTo(NameClass.INTENT);
            // DIR, not DIR.resolve(n): no Path holds a NUL.
            ScanEntry e = classify(NOW, new ReadEntry(n, DIR, regular(1, NOW),
                    EntryContent.regular(NameClass.of(n, FileFacts.Type.REGULAR), regular(1, NOW), null, null,
                            "empty", null, null)));
            assertThat(e.kind()).as(n).isNotEqualTo(EntryKind.RECORD_INTENT);
        }
    }

    /** The store writes intents for whatever its record file is called; a line break there is shown escaped. */
    @Test
    void anIntentOfARecordFileWhoseNameHoldsALineBreakIsAnIntentOfThatFile() {
        String n = ".evil\nrecords.json.intent." + W + ".1";
        ScanEntry e = classify(NOW, named(n, regular(1, NOW - 1_000)));
        assertThat(e.kind()).isEqualTo(EntryKind.RECORD_INTENT);
        assertThat(e.lockName()).isEqualTo("evil\nrecords.json");
    }

    /** A symlink, directory or FIFO under an intent's name is what lstat says it is: never followed, never opened. */
    @Test
    void aSymlinkDirectoryOrFifoNamedLikeAnIntentIsNotOne() {
        String n = name("intent", 1);
        assertThat(NameClass.of(n, FileFacts.Type.SYMLINK)).isEqualTo(NameClass.SYMLINK);
        assertThat(NameClass.of(n, FileFacts.Type.DIRECTORY)).isEqualTo(NameClass.DIRECTORY);
        assertThat(NameClass.of(n, FileFacts.Type.OTHER)).isEqualTo(NameClass.SPECIAL);
    }

    /** The temp-file grammar is loose; the intent of a record file named like a temp file is still an intent. */
    @Test
    void anIntentOfARecordFileNamedLikeATempFileIsAnIntent() {
        String n = ".a.tmp.b.intent." + W + ".1";
        assertThat(NameClass.of(n, FileFacts.Type.REGULAR)).isEqualTo(NameClass.INTENT);
        assertThat(classify(NOW, named(n, regular(1, NOW))).lockName()).isEqualTo("a.tmp.b");
    }
}
