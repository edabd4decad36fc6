package dev.lockscope.lock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JVM-wide wake-ups of one directory, with no dispatching thread of their own: whichever waiter leads
 * takes the events for all, and another takes over when it leaves. Real files, real inotify (local /tmp).
 */
class DirectoryWakeupsTest {

    private static final long LONG_WAIT = TimeUnit.SECONDS.toNanos(20);

    @TempDir
    Path dir;

    @Test
    void everyWaiterOfANameIsWokenByItsRemoval() throws Exception {
        Path name = Files.createFile(dir.resolve("a.lock"));
        DirectoryWakeups w = DirectoryWakeups.of(dir);
        assertThat(w).isNotNull();
        long seen = w.generation("a.lock");
        CountDownLatch started = new CountDownLatch(4);
        List<CompletableFuture<Long>> waits = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            waits.add(CompletableFuture.supplyAsync(() -> {
                started.countDown();
                return timedAwait(w, "a.lock", seen);
            }, runnable -> new Thread(runnable).start()));
        }
        started.await();
        Thread.sleep(200); // all four are waiting: one leads, three follow
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
        DirectoryWakeups w = DirectoryWakeups.of(dir);
        long seenA = w.generation("a.lock");
        long seenB = w.generation("b.lock");
        CompletableFuture<Long> waitA = CompletableFuture.supplyAsync(() -> timedAwait(w, "a.lock", seenA),
                runnable -> new Thread(runnable).start());
        Thread.sleep(200); // A's waiter leads
        CompletableFuture<Long> waitB = CompletableFuture.supplyAsync(() -> timedAwait(w, "b.lock", seenB),
                runnable -> new Thread(runnable).start());
        Thread.sleep(200);
        Files.delete(a);
        assertThat(waitA.get(10, TimeUnit.SECONDS)).isLessThan(5_000);
        // Removing a name nobody waits for wakes no one; B's waiter still waits.
        Files.delete(Files.createFile(dir.resolve("unrelated")));
        Thread.sleep(300);
        assertThat(waitB).isNotDone();
        Files.delete(b);
        assertThat(waitB.get(10, TimeUnit.SECONDS)).as("B woken after A's leader left").isLessThan(5_000);
    }

    @Test
    void aWaitTimesOutWhenNothingIsRemoved() throws Exception {
        Files.createFile(dir.resolve("a.lock"));
        DirectoryWakeups w = DirectoryWakeups.of(dir);
        long seen = w.generation("a.lock");
        long t0 = System.nanoTime();
        w.await("a.lock", seen, TimeUnit.MILLISECONDS.toNanos(300));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(ms).isBetween(250L, 5_000L);
        assertThat(w.generation("a.lock")).isEqualTo(seen);
    }

    @Test
    void aRemovalBeforeTheGenerationIsReadDoesNotEndTheWaitThatFollows() throws Exception {
        DirectoryWakeups w = DirectoryWakeups.of(dir);
        long before = w.generation("a.lock");
        Files.delete(Files.createFile(dir.resolve("a.lock")));
        Thread.sleep(300); // the event is queued by now, but no one takes events: no one waits
        long seen = w.generation("a.lock");
        assertThat(seen).as("the queued removal is counted when the generation is read").isGreaterThan(before);
        long t0 = System.nanoTime();
        w.await("a.lock", seen, TimeUnit.MILLISECONDS.toNanos(300));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(250L);
    }

    @Test
    void anIdleWatcherIsClosedAndANewOneWorks() throws Exception {
        DirectoryWakeups first = DirectoryWakeups.of(dir);
        first.generation("a.lock");
        Thread.sleep(4_500); // idle close after about 2 s, checked every second
        DirectoryWakeups second = DirectoryWakeups.of(dir);
        assertThat(second).isNotSameAs(first);
        Path a = Files.createFile(dir.resolve("a.lock"));
        long seen = second.generation("a.lock");
        CompletableFuture<Long> wait = CompletableFuture.supplyAsync(() -> timedAwait(second, "a.lock", seen),
                runnable -> new Thread(runnable).start());
        Thread.sleep(200);
        Files.delete(a);
        assertThat(wait.get(10, TimeUnit.SECONDS)).isLessThan(5_000);
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
