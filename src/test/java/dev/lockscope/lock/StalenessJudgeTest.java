package dev.lockscope.lock;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

class StalenessJudgeTest {

    static final HostIdentity ME = new HostIdentity("vm", "machine-a", "boot-1", "pid:[1]");

    /** A process table we control: a real table cannot be told to reuse a PID on demand. */
    record FixedTable(boolean alive, long startTime) implements ProcessTable {
        @Override
        public Liveness liveness(long pid) {
            return alive ? Liveness.ALIVE : Liveness.GONE;
        }

        @Override
        public OptionalLong startTime(long pid) {
            return alive ? OptionalLong.of(startTime) : OptionalLong.empty();
        }
    }

    static LockOwner owner(String hostId, String bootId, String ns, long start, long lease, long acquiredAt) {
        return new LockOwner(LockOwner.FORMAT, "h", hostId, bootId, ns, "u", 4242, start, TOKEN, lease, acquiredAt, null);
    }

    static final String TOKEN = Tokens.next();

    /** This host booted at 1,000,000 (local clock); the server clock runs {@code SKEW} ahead. */
    static final HostIdentity BOOTED = new HostIdentity("vm", "machine-a", "boot-1", "pid:[1]", 1_000_000L);

    static LockOwner bootedOwner(String bootId, Long bootTime, long lease) {
        return new LockOwner(LockOwner.FORMAT, "h", "machine-a", bootId, "pid:[1]", "u", 4242, 5L, TOKEN, lease, 0,
                null, null, bootTime);
    }

    @Test
    void unreadableOwnerIsUnknownNeverStale() {
        var d = StalenessJudge.judge(null, 0, 1_000_000, ME, new FixedTable(false, 0));
        assertThat(d.state()).isEqualTo(LockState.UNKNOWN);
        assertThat(d.state().isStale()).isFalse();
    }

    @Test
    void sameHostGonePidIsDeadEvenWithinLease() {
        var d = StalenessJudge.judge(owner("machine-a", "boot-1", "pid:[1]", 5, 30_000, 0), 1000, 1001, ME,
                new FixedTable(false, 0));
        assertThat(d.state()).isEqualTo(LockState.DEAD);
        assertThat(d.reason()).contains("4242").contains("no longer exists");
    }

    @Test
    void sameHostReusedPidIsDead() {
        var d = StalenessJudge.judge(owner("machine-a", "boot-1", "pid:[1]", 5, 30_000, 0), 1000, 1001, ME,
                new FixedTable(true, 6));
        assertThat(d.state()).isEqualTo(LockState.DEAD);
        assertThat(d.reason()).contains("newer process");
    }

    @Test
    void sameHostLiveOwnerWithinLeaseIsHeld() {
        var d = StalenessJudge.judge(owner("machine-a", "boot-1", "pid:[1]", 5, 30_000, 0), 1000, 2000, ME,
                new FixedTable(true, 5));
        assertThat(d.state()).isEqualTo(LockState.HELD);
        assertThat(d.ownerAlive()).isTrue();
    }

    @Test
    void earlierBootOfThisHostIsDeadWhenItsBootAndLastRenewalBothPrecedeOurs() {
        long skew = 7_000;
        // Owner booted at 100,000 and last renewed at 900,000 (local); we booted at 1,000,000 and it is now 1,040,000:
        // more than half its 30 s lease since our boot, without a renewal. Times below are server clock.
        var d = StalenessJudge.judge(bootedOwner("boot-0", 100_000L, 30_000), 900_000 + skew, 1_040_000 + skew, skew,
                BOOTED, new FixedTable(true, 5));
        assertThat(d.state()).isEqualTo(LockState.DEAD);
        assertThat(d.reason()).contains("rebooted");
    }

    @Test
    void aCloneWithTheSameMachineIdIsJudgedByLeaseOnly() {
        // The reproduction of issue 10: another boot id, same machine id, no boot times known. Its pid 4242 is gone
        // here, and it is within its lease: HELD, and the reason says why it was not judged by pid.
        var d = StalenessJudge.judge(owner("machine-a", "boot-0", "pid:[1]", 5, 30_000, 0), 1000, 2000, ME,
                new FixedTable(false, 0));
        assertThat(d.state()).isEqualTo(LockState.HELD);
        assertThat(d.reason()).contains("judged by lease").contains("clone");
        assertThat(d.ownerAlive()).isNull();
    }

    @Test
    void aCloneThatRenewedSinceOurBootIsNotAnEarlierBoot() {
        // Booted before us (as any earlier boot would have), but renewed after our boot: a live clone.
        var d = StalenessJudge.judge(bootedOwner("boot-0", 100_000L, 30_000), 1_020_000, 1_040_000, 0, BOOTED,
                new FixedTable(false, 0));
        assertThat(d.state()).isEqualTo(LockState.HELD);
        assertThat(d.reason()).contains("judged by lease");
    }

