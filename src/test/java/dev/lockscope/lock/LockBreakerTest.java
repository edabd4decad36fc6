package dev.lockscope.lock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every branch of the safe break, on a real directory. */
class LockBreakerTest {

    @TempDir
    Path dir;

    LockFile file() {
        return LockFile.of(dir, "r.lock");
    }

    LinkLock lock() {
        return LinkLock.of(file(), LockOptions.defaults());
    }

    List<JsonNode> audits() throws IOException {
        Path a = dir.resolve(LockFile.AUDIT_DIR);
        if (!Files.isDirectory(a)) {
            return List.of();
        }
        List<JsonNode> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(a)) {
            for (Path p : s.toList()) {
                out.add(new ObjectMapper().readTree(p.toFile()));
            }
        }
        return out;
    }

    @Test
    void brokenDeadLockLeavesAnAuditRecordWithTheEvidence() throws Exception {
        LockOwner ghost = TestLocks.writeDeadLock(file());
        Verdict v = lock().inspect();
        BreakResult r = lock().breakLock(v, false);
        assertThat(r.outcome()).isEqualTo(BreakResult.Outcome.BROKEN);
        assertThat(Files.exists(file().path())).isFalse();
        assertThat(Files.exists(file().claimPath(ghost.host(), ghost.pid(), ghost.token()))).isFalse();
        assertThat(Files.exists(file().guard().path())).isFalse();
        List<JsonNode> a = audits();
        assertThat(a).hasSize(1);
        assertThat(a.get(0).get("outcome").asText()).isEqualTo("BROKEN");
        assertThat(a.get(0).get("verdict").asText()).isEqualTo("DEAD");
        assertThat(a.get(0).get("owner").get("token").asText()).isEqualTo(ghost.token());
        assertThat(a.get(0).get("evidence").get("inode").asLong()).isEqualTo(v.identity().inode());
        assertThat(a.get(0).get("brokenBy").asText()).contains("@");
        assertThat(r.auditFile()).exists();
    }

    @Test
    void heldLockIsRefusedWithoutForceAndUntouched() throws Exception {
        try (LockHandle h = lock().acquire(Duration.ofSeconds(5))) {
            BreakResult r = lock().breakLock(lock().inspect(), false);
            assertThat(r.outcome()).isEqualTo(BreakResult.Outcome.REFUSED_NOT_STALE);
            assertThat(r.message()).contains("HELD").contains("force");
            h.ensureHeld();
            assertThat(audits()).isEmpty();
        }
    }

    @Test
    void freeLockHasNothingToBreak() throws IOException {
        BreakResult r = lock().breakLock(lock().inspect(), true);
        assertThat(r.outcome()).isEqualTo(BreakResult.Outcome.NOTHING_TO_BREAK);
    }

    @Test
    void lockReplacedAfterJudgingIsNotTouched() throws Exception {
        TestLocks.writeDeadLock(file());
        Verdict judged = lock().inspect();
        // Someone else breaks it and a new owner takes it before our break runs.
        lock().breakLock(judged, false);
        try (LockHandle fresh = lock().acquire(Duration.ofSeconds(5))) {
            BreakResult r = lock().breakLock(judged, false);
            assertThat(r.outcome()).isEqualTo(BreakResult.Outcome.CHANGED);
            fresh.ensureHeld();
        }
    }

    @Test
    void renewedLockIsNotTouched() throws Exception {
        LockFile f = file();
        TestLocks.writeForeignHostLock(f, Duration.ofSeconds(1), Duration.ofSeconds(10));
        Verdict judged = lock().inspect();
        assertThat(judged.state()).isEqualTo(LockState.EXPIRED);
        // The owner was only slow: its heartbeat lands after the verdict.
        Files.setLastModifiedTime(f.path(), java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
        BreakResult r = lock().breakLock(judged, false);
        assertThat(r.outcome()).isEqualTo(BreakResult.Outcome.CHANGED);
        assertThat(r.message()).contains("renewed");
        assertThat(Files.exists(f.path())).isTrue();
    }

    @Test
    void lockSwappedBetweenRecheckAndRenameIsPutBack() throws Exception {
        LockFile f = file();
        TestLocks.writeDeadLock(f);
        Verdict judged = lock().inspect();
        AtomicHolder holder = new AtomicHolder();
        Runnable beforeRename = () -> {
            try {
                // The judged lock vanishes and a live owner takes the name in the window.
                Files.delete(f.path());
                holder.handle = lock().acquire(Duration.ofSeconds(1));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        };
        BreakResult r = LockBreaker.breakUnguarded(f, judged, false,
                new LockBreaker.Hooks(beforeRename, LockBreaker.Hooks.NONE.afterRename()));
        assertThat(r.outcome()).isEqualTo(BreakResult.Outcome.RESTORED);
        holder.handle.ensureHeld();
        assertThat(LockSnapshot.read(f.path()).orElseThrow().token()).isEqualTo(holder.handle.token());
        holder.handle.release();
        assertThat(audits()).extracting(a -> a.get("outcome").asText()).containsExactly("RESTORED");
    }

    @Test
    void restoreThatFindsTheNameTakenKeepsTheMovedLockAndSaysWhere() throws Exception {
        LockFile f = file();
        TestLocks.writeDeadLock(f);
        Verdict judged = lock().inspect();
        AtomicHolder second = new AtomicHolder();
        AtomicHolder third = new AtomicHolder();
        Runnable beforeRename = () -> {
            try {
                Files.delete(f.path());
                second.handle = LinkLock.of(f, LockOptions.defaults().withHeartbeat(false)).acquire(Duration.ofSeconds(1));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        };
        Runnable afterRename = () -> {
            try {
                // The name is free for a moment after our rename: a third owner takes it.
                third.handle = LinkLock.of(f, LockOptions.defaults().withHeartbeat(false)).acquire(Duration.ofSeconds(1));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        };
        BreakResult r = LockBreaker.breakUnguarded(f, judged, false, new LockBreaker.Hooks(beforeRename, afterRename));
        assertThat(r.outcome()).isEqualTo(BreakResult.Outcome.RESTORE_FAILED);
        assertThat(r.message()).contains(LockFile.BROKEN_INFIX);
        // The third owner's lock is intact; the second owner learns that it lost.
        third.handle.ensureHeld();
        org.assertj.core.api.Assertions.assertThatThrownBy(second.handle::ensureHeld)
                .isInstanceOf(LockLostException.class);
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).anyMatch(n -> n.contains(LockFile.BROKEN_INFIX));
        }
        third.handle.release();
    }

    @Test
    void busyGuardMakesABreakerGiveUpWithoutTouchingTheLock() throws Exception {
        LockFile f = file();
        TestLocks.writeDeadLock(f);
        Verdict judged = lock().inspect();
        try (LockHandle guard = LinkLock.guardFor(f).acquire(Duration.ofSeconds(1))) {
            BreakResult r = LockBreaker.breakLock(f, judged, false, Duration.ofMillis(200));
            assertThat(r.outcome()).isEqualTo(BreakResult.Outcome.GUARD_BUSY);
            assertThat(Files.exists(f.path())).isTrue();
        }
    }

    @Test
    void staleGuardOfACrashedBreakerIsItselfBroken() throws Exception {
        LockFile f = file();
        TestLocks.writeDeadLock(f.guard());
        TestLocks.writeDeadLock(f);
        BreakResult r = lock().breakLock(lock().inspect(), false);
        assertThat(r.outcome()).isEqualTo(BreakResult.Outcome.BROKEN);
    }

    static final class AtomicHolder {
        volatile LockHandle handle;
    }

    /**
     * The break race: many breakers holding evidence of one stale lock, against a fresh acquirer.
     * No break may ever remove the lock that was acquired after the evidence was taken.
     */
    @Test
    void breakersNeverRemoveALockAcquiredAfterTheEvidence() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            int rounds = 150;
            int brokenTotal = 0;
            for (int round = 0; round < rounds; round++) {
                LockFile f = LockFile.of(dir, "race" + round + ".lock");
                TestLocks.writeDeadLock(f);
                Verdict evidence = LinkLock.of(f, LockOptions.defaults()).inspect();
                assertThat(evidence.state()).isEqualTo(LockState.DEAD);
                CountDownLatch go = new CountDownLatch(1);
                ConcurrentLinkedQueue<BreakResult> results = new ConcurrentLinkedQueue<>();
                List<Future<?>> fs = new ArrayList<>();
                for (int b = 0; b < 4; b++) {
                    fs.add(pool.submit(() -> {
                        go.await();
                        results.add(LockBreaker.breakLock(f, evidence, false, Duration.ofSeconds(10)));
                        return null;
                    }));
                }
                Future<LockHandle> acquirer = pool.submit(() -> {
                    go.await();
                    return LinkLock.of(f, LockOptions.defaults().withHeartbeat(false)).acquire(Duration.ofSeconds(10));
                });
                go.countDown();
                for (Future<?> x : fs) {
                    x.get();
                }
                LockHandle h = acquirer.get();
                // Whatever the interleaving, the fresh lock is still there and still ours.
                h.ensureHeld();
                assertThat(LockSnapshot.read(f.path()).orElseThrow().token()).isEqualTo(h.token());
                long broken = results.stream().filter(BreakResult::broken).count();
                assertThat(broken).isLessThanOrEqualTo(1);
                brokenTotal += broken;
                h.release();
            }
            // The breakers did win some rounds: the race was real, not vacuous.
            assertThat(brokenTotal).isGreaterThan(0);
        } finally {
            pool.shutdownNow();
        }
    }
}
