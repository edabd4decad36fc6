package dev.lockscope.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockHandle;
import dev.lockscope.lock.LockOptions;
import dev.lockscope.lock.LockTimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static dev.lockscope.record.GroupCommitTesting.GROUP_COMMIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Group commit on a local filesystem, in one process: threads are writers of their own (one writer id per
 * thread), the test holds the real lock where it needs a writer to find it held.
 */
@Timeout(60)
class GroupCommitTest {

    @TempDir
    Path dir;

    Path file;

    @BeforeEach
    void base() {
        file = dir.resolve("records.json");
    }

    @Test
    void threadsIncrementingTogetherApplyEveryIncrementExactlyOnceAndShareGenerations() throws Exception {
        RecordStore store = RecordStore.open(file, GROUP_COMMIT);
        List<SaveResult> results = incrementTogether(store, 6, 40);
        Set<Long> values = results.stream().map(r -> r.incremented().longValue()).collect(Collectors.toCollection(TreeSet::new));
        assertThat(values).containsExactlyElementsOf(LongStream.rangeClosed(1, 240).boxed().toList());
        RecordSnapshot s = store.read();
        assertThat(s.get("n").get().longValue()).isEqualTo(240);
        long combined = results.stream().filter(SaveResult::combined).count();
        assertThat(combined).as("increments committed by another thread's hold").isPositive();
        assertThat(s.generation()).as("fewer generations than increments").isLessThan(240);
        assertThat(intentFiles()).isEmpty();
    }

    @Test
    void withGroupCommitOffEveryChangeIsItsOwnGeneration() throws Exception {
        List<RecordStore.SaveStep> steps = new CopyOnWriteArrayList<>();
        RecordStore store = RecordStore.open(file, GROUP_COMMIT.withGroupCommit(false))
                .withStepListener(steps::add);
        List<SaveResult> results = incrementTogether(store, 4, 25);
        assertThat(results).noneMatch(SaveResult::combined);
        assertThat(store.read().generation()).isEqualTo(100);
        assertThat(store.read().get("n").get().longValue()).isEqualTo(100);
        assertThat(steps).doesNotContain(RecordStore.SaveStep.PUBLISHED, RecordStore.SaveStep.TAKEN);
    }

    @Test
    void aWriterThatTimesOutWithdrawsItsIntentAndItIsNeverApplied() throws Exception {
        RecordStore.open(file, GROUP_COMMIT).put("base", IntNode.valueOf(1));
        List<RecordStore.SaveStep> steps = new CopyOnWriteArrayList<>();
        RecordStore store = RecordStore.open(file, GROUP_COMMIT.withLockTimeout(Duration.ofMillis(300)))
                .withStepListener(steps::add);
        LockHandle held = holdLock();
        try {
            assertThatThrownBy(() -> store.put("x", IntNode.valueOf(2)))
                    .isInstanceOf(LockTimeoutException.class)
                    .hasMessageContaining("timed out").hasMessageContaining("pid " + ProcessHandle.current().pid())
                    .hasMessageContaining("withdrawn");
            assertThat(steps).containsSequence(RecordStore.SaveStep.PUBLISHED, RecordStore.SaveStep.WITHDRAWN);
            assertThat(intentFiles()).isEmpty();
        } finally {
            held.release();
        }
        RecordStore.open(file, GROUP_COMMIT).put("y", IntNode.valueOf(3));
        assertThat(RecordStore.open(file, GROUP_COMMIT).read().records()).containsOnlyKeys("base", "y");
    }

