package dev.lockscope.lock;

import dev.lockscope.testing.ManualLockClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The wake-ups of one directory, with no dispatching thread of their own: whichever waiter leads takes the events
 * for all, and another takes over when it leaves. Real files, real inotify (local /tmp); each test has a runtime
 * of its own, so no other test's watcher is in the way.
 */
class DirectoryWakeupsTest {

    private static final long LONG_WAIT = TimeUnit.SECONDS.toNanos(20);
    /** How long a condition that should hold within milliseconds may take on a loaded machine. */
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final ManualLockClock clock = new ManualLockClock();
    private final LockRuntime runtime = LockRuntime.create(clock, true);

    @Test
    void everyWaiterOfANameIsWokenByItsRemoval() throws Exception {
        Path name = Files.createFile(dir.resolve("a.lock"));
        DirectoryWakeups w = runtime.wakeups().of(dir);
        assertThat(w).isNotNull();
        long seen = w.generation("a.lock");
        List<CompletableFuture<Long>> waits = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            waits.add(waitAsync(w, "a.lock", seen));
        }
        // The removal must come while all four wait (one leads, three follow), not before any of them began.
        await().atMost(PATIENCE).until(() -> w.waiters() == 4 && w.hasLeader());
        Files.delete(name);
        for (CompletableFuture<Long> f : waits) {
            assertThat(f.get(10, TimeUnit.SECONDS)).as("ms waited").isLessThan(5_000);
        }
        assertThat(w.generation("a.lock")).isGreaterThan(seen);
    }

    @Test
    void whenTheLeaderLeavesAnotherWaiterTakesOverTheEvents() throws Exception {
        Path a = Files.createFile(dir.resolve("a.lock"));
        Path b = Files.createFile(dir.resolve("b.lock"));
        Path c = Files.createFile(dir.resolve("c.lock"));
        DirectoryWakeups w = runtime.wakeups().of(dir);
        long seenA = w.generation("a.lock");
        long seenB = w.generation("b.lock");
        long seenC = w.generation("c.lock");
        CompletableFuture<Long> waitA = waitAsync(w, "a.lock", seenA);
        await().atMost(PATIENCE).until(() -> w.waiters() == 1 && w.hasLeader()); // A's waiter leads
        CompletableFuture<Long> waitB = waitAsync(w, "b.lock", seenB);
        await().atMost(PATIENCE).until(() -> w.waiters() == 2);
        Files.delete(a);
        assertThat(waitA.get(10, TimeUnit.SECONDS)).isLessThan(5_000);
        await().atMost(PATIENCE).until(() -> w.waiters() == 1 && w.hasLeader()); // B's waiter took over

        // Removing a name B's waiter does not wait for wakes no one. c.lock is removed after it, and events come in
        // order: once c's generation moved, B's waiter has seen the unrelated removal, and it leads again.
        Files.delete(Files.createFile(dir.resolve("unrelated")));
        Files.delete(c);
        await().atMost(PATIENCE).until(() -> waitB.isDone()
                || w.generation("c.lock") > seenC && w.waiters() == 1 && w.hasLeader());
        assertThat(waitB).isNotDone();

        Files.delete(b);
        assertThat(waitB.get(10, TimeUnit.SECONDS)).as("B woken after A's leader left").isLessThan(5_000);
    }

    @Test
    void aWaitTimesOutWhenNothingIsRemoved() throws Exception {
        Files.createFile(dir.resolve("a.lock"));
        DirectoryWakeups w = runtime.wakeups().of(dir);
        long seen = w.generation("a.lock");
        long t0 = System.nanoTime();
        w.await("a.lock", seen, TimeUnit.MILLISECONDS.toNanos(300));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(ms).isBetween(250L, 5_000L);
        assertThat(w.generation("a.lock")).isEqualTo(seen);
    }

    @Test
    void aRemovalBeforeTheGenerationIsReadDoesNotEndTheWaitThatFollows() throws Exception {
        DirectoryWakeups w = runtime.wakeups().of(dir);
        long before = w.generation("a.lock");
        Files.delete(Files.createFile(dir.resolve("a.lock")));
        // No one waits, so no one takes events: reading the generation takes the queued removal (the JDK queues it
        // from its own inotify thread, so it may take a moment to be there).
        await("the queued removal is counted when the generation is read").atMost(PATIENCE)
                .until(() -> w.generation("a.lock") > before);
        long seen = w.generation("a.lock");
        long t0 = System.nanoTime();
        w.await("a.lock", seen, TimeUnit.MILLISECONDS.toNanos(300));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(250L);
    }

    @Test
    void anIdleWatcherIsClosedAndANewOneWorks() throws Exception {
        DirectoryWakeups first = runtime.wakeups().of(dir);
        first.generation("a.lock");
        assertThat(first.isClosed()).isFalse();
        // Idle on the runtime's clock; the closer still checks every real second.
        clock.advance(Duration.ofNanos(DirectoryWakeups.IDLE_CLOSE_NANOS).plusMillis(1));
        await().atMost(PATIENCE).until(first::isClosed);
        DirectoryWakeups second = runtime.wakeups().of(dir);
        assertThat(second).isNotSameAs(first);
        Path a = Files.createFile(dir.resolve("a.lock"));
        long seen = second.generation("a.lock");
        CompletableFuture<Long> wait = waitAsync(second, "a.lock", seen);
        await().atMost(PATIENCE).until(() -> second.waiters() == 1 && second.hasLeader());
        Files.delete(a);
        assertThat(wait.get(10, TimeUnit.SECONDS)).isLessThan(5_000);
    }

    private static CompletableFuture<Long> waitAsync(DirectoryWakeups w, String name, long seen) {
        return CompletableFuture.supplyAsync(() -> timedAwait(w, name, seen), runnable -> new Thread(runnable).start());
    }

    /** Milliseconds {@code await} took; fails the future on interruption. */
    private static long timedAwait(DirectoryWakeups w, String name, long seen) {
        long t0 = System.nanoTime();
        try {
            w.await(name, seen, LONG_WAIT);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }
}
