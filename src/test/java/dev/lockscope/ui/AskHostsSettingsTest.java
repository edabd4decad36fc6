package dev.lockscope.ui;

import dev.lockscope.ui.audit.AuditViewModel;
import dev.lockscope.ui.common.BackgroundIo;
import dev.lockscope.ui.locks.LocksViewModel;
import dev.lockscope.ui.main.InspectorSettings;
import dev.lockscope.ui.main.SettingsFile;
import dev.lockscope.ui.main.MainViewModel;
import dev.lockscope.ui.records.RecordsViewModel;
import dev.lockscope.ui.records.StoreRecordFileGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The inspector's "Hosts to ask…": kept in inspector.json next to the directories, and never lost by them. */
class AskHostsSettingsTest {
    @TempDir
    Path tmp;

    private final ScriptedDialogs dialogs = new ScriptedDialogs();

    private MainViewModel newViewModel(Path settings) {
        BackgroundIo io = BackgroundIo.synchronous();
        return new MainViewModel(io, dialogs, settings,
                new LocksViewModel(io, Runnable::run, dialogs, new SynchronousScannerSource()),
                new AuditViewModel(io), new RecordsViewModel(io, dialogs, new StoreRecordFileGateway()));
    }

    @Test
    void hostsToAskAreSavedAndSurviveDirectoryChanges() throws Exception {
        Path settings = tmp.resolve("cfg/inspector.json");
        Path a = Files.createDirectories(tmp.resolve("a"));
        Path b = Files.createDirectories(tmp.resolve("b"));
        MainViewModel vm = newViewModel(settings);
        vm.start(a, () -> a);
        assertThat(new SettingsFile(settings).load().askHosts()).as("empty by default").isEmpty();

        dialogs.textAnswers.add("batch-*, node?.cluster.example");
        vm.editAskHosts();
        assertThat(new SettingsFile(settings).load().askHosts()).containsExactly("batch-*", "node?.cluster.example");

        vm.add(b); // saving the directories keeps the hosts
        InspectorSettings saved = new SettingsFile(settings).load();
        assertThat(saved.directories()).contains(a.toString(), b.toString());
        assertThat(saved.askHosts()).containsExactly("batch-*", "node?.cluster.example");

        dialogs.textAnswers.add("$(id), ok");
        vm.editAskHosts();
        assertThat(vm.messageProperty().get()).contains("Not host patterns");
        assertThat(new SettingsFile(settings).load().askHosts()).as("nothing changed").hasSize(2);

        MainViewModel again = newViewModel(settings); // a new run reads them back
        again.start(null, () -> a);
        dialogs.textAnswers.add("");
        again.editAskHosts();
        assertThat(new SettingsFile(settings).load().askHosts()).isEmpty();
        assertThat(new SettingsFile(settings).load().directories()).hasSize(2);
        assertThat(List.of(Files.readString(settings))).allMatch(t -> t.contains("\"askHosts\""));
    }
}
