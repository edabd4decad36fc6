package dev.lockscope.scan;

import dev.lockscope.formats.KernelLocks;
import dev.lockscope.lock.ClaimName;
import dev.lockscope.lock.FileFacts;
import dev.lockscope.lock.HostIdentity;
import dev.lockscope.lock.LockIdentity;
import dev.lockscope.lock.LockOwner;
import dev.lockscope.lock.LockSnapshot;
import dev.lockscope.lock.ProcessTable;
import dev.lockscope.lock.ServerClock;
import dev.lockscope.scan.EntryContent.NameClass;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The classifier on entries built in memory: no directory exists at {@link #DIR}, and no test here touches a
 * filesystem (an {@link Evidence} that is asked when it must not be fails the test).
 */
class EntryClassifierTest {
    private static final Path DIR = Path.of("/nonexistent/lockscope-classifier-test");
    private static final long NOW = 1_700_000_000_000L;
    private static final String TOKEN_A = "0123456789abcdef0123456789abcdef";
    private static final String TOKEN_B = "fedcba9876543210fedcba9876543210";
    private static final HostIdentity SELF = HostIdentity.current();

    private static final EntryClassifier.Evidence NONE = UnaskedEvidence.INSTANCE;

    private static ServerClock.Reading clockAt(long serverNow) {
        return new ServerClock.Reading(serverNow, serverNow);
    }

    private static LockOwner farOwner(long pid, String token, long leaseMillis) {
        return new LockOwner(LockOwner.FORMAT, "far", "far-host-id", null, null, "tester", pid, null, token,
                leaseMillis, NOW - 5_000, "test");
    }

    private static FileFacts regular(long inode, long nlink, long mtime) {
        return new FileFacts(inode, nlink, 300, mtime, FileFacts.Type.REGULAR);
    }

    private static ReadEntry lockEntry(String name, LockOwner owner, FileFacts f) {
        byte[] bytes = owner.toBytes();
        return new ReadEntry(name, DIR.resolve(name), f, EntryContent.regular(NameClass.CANDIDATE, f, owner,
                new LockIdentity(f.inode(), f.mtimeMillis(), f.size(), bytes), null, null, null));
    }

    private static ReadEntry claimEntry(String name, LockOwner owner, FileFacts f) {
        return new ReadEntry(name, DIR.resolve(name), f, EntryContent.regular(NameClass.CLAIM, f, owner, null,
                owner == null ? "empty" : null, null, ClaimName.parse(name)));
    }

    private static ScanEntry only(List<ScanEntry> entries, String name) {
        return entries.stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void anotherHostsLockIsHeldWithinItsLeaseAndExpiredAfterIt() {
        EntryClassifier c = new EntryClassifier(DIR, SELF, false, NONE);
        LockOwner owner = farOwner(4242, TOKEN_A, 60_000);
        List<ScanEntry> fresh = c.classify(List.of(lockEntry("r.lock", owner, regular(7, 1, NOW - 1_000))),
                clockAt(NOW), ProcessTable.SYSTEM);
        ScanEntry held = only(fresh, "r.lock");
        assertThat(held.kind()).isEqualTo(EntryKind.LOCK);
        assertThat(held.state()).isEqualTo(EntryState.HELD);
        assertThat(held.token()).isEqualTo(TOKEN_A);
        assertThat(held.leaseMillis()).isEqualTo(60_000);
        assertThat(held.heartbeatAgeMillis()).isEqualTo(1_000);
        assertThat(held.verdict()).isNotNull();

        List<ScanEntry> later = c.classify(List.of(lockEntry("r.lock", owner, regular(7, 1, NOW - 1_000))),
                clockAt(NOW + 120_000), ProcessTable.SYSTEM);
        assertThat(only(later, "r.lock").state()).isEqualTo(EntryState.EXPIRED);
    }

    @Test
    void aBreakGuardNamesItsLock() {
        EntryClassifier c = new EntryClassifier(DIR, SELF, false, NONE);
        ScanEntry guard = only(c.classify(List.of(lockEntry("r.lock.break", farOwner(5, TOKEN_B, 10_000),
                regular(9, 1, NOW))), clockAt(NOW), ProcessTable.SYSTEM), "r.lock.break");
        assertThat(guard.kind()).isEqualTo(EntryKind.BREAK_GUARD);
        assertThat(guard.lockName()).isEqualTo("r.lock");
        assertThat(guard.reason()).startsWith("break guard of r.lock: ");
    }

    @Test
    void claimsAreJudgedAgainstTheLockOfTheirName() {
        EntryClassifier c = new EntryClassifier(DIR, SELF, false, NONE);
        LockOwner holder = farOwner(77, TOKEN_A, 60_000);
        String heldClaim = ClaimName.of("r.lock", "far", 77, TOKEN_A).fileName();
        String staleClaim = ClaimName.of("r.lock", "far", 78, TOKEN_B).fileName();
        String recentClaim = ClaimName.of("q.lock", "far", 79, TOKEN_B).fileName();
        List<ScanEntry> out = c.classify(List.of(
                lockEntry("r.lock", holder, regular(1, 2, NOW - 500)),
                claimEntry(heldClaim, holder, regular(1, 2, NOW - 500)),
                claimEntry(staleClaim, null, regular(2, 1, NOW - 31_000)),
                claimEntry(recentClaim, null, regular(3, 1, NOW - 2_000))), clockAt(NOW), ProcessTable.SYSTEM);

        ScanEntry held = only(out, heldClaim);
        assertThat(held.kind()).isEqualTo(EntryKind.CLAIM);
        assertThat(held.state()).isEqualTo(EntryState.HELD);
        assertThat(held.lockName()).isEqualTo("r.lock");
        assertThat(held.reason()).contains("token of the current lock r.lock");

        ScanEntry stale = only(out, staleClaim);
        assertThat(stale.state()).isEqualTo(EntryState.ORPHAN);
        assertThat(stale.reason()).contains("the lock r.lock holds another token", "probably a crashed acquirer",
                "(content: empty)");

        ScanEntry recent = only(out, recentClaim);
        assertThat(recent.state()).isEqualTo(EntryState.WAITING);
        assertThat(recent.reason()).contains("no lock q.lock exists", "may still be trying");
    }

    @Test
    void namesAloneClassifyLeftoversTempFilesProbesAndSillyRenames() {
        EntryClassifier c = new EntryClassifier(DIR, SELF, false, NONE);
        FileFacts f = regular(4, 1, NOW - 3_000);
        List<ReadEntry> in = new ArrayList<>();
        for (String name : List.of(".records.json.tmp.vm.1.ab", ".lockscope-probe.x", ".nfs0000abcd")) {
            in.add(new ReadEntry(name, DIR.resolve(name), f, EntryContent.named(NameClass.of(name, f.type()))));
        }
        String leftover = "r.lock.broken.1700000000000.abc";
        in.add(new ReadEntry(leftover, DIR.resolve(leftover), f, EntryContent.regular(NameClass.of(leftover, f.type()),
                f, farOwner(3, TOKEN_A, 1_000), null, null, null, null)));
        List<ScanEntry> out = c.classify(in, clockAt(NOW), ProcessTable.SYSTEM);

        assertThat(only(out, ".records.json.tmp.vm.1.ab").kind()).isEqualTo(EntryKind.RECORD_TEMP);
        assertThat(only(out, ".records.json.tmp.vm.1.ab").lockName()).isEqualTo("records.json");
        assertThat(only(out, ".lockscope-probe.x").kind()).isEqualTo(EntryKind.PROBE);
        assertThat(only(out, ".nfs0000abcd").kind()).isEqualTo(EntryKind.NFS_SILLY_RENAME);
        ScanEntry broken = only(out, leftover);
        assertThat(broken.kind()).isEqualTo(EntryKind.BROKEN_LEFTOVER);
        assertThat(broken.lockName()).isEqualTo("r.lock");
        assertThat(broken.token()).isEqualTo(TOKEN_A);
        assertThat(broken.reason()).contains("broken at 2023-11-14T22:13:20Z");
        assertThat(out).allSatisfy(e -> assertThat(e.heartbeatAgeMillis()).isEqualTo(3_000));
    }

    /** A lock name may hold a newline; its claim is still a claim, not a second lock (the grammar needs DOTALL). */
    @Test
    void theClaimOfALockWhoseNameHoldsANewlineIsAClaim() {
        String claim = ClaimName.of("evil\nr.lock", "far", 77, TOKEN_A).fileName();
        assertThat(NameClass.of(claim, FileFacts.Type.REGULAR)).isEqualTo(NameClass.CLAIM);
        EntryClassifier c = new EntryClassifier(DIR, SELF, false, NONE);
        LockOwner owner = farOwner(77, TOKEN_A, 60_000);
        ScanEntry e = only(c.classify(List.of(claimEntry(claim, owner, regular(5, 1, NOW - 1_000))), clockAt(NOW),
                ProcessTable.SYSTEM), claim);
        assertThat(e.kind()).isEqualTo(EntryKind.CLAIM);
        assertThat(e.lockName()).isEqualTo("evil\nr.lock");
        assertThat(e.kind().isLockLike()).isFalse();
    }

    @Test
    void unchangedContentIsReclassifiedWithNewAgesOnly() {
        EntryClassifier c = new EntryClassifier(DIR, SELF, false, NONE);
        FileFacts f = new FileFacts(6, 1, 0, NOW - 1_000, FileFacts.Type.DIRECTORY);
        ReadEntry dir = new ReadEntry("sub", DIR.resolve("sub"), f, EntryContent.named(NameClass.DIRECTORY));
        ScanEntry first = c.classify(List.of(dir), clockAt(NOW), ProcessTable.SYSTEM).get(0);
        ScanEntry second = c.classify(List.of(dir), clockAt(NOW + 10_000), ProcessTable.SYSTEM).get(0);
        assertThat(second.differsBeyondAges(first)).isFalse();
        assertThat(first.heartbeatAgeMillis()).isEqualTo(1_000);
        assertThat(second.heartbeatAgeMillis()).isEqualTo(11_000);
    }

    /** An owner of this host judged DEAD is not asked about again while its content is the same instance. */
    @Test
    void aDeadOwnerIsAskedAboutOnceWhileItsContentIsUnchanged() throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        long deadPid = p.pid();
        LockOwner owner = new LockOwner(LockOwner.FORMAT, SELF.hostName(), SELF.hostId(), SELF.bootId(),
                SELF.pidNamespace(), "tester", deadPid, null, TOKEN_A, 3_600_000, NOW - 5_000, "test");
        List<Long> asked = new ArrayList<>();
        ProcessTable counting = new ProcessTable() {
            @Override
            public Liveness liveness(long pid) {
                asked.add(pid);
                return ProcessTable.SYSTEM.liveness(pid);
            }

            @Override
            public OptionalLong startTime(long pid) {
                return ProcessTable.SYSTEM.startTime(pid);
            }
        };
        EntryClassifier c = new EntryClassifier(DIR, SELF, false, NONE);
        ReadEntry lock = lockEntry("d.lock", owner, regular(8, 1, NOW - 1_000));
        assertThat(c.classify(List.of(lock), clockAt(NOW), counting).get(0).state()).isEqualTo(EntryState.DEAD);
        int askedFirst = asked.size();
        assertThat(askedFirst).isPositive();
        assertThat(c.classify(List.of(lock), clockAt(NOW + 1_000), counting).get(0).state()).isEqualTo(EntryState.DEAD);
        assertThat(asked).hasSize(askedFirst);
        // New content (the reader read the file again): asked again.
        ReadEntry reread = lockEntry("d.lock", owner, regular(8, 1, NOW - 1_000));
        c.classify(List.of(reread), clockAt(NOW + 2_000), counting);
        assertThat(asked.size()).isGreaterThan(askedFirst);
    }

    /** On a network filesystem an expiry seen in listed attributes is confirmed by a fresh read; locally it is not. */
    @Test
    void expiryOnANetworkFilesystemIsConfirmedByAFreshRead() {
        LockOwner owner = farOwner(4242, TOKEN_A, 10_000);
        ReadEntry stale = lockEntry("n.lock", owner, regular(11, 1, NOW - 60_000));
        FileFacts renewed = regular(11, 1, NOW - 200);
        List<Path> reread = new ArrayList<>();
        EntryClassifier.Evidence fresh = new EntryClassifier.Evidence() {
            @Override
            public Optional<LockSnapshot> reread(Path path) {
                reread.add(path);
                return Optional.of(new LockSnapshot(path, renewed, new LockIdentity(11, renewed.mtimeMillis(), 300,
                        owner.toBytes()), owner, null));
            }

            @Override
            public KernelLocks kernelLocks() {
                throw new AssertionError("asked for kernel locks");
            }
        };
        ScanEntry network = new EntryClassifier(DIR, SELF, true, fresh).classify(List.of(stale), clockAt(NOW),
                ProcessTable.SYSTEM).get(0);
        assertThat(reread).containsExactly(DIR.resolve("n.lock"));
        assertThat(network.state()).isEqualTo(EntryState.HELD);
        assertThat(network.facts()).isEqualTo(renewed);

        ScanEntry local = new EntryClassifier(DIR, SELF, false, NONE).classify(List.of(stale), clockAt(NOW),
                ProcessTable.SYSTEM).get(0);
        assertThat(local.state()).isEqualTo(EntryState.EXPIRED);
    }

    @Test
    void anEntryThatCouldNotBeExaminedSaysWhy() {
        EntryClassifier c = new EntryClassifier(DIR, SELF, false, NONE);
        ScanEntry e = c.classify(List.of(new ReadEntry("x", DIR.resolve("x"), null,
                EntryContent.unreadable("cannot lstat: permission denied"))), clockAt(NOW), ProcessTable.SYSTEM).get(0);
        assertThat(e.kind()).isEqualTo(EntryKind.UNREADABLE);
        assertThat(e.state()).isEqualTo(EntryState.UNKNOWN);
        assertThat(e.reason()).isEqualTo("unreadable: cannot lstat: permission denied");
        assertThat(e.heartbeatAgeMillis()).isEqualTo(-1);
    }
}
