package dev.lockscope.formats;

import dev.lockscope.lock.BreakResult;
import dev.lockscope.lock.LockState;
import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.Testbed;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Other tools' locks on a network filesystem (the gluster testbed): a holder is provably on this host only when the
 * tool recorded this host's name; a pid without a host is not judged there.
 */
@MultiProcess
class ForeignNetworkTest {

    @Test
    void onANetworkFilesystemOnlyARecordedHostNameMakesADeadPidDead() throws Exception {
        Testbed.MountPair m = Testbed.gluster().freshDir("foreign");

        // dotlockfile records a pid but no host: on a shared filesystem the holder may be on another host.
        Path dot = m.a().resolve("d.lock");
        Process p = new ProcessBuilder("sh", "-c", "dotlockfile -p '" + dot + "'").start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        ForeignVerdict dv = ForeignLocks.inspect(m.b().resolve("d.lock")).orElseThrow();
        assertThat(dv.verdict().state()).as(dv.verdict().reason()).isEqualTo(LockState.HELD);
        assertThat(dv.verdict().reason()).contains("network filesystem");
        assertThat(ForeignLocks.breakLock(dv, false).outcome()).isEqualTo(BreakResult.Outcome.REFUSED_NOT_STALE);

        // Mercurial records this host's name (and pid namespace): its dead holder is DEAD, and broken through the
        // other mount with the same guarded procedure.
        Path repo = m.a().resolve("repo");
        assertThat(RealTools.run(m.a(), "hg", "init", repo.toString())).isZero();
        RealTools.Holder h = RealTools.python(RealTools.HG_HOLDER, repo.toString(), "exit");
        assertThat(h.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Path wlockViaB = m.b().resolve("repo/.hg/wlock");
        ForeignVerdict hv = ForeignLocks.inspect(wlockViaB).orElseThrow();
        assertThat(hv.verdict().state()).as(hv.verdict().reason()).isEqualTo(LockState.DEAD);
        BreakResult r = ForeignLocks.breakLock(hv, false);
        assertThat(r.outcome()).as(r.message()).isEqualTo(BreakResult.Outcome.BROKEN);
        // Gluster's client caches names for about a second: mount A sees the break once its cache expires.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (Files.exists(repo.resolve(".hg/wlock"), LinkOption.NOFOLLOW_LINKS)) {
            assertThat(System.nanoTime()).as("wlock still seen through mount A").isLessThan(deadline);
            Thread.sleep(100);
        }
        System.out.println("MEASURED | gluster | dotlockfile dead pid: " + dv.verdict().state() + " | Mercurial dead: "
                + hv.verdict().state() + " -> " + r.outcome());
    }
}
