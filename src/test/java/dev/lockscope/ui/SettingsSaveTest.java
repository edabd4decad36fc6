package dev.lockscope.ui;

import dev.lockscope.ui.audit.AuditViewModel;
import dev.lockscope.ui.common.BackgroundIo;
import dev.lockscope.ui.locks.LocksViewModel;
import dev.lockscope.ui.main.InspectorSettings;
import dev.lockscope.ui.main.SettingsFile;
import dev.lockscope.ui.main.MainViewModel;
import dev.lockscope.ui.main.WindowState;
import dev.lockscope.ui.records.RecordsViewModel;
import dev.lockscope.ui.records.StoreRecordFileGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Saving the settings while saves are still running: one writer, the newest state last, no error. */
class SettingsSaveTest {

    @TempDir
    Path tmp;

    @Test
    void manySavesAtOnceEndWithTheNewestStateAndNoError() throws Exception {
        Path settings = tmp.resolve("cfg/inspector.json");
        ExecutorService pool = BackgroundIo.daemonPool();
        LinkedBlockingQueue<Runnable> fx = new LinkedBlockingQueue<>();
        BackgroundIo io = new BackgroundIo(pool, fx::add, Duration.ofSeconds(30));
        ScriptedDialogs dialogs = new ScriptedDialogs();
        MainViewModel vm = new MainViewModel(io, dialogs, settings,
                new LocksViewModel(io, fx::add, dialogs, new SynchronousScannerSource()),
                new AuditViewModel(io), new RecordsViewModel(io, dialogs, new StoreRecordFileGateway()));

        // Each call persists at once, as resizing and selecting do; the thread pool runs them in parallel.
        List<CompletableFuture<?>> saves = new ArrayList<>();
        for (int i = 1; i <= 60; i++) {
            saves.add(vm.rememberWindow(new WindowState(i, i, 800 + i, 600 + i, false, 0.2, 0.5, 0.5)));
        }
        CompletableFuture.allOf(saves.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        for (Runnable r; (r = fx.poll()) != null; ) {
            r.run();
        }
        pool.shutdown();

        assertThat(vm.messageProperty().get()).as("no save failed").isEmpty();
        assertThat(new SettingsFile(settings).load().window().width()).as("the newest state is on disk").isEqualTo(860);
        try (Stream<Path> left = Files.list(settings.getParent())) {
            assertThat(left).extracting(p -> p.getFileName().toString()).containsExactly("inspector.json");
        }
    }

    @Test
    void twoProcessesSavingAtOnceNeverUseTheSameTempFile() throws Exception {
        // Two inspectors (or one and a script) share the file: each save uses a temp file of its own.
        Path settings = tmp.resolve("inspector.json");
        ExecutorService pool = BackgroundIo.daemonPool();
        List<java.util.concurrent.Future<?>> all = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int n = i;
            all.add(pool.submit(() -> {
                new SettingsFile(settings).save(new InspectorSettings(List.of("/d" + n), "/d" + n));
                return null;
            }));
        }
        for (var f : all) {
            f.get(60, TimeUnit.SECONDS); // throws if any save failed
        }
        pool.shutdown();
        assertThat(new SettingsFile(settings).load().directories()).hasSize(1);
    }
}