    @Test
    void aWriterWhoseIntentWasTakenDoesNotWithdrawButWaitsForTheOutcome() throws Exception {
        RecordStore.open(file, GROUP_COMMIT).put("base", IntNode.valueOf(1));
        List<RecordStore.SaveStep> steps = new CopyOnWriteArrayList<>();
        RecordStore store = RecordStore.open(file, GROUP_COMMIT.withLockTimeout(Duration.ofMillis(1500)))
                .withStepListener(steps::add);
        LockHandle held = holdLock();
        Future<SaveResult> put;
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            put = pool.submit(() -> store.put("x", IntNode.valueOf(2)));
            awaitUntil(() -> steps.contains(RecordStore.SaveStep.PUBLISHED));
            // A holder takes the intent and dies before it commits: the taken file is all that is left.
            IntentFiles files = new IntentFiles(file);
            List<IntentFiles.Listed> listed = files.list().intents();
            assertThat(listed).hasSize(1);
            assertThat(files.take(listed.get(0))).isNotNull();
            Thread.sleep(1800); // past the writer's timeout: its withdrawal must fail, and it must keep waiting
            assertThat(put).isNotDone();
        } finally {
            held.release();
        }
        SaveResult r = put.get(20, TimeUnit.SECONDS);
        pool.shutdown();
        assertThat(r.combined()).isTrue();
        assertThat(steps).doesNotContain(RecordStore.SaveStep.WITHDRAWN);
        assertThat(RecordStore.open(file, GROUP_COMMIT).read().records()).containsOnlyKeys("base", "x");
        assertThat(intentFiles()).isEmpty();
    }

    @Test
    void changesThatCannotBeCombinedTakeTheLockThemselves() throws Exception {
        RecordStore.open(file, GROUP_COMMIT).put("base", IntNode.valueOf(1));
        List<RecordStore.SaveStep> steps = new CopyOnWriteArrayList<>();
        RecordStore store = RecordStore.open(file, GROUP_COMMIT.withLockTimeout(Duration.ofMillis(300)))
                .withStepListener(steps::add);
        LockHandle held = holdLock();
        try {
            // A conditional put (expected generation) and a read-then-decide lambda.
            assertThatThrownBy(() -> store.save(1, RecordChange.put("x", IntNode.valueOf(1)), RecordStore.OnConflict.FAIL))
                    .isInstanceOf(LockTimeoutException.class);
            assertThatThrownBy(() -> store.update(m -> m.put("y", m.get("base"))))
                    .isInstanceOf(LockTimeoutException.class);
            assertThat(steps).doesNotContain(RecordStore.SaveStep.PUBLISHED);
            assertThat(intentFiles()).isEmpty();
        } finally {
            held.release();
        }
    }

    @Test
    void anIncrementOfANonIntegerIsRefusedAndChangesNothing() throws Exception {
        RecordStore.open(file, GROUP_COMMIT).put("s", TextNode.valueOf("text"));
        assertThatThrownBy(() -> RecordStore.open(file, GROUP_COMMIT).update(RecordChange.increment("s", 1)))
                .isInstanceOf(RecordStoreException.class).hasMessageContaining("is not an integer");
        List<RecordStore.SaveStep> steps = new CopyOnWriteArrayList<>();
        RecordStore store = RecordStore.open(file, GROUP_COMMIT).withStepListener(steps::add);
        LockHandle held = holdLock();
        CompletableFuture<SaveResult> inc;
        try {
            inc = CompletableFuture.supplyAsync(() -> {
                try {
                    return store.update(RecordChange.increment("s", 1));
                } catch (IOException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            awaitUntil(() -> steps.contains(RecordStore.SaveStep.PUBLISHED));
        } finally {
            held.release();
        }
        assertThatThrownBy(() -> inc.get(20, TimeUnit.SECONDS)).hasRootCauseInstanceOf(RecordStoreException.class)
                .hasMessageContaining("is not an integer");
        RecordSnapshot s = RecordStore.open(file, GROUP_COMMIT).read();
        assertThat(s.get("s")).contains(TextNode.valueOf("text"));
        assertThat(intentFiles()).isEmpty();
    }

    @Test
    void anOrphanTakenIntentThatIsAlreadyInTheFileIsNotAppliedAgain() throws Exception {
        // A holder that died between its rename and its mark leaves the taken file of an applied intent.
        RecordStore.open(file, GROUP_COMMIT).update(RecordChange.increment("n", 5));
        List<RecordStore.SaveStep> steps = new CopyOnWriteArrayList<>();
        RecordStore store = RecordStore.open(file, GROUP_COMMIT).withStepListener(steps::add);
        LockHandle held = holdLock();
        Future<SaveResult> inc;
        ExecutorService pool = Executors.newSingleThreadExecutor();
        byte[] published;
        try {
            inc = pool.submit(() -> store.update(RecordChange.increment("n", 1)));
            awaitUntil(() -> steps.contains(RecordStore.SaveStep.PUBLISHED));
            IntentFiles.Listed l = new IntentFiles(file).list().intents().get(0);
            published = Files.readAllBytes(l.path());
        } finally {
            held.release();
        }
        SaveResult r = inc.get(20, TimeUnit.SECONDS);
        pool.shutdown();
        assertThat(r.incremented().longValue()).isEqualTo(6);
        JsonNode intent = RecordFormat.mapper().readTree(published);
        Path orphan = new IntentFiles(file).taken(intent.get("writer").textValue(), intent.get("seq").longValue());
        Files.write(orphan, published);
        SaveResult next = RecordStore.open(file, GROUP_COMMIT).put("other", IntNode.valueOf(1));
        assertThat(next.warning()).isNull();
        assertThat(RecordStore.open(file, GROUP_COMMIT).read().get("n").get().longValue()).isEqualTo(6);
        assertThat(intentFiles()).isEmpty();
    }

    @Test
    void aWaiterWhoseOwnHoldIsFencedAfterTakingItsIntentNeitherSaysNotSavedNorAppliesItTwice() throws Exception {
        RecordStore.open(file, GROUP_COMMIT).update(RecordChange.increment("n", 5));
        List<RecordStore.SaveStep> steps = new CopyOnWriteArrayList<>();
        Path lockPath = RecordStore.open(file, GROUP_COMMIT).lockFile().path();
        java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean();
        RecordStore store = RecordStore.open(file, GROUP_COMMIT).withStepListener(step -> {
            steps.add(step);
            // The waiter became the holder and took its own intent; now its lock is broken under it (as a
            // breaker that judged it expired would), so its fencing check refuses the rename.
            if (step == RecordStore.SaveStep.TAKEN && broken.compareAndSet(false, true)) {
                try {
                    Files.delete(lockPath);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
        LockHandle held = holdLock();
        Future<Integer> inc;
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            // A caller that retries on "not saved", as RecordFencingException promises it may.
            inc = pool.submit(() -> {
                int fenced = 0;
                while (true) {
                    try {
                        store.update(RecordChange.increment("n", 1));
                        return fenced;
                    } catch (RecordFencingException e) {
                        fenced++;
                    }
                }
            });
            awaitUntil(() -> steps.contains(RecordStore.SaveStep.PUBLISHED));
        } finally {
            held.release();
        }
        int fenced = inc.get(30, TimeUnit.SECONDS);
        pool.shutdown();
        assertThat(broken).as("the waiter's own hold took its intent and was fenced").isTrue();
        assertThat(steps).doesNotContain(RecordStore.SaveStep.WITHDRAWN);
        RecordStore.open(file, GROUP_COMMIT).put("other", IntNode.valueOf(1)); // a later holder applies any orphan
        assertThat(RecordStore.open(file, GROUP_COMMIT).read().get("n").get().longValue())
                .as("one increment, applied once (fenced retries: %d)", fenced).isEqualTo(6);
        assertThat(fenced).isZero();
        assertThat(intentFiles()).isEmpty();
    }

    /**
     * A holder whose round committed other writers' intents keeps the lock for another round: an intent
     * published during its first round is committed by the same hold, and its writer never takes the lock.
     */
    @Test
    void aHolderThatCommittedOthersKeepsCombiningWhatWasPublishedDuringItsRound() throws Exception {
        RecordStore.open(file, GROUP_COMMIT).put("base", IntNode.valueOf(1));
        List<RecordStore.SaveStep> lateSteps = new CopyOnWriteArrayList<>();
        RecordStore late = RecordStore.open(file, GROUP_COMMIT).withStepListener(lateSteps::add);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<RecordStore.SaveStep> holderSteps = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicReference<Future<SaveResult>> latePut = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.function.Consumer<RecordStore.SaveStep> firstTake = step -> {
            holderSteps.add(step);
            // During the first round (its intents taken, nothing written yet) a late writer publishes.
            if (step == RecordStore.SaveStep.TAKEN && latePut.get() == null) {
                latePut.set(pool.submit(() -> late.put("late", IntNode.valueOf(3))));
                awaitInListener(() -> lateSteps.contains(RecordStore.SaveStep.PUBLISHED));
            }
        };
        List<Future<SaveResult>> puts = twoPublishThenRelease(pool, firstTake, holderSteps,
                RecordChange.put("a", IntNode.valueOf(1)), RecordChange.put("b", IntNode.valueOf(2)));
        Future<SaveResult> putA = puts.get(0);
        Future<SaveResult> putB = puts.get(1);
        assertThat(putA.get(20, TimeUnit.SECONDS).warning()).isNull();
        assertThat(putB.get(20, TimeUnit.SECONDS).warning()).isNull();
        awaitUntil(() -> latePut.get() != null);
        SaveResult lateResult = latePut.get().get(20, TimeUnit.SECONDS);
        pool.shutdown();
        assertThat(lateResult.combined()).isTrue();
        assertThat(lateSteps).as("the late writer was served by the hold that was running")
                .doesNotContain(RecordStore.SaveStep.LOCKED);
        List<RecordStore.SaveStep> hold = holderSteps.subList(holderSteps.indexOf(RecordStore.SaveStep.LOCKED),
                holderSteps.indexOf(RecordStore.SaveStep.RELEASED));
        assertThat(hold.stream().filter(s -> s == RecordStore.SaveStep.RENAMED).count())
                .as("generations written by the one hold").isEqualTo(2);
        assertThat(RecordStore.open(file, GROUP_COMMIT).read().records()).containsOnlyKeys("base", "a", "b", "late");
        assertThat(intentFiles()).isEmpty();
    }

    /**
     * The holder's own change is committed by its first round: a later round for other writers that fails
     * (here its fencing check, the lock broken under it) does not make the holder's save fail, and what that
     * round took is applied by the next holder, once.
     */
    @Test
    void aFailingLaterRoundIsAWarningForTheHolderAndItsIntentsAreAppliedByTheNextHolder() throws Exception {
        RecordStore.open(file, GROUP_COMMIT).update(RecordChange.increment("n", 10));
        Path lockPath = RecordStore.open(file, GROUP_COMMIT).lockFile().path();
        List<RecordStore.SaveStep> lateSteps = new CopyOnWriteArrayList<>();
        RecordStore late = RecordStore.open(file, GROUP_COMMIT).withStepListener(lateSteps::add);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        java.util.concurrent.atomic.AtomicInteger takes = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<Future<SaveResult>> latePut = new java.util.concurrent.atomic.AtomicReference<>();
        List<RecordStore.SaveStep> holderSteps = new CopyOnWriteArrayList<>();
        java.util.function.Consumer<RecordStore.SaveStep> listener = step -> {
            holderSteps.add(step);
            if (step != RecordStore.SaveStep.TAKEN) {
                return;
            }
            if (takes.incrementAndGet() == 1) {
                latePut.set(pool.submit(() -> late.update(RecordChange.increment("n", 100))));
                awaitInListener(() -> lateSteps.contains(RecordStore.SaveStep.PUBLISHED));
            } else if (takes.get() == 2) {
                try {
                    Files.delete(lockPath); // the second round's fencing check now refuses its rename
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        List<Future<SaveResult>> incs = twoPublishThenRelease(pool, listener, holderSteps,
                RecordChange.increment("n", 1), RecordChange.increment("n", 1));
        Future<SaveResult> incA = incs.get(0);
        Future<SaveResult> incB = incs.get(1);
        SaveResult ra = incA.get(20, TimeUnit.SECONDS);
        SaveResult rb = incB.get(20, TimeUnit.SECONDS);
        assertThat(java.util.stream.Stream.of(ra, rb).map(SaveResult::warning).filter(w -> w != null).toList())
                .as("the holder's warning").singleElement().asString()
                .contains("a further group-commit round for other writers failed");
        assertThat(takes.get()).isEqualTo(2);
        SaveResult lateResult = latePut.get().get(20, TimeUnit.SECONDS);
        pool.shutdown();
        assertThat(lateResult.incremented().longValue()).isEqualTo(112);
        assertThat(RecordStore.open(file, GROUP_COMMIT).read().get("n").get().longValue())
                .as("each increment applied once").isEqualTo(112);
        assertThat(intentFiles()).isEmpty();
    }

    @Test
    void aHolderRemovesAnIntentAWriterWasKilledPublishingOnlyOnceItIsLongAbandoned() throws Exception {
        RecordStore store = RecordStore.open(file, GROUP_COMMIT);
        store.put("base", IntNode.valueOf(1));
        long now = Files.getLastModifiedTime(file).toMillis();
        Path abandoned = dir.resolve(".records.json.intent-new.00000000000000aa.3");
        Path recent = dir.resolve(".records.json.intent-new.00000000000000bb.1");
        Path otherFiles = dir.resolve(".other.json.intent-new.00000000000000aa.3");
        for (Path p : List.of(abandoned, recent, otherFiles)) {
            Files.writeString(p, "{\"format\":\"lockscope-intent/1\"}");
        }
        Files.setLastModifiedTime(abandoned, java.nio.file.attribute.FileTime.fromMillis(now - 11 * 60_000));
        Files.setLastModifiedTime(otherFiles, java.nio.file.attribute.FileTime.fromMillis(now - 11 * 60_000));
        Files.setLastModifiedTime(recent, java.nio.file.attribute.FileTime.fromMillis(now - 9 * 60_000));

        store.put("next", IntNode.valueOf(2));

        assertThat(abandoned).as("left by a writer killed mid-publish 11 minutes ago").doesNotExist();
        assertThat(recent).as("9 minutes: perhaps a stopped writer that will still rename it").exists();
        assertThat(otherFiles).as("another record file's").exists();
        assertThat(store.read().records()).containsOnlyKeys("base", "next");
    }

    private List<SaveResult> incrementTogether(RecordStore store, int threads, int each) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<List<SaveResult>>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            fs.add(pool.submit(() -> {
                List<SaveResult> out = new ArrayList<>();
                for (int i = 0; i < each; i++) {
                    out.add(store.update(RecordChange.increment("n", 1)));
                }
                return out;
            }));
        }
        List<SaveResult> all = Collections.synchronizedList(new ArrayList<>());
        for (Future<List<SaveResult>> f : fs) {
            all.addAll(f.get(50, TimeUnit.SECONDS));
        }
        pool.shutdown();
        return all;
    }

    /**
     * Two writers (stores with {@code listener}, which records into {@code steps}) save while the test holds the
     * lock, so both publish; then the lock is released and one of them becomes the holder of both intents.
     */
    private List<Future<SaveResult>> twoPublishThenRelease(ExecutorService pool,
                                                           java.util.function.Consumer<RecordStore.SaveStep> listener,
                                                           List<RecordStore.SaveStep> steps, RecordChange first,
                                                           RecordChange second) throws Exception {
        RecordStore a = RecordStore.open(file, GROUP_COMMIT).withStepListener(listener);
        RecordStore b = RecordStore.open(file, GROUP_COMMIT).withStepListener(listener);
        LockHandle held = holdLock();
        try {
            List<Future<SaveResult>> out = List.of(pool.submit(() -> a.update(first)), pool.submit(() -> b.update(second)));
            awaitUntil(() -> steps.stream().filter(s -> s == RecordStore.SaveStep.PUBLISHED).count() == 2);
            return out;
        } finally {
            held.release();
        }
    }

    private LockHandle holdLock() throws IOException {
        return LinkLock.of(RecordStore.open(file, GROUP_COMMIT).lockFile(), LockOptions.defaults()).acquire(Duration.ofSeconds(5));
    }

    private List<String> intentFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.contains(".intent") || n.contains(".taken.") || n.contains(".bad-intent.")).toList();
        }
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    /** {@link #awaitUntil} from a step listener, which may not throw a checked exception. */
    private static void awaitInListener(Condition c) {
        try {
            awaitUntil(c);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void awaitUntil(Condition c) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!c.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 20 s");
            }
            Thread.sleep(5);
        }
    }
}
