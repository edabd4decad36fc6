package dev.lockscope.ui.records;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lockscope.lock.LockFile;
import dev.lockscope.ui.common.BackgroundIo;
import dev.lockscope.ui.common.DialogService;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.beans.value.ObservableBooleanValue;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The records tab: browse a record file, edit values as validated JSON, add and delete records, and
 * save through the record store's save path, resolving conflicts by re-applying or reloading.
 * FX thread only; all file access goes through {@link BackgroundIo} and the {@link RecordFileGateway}.
 */
public final class RecordsViewModel {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final BackgroundIo io;
    private final DialogService dialogs;
    private final RecordFileGateway gateway;

    private final ObjectProperty<Path> file = new SimpleObjectProperty<>();
    private final ObservableList<RecordRow> rows = FXCollections.observableArrayList();
    private final ObjectProperty<RecordRow> selected = new SimpleObjectProperty<>();
    private final StringProperty editorText = new SimpleStringProperty("");
    private final StringProperty validation = new SimpleStringProperty("");
    private final StringProperty message = new SimpleStringProperty("No record file open.");
    private final BooleanProperty readOnly = new SimpleBooleanProperty(true);
    private final BooleanProperty busy = new SimpleBooleanProperty(false);
    private final BooleanProperty dirty = new SimpleBooleanProperty(false);
    private final BooleanBinding canApplyEdit;
    private final BooleanBinding canDelete;
    private final BooleanBinding canSave;
    private final BooleanBinding canAdd;

    /** The values as loaded. */
    private Map<String, JsonNode> loaded = new LinkedHashMap<>();
    /** Edits not yet saved: name to new value, null for a deletion. */
    private final Map<String, JsonNode> pending = new LinkedHashMap<>();
    private long loadedGeneration = -1;
    private boolean chosenByUser;

    public RecordsViewModel(BackgroundIo io, DialogService dialogs, RecordFileGateway gateway) {
        this.io = Objects.requireNonNull(io);
        this.dialogs = Objects.requireNonNull(dialogs);
        this.gateway = Objects.requireNonNull(gateway);
        selected.addListener((o, a, row) -> editorText.set(row == null ? "" : pretty(row.value())));
        editorText.addListener((o, a, text) -> validation.set(validate(text)));
        canApplyEdit = Bindings.createBooleanBinding(() -> selected.get() != null && !readOnly.get() && !busy.get()
                && validation.get().isEmpty() && !editorText.get().equals(pretty(selected.get().value())),
                selected, readOnly, busy, validation, editorText);
        canDelete = Bindings.createBooleanBinding(() -> selected.get() != null && !readOnly.get() && !busy.get(),
                selected, readOnly, busy);
        canSave = Bindings.createBooleanBinding(() -> dirty.get() && !readOnly.get() && !busy.get(),
                dirty, readOnly, busy);
        canAdd = Bindings.createBooleanBinding(() -> file.get() != null && !readOnly.get() && !busy.get(),
                file, readOnly, busy);
    }

    /** Empty when {@code text} is valid JSON; else the parser's complaint with line and column. */
    static String validate(String text) {
        if (text == null || text.isBlank()) {
            return "Empty: a record value must be JSON (for example {} or \"text\" or 42).";
        }
        try {
            JSON.readTree(text);
            return "";
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            return "Invalid JSON" + (loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr())
                    + ": " + e.getOriginalMessage();
        }
    }

