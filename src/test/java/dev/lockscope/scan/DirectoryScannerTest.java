package dev.lockscope.scan;

import dev.lockscope.lock.LockFile;
import dev.lockscope.lock.LockOwner;
import dev.lockscope.lock.LockState;
import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.Testbed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Snapshots of real local directories holding every kind of entry. */
@MultiProcess
class DirectoryScannerTest {

    @TempDir
    Path dir;

    /** A lockscope owner record of another host, written straight to a file. */
    static byte[] ownerRecord(String hostId, long pid, String token, long leaseMillis) {
        return new LockOwner(LockOwner.FORMAT, "host-" + hostId, hostId, null, null, "tester", pid, null, token,
                leaseMillis, System.currentTimeMillis(), "synthetic").toBytes();
    }

    static String token(Random r) {
        byte[] b = new byte[16];
        r.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Bytes this process has read through read(2) so far, from /proc/self/io. */
    static long bytesRead() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
            if (line.startsWith("rchar:")) {
                return Long.parseLong(line.substring(6).trim());
            }
        }
        throw new IOException("no rchar in /proc/self/io");
    }

    @Test
    void classifiesEveryKindOfEntryInARealDirectory() throws Exception {
        Random rnd = new Random(42);
        try (Children children = new Children()) {
            // Live holder, and a live waiter on the same lock.
            Children.Child live = children.start(dir.resolve("live.lock"), 30_000, Map.of());
            String liveToken = live.await("HELD", 60).substring(5);
            Children.Child waiter = children.start(dir.resolve("live.lock"), 30_000, Map.of());
            waiter.await("WAITING", 60);
            // A holder that is SIGKILLed: same host, so DEAD.
            Children.Child dead = children.start(dir.resolve("dead.lock"), 30_000, Map.of());
            dead.await("HELD", 60);
            dead.kill9();
            // A holder of "another host" with a short lease, SIGKILLed: its lease runs out, EXPIRED.
            Children.Child remote = children.start(dir.resolve("expired.lock"), 300,
                    Map.of("LOCKSCOPE_HOST_ID", "other-host-" + UUID.randomUUID(), "LOCKSCOPE_HOSTNAME", "elsewhere"));
            remote.await("HELD", 60);
            remote.kill9();
            // A break guard held by a live process.
            Children.Child guard = children.start(dir.resolve("g.lock.break"), 30_000, Map.of());
            guard.await("HELD", 60);

            // Leftovers and other tools' files.
            Files.write(dir.resolve("x.lock" + LockFile.BROKEN_INFIX + "1700000000000.cafe"),
                    ownerRecord("h9", 99, token(rnd), 5000));
            Files.writeString(dir.resolve(".records.json.tmp.vm.123.0a1b2c"), "{\"generation\": 3");
            Files.writeString(dir.resolve(".nfs000000000012345600000001"), "still open somewhere");
            Files.writeString(dir.resolve("records.json"), "{\"format\":\"lockscope-records/1\",\"records\":{}}");
            Files.writeString(dir.resolve("mbox.lock"), "12345\n");
            Files.createFile(dir.resolve("index.lock"));
            Files.createSymbolicLink(dir.resolve("wlock"), Path.of("otherhost:4242"));
            Files.writeString(dir.resolve("f.lock|hostf|777|r4nd"), dir.resolve("f.lock|hostf|777|r4nd").toString());
            Files.createLink(dir.resolve("f.lock"), dir.resolve("f.lock|hostf|777|r4nd"));
            byte[] garbage = new byte[300];
            rnd.nextBytes(garbage);
            Files.write(dir.resolve("garbage.lock"), garbage);
            Files.write(dir.resolve(".live.lock.vm.1." + token(rnd)), garbage);
            Files.createDirectory(dir.resolve(LockFile.AUDIT_DIR));
            Files.createDirectory(dir.resolve("sub"));
            Files.createSymbolicLink(dir.resolve("passwd-link"), Path.of("/etc/passwd"));
            Files.createSymbolicLink(dir.resolve("loop"), Path.of("loop"));
            mkfifo(dir.resolve("pipe.lock"));
            Files.createSymbolicLink(dir.resolve("via-link.lock"), dir.resolve("pipe.lock"));
            try (RandomAccessFile raf = new RandomAccessFile(dir.resolve("huge.lock").toFile(), "rw")) {
                raf.setLength(1L << 30); // 1 GB, sparse
            }
            // The remote holder's 300 ms lease ran out: its last renewal, 1.2 s ago (its heartbeat died with it).
            Files.setLastModifiedTime(dir.resolve("expired.lock"),
                    FileTime.fromMillis(System.currentTimeMillis() - 1200));

            long readBefore = bytesRead();
            DirectoryScanner scanner = new DirectoryScanner(dir);
            // A FIFO opened for reading would block this forever.
            DirectorySnapshot snap = assertTimeoutPreemptively(Duration.ofSeconds(30), scanner::refresh);
            long read = bytesRead() - readBefore;
            assertThat(read).as("bytes read by one snapshot (the 1 GB sparse file must not be read)")
                    .isLessThan(1 << 20);

            assertThat(snap.clock()).as("server clock from a probe file").isNotNull();
            assertThat(Math.abs(snap.skewMillis().orElseThrow())).isLessThan(5000);
            assertThat(snap.entries()).extracting(ScanEntry::name).isSorted()
                    .noneMatch(n -> n.startsWith(LockFile.PROBE_PREFIX));

            ScanEntry liveLock = snap.entry("live.lock").orElseThrow();
            assertThat(liveLock.kind()).isEqualTo(EntryKind.LOCK);
            assertThat(liveLock.state()).isEqualTo(EntryState.HELD);
            assertThat(liveLock.pid()).isEqualTo(live.pid());
            assertThat(liveLock.token()).isEqualTo(liveToken);
            assertThat(liveLock.nlink()).isEqualTo(2);
            assertThat(liveLock.leaseMillis()).isEqualTo(30_000);
            assertThat(liveLock.heartbeatAgeMillis()).isBetween(0L, 30_000L);
            assertThat(liveLock.lockAgeMillis()).isGreaterThanOrEqualTo(0);
            assertThat(liveLock.verdict().state()).isEqualTo(LockState.HELD);
            assertThat(liveLock.verdict().serverNowMillis()).isEqualTo(snap.clock().serverNowMillis());
            assertThat(liveLock.reason()).contains("alive");

            List<ScanEntry> liveClaims = claimsOf(snap, "live.lock");
            assertThat(liveClaims).hasSize(3); // holder, waiter, garbage
            ScanEntry heldClaim = byPid(liveClaims, live.pid());
            assertThat(heldClaim.state()).isEqualTo(EntryState.HELD);
            assertThat(heldClaim.nlink()).isEqualTo(2);
            assertThat(heldClaim.inode()).isEqualTo(liveLock.inode());
            ScanEntry waitingClaim = byPid(liveClaims, waiter.pid());
            assertThat(waitingClaim.state()).isEqualTo(EntryState.WAITING);
            assertThat(waitingClaim.nlink()).isEqualTo(1);
            assertThat(waitingClaim.reason()).contains("alive");
            ScanEntry garbageClaim = liveClaims.stream().filter(c -> c.owner() == null).findFirst().orElseThrow();
            assertThat(garbageClaim.state()).isIn(EntryState.WAITING, EntryState.ORPHAN);
            assertThat(garbageClaim.reason()).contains("content:");

            ScanEntry deadLock = snap.entry("dead.lock").orElseThrow();
            assertThat(deadLock.state()).isEqualTo(EntryState.DEAD);
            assertThat(deadLock.reason()).contains("no longer exists");
            assertThat(deadLock.pid()).isEqualTo(dead.pid());

            ScanEntry expired = snap.entry("expired.lock").orElseThrow();
            assertThat(expired.state()).isEqualTo(EntryState.EXPIRED);
            assertThat(expired.host()).isEqualTo("elsewhere");
            assertThat(expired.heartbeatAgeMillis()).isGreaterThan(300);
            assertThat(expired.leaseMillis()).isEqualTo(300);

            ScanEntry guardEntry = snap.entry("g.lock.break").orElseThrow();
            assertThat(guardEntry.kind()).isEqualTo(EntryKind.BREAK_GUARD);
            assertThat(guardEntry.lockName()).isEqualTo("g.lock");
            assertThat(guardEntry.state()).isEqualTo(EntryState.HELD);
            assertThat(claimsOf(snap, "g.lock.break")).singleElement()
                    .extracting(ScanEntry::state).isEqualTo(EntryState.HELD);

            ScanEntry broken = snap.entry("x.lock.broken.1700000000000.cafe").orElseThrow();
            assertThat(broken.kind()).isEqualTo(EntryKind.BROKEN_LEFTOVER);
            assertThat(broken.lockName()).isEqualTo("x.lock");
            assertThat(broken.pid()).isEqualTo(99);

            assertKind(snap, ".records.json.tmp.vm.123.0a1b2c", EntryKind.RECORD_TEMP);
            assertThat(snap.entry(".records.json.tmp.vm.123.0a1b2c").orElseThrow().lockName()).isEqualTo("records.json");
            assertKind(snap, ".nfs000000000012345600000001", EntryKind.NFS_SILLY_RENAME);
            assertKind(snap, "records.json", EntryKind.OTHER);
            assertKind(snap, LockFile.AUDIT_DIR, EntryKind.AUDIT_DIR);
            assertKind(snap, "sub", EntryKind.DIRECTORY);

            ScanEntry mbox = assertKind(snap, "mbox.lock", EntryKind.FOREIGN_LOCK);
            assertThat(mbox.foreign().format()).isEqualTo("dotlockfile");
            assertThat(mbox.pid()).isEqualTo(12345);
            // An empty lock outside a git directory: py-filelock's, held by a kernel lock or free.
            ScanEntry empty = assertKind(snap, "index.lock", EntryKind.FOREIGN_LOCK);
            assertThat(empty.foreign().format()).isEqualTo("py-filelock");
            assertThat(empty.state()).isEqualTo(EntryState.FREE);
            ScanEntry hg = assertKind(snap, "wlock", EntryKind.FOREIGN_LOCK);
            assertThat(hg.foreign().format()).isEqualTo("mercurial");
            assertThat(hg.host()).isEqualTo("otherhost");
            assertThat(hg.pid()).isEqualTo(4242);
            assertThat(hg.linkTarget()).isEqualTo("otherhost:4242");
            ScanEntry fluflLock = assertKind(snap, "f.lock", EntryKind.FOREIGN_LOCK);
            assertThat(fluflLock.foreign().format()).isEqualTo("flufl.lock");
            assertThat(fluflLock.pid()).isEqualTo(777);
            assertThat(fluflLock.nlink()).isEqualTo(2);
            ScanEntry fluflClaim = assertKind(snap, "f.lock|hostf|777|r4nd", EntryKind.CLAIM);
            assertThat(fluflClaim.host()).isEqualTo("hostf");
            assertThat(fluflClaim.foreign().format()).isEqualTo("flufl.lock");
            assertThat(fluflClaim.state()).isEqualTo(EntryState.HELD);
            ScanEntry garbageLock = assertKind(snap, "garbage.lock", EntryKind.FOREIGN_LOCK);
            assertThat(garbageLock.foreign().format()).isEqualTo("unknown");
            assertThat(garbageLock.state()).isEqualTo(EntryState.UNKNOWN);

            ScanEntry passwd = assertKind(snap, "passwd-link", EntryKind.SYMLINK);
            assertThat(passwd.linkTarget()).isEqualTo("/etc/passwd");
            assertThat(passwd.reason()).contains("not followed");
            assertKind(snap, "loop", EntryKind.SYMLINK);
            ScanEntry viaLink = assertKind(snap, "via-link.lock", EntryKind.FOREIGN_LOCK);
            assertThat(viaLink.reason()).contains("not followed");
            ScanEntry fifo = assertKind(snap, "pipe.lock", EntryKind.SPECIAL);
            assertThat(fifo.reason()).contains("FIFO").contains("never opened");
            ScanEntry huge = assertKind(snap, "huge.lock", EntryKind.FOREIGN_LOCK);
            assertThat(huge.size()).isEqualTo(1L << 30);

            // The waiter is SIGKILLed: its claim is now an orphan.
            waiter.kill9();
            DirectorySnapshot after = scanner.refresh();
            assertThat(byPid(claimsOf(after, "live.lock"), waiter.pid()).state()).isEqualTo(EntryState.ORPHAN);
            assertThat(byPid(claimsOf(after, "live.lock"), waiter.pid()).reason()).contains("gone");
            assertThat(after.entry("live.lock").orElseThrow().state()).isEqualTo(EntryState.HELD);
            // Nothing else moved, so only entries whose content changed were read again.
            assertThat(after.contentReads()).isLessThan(5);
        }
    }

    @Test
    void rereadsOnlyChangedEntriesButRecomputesAgesEveryRefresh() throws Exception {
        Random rnd = new Random(7);
        for (int i = 0; i < 40; i++) {
            Files.write(dir.resolve("r" + i + ".lock"), ownerRecord("far-" + i, 1000 + i, token(rnd), 60_000));
        }
        DirectoryScanner scanner = new DirectoryScanner(dir);
        DirectorySnapshot first = scanner.refresh();
        assertThat(first.contentReads()).isEqualTo(40);
        assertThat(first.ofKind(EntryKind.LOCK)).hasSize(40).allMatch(e -> e.state() == EntryState.HELD);

        Thread.sleep(300);
        DirectorySnapshot second = scanner.refresh();
        assertThat(second.contentReads()).as("nothing changed, nothing re-read").isZero();
        ScanEntry before = first.entry("r7.lock").orElseThrow();
        ScanEntry now = second.entry("r7.lock").orElseThrow();
        assertThat(now.heartbeatAgeMillis()).as("ages move with the new server-clock reading")
                .isGreaterThanOrEqualTo(before.heartbeatAgeMillis() + 250);
        assertThat(now.verdict().serverNowMillis()).isEqualTo(second.clock().serverNowMillis());
        assertThat(now.differsBeyondAges(before)).isFalse();

        // Same size, new owner: the (inode, mtime, size) key changes, so it is read again.
        String newToken = token(rnd);
        Path tmp = dir.resolve("tmp-swap");
        Files.write(tmp, ownerRecord("far-new", 4242, newToken, 60_000));
        Files.move(tmp, dir.resolve("r7.lock"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        // A second change: the lease ran out (mtime in the past, set explicitly).
        Files.setLastModifiedTime(dir.resolve("r8.lock"), FileTime.fromMillis(System.currentTimeMillis() - 120_000));
        DirectorySnapshot third = scanner.refresh();
        assertThat(third.contentReads()).isEqualTo(2);
        assertThat(third.entry("r7.lock").orElseThrow().token()).isEqualTo(newToken);
        assertThat(third.entry("r8.lock").orElseThrow().state()).isEqualTo(EntryState.EXPIRED);

        SnapshotDiff diff = SnapshotDiff.between(second, third);
        assertThat(diff.changed()).extracting(ScanEntry::name).containsExactlyInAnyOrder("r7.lock", "r8.lock");
        assertThat(diff.added()).isEmpty();
        assertThat(diff.removed()).isEmpty();

        // A held claim is kept as a template while nothing changes, but not once the lock's token changes.
        String t1 = token(rnd);
        Files.write(dir.resolve("k.lock"), ownerRecord("far-k", 77, t1, 60_000));
        Files.write(dir.resolve(".k.lock.far.77." + t1), ownerRecord("far-k", 77, t1, 60_000));
        Files.writeString(dir.resolve(".records.json.tmp.far.1.ab"), "{");
        DirectorySnapshot withClaim = scanner.refresh();
        assertThat(withClaim.entry(".k.lock.far.77." + t1).orElseThrow().state()).as("token read-back, link count 1")
                .isEqualTo(EntryState.HELD);
        Thread.sleep(50);
        DirectorySnapshot again = scanner.refresh();
        assertThat(again.contentReads()).isZero();
        assertThat(again.entry(".k.lock.far.77." + t1).orElseThrow().heartbeatAgeMillis())
                .isGreaterThan(withClaim.entry(".k.lock.far.77." + t1).orElseThrow().heartbeatAgeMillis());
        assertThat(again.entry(".records.json.tmp.far.1.ab").orElseThrow().heartbeatAgeMillis())
                .isGreaterThan(withClaim.entry(".records.json.tmp.far.1.ab").orElseThrow().heartbeatAgeMillis());
        Files.write(dir.resolve("k.lock"), ownerRecord("far-k2", 78, token(rnd), 60_000));
        DirectorySnapshot replaced = scanner.refresh();
        assertThat(replaced.contentReads()).isEqualTo(1);
        assertThat(replaced.entry(".k.lock.far.77." + t1).orElseThrow().state()).isIn(EntryState.WAITING, EntryState.ORPHAN);
        for (String n : List.of("k.lock", ".k.lock.far.77." + t1, ".records.json.tmp.far.1.ab")) {
            Files.delete(dir.resolve(n));
        }
        third = scanner.refresh();

        Files.delete(dir.resolve("r9.lock"));
        Files.write(dir.resolve("new.lock"), ownerRecord("far-x", 5, token(rnd), 60_000));
        SnapshotDiff d2 = SnapshotDiff.between(third, scanner.refresh());
        assertThat(d2.removed()).extracting(ScanEntry::name).containsExactly("r9.lock");
        assertThat(d2.added()).extracting(ScanEntry::name).containsExactly("new.lock");
        assertThat(d2.changed()).isEmpty();
    }

    @Test
    void missingOrWrongDirectoryIsNamedInTheError() throws Exception {
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> DirectoryScanner.snapshot(missing)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining("no such directory");
        Path file = Files.writeString(dir.resolve("plain"), "x");
        assertThatThrownBy(() -> DirectoryScanner.snapshot(file)).isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("not a directory");
    }

    @Test
    void readOnlyDirectoryHasNoServerClockAndSaysWhy() throws Exception {
        Path ro = Testbed.limits("ro");
        DirectorySnapshot snap = DirectoryScanner.snapshot(ro);
        assertThat(snap.clock()).isNull();
        assertThat(snap.skewMillis()).isEmpty();
        assertThat(snap.clockError()).contains(ro.toString()).contains("cannot write a probe file");
    }

    static List<ScanEntry> claimsOf(DirectorySnapshot snap, String lock) {
        return snap.ofKind(EntryKind.CLAIM).stream().filter(c -> lock.equals(c.lockName())).toList();
    }

    static ScanEntry byPid(List<ScanEntry> entries, long pid) {
        return entries.stream().filter(e -> e.owner() != null && e.pid() == pid).findFirst()
                .orElseThrow(() -> new AssertionError("no entry of pid " + pid + " in " + entries));
    }

    static ScanEntry assertKind(DirectorySnapshot snap, String name, EntryKind kind) {
        ScanEntry e = snap.entry(name).orElseThrow(() -> new AssertionError("no entry " + name));
        assertThat(e.kind()).as(name + " (" + e.reason() + ")").isEqualTo(kind);
        return e;
    }

    static void mkfifo(Path p) throws IOException, InterruptedException {
        Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        if (!mk.waitFor(30, TimeUnit.SECONDS) || mk.exitValue() != 0) {
            throw new IOException("mkfifo " + p + " failed");
        }
    }
}
