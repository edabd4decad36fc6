package dev.lockscope.formats;

import dev.lockscope.lock.FileFacts;
import dev.lockscope.lock.HostIdentity;
import dev.lockscope.lock.LockState;
import dev.lockscope.lock.ProcessTable;
import dev.lockscope.lock.StalenessJudge.Decision;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Each tool's rule, branch by branch, with a scripted process table: no files, no processes. */
class ForeignJudgeTest {

    static final HostIdentity SELF = new HostIdentity("vm", "machine-1", "boot-1", "pid:[4026531836]");
    static final long NOW = 1_800_000_000_000L;
    static final long LIVE = 100;
    static final long GONE = 200;

    /** pid 100 is alive (start tick 5000); everything else is gone. */
    static final ProcessTable TABLE = new ProcessTable() {
        @Override
        public Liveness liveness(long pid) {
            return Set.of(LIVE).contains(pid) ? Liveness.ALIVE : Liveness.GONE;
        }

        @Override
        public OptionalLong startTime(long pid) {
            return OptionalLong.empty();
        }

        @Override
        public OptionalLong startTicks(long pid) {
            return pid == LIVE ? OptionalLong.of(5000) : OptionalLong.empty();
        }
    };

    static ForeignJudge.Context local(Duration procmail) {
        return new ForeignJudge.Context(SELF, TABLE, true, procmail, KernelLocks.parse(""), (d, i) -> new OpenFiles.Result(-1, true));
    }

    static ForeignJudge.Context network() {
        return new ForeignJudge.Context(SELF, TABLE, false, null, KernelLocks.parse(""), (d, i) -> new OpenFiles.Result(-1, true));
    }

    static FileFacts facts(long mtime) {
        return new FileFacts(42, 1, 6, mtime, FileFacts.Type.REGULAR);
    }

    static ForeignLock file(String name, String content) {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        return ForeignFormats.ofFile(name, Path.of("/locks"), new FileFacts(42, 1, b.length, NOW, FileFacts.Type.REGULAR), b, b.length, null);
    }

    static Decision judge(ForeignLock l, long mtime, ForeignJudge.Context ctx) {
        return ForeignJudge.judge(l, facts(mtime), NOW, ctx);
    }

    @Test
    void aHolderRecordedOnAnotherHostIsNeverDeadByPid() {
        ForeignLock hg = ForeignFormats.ofSymlink("wlock", "elsewhere/effffffc:" + GONE);
        assertThat(judge(hg, NOW, local(null)).state()).isEqualTo(LockState.HELD);
        ForeignLock soft = file("x.lock", GONE + "\nelsewhere\n");
        assertThat(judge(soft, NOW, local(null)).state()).isEqualTo(LockState.HELD);
        ForeignLock flufl = file("f.lock", "/locks/f.lock|elsewhere|" + GONE + "|123");
        Decision d = judge(flufl, NOW + 60_000, local(null));
        assertThat(d.state()).isEqualTo(LockState.HELD);
        assertThat(d.reason()).contains("is not this host");
        // ... but its expiry still counts: server clock against server clock.
        assertThat(judge(flufl, NOW - 1, local(null)).state()).isEqualTo(LockState.EXPIRED);
    }

    @Test
    void thisHostsNameOrALocalFilesystemMakesADeadPidDead() {
        assertThat(judge(ForeignFormats.ofSymlink("wlock", "vm/effffffc:" + GONE), NOW, network()).state())
                .isEqualTo(LockState.DEAD);
        assertThat(judge(ForeignFormats.ofSymlink("wlock", "VM.example.org:" + GONE), NOW, network()).state())
                .isEqualTo(LockState.DEAD);
        // dotlockfile records no host: dead only where every holder is on this host.
        ForeignLock dot = file("d.lock", GONE + "\n");
        assertThat(judge(dot, NOW, local(null)).state()).isEqualTo(LockState.DEAD);
        assertThat(judge(dot, NOW, network()).state()).isEqualTo(LockState.HELD);
        // flufl.lock records getfqdn(), often "localhost": this host only on a local filesystem.
        ForeignLock flufl = file("f.lock", "/locks/f.lock|localhost|" + GONE + "|123");
        assertThat(judge(flufl, NOW + 60_000, local(null)).state()).isEqualTo(LockState.DEAD);
        assertThat(judge(flufl, NOW + 60_000, network()).state()).isEqualTo(LockState.HELD);
    }

    @Test
    void mercurialInAnotherPidNamespaceIsNotJudgedByPid() {
        Decision d = judge(ForeignFormats.ofSymlink("wlock", "vm/effffffd:" + GONE), NOW, local(null));
        assertThat(d.state()).isEqualTo(LockState.HELD);
        assertThat(d.reason()).contains("another container");
        assertThat(judge(ForeignFormats.ofSymlink("lock", "vm:" + LIVE), NOW, local(null)).state())
                .isEqualTo(LockState.HELD);
    }