    @Test
    void aCloneThatBootedAfterUsIsNeverAnEarlierBoot() {
        var d = StalenessJudge.judge(bootedOwner("boot-0", 1_010_000L, 30_000), 900_000, 1_040_000, 0, BOOTED,
                new FixedTable(false, 0));
        assertThat(d.state()).isNotEqualTo(LockState.DEAD);
    }

    @Test
    void ourBootTooRecentForTheOwnerToHaveRenewedIsNoProof() {
        // Renewed 5 s before our boot, 10 s after it: a live owner with a 30 s lease need not have renewed yet.
        var d = StalenessJudge.judge(bootedOwner("boot-0", 100_000L, 30_000), 994_000, 1_010_000, 0, BOOTED,
                new FixedTable(false, 0));
        assertThat(d.state()).isEqualTo(LockState.HELD);
    }

    @Test
    void anOwnerWithUnknownBootIdOrNamespaceIsNeverJudgedByPid() {
        for (LockOwner o : java.util.List.of(owner("machine-a", null, "pid:[1]", 5, 30_000, 0),
                owner("machine-a", "boot-1", null, 5, 30_000, 0))) {
            var d = StalenessJudge.judge(o, 1000, 2000, ME, new FixedTable(false, 0));
            assertThat(d.state()).as(o.toString()).isEqualTo(LockState.HELD);
            assertThat(d.ownerAlive()).isNull();
        }
        HostIdentity unknownSelf = new HostIdentity("vm", "machine-a", null, null);
        var d = StalenessJudge.judge(owner("machine-a", null, null, 5, 30_000, 0), 1000, 2000, unknownSelf,
                new FixedTable(false, 0));
        assertThat(d.state()).isEqualTo(LockState.HELD);
    }

    @Test
    void aLeaseOverTheMaximumIsJudgedAsTheMaximum() {
        long day = LockOwner.MAX_LEASE_MILLIS;
        var d = StalenessJudge.judge(owner("machine-far", null, null, 5, Long.MAX_VALUE, 0), 0, day + 1, ME,
                new FixedTable(true, 5));
        assertThat(d.state()).isEqualTo(LockState.EXPIRED);
        assertThat(d.reason()).contains("over the maximum");
    }

    @Test
    void anMtimeFarInTheServersFutureIsSuspiciousNotAnAge() {
        var d = StalenessJudge.judge(owner("machine-far", null, null, 5, 30_000, 0), 1_000_000_000_000L, 90_400_000,
                ME, new FixedTable(true, 5));
        assertThat(d.state()).isEqualTo(LockState.HELD);
        assertThat(d.reason()).startsWith("SUSPICIOUS").contains("in the future").doesNotContain("-9");
    }

    @Test
    void otherPidNamespaceIsNotJudgedByPid() {
        // Same machine id, another container: the PID means nothing here, only the lease counts.
        var d = StalenessJudge.judge(owner("machine-a", "boot-1", "pid:[2]", 5, 30_000, 0), 1000, 2000, ME,
                new FixedTable(false, 0));
        assertThat(d.state()).isEqualTo(LockState.HELD);
        assertThat(d.ownerAlive()).isNull();
    }

    @Test
    void otherHostWithoutServerClockIsHeld() {
        var d = StalenessJudge.judge(owner("machine-b", null, null, 5, 1000, 0), 0, -1, ME, new FixedTable(false, 0));
        assertThat(d.state()).isEqualTo(LockState.HELD);
        assertThat(d.reason()).contains("server clock unknown");
    }

    /** Expiry depends only on server time minus server mtime: no local clock, no owner clock enters it. */
    @Property
    void otherHostExpiryIsServerClockAgainstServerClock(@ForAll @LongRange(min = 0, max = 10_000_000_000L) long mtime,
                                                        @ForAll @LongRange(min = 0, max = 600_000) long age,
                                                        @ForAll @LongRange(min = 300, max = 300_000) long lease,
                                                        @ForAll long ownerClockAcquiredAt,
                                                        @ForAll boolean processTableSaysAlive) {
        LockOwner o = owner("machine-b", "boot-x", "pid:[1]", 5, lease, ownerClockAcquiredAt);
        var d = StalenessJudge.judge(o, mtime, mtime + age, ME, new FixedTable(processTableSaysAlive, 5));
        assertThat(d.state()).isEqualTo(age > lease ? LockState.EXPIRED : LockState.HELD);
    }

    /** A live same-host owner with the recorded start time that renewed within its lease is never stale. */
    @Property
    void liveRenewingOwnerIsNeverStale(@ForAll @LongRange(min = 0, max = 300_000) long age,
                                       @ForAll @LongRange(min = 300, max = 300_000) long lease,
                                       @ForAll long start) {
        if (age > lease) {
            return;
        }
        LockOwner o = owner("machine-a", "boot-1", "pid:[1]", start, lease, 0);
        var d = StalenessJudge.judge(o, 1_000_000, 1_000_000 + age, ME, new FixedTable(true, start));
        assertThat(d.state().isStale()).isFalse();
    }

