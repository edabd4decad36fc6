package dev.lockscope.record;

import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockFile;
import dev.lockscope.lock.LockHandle;
import dev.lockscope.lock.LockOptions;
import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.TestJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code lockscope records put} publishes its change when the lock is held, unless told {@code --no-group-commit}. */
@MultiProcess
class GroupCommitCliTest {

    @TempDir
    Path dir;

    private CompletableFuture<TestJvm.Result> put(Path f, String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("records", "put", f.toString(), "a", "1"));
        a.addAll(List.of(extra));
        return CompletableFuture.supplyAsync(() -> {
            try {
                return TestJvm.runCli(a, Map.of(), null, 120);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private List<IntentFiles.Listed> published(Path f) {
        return new IntentFiles(f).list().intents().stream().filter(l -> !l.name().taken()).toList();
    }

    @Test
    void aPutThatFindsTheLockHeldIsPublishedAndCommittedByTheNextHolder() throws Exception {
        Path f = dir.resolve("records.json");
        CompletableFuture<TestJvm.Result> run;
        try (LockHandle held = LinkLock.of(LockFile.forResource(f), LockOptions.defaults()).acquire(Duration.ofSeconds(5))) {
            run = put(f, "--timeout", "60s");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (published(f).isEmpty()) {
                assertThat(System.nanoTime()).as("the put published its change").isLessThan(deadline);
                Thread.sleep(20);
            }
        }
        // The lock is free: the waiting put takes it and commits its own intent.
        TestJvm.Result r = run.get(120, TimeUnit.SECONDS);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(RecordStore.open(f).read().get("a")).isPresent();
        assertThat(published(f)).isEmpty();
    }

    @Test
    void noGroupCommitWaitsForTheLockWithoutPublishing() throws Exception {
        Path f = dir.resolve("records.json");
        try (LockHandle held = LinkLock.of(LockFile.forResource(f), LockOptions.defaults()).acquire(Duration.ofSeconds(5))) {
            CompletableFuture<TestJvm.Result> run = put(f, "--timeout", "3s", "--no-group-commit");
            while (!run.isDone()) {
                assertThat(published(f)).as("an intent published with --no-group-commit").isEmpty();
                Thread.sleep(10);
            }
            TestJvm.Result r = run.get();
            assertThat(r.exitCode()).as(r.stderr()).isEqualTo(75);
            assertThat(r.stderr()).contains("timed out").doesNotContain("withdrawn");
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("intent"));
        }
    }
}
