package dev.lockscope.ui.audit;

import dev.lockscope.ui.common.BackgroundIo;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.nio.file.Path;

/** The audit tab: break history of the current directory. FX thread only. */
public final class AuditViewModel {
    private final BackgroundIo io;
    private final ObservableList<AuditEntry> entries = FXCollections.observableArrayList();
    private final ObjectProperty<AuditEntry> selected = new SimpleObjectProperty<>();
    private final StringProperty details = new SimpleStringProperty("");
    private final StringProperty message = new SimpleStringProperty("");
    private Path directory;
    private long generation;

    public AuditViewModel(BackgroundIo io) {
        this.io = io;
        selected.addListener((o, a, b) -> details.set(b == null ? "" : b.file() + "\n\n" + b.text()));
    }

    /** Shows the history of {@code dir}. */
    public void open(Path dir) {
        directory = dir;
        entries.clear();
        reload();
    }

    /** Reads the audit directory again. */
    public void reload() {
        Path dir = directory;
        long gen = ++generation;
        if (dir == null) {
            message.set("");
            return;
        }
        io.submit("reading the audit records of " + dir, () -> AuditReader.read(dir), list -> {
            if (gen != generation) {
                return;
            }
            AuditEntry sel = selected.get();
            entries.setAll(list);
            if (sel != null) {
                entries.stream().filter(e -> e.file().equals(sel.file())).findFirst().ifPresent(selected::set);
            }
            message.set(list.isEmpty() ? "No breaks recorded in " + dir.resolve(".lockscope-audit")
                    : list.size() + " break record(s) in " + dir.resolve(".lockscope-audit"));
        }, err -> {
            if (gen == generation) {
                message.set(err.message());
            }
        });
    }

    public ObservableList<AuditEntry> entries() {
        return FXCollections.unmodifiableObservableList(entries);
    }

    /** The entry the user selected (input). */
    public ObjectProperty<AuditEntry> selectedProperty() {
        return selected;
    }

    public ReadOnlyStringProperty detailsProperty() {
        return details;
    }

    public ReadOnlyStringProperty messageProperty() {
        return message;
    }
}