    /** Same PID space: a gone process, or one with another start time, is DEAD whatever the lease says. */
    @Property
    void deadIsIndependentOfTheLease(@ForAll @LongRange(min = -600_000, max = 600_000) long age,
                                     @ForAll @LongRange(min = 300, max = 300_000) long lease,
                                     @ForAll boolean reused, @ForAll long start) {
        LockOwner o = owner("machine-a", "boot-1", "pid:[1]", start, lease, 0);
        ProcessTable t = reused ? new FixedTable(true, start + 1) : new FixedTable(false, 0);
        var d = StalenessJudge.judge(o, 1_000_000, 1_000_000 + age, ME, t);
        assertThat(d.state()).isEqualTo(LockState.DEAD);
    }

    @Test
    void ownerRecordRoundTripsAtFixedSize() {
        LockOwner o = LockOwner.forCurrentProcess(TOKEN, 30_000, "p".repeat(500));
        byte[] b = o.toBytes();
        assertThat(b).hasSize(LockOwner.RECORD_SIZE);
        LockOwner back = LockOwner.parse(b, b.length);
        assertThat(back.token()).isEqualTo(TOKEN);
        assertThat(back.purpose()).hasSize(LockOwner.MAX_PURPOSE);
        assertThat(back.pid()).isEqualTo(ProcessHandle.current().pid());
    }

    @Property
    void ownerRecordParsesAnyPrefixEitherWholeOrNotAtAll(@ForAll @LongRange(min = 0, max = LockOwner.RECORD_SIZE) long cut) {
        LockOwner o = LockOwner.forCurrentProcess("feedface", 30_000, "x");
        byte[] b = o.toBytes();
        try {
            LockOwner p = LockOwner.parse(b, (int) cut);
            assertThat(p).isEqualTo(o);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    /** A process table that also knows boot-relative start ticks, as Linux does. */
    record TickTable(long startTime, long startTicks) implements ProcessTable {
        @Override
        public Liveness liveness(long pid) {
            return Liveness.ALIVE;
        }

        @Override
        public OptionalLong startTime(long pid) {
            return OptionalLong.of(startTime);
        }

        @Override
        public OptionalLong startTicks(long pid) {
            return OptionalLong.of(startTicks);
        }
    }

    static LockOwner ownerWithTicks(long start, long ticks) {
        return new LockOwner(LockOwner.FORMAT, "h", "machine-a", "boot-1", "pid:[1]", "u", 4242, start, "t0k3n",
                30_000, 0, null, ticks);
    }

    /** A wall-clock step moves the start time the OS reports, not the boot-relative ticks: still HELD. */
    @Property
    void aClockStepNeverMakesALiveOwnerDead(@ForAll @LongRange(min = -86_400_000L, max = 86_400_000L) long step,
                                            @ForAll @LongRange(min = 1, max = 1_000_000_000L) long ticks) {
        var d = StalenessJudge.judge(ownerWithTicks(1_700_000_000_000L, ticks), 1_000_000, 1_000_100, ME,
                new TickTable(1_700_000_000_000L + step, ticks));
        assertThat(d.state()).isEqualTo(LockState.HELD);
    }

    @Property
    void otherStartTicksMeanAReusedPid(@ForAll @LongRange(min = 1, max = 1_000_000_000L) long ticks,
                                       @ForAll @LongRange(min = 1, max = 1000) long later) {
        var d = StalenessJudge.judge(ownerWithTicks(1_700_000_000_000L, ticks), 1_000_000, 1_000_100, ME,
                new TickTable(1_700_000_000_000L, ticks + later));
        assertThat(d.state()).isEqualTo(LockState.DEAD);
        assertThat(d.reason()).contains("start tick");
    }

    @Test
    void thisProcessRecordsTheStartTicksTheKernelReports() throws Exception {
        LockOwner me = LockOwner.forCurrentProcess(TOKEN, 30_000, null);
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self/stat")));
        assertThat(me.startTicks()).isNotNull().isPositive();
        assertThat(ProcessTable.SYSTEM.startTicks(me.pid()).getAsLong()).isEqualTo(me.startTicks());
        LockOwner back = LockOwner.parse(me.toBytes(), me.toBytes().length);
        assertThat(back.startTicks()).isEqualTo(me.startTicks());
        // A process of another start: a real child has other ticks than ours, or at least not fewer.
        Process p = new ProcessBuilder("sleep", "5").start();
        try {
            assertThat(ProcessTable.SYSTEM.startTicks(p.pid()).getAsLong()).isGreaterThanOrEqualTo(me.startTicks());
        } finally {
            p.destroyForcibly();
        }
    }
}
