package dev.lockscope.ui;

import dev.lockscope.ui.common.BackgroundIo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A file-system call that never returns is reported in time, and the caller's thread never waits for it. */
class BackgroundIoTest {

    @TempDir
    Path dir;

    @Test
    void aBlockedReadTimesOutWithAClearMessageAndFinishesLater() throws Exception {
        // Reading a FIFO with no writer blocks in the kernel, as a read on a hung NFS server does.
        Path fifo = dir.resolve("hung");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mk.waitFor()).isZero();
        ExecutorService pool = BackgroundIo.daemonPool();
        LinkedBlockingQueue<Runnable> uiQueue = new LinkedBlockingQueue<>();
        BackgroundIo io = new BackgroundIo(pool, uiQueue::add, Duration.ofMillis(300));
        LinkedBlockingQueue<String> outcome = new LinkedBlockingQueue<>();

        long t0 = System.nanoTime();
        BackgroundIo.Call<byte[]> call = io.submit("reading " + fifo, () -> Files.readAllBytes(fifo),
                bytes -> outcome.add("ok " + bytes.length), f -> outcome.add(f.cause() + " " + f.message()));
        long submitMillis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(submitMillis).as("submit returns at once").isLessThan(200);

        Runnable cb = uiQueue.poll(5, TimeUnit.SECONDS);
        assertThat(cb).as("the timeout reaches the UI thread").isNotNull();
        cb.run();
        assertThat(outcome.poll()).startsWith("TIMED_OUT ").contains("No answer within", "reading " + fifo, "hung");
        assertThat(call.isRunning()).as("the blocked call is still pending").isTrue();

        try (OutputStream w = Files.newOutputStream(fifo)) {
            w.write("late".getBytes());
        }
        assertThat(call.finished().get(5, TimeUnit.SECONDS)).hasSize(4);
        assertThat(uiQueue.poll(200, TimeUnit.MILLISECONDS)).as("no second callback after the timeout").isNull();
        pool.shutdownNow();
    }
}