    private static String pretty(JsonNode n) {
        if (n == null) {
            return "";
        }
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            return n.toString();
        }
    }

    /** Looks beside the lock directory for a record file, unless the user chose one. */
    public void suggestFor(Path dir) {
        if (dir == null || chosenByUser && file.get() != null) {
            return;
        }
        io.submit("looking for record files in " + dir, () -> findRecordFile(dir), found -> {
            if (found.isPresent()) {
                open(found.get(), false);
            } else if (!chosenByUser) {
                clear("No record file beside the locks of " + dir + ". Use \"Open record file…\" to choose one.");
            }
        }, err -> message.set(err.message()));
    }

    /** A {@code X.json} whose lock {@code X.json.lock} or claim exists, else the first {@code *.json}. */
    static Optional<Path> findRecordFile(Path dir) throws java.io.IOException {
        List<Path> json = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
            for (Path p : ds) {
                if (!p.getFileName().toString().startsWith(".") && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    json.add(p);
                }
            }
        }
        json.sort(null);
        for (Path p : json) {
            if (Files.exists(p.resolveSibling(p.getFileName() + LockFile.LOCK_SUFFIX), LinkOption.NOFOLLOW_LINKS)) {
                return Optional.of(p);
            }
        }
        return json.stream().findFirst();
    }

    /** Asks the user for a record file and opens it. */
    public void chooseFile() {
        dialogs.chooseRecordFile(file.get()).ifPresent(p -> open(p, true));
    }

    /** Opens {@code path}, dropping unsaved edits of the previous file. */
    public void open(Path path, boolean byUser) {
        chosenByUser = byUser;
        file.set(path.toAbsolutePath().normalize());
        reload();
    }

    private void clear(String why) {
        file.set(null);
        rows.clear();
        pending.clear();
        loaded = new LinkedHashMap<>();
        dirty.set(false);
        readOnly.set(true);
        message.set(why);
    }

    /** Reads the file again, dropping unsaved edits. */
    public void reload() {
        Path f = file.get();
        if (f == null) {
            return;
        }
        busy.set(true);
        io.submit("reading record file " + f, () -> gateway.load(f), l -> {
            busy.set(false);
            if (!f.equals(file.get())) {
                return;
            }
            pending.clear();
            loaded = new LinkedHashMap<>(l.records());
            loadedGeneration = l.generation();
            readOnly.set(false);
            rebuildRows();
            message.set(f + ": generation " + l.generation() + ", " + l.records().size() + " record(s)"
                    + (l.lastWriter().isEmpty() ? "" : ", last written by " + l.lastWriter()));
        }, err -> {
            busy.set(false);
            if (!f.equals(file.get())) {
                return;
            }
            // A corrupt or unknown file is never overwritten: show why and stay read-only.
            pending.clear();
            loaded = new LinkedHashMap<>();
            rebuildRows();
            readOnly.set(true);
            message.set("Read-only: " + err.message());
        });
    }

    /** Puts the editor's JSON into the selected record (not saved yet). */
    public void applyEdit() {
        if (!canApplyEdit.get()) {
            return;
        }
        RecordRow row = selected.get();
        JsonNode value;
        try {
            value = JSON.readTree(editorText.get());
        } catch (JsonProcessingException e) {
            validation.set(validate(editorText.get()));
            return;
        }
        pending.put(row.name(), value);
        rebuildRows();
        select(row.name());
    }

    /** Asks for a name and adds a record holding {} (not saved yet). */
    public void addRecord() {
        if (!canAdd.get()) {
            return;
        }
        Optional<String> name = dialogs.askText("Add record", "Name of the new record:");
        if (name.isEmpty() || name.get().isBlank()) {
            return;
        }
        String n = name.get().strip();
        if (current().containsKey(n)) {
            dialogs.showError("Add record", "A record named '" + n + "' already exists.");
            return;
        }
        pending.put(n, JSON.createObjectNode());
        rebuildRows();
        select(n);
    }

    /** Deletes the selected record (not saved yet). */
    public void deleteSelected() {
        if (!canDelete.get()) {
            return;
        }
        String n = selected.get().name();
        if (loaded.containsKey(n)) {
            pending.put(n, null);
        } else {
            pending.remove(n);
        }
        rebuildRows();
    }

    /** Saves the edits through the save path; a conflict asks whether to re-apply or reload. */
    public void save() {
        if (!canSave.get()) {
            return;
        }
        save(false);
    }

    private void save(boolean reapply) {
        Path f = file.get();
        Map<String, JsonNode> changes = new LinkedHashMap<>(pending);
        long expected = loadedGeneration;
        busy.set(true);
        message.set("Saving " + changes.size() + " change(s) to " + f + "…");
        io.submit("saving record file " + f, () -> gateway.save(f, expected, changes, reapply), outcome -> {
            busy.set(false);
            if (outcome.saved()) {
                message.set("Saved " + changes.size() + " change(s): " + f + " is now at generation "
                        + outcome.generation() + "." + (outcome.note() == null ? "" : " Note: " + outcome.note()));
                String sel = selected.get() == null ? null : selected.get().name();
                pending.clear();
                reloadKeepingSelection(sel);
                return;
            }
            String text = "The record file changed since it was loaded (you edited generation " + expected
                    + ", the file is now at generation " + outcome.generation() + ").\n" + outcome.note()
                    + "\n\nRe-apply your " + changes.size() + " change(s) on top of the newer file, or reload it"
                    + " and drop them?";
            switch (dialogs.resolveConflict(text)) {
                case REAPPLY -> save(true);
                case RELOAD -> reload();
                case CANCEL -> message.set("Not saved: the file changed on disk (generation " + outcome.generation()
                        + "). Your edits are kept; save again to choose.");
                default -> { }
            }
        }, err -> {
            busy.set(false);
            message.set("Not saved: " + err.message() + " The file on disk is unchanged; your edits are kept.");
        });
    }

    private void reloadKeepingSelection(String name) {
        Path f = file.get();
        busy.set(true);
        io.submit("reading record file " + f, () -> gateway.load(f), l -> {
            busy.set(false);
            loaded = new LinkedHashMap<>(l.records());
            loadedGeneration = l.generation();
            rebuildRows();
            if (name != null) {
                select(name);
            }
        }, err -> {
            busy.set(false);
            message.set(err.message());
        });
    }

    private Map<String, JsonNode> current() {
        Map<String, JsonNode> m = new LinkedHashMap<>(loaded);
        pending.forEach((k, v) -> {
            if (v == null) {
                m.remove(k);
            } else {
                m.put(k, v);
            }
        });
        return m;
    }

    private void rebuildRows() {
        List<RecordRow> out = new ArrayList<>();
        current().forEach((k, v) -> out.add(new RecordRow(k, v, pending.containsKey(k))));
        String sel = selected.get() == null ? null : selected.get().name();
        rows.setAll(out);
        dirty.set(!pending.isEmpty());
        selected.set(null);
        if (sel != null) {
            select(sel);
        }
    }

    /** Selects the record named {@code name}, if present. */
    public void select(String name) {
        rows.stream().filter(r -> r.name().equals(name)).findFirst().ifPresent(selected::set);
    }

    // ---- properties -------------------------------------------------------------------------

    public ReadOnlyObjectProperty<Path> fileProperty() {
        return file;
    }

    public ObservableList<RecordRow> rows() {
        return FXCollections.unmodifiableObservableList(rows);
    }

    /** The record the user selected (input). */
    public ObjectProperty<RecordRow> selectedProperty() {
        return selected;
    }

    /** The JSON in the editor (input). */
    public StringProperty editorTextProperty() {
        return editorText;
    }

    /** Empty when the editor holds valid JSON. */
    public ReadOnlyStringProperty validationProperty() {
        return validation;
    }

    public ReadOnlyStringProperty messageProperty() {
        return message;
    }

    public ReadOnlyBooleanProperty readOnlyProperty() {
        return readOnly;
    }

    public ReadOnlyBooleanProperty dirtyProperty() {
        return dirty;
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy;
    }

    public ObservableBooleanValue canApplyEditProperty() {
        return canApplyEdit;
    }

    public ObservableBooleanValue canDeleteProperty() {
        return canDelete;
    }

    public ObservableBooleanValue canSaveProperty() {
        return canSave;
    }

    public ObservableBooleanValue canAddProperty() {
        return canAdd;
    }

    /** The generation the edits are based on, or -1. */
    public long loadedGeneration() {
        return loadedGeneration;
    }
}
