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
    private final AuditLog log;
    private final ObservableList<AuditEntry> entries = FXCollections.observableArrayList();
    private final javafx.collections.transformation.FilteredList<AuditEntry> shown = new javafx.collections.transformation.FilteredList<>(entries);
    private final StringProperty onlyLock = new SimpleStringProperty("");
    private final ObjectProperty<AuditEntry> selected = new SimpleObjectProperty<>();
    private final StringProperty details = new SimpleStringProperty("");
    private final StringProperty message = new SimpleStringProperty("");
    private Path directory;
    private long generation;
    /** What the audit directory looked like at the last reload: inode, mtime, size, link count; null if absent. */
    private String followedStamp;

    /** With the audit records of the lock directories themselves ({@link AuditReader}). */
    public AuditViewModel(BackgroundIo io) {
        this(io, new AuditReader());
    }

    /**
     * @param io  runs the reads
     * @param log reads a directory's break history
     */
    public AuditViewModel(BackgroundIo io, AuditLog log) {
        this.io = io;
        this.log = java.util.Objects.requireNonNull(log);
        selected.addListener((o, a, b) -> details.set(b == null ? "" : b.file() + "\n\n" + b.text()));
    }

    /** Shows the history of {@code dir}. */
    public void open(Path dir) {
        directory = dir;
        followedStamp = null;
        showOnly("");
        entries.clear();
        reload();
    }

    /**
     * The lock table's scanner saw the audit directory as {@code stamp} (its inode, mtime, size and link
     * count; null when there is none). A new record file changes the directory's mtime, so the history is
     * read again exactly when it changed, as the table follows the lock directory. FX thread.
     */
    public void follow(String stamp) {
        if (!java.util.Objects.equals(stamp, followedStamp)) {
            followedStamp = stamp;
            reload();
        }
    }

    /** Shows only the breaks of the lock named {@code lockName} ("" for all), as "Show audit for this lock" asks. */
    public void showOnly(String lockName) {
        String n = lockName == null ? "" : lockName;
        onlyLock.set(n);
        shown.setPredicate(n.isEmpty() ? null : e -> !e.lock().isEmpty()
                && n.equals(java.nio.file.Path.of(e.lock()).getFileName().toString()));
        describe();
    }

    /** The breaks shown: all, or those of one lock (see {@link #showOnly}). */
    public ObservableList<AuditEntry> shownEntries() {
        return shown;
    }

    private void describe() {
        Path dir = directory;
        if (dir == null) {
            message.set("");
            return;
        }
        Path auditDir = dir.resolve(".lockscope-audit");
        String base = entries.isEmpty() ? "No breaks recorded in " + auditDir
                : entries.size() + " break record(s) in " + auditDir;
        message.set(onlyLock.get().isEmpty() ? base : shown.size() + " of them for " + onlyLock.get() + " — " + base
                + " (Show all clears this)");
    }

    /** Reads the audit directory again. */
    public void reload() {
        Path dir = directory;
        long gen = ++generation;
        if (dir == null) {
            message.set("");
            return;
        }
        io.submit("reading the audit records of " + dir, () -> log.read(dir), list -> {
            if (gen != generation) {
                return;
            }
            AuditEntry sel = selected.get();
            entries.setAll(list);
            if (sel != null) {
                entries.stream().filter(e -> e.file().equals(sel.file())).findFirst().ifPresent(selected::set);
            }
            describe();
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
