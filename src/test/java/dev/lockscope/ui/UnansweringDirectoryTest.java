package dev.lockscope.ui;

import dev.lockscope.scan.ScanListener;
import dev.lockscope.ui.common.BackgroundIo;
import dev.lockscope.ui.locks.DirectorySource;
import dev.lockscope.ui.locks.LocksViewModel;
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

/** A directory that stops answering, or vanishes, is reported in the window, which keeps working. */
class UnansweringDirectoryTest {

    @TempDir
    Path tmp;

    @Test
    void aBlockedOpenIsReportedAndTheUiThreadNeverWaits() throws Exception {
        // The first file-system call of the watch blocks in the kernel like one on a hung NFS server:
        // it reads a FIFO that has no writer yet.
        Path fifo = tmp.resolve("hung-server");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        Path dir = Files.createDirectories(tmp.resolve("locks"));
        DirectorySource real = new SynchronousScannerSource();
        java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.CountDownLatch hungCallAnswered = new java.util.concurrent.CountDownLatch(1);
        DirectorySource hanging = (d, listener) -> {
            if (!first.getAndSet(false)) {
                return real.watch(d, listener);
            }
            Files.readAllBytes(fifo);
            var watching = real.watch(d, listener);
            hungCallAnswered.countDown();
            return watching;
        };
        ExecutorService pool = BackgroundIo.daemonPool();
        LinkedBlockingQueue<Runnable> fxQueue = new LinkedBlockingQueue<>();
        BackgroundIo io = new BackgroundIo(pool, fxQueue::add, Duration.ofMillis(300));
        LocksViewModel vm = new LocksViewModel(io, fxQueue::add, new ScriptedDialogs(), hanging);

        long t0 = System.nanoTime();
        vm.open(dir);
        assertThat((System.nanoTime() - t0) / 1_000_000).as("open returns at once").isLessThan(200);
        Runnable timeout = fxQueue.poll(5, TimeUnit.SECONDS);
        assertThat(timeout).isNotNull();
        timeout.run();
        assertThat(vm.errorMessageProperty().get()).contains("No answer within 300ms", dir.toString(), "hung");

        // The server comes back: the pending call completes, and a refresh shows the directory.
        try (OutputStream w = Files.newOutputStream(fifo)) {
            w.write('x');
        }
        assertThat(hungCallAnswered.await(10, TimeUnit.SECONDS)).as("the hung call returned").isTrue();
        vm.refresh();
        for (Runnable r; (r = fxQueue.poll(2, TimeUnit.SECONDS)) != null; ) {
            r.run();
            if (vm.lastSnapshot().isPresent()) {
                break;
            }
        }
        assertThat(vm.errorMessageProperty().get()).isEmpty();
        assertThat(vm.lastSnapshot()).isPresent();
        pool.shutdownNow();
    }

    @Test
    void aDirectoryThatVanishesWhileWatchedIsNamed() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("mount"));
        LocksViewModel vm = new LocksViewModel(BackgroundIo.synchronous(), Runnable::run, new ScriptedDialogs(),
                new SynchronousScannerSource());
        vm.open(dir);
        assertThat(vm.errorMessageProperty().get()).isEmpty();
        Files.delete(dir);
        vm.refresh();
        assertThat(vm.errorMessageProperty().get()).contains(dir.toString());
        assertThat(vm.lastRefreshTextProperty().get()).startsWith("last refresh failed");
    }
}