    @Test
    void dotlockfileIsStaleAfterFiveMinutesWithoutATouch() {
        ForeignLock noPid = file("d.lock", "0\n");
        assertThat(noPid.pid()).isEqualTo(-1);
        assertThat(judge(noPid, NOW - 299_000, network()).state()).isEqualTo(LockState.HELD);
        assertThat(judge(noPid, NOW - 301_000, network()).state()).isEqualTo(LockState.EXPIRED);
        assertThat(judge(file("d.lock", LIVE + "\n"), NOW - 301_000, local(null)).reason()).contains("is alive");
    }

    @Test
    void procmailIsJudgedByTheOperatorsLocktimeoutOrByAgeOnly() {
        ForeignLock p = file("m.lock", "0");
        assertThat(p.format()).isEqualTo(ForeignLock.PROCMAIL);
        assertThat(judge(p, NOW - 3_600_000, local(null)).state()).isEqualTo(LockState.UNKNOWN);
        assertThat(judge(p, NOW - 59_000, local(Duration.ofMinutes(1))).state()).isEqualTo(LockState.HELD);
        assertThat(judge(p, NOW - 61_000, local(Duration.ofMinutes(1))).state()).isEqualTo(LockState.EXPIRED);
    }

    @Test
    void pyFilelockMarkersAndTheirStartTick() {
        ForeignLock v1 = file("a.lock", LIVE + "\nvm\n5000\n");
        assertThat(v1.startTicks()).isEqualTo(5000L);
        assertThat(judge(v1, NOW, network()).state()).isEqualTo(LockState.HELD);
        assertThat(judge(file("a.lock", LIVE + "\nvm\n4999\n"), NOW, network()).state()).isEqualTo(LockState.DEAD);
        ForeignLock v2 = file("b.lock", "filelock/2\npid=" + GONE + "\nhost=vm\nmode=lease\ntoken=t\nduration=5.0\n");
        assertThat(v2.format()).isEqualTo(ForeignLock.PY_FILELOCK);
        assertThat(judge(v2, NOW, network()).state()).isEqualTo(LockState.DEAD);
    }

    @Test
    void anEmptyFileIsHeldByAKernelLockOrAnOpenHandleElseFree() {
        ForeignLock empty = ForeignFormats.withDevice(ForeignFormats.ofFile("k.lock", Path.of("/locks"),
                new FileFacts(42, 1, 0, NOW, FileFacts.Type.REGULAR), new byte[0], 0, null), (254L << 8) | 0);
        ForeignJudge.Context flocked = new ForeignJudge.Context(SELF, TABLE, true, null,
                KernelLocks.parse("1: FLOCK  ADVISORY  WRITE 777 fe:00:42 0 EOF\n2: -> FLOCK  ADVISORY  WRITE 778 fe:00:42 0 EOF\n"),
                (d, i) -> new OpenFiles.Result(-1, true));
        assertThat(ForeignJudge.judge(empty, facts(NOW), NOW, flocked).reason()).contains("pid 777");
        assertThat(ForeignJudge.judge(empty, facts(NOW), NOW, local(null)).state()).isEqualTo(LockState.FREE);
        ForeignJudge.Context open = new ForeignJudge.Context(SELF, TABLE, true, null, KernelLocks.parse(""),
                (d, i) -> new OpenFiles.Result(31, true));
        assertThat(ForeignJudge.judge(empty, facts(NOW), NOW, open).state()).isEqualTo(LockState.HELD);
        ForeignJudge.Context unseen = new ForeignJudge.Context(SELF, TABLE, true, null, KernelLocks.parse(""),
                (d, i) -> new OpenFiles.Result(-1, false));
        assertThat(ForeignJudge.judge(empty, facts(NOW), NOW, unseen).state()).isEqualTo(LockState.UNKNOWN);
        assertThat(ForeignJudge.judge(empty, facts(NOW), NOW, network()).state()).isEqualTo(LockState.UNKNOWN);
    }

    @Test
    void namesOfTheToolsTempFilesAndGitDirectories() {
        assertThat(file(".lk120801vm", "12071\n").role()).isEqualTo(ForeignLock.Role.CLAIM);
        assertThat(file("_O_C.kHUDrB.vm", "0").format()).isEqualTo(ForeignLock.PROCMAIL);
        assertThat(file("_O_C.kHUDrB.vm", "0").role()).isEqualTo(ForeignLock.Role.CLAIM);
        assertThat(file("notes_a.b.c", "hello")).isNull();
        byte[] idx = "DIRC".getBytes(StandardCharsets.UTF_8);
        assertThat(ForeignFormats.ofFile("index.lock", Path.of("/repo/.git"), facts(NOW), idx, 4, null).format())
                .isEqualTo(ForeignLock.GIT);
        assertThat(ForeignFormats.ofFile("HEAD.lock", Path.of("/srv/project.git"), facts(NOW), new byte[0], 0, null)
                .format()).isEqualTo(ForeignLock.GIT);
    }
}
