package dev.lockscope.ui;

import dev.lockscope.scan.WatchOptions;
import dev.lockscope.ui.common.BackgroundIo;
import dev.lockscope.ui.locks.DirectorySource;
import dev.lockscope.ui.locks.LocksViewModel;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Opens the lock table on a directory with the real watcher, lets it poll for several times its
 * "hung server" limit while the ages tick, and prints the table's error message. Run by
 * {@link LocksFailureTest}, as another user when the test runs as root. Main thread only (it plays the FX thread).
 */
public final class UnreadableDirectoryProbe {
    private UnreadableDirectoryProbe() {
    }

    static String messageFor(Path dir) throws InterruptedException {
        ExecutorService pool = BackgroundIo.daemonPool();
        LinkedBlockingQueue<Runnable> fx = new LinkedBlockingQueue<>();
        BackgroundIo io = new BackgroundIo(pool, fx::add, Duration.ofSeconds(2));
        LocksViewModel vm = new LocksViewModel(io, fx::add, new ScriptedDialogs(),
                DirectorySource.watcher(WatchOptions.defaults().withPollInterval(Duration.ofMillis(200))));
        vm.open(dir);
        // The limit for "no answer" is poll interval + timeout = 2.2 s: run the UI for longer than that.
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(4000);
        while (System.nanoTime() < end) {
            Runnable r = fx.poll(100, TimeUnit.MILLISECONDS);
            if (r != null) {
                r.run();
            }
            vm.tick();
        }
        String message = vm.errorMessageProperty().get();
        vm.close();
        for (Runnable r; (r = fx.poll()) != null; ) {
            r.run();
        }
        pool.shutdown();
        return message;
    }

    public static void main(String[] args) throws InterruptedException {
        System.out.println(messageFor(Path.of(args[0])));
    }
}
