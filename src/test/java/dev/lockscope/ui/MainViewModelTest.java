package dev.lockscope.ui;

import dev.lockscope.ui.audit.AuditViewModel;
import dev.lockscope.ui.common.BackgroundIo;
import dev.lockscope.ui.locks.LocksViewModel;
import dev.lockscope.ui.main.InspectorSettings;
import dev.lockscope.ui.main.SettingsFile;
import dev.lockscope.ui.main.MainViewModel;
import dev.lockscope.ui.records.RecordsViewModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Which directory the inspector opens, and what it remembers between runs, on real settings files. */
class MainViewModelTest {

    @TempDir
    Path tmp;

    private final ScriptedDialogs dialogs = new ScriptedDialogs();
    private final AtomicInteger demosMade = new AtomicInteger();

    private MainViewModel newViewModel(Path settings) {
        BackgroundIo io = BackgroundIo.synchronous();
        return new MainViewModel(io, dialogs, settings,
                new LocksViewModel(io, Runnable::run, dialogs, new SynchronousScannerSource()),
                new AuditViewModel(io), new RecordsViewModel(io, dialogs, new ManualWatchGateway()));
    }

    private Callable<Path> demo() {
        return () -> {
            demosMade.incrementAndGet();
            return Files.createDirectories(tmp.resolve("demo"));
        };
    }

    @Test
    void firstRunOpensTheDemoAndDoesNotRememberIt() throws Exception {
        Path settings = tmp.resolve("cfg/inspector.json");
        MainViewModel vm = newViewModel(settings);
        vm.start(null, demo());
        assertThat(demosMade).hasValue(1);
        assertThat(vm.selectedDirectoryProperty().get()).isEqualTo(tmp.resolve("demo"));
        assertThat(Files.exists(settings)).isFalse();
    }

    @Test
    void addedDirectoriesAreRememberedAndTheLastOneReopens() throws Exception {
        Path settings = tmp.resolve("cfg/inspector.json");
        Path a = Files.createDirectories(tmp.resolve("a"));
        Path b = Files.createDirectories(tmp.resolve("b"));
        MainViewModel first = newViewModel(settings);
        first.start(a, demo());
        first.add(b);
        first.locks().close();
        assertThat(new SettingsFile(settings).load().directories()).containsExactly(a.toString(), b.toString());
        assertThat(new SettingsFile(settings).load().lastDirectory()).isEqualTo(b.toString());

        MainViewModel second = newViewModel(settings);
        second.start(null, demo());
        assertThat(second.directories()).containsExactly(a, b);
        assertThat(second.selectedDirectoryProperty().get()).isEqualTo(b);
        assertThat(demosMade).hasValue(0);

        second.removeSelectedDirectory();
        assertThat(new SettingsFile(settings).load().directories()).containsExactly(a.toString());
        assertThat(second.selectedDirectoryProperty().get()).isEqualTo(a);
    }

    @Test
    void aVanishedLastDirectoryFallsBackToTheDemo() throws Exception {
        Path settings = tmp.resolve("inspector.json");
        new SettingsFile(settings).save(new InspectorSettings(List.of(), tmp.resolve("gone").toString()));
        MainViewModel vm = newViewModel(settings);
        vm.start(null, demo());
        assertThat(demosMade).hasValue(1);
        assertThat(vm.messageProperty().get()).contains("is gone", "demo");
    }

    @Test
    void aDamagedSettingsFileIsNamedAndLeftAlone() throws Exception {
        Path settings = tmp.resolve("inspector.json");
        Files.writeString(settings, "{not json");
        MainViewModel vm = newViewModel(settings);
        vm.start(null, demo());
        assertThat(vm.messageProperty().get()).isNotEmpty();
        assertThat(Files.readString(settings)).isEqualTo("{not json");
        assertThat(demosMade).hasValue(1);
    }

    @Test
    void openingAFileInsteadOfADirectoryIsRefusedClearly() throws Exception {
        Path file = Files.writeString(tmp.resolve("plain.txt"), "x");
        MainViewModel vm = newViewModel(tmp.resolve("inspector.json"));
        vm.add(file);
        assertThat(dialogs.errors).singleElement().asString().contains("Not a directory", file.toString());
        assertThat(vm.directories()).isEmpty();
    }
}
