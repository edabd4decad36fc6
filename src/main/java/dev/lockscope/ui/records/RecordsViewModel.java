package dev.lockscope.ui.records;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.record.RecordFormat;
import dev.lockscope.record.RecordMerge;
import dev.lockscope.ui.common.BackgroundIo;
import dev.lockscope.ui.common.DialogService;
import dev.lockscope.ui.common.Folders;
import dev.lockscope.ui.common.JsonInput;
import dev.lockscope.ui.common.RecordConflicts;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.beans.value.ObservableBooleanValue;
import javafx.beans.value.ObservableStringValue;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The records tab: follow a record file live, edit values as strictly validated JSON (the store's own
 * codec: numbers keep their text), add, delete, revert and undo pending changes, and save through the
 * store's merging save path, asking per record when a record was also changed on disk.
 * FX thread only; all file access goes through {@link BackgroundIo} and the {@link RecordFileGateway}.
 *
 * <p>The edits rest on a base: the generation loaded when editing began. While changes are pending, a
 * newer generation on disk updates the rows nobody edited and marks edited rows whose record changed on
 * disk; the base stays, so that Save can tell, per record, who changed what (see {@link RecordMerge}).
 */
public final class RecordsViewModel {

    /** The record file opened by default: the one beside the locks (see README). */
    public static final String DEFAULT_FILE_NAME = "records.json";

    private final BackgroundIo io;
    private final DialogService dialogs;
    private final RecordFileGateway gateway;
    private final Folders folders;

    private final ObjectProperty<Path> file = new SimpleObjectProperty<>();
    private final ObservableList<RecordRow> rows = FXCollections.observableArrayList();
    private final ObjectProperty<RecordRow> selected = new SimpleObjectProperty<>();
    private final StringProperty editorText = new SimpleStringProperty("");
    private final StringProperty validation = new SimpleStringProperty("");
    private final StringProperty message = new SimpleStringProperty("No record file open.");
    private final StringProperty lockHolder = new SimpleStringProperty("");
    private final BooleanProperty readOnly = new SimpleBooleanProperty(true);
    private final BooleanProperty busy = new SimpleBooleanProperty(false);
    private final IntegerProperty pendingCount = new SimpleIntegerProperty(0);
    private final IntegerProperty undoDepth = new SimpleIntegerProperty(0);
    private final BooleanBinding dirty;
    private final BooleanBinding canApplyEdit;
    private final BooleanBinding canDelete;
    private final BooleanBinding canRevert;
    private final BooleanBinding canUndo;
    private final BooleanBinding canSave;
    private final BooleanBinding canAdd;
    private final javafx.beans.binding.StringBinding saveText;

    /** The generation the pending changes were made to (null when no file is loaded). */
    private RecordFileGateway.Loaded base;
    /** The newest generation seen on disk (the base itself when nothing newer was seen). */
    private RecordFileGateway.Loaded disk;
    /** Changes not yet saved: name to new value, null for a deletion. */
    private final Map<String, JsonNode> pending = new LinkedHashMap<>();
    /** Earlier states of {@link #pending}, newest first, for undo. */
    private final Deque<Map<String, JsonNode>> undo = new ArrayDeque<>();
    private boolean chosenByUser;
    /** The lock directory shown (where the chooser starts and where records.json is looked for). */
    private Path directory;
    /** records.json of the directory, followed while it does not exist or is not a record file. */
    private Path awaited;
    /** The running watch (of the open file, or of the awaited one). */
    private Following following;

    public RecordsViewModel(BackgroundIo io, DialogService dialogs, RecordFileGateway gateway) {
        this(io, dialogs, gateway, Folders.desktop());
    }

    /** As above, with {@code folders} checking the file chooser's starting directory. */
    public RecordsViewModel(BackgroundIo io, DialogService dialogs, RecordFileGateway gateway, Folders folders) {
        this.folders = Objects.requireNonNull(folders);
        this.io = Objects.requireNonNull(io);
        this.dialogs = Objects.requireNonNull(dialogs);
        this.gateway = Objects.requireNonNull(gateway);
        selected.addListener((o, before, row) -> {
            // A refresh that re-selects the same record keeps what the operator is typing.
            boolean typing = before != null && row != null && before.name().equals(row.name())
                    && !editorText.get().equals(pretty(before.value()));
            if (!typing) {
                editorText.set(row == null ? "" : pretty(row.value()));
            }
        });
        editorText.addListener((o, a, text) -> validation.set(validate(text)));
        dirty = pendingCount.greaterThan(0);
        canApplyEdit = Bindings.createBooleanBinding(() -> selected.get() != null && !readOnly.get() && !busy.get()
                && validation.get().isEmpty() && (selected.get().change() == RecordRow.Change.DELETED
                || !editorText.get().equals(pretty(selected.get().value()))),
                selected, readOnly, busy, validation, editorText);
        canDelete = Bindings.createBooleanBinding(() -> selected.get() != null && !readOnly.get() && !busy.get()
                && selected.get().change() != RecordRow.Change.DELETED, selected, readOnly, busy);
        canRevert = Bindings.createBooleanBinding(() -> selected.get() != null && selected.get().pending()
                && !busy.get(), selected, busy);
        canUndo = Bindings.createBooleanBinding(() -> undoDepth.get() > 0 && !busy.get(), undoDepth, busy);
        canSave = Bindings.createBooleanBinding(() -> dirty.get() && !readOnly.get() && !busy.get(),
                dirty, readOnly, busy);
        canAdd = Bindings.createBooleanBinding(() -> file.get() != null && !readOnly.get() && !busy.get(),
                file, readOnly, busy);
        saveText = Bindings.createStringBinding(() -> pendingCount.get() == 0 ? "Save"
                : "Save " + pendingCount.get() + (pendingCount.get() == 1 ? " change" : " changes"), pendingCount);
    }

    // ---- the one JSON path ---------------------------------------------------------------------

    /**
     * Empty when {@code text} is one JSON value as the store and the CLI accept it (no duplicate keys, no
     * trailing content); else the problem with its line and column.
     */
    static String validate(String text) {
        return JsonInput.problem(text);
    }

    /** The editor's text for a value: the store's own pretty form, numbers exactly as stored. */
    static String pretty(JsonNode n) {
        return n == null ? "" : RecordFormat.toJson(n, true);
    }

    // ---- which file ----------------------------------------------------------------------------

    /**
     * The lock directory shown changed: open its {@value #DEFAULT_FILE_NAME}, unless the operator chose a
     * file or has unsaved edits. Nothing else is opened automatically; a missing records.json is followed
     * and opened when it appears.
     */
    public void suggestFor(Path dir) {
        directory = dir == null ? null : dir.toAbsolutePath().normalize();
        if (directory == null) {
            return;
        }
        if (chosenByUser && file.get() != null) {
            return;
        }
        if (dirty.get()) {
            message.set(file.get() + " stays open: it has unsaved changes.");
            return;
        }
        Path def = directory.resolve(DEFAULT_FILE_NAME);
        clear("Looking for " + def + "…");
        awaited = def;
        follow(def);
        checkAwaited(def);
    }

    /** Opens the awaited records.json if it is now a readable record file. */
    private void checkAwaited(Path def) {
        io.submit("reading record file " + def, () -> gateway.load(def), l -> {
            if (!def.equals(awaited) || file.get() != null) {
                return;
            }
            if (l.generation() == 0) {
                message.set("No " + DEFAULT_FILE_NAME + " in " + def.getParent() + " yet: it opens here when it"
                        + " appears. Use \"Open record file…\" for another file.");
            } else {
                open(def, false);
            }
        }, err -> {
            if (def.equals(awaited) && file.get() == null) {
                message.set("Not opened: " + err.message() + " Use \"Open record file…\" to view another file.");
            }
        });
    }

    /** Asks the operator for a record file, starting in the lock directory, and opens it. */
    public void chooseFile() {
        Path start = directory != null ? directory : file.get() == null ? null : file.get().getParent();
        if (start == null) {
            dialogs.chooseRecordFile(null).ifPresent(p -> open(p, true));
            return;
        }
        // The chooser must not be pointed at a directory that is gone; checking is file-system work.
        io.submit("checking " + start, () -> folders.isDirectory(start), exists ->
                dialogs.chooseRecordFile(exists ? start : null).ifPresent(p -> open(p, true)),
                err -> dialogs.chooseRecordFile(null).ifPresent(p -> open(p, true)));
    }

    /** Opens {@code path}, dropping unsaved changes to the previous file. */
    public void open(Path path, boolean byUser) {
        chosenByUser = byUser;
        awaited = null;
        Path f = path.toAbsolutePath().normalize();
        boolean same = f.equals(file.get());
        if (!same) {
            // Never show one file's records under another file's name, even while the new one loads.
            clear("Reading " + f + "…");
        }
        file.set(f);
        if (!same || following == null) {
            follow(f);
        }
        reload();
    }

    private void clear(String why) {
        file.set(null);
        base = null;
        disk = null;
        pending.clear();
        undo.clear();
        rows.clear();
        lockHolder.set("");
        changed();
        readOnly.set(true);
        message.set(why);
    }

    // ---- reading and following -----------------------------------------------------------------

    /** Reads the file again, dropping unsaved changes. */
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
            undo.clear();
            showLoaded(l);
            message.set(f + ": generation " + l.generation() + ", " + l.records().size() + " record(s)"
                    + (l.lastWriter().isEmpty() ? "" : ", last written by " + l.lastWriter()));
        }, err -> {
            busy.set(false);
            if (!f.equals(file.get())) {
                return;
            }
            // A corrupt or unknown file is never overwritten: show why and stay read-only.
            pending.clear();
            undo.clear();
            base = null;
            disk = null;
            rebuildRows();
            readOnly.set(true);
            message.set("Read-only: " + err.message());
        });
    }

    /** After a save: the file as it is now, keeping the selection; nothing if another file was opened meanwhile. */
    private void reloadKeepingSelection(Path f, String after) {
        busy.set(true);
        io.submit("reading record file " + f, () -> gateway.load(f), l -> {
            busy.set(false);
            if (!f.equals(file.get())) {
                return;
            }
            showLoaded(l);
            message.set(after);
        }, err -> {
            busy.set(false);
            if (f.equals(file.get())) {
                message.set(after + " Reading it back failed: " + err.message());
            }
        });
    }

    private void showLoaded(RecordFileGateway.Loaded l) {
        disk = l;
        if (pending.isEmpty()) {
            base = l;
            undo.clear();
        }
        readOnly.set(false);
        rebuildRows();
    }

    /** A watch of {@code watched} and what it has asked for; the watcher thread touches only its atomics. */
    private final class Following {
        final Path watched;
        final AtomicBoolean loading = new AtomicBoolean();
        final AtomicBoolean loadAgain = new AtomicBoolean();
        volatile boolean stopped;
        RecordFileGateway.Watch watch;

        Following(Path watched) {
            this.watched = watched;
        }

        /** Watcher thread: hands the change to background I/O; never more than one read in flight. */
        void changed(Set<RecordFileGateway.Change> what) {
            if (stopped) {
                return;
            }
            if (what.contains(RecordFileGateway.Change.RECORDS)) {
                requestLoad();
            }
            if (what.contains(RecordFileGateway.Change.LOCK)) {
                io.submit("reading the lock of " + watched, () -> gateway.lockHolder(watched),
                        holder -> {
                            if (!stopped && watched.equals(file.get())) {
                                lockHolder.set(holder);
                            }
                        }, err -> {
                            if (!stopped && watched.equals(file.get())) {
                                lockHolder.set("The lock of " + watched.getFileName() + " cannot be read: " + err.message());
                            }
                        });
            }
        }

        void requestLoad() {
            if (!loading.compareAndSet(false, true)) {
                loadAgain.set(true);
                return;
            }
            io.submit("reading record file " + watched, () -> gateway.load(watched), l -> {
                finished();
                if (!stopped) {
                    onDiskRead(watched, l);
                }
            }, err -> {
                finished();
                if (!stopped) {
                    onDiskUnreadable(watched, err.message());
                }
            });
        }

        private void finished() {
            loading.set(false);
            if (loadAgain.getAndSet(false)) {
                requestLoad();
            }
        }

        void stop() {
            stopped = true;
            closeInBackground(watch);
            watch = null;
        }

        /** FX thread: the watch started; keep it, or close it at once when this was stopped meanwhile. */
        void started(RecordFileGateway.Watch w) {
            if (stopped) {
                closeInBackground(w);
            } else {
                watch = w;
            }
        }

        private void closeInBackground(RecordFileGateway.Watch w) {
            if (w != null) {
                io.submit("stopping the watch of " + watched, () -> {
                    w.close();
                    return true;
                }, ok -> { }, err -> { });
            }
        }
    }

    /** Follows {@code f} (the open file, or the awaited records.json) instead of what was followed. */
    private void follow(Path f) {
        if (following != null) {
            following.stop();
        }
        Following fw = new Following(f);
        following = fw;
        io.submit("watching " + f, () -> gateway.watch(f, fw::changed), fw::started, err -> {
            if (!fw.stopped && f.equals(file.get())) {
                message.set(message.get() + " (Not following changes on disk: " + err.message() + " Use Reload.)");
            }
        });
    }

    /** A generation read because the file changed on disk. */
    private void onDiskRead(Path f, RecordFileGateway.Loaded l) {
        if (f.equals(awaited) && file.get() == null) {
            if (l.generation() > 0) {
                open(f, false);
            }
            return;
        }
        if (!f.equals(file.get()) || busy.get()) {
            return;
        }
        if (base == null) {
            // It was unreadable; now it reads.
            reload();
            return;
        }
        if (disk != null && disk.generation() == l.generation()
                && RecordFormat.sameRecords(disk.records(), l.records())) {
            return;
        }
        showLoaded(l);
        long marked = rows.stream().filter(RecordRow::changedOnDisk).count();
        message.set(f + ": generation " + l.generation() + " on disk"
                + (l.lastWriter().isEmpty() ? "" : ", written by " + l.lastWriter())
                + (marked == 0 ? "" : "; " + marked + " of your edited record(s) changed on disk too: Save will ask"));
    }

    private void onDiskUnreadable(Path f, String err) {
        if (f.equals(awaited) && file.get() == null) {
            message.set("Not opened: " + err);
            return;
        }
        if (f.equals(file.get())) {
            message.set("The file on disk cannot be read now (" + err + "); the table shows generation "
                    + (disk == null ? "?" : disk.generation()) + " as last read.");
        }
    }

    // ---- editing -------------------------------------------------------------------------------

    /** Puts the editor's JSON into the selected record (not saved yet). */
    public void applyEdit() {
        if (!canApplyEdit.get()) {
            return;
        }
        RecordRow row = selected.get();
        JsonNode value;
        try {
            value = RecordFormat.parseValue(editorText.get());
        } catch (JsonProcessingException e) {
            validation.set(validate(editorText.get()));
            return;
        }
        remember();
        if (RecordFormat.sameValue(base.records().get(row.name()), value)) {
            pending.remove(row.name());
        } else {
            pending.put(row.name(), value);
        }
        changed();
        rebuildRows();
        select(row.name());
        // The editor now shows the value as it will be saved (the store's form, exact numbers).
        editorText.set(selected.get() == null ? "" : pretty(selected.get().value()));
    }

    /** Asks for a name (checked by the store's rule) and adds a record holding {} (not saved yet). */
    public void addRecord() {
        if (!canAdd.get()) {
            return;
        }
        Optional<String> name = dialogs.askText("Add record", "Name of the new record:");
        if (name.isEmpty() || name.get().isEmpty()) {
            return;
        }
        String n = name.get();
        String problem = RecordFormat.nameProblem(n);
        if (problem != null) {
            dialogs.showError("Add record", "'" + n + "' cannot be a record name: " + problem + ".");
            return;
        }
        if (current().containsKey(n)) {
            dialogs.showError("Add record", "A record named '" + n + "' already exists.");
            return;
        }
        remember();
        pending.put(n, RecordFormat.mapper().createObjectNode());
        changed();
        rebuildRows();
        select(n);
    }

    /** Marks the selected record for deletion (shown struck through until Save). */
    public void deleteSelected() {
        if (!canDelete.get()) {
            return;
        }
        String n = selected.get().name();
        remember();
        if (base.records().containsKey(n)) {
            pending.put(n, null);
        } else {
            pending.remove(n);
        }
        changed();
        rebuildRows();
        select(n);
    }

    /** Drops the selected record's pending change. */
    public void revertSelected() {
        if (!canRevert.get()) {
            return;
        }
        String n = selected.get().name();
        remember();
        pending.remove(n);
        changed();
        rebuildRows();
        select(n);
    }

    /** Undoes the last pending change (edit, add, delete or revert), one at a time. */
    public void undo() {
        if (!canUndo.get()) {
            return;
        }
        String sel = selected.get() == null ? null : selected.get().name();
        pending.clear();
        pending.putAll(undo.pop());
        changed();
        rebuildRows();
        if (sel != null) {
            select(sel);
        }
    }

    private void remember() {
        undo.push(new LinkedHashMap<>(pending));
    }

    private void changed() {
        pendingCount.set(pending.size());
        undoDepth.set(undo.size());
    }

    // ---- saving --------------------------------------------------------------------------------

    /**
     * Saves the pending changes through the merging save path: changes others made meanwhile to other
     * records are kept; records changed on both sides are put to the operator, who must settle every one
     * before anything is written.
     */
    public void save() {
        if (!canSave.get()) {
            return;
        }
        int changes = pending.size();
        save(file.get(), base, RecordMerge.withChanges(base.records(), pending), changes, new TreeSet<>());
    }

    private void save(Path f, RecordFileGateway.Loaded from, Map<String, JsonNode> mine, int changes,
                      Set<String> theirsMergedSoFar) {
        busy.set(true);
        message.set("Saving " + changes + (changes == 1 ? " change" : " changes") + " to " + f + "…");
        io.submit("saving record file " + f, () -> gateway.save(f, from, mine), outcome -> {
            busy.set(false);
            if (!f.equals(file.get())) {
                return;
            }
            Set<String> theirsMerged = new TreeSet<>(theirsMergedSoFar);
            theirsMerged.addAll(outcome.merge().theirsKept());
            if (outcome.saved()) {
                pending.clear();
                undo.clear();
                changed();
                String done = "Saved " + changes + (changes == 1 ? " change" : " changes") + ": " + f
                        + " is now at generation " + outcome.generation() + "."
                        + (theirsMerged.isEmpty() ? "" : " Merged " + theirsMerged.size() + " change"
                        + (theirsMerged.size() == 1 ? "" : "s") + " made by others meanwhile ("
                        + abbreviate(theirsMerged) + ").")
                        + (outcome.warning() == null ? "" : " Note: " + outcome.warning());
                reloadKeepingSelection(f, done);
                return;
            }
            resolve(f, from, outcome, changes, theirsMerged);
        }, err -> {
            busy.set(false);
            message.set("Not saved: " + err.message() + " The file on disk is unchanged; your changes are kept.");
        });
    }

    /** Records changed on both sides: ask, then save the settled records on top of theirs. */
    private void resolve(Path f, RecordFileGateway.Loaded from, RecordFileGateway.SaveOutcome outcome, int changes,
                         Set<String> theirsMerged) {
        RecordFileGateway.Loaded theirs = outcome.theirs();
        RecordMerge.Outcome merge = outcome.merge();
        // Show what is on disk now, with the conflicting records marked, behind the question.
        disk = theirs;
        rebuildRows();
        message.set(merge.conflicts().size() + (merge.conflicts().size() == 1 ? " record was" : " records were")
                + " changed both by you and on disk (" + abbreviate(merge.conflictNames()) + "): nothing is written"
                + " until you choose.");
        RecordConflicts question = new RecordConflicts(f, from.generation(), theirs.generation(), theirs.lastWriter(),
                merge.conflicts(), theirsMerged.size(), merge.mineApplied().size());
        Optional<Map<String, RecordConflicts.Resolution>> answer = dialogs.resolveRecordConflicts(question);
        List<String> names = merge.conflictNames();
        if (answer.isEmpty() || !answer.get().keySet().containsAll(names)) {
            message.set("Not saved: " + names.size() + (names.size() == 1 ? " record was" : " records were")
                    + " also changed on disk (" + abbreviate(names) + "). Nothing was written; your changes are kept"
                    + " and marked \"changed on disk\". Save again to choose.");
            return;
        }
        // The new base is theirs; mine is theirs with my one-sided changes and the operator's choices.
        TreeMap<String, JsonNode> mine = new TreeMap<>(merge.merged());
        for (RecordMerge.Conflict c : merge.conflicts()) {
            JsonNode v = answer.get().get(c.name()).value();
            if (v == null) {
                mine.remove(c.name());
            } else {
                mine.put(c.name(), v);
            }
        }
        base = theirs;
        pending.clear();
        undo.clear();
        Set<String> all = new TreeSet<>(theirs.records().keySet());
        all.addAll(mine.keySet());
        for (String n : all) {
            if (!RecordFormat.sameValue(theirs.records().get(n), mine.get(n))) {
                pending.put(n, mine.get(n));
            }
        }
        changed();
        rebuildRows();
        save(f, theirs, mine, pending.size(), theirsMerged);
    }

    private static String abbreviate(java.util.Collection<String> names) {
        List<String> l = new ArrayList<>(names);
        return l.size() <= 5 ? String.join(", ", l)
                : String.join(", ", l.subList(0, 5)) + " and " + (l.size() - 5) + " more";
    }

    // ---- rows ----------------------------------------------------------------------------------

    /** The records as the operator will save them: disk for untouched records, pending changes on top. */
    private Map<String, JsonNode> current() {
        Map<String, JsonNode> m = new TreeMap<>(disk == null ? Map.of() : disk.records());
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
        Map<String, JsonNode> onDisk = disk == null ? Map.of() : disk.records();
        Map<String, JsonNode> baseRecords = base == null ? Map.of() : base.records();
        Set<String> names = new TreeSet<>(onDisk.keySet());
        names.addAll(pending.keySet());
        List<RecordRow> out = new ArrayList<>();
        for (String n : names) {
            if (!pending.containsKey(n)) {
                out.add(new RecordRow(n, onDisk.get(n), RecordRow.Change.NONE, false));
                continue;
            }
            JsonNode was = baseRecords.get(n);
            boolean changedOnDisk = !RecordFormat.sameValue(was, onDisk.get(n));
            JsonNode v = pending.get(n);
            if (v == null) {
                out.add(new RecordRow(n, was, RecordRow.Change.DELETED, changedOnDisk));
            } else {
                out.add(new RecordRow(n, v, was == null ? RecordRow.Change.ADDED : RecordRow.Change.EDITED,
                        changedOnDisk));
            }
        }
        String sel = selected.get() == null ? null : selected.get().name();
        rows.setAll(out);
        RecordRow again = sel == null ? null : out.stream().filter(r -> r.name().equals(sel)).findFirst().orElse(null);
        selected.set(again);
    }

    /** Selects the record named {@code name}, if present. */
    public void select(String name) {
        rows.stream().filter(r -> r.name().equals(name)).findFirst().ifPresent(selected::set);
    }

    /** Stops following the file (the window is closing). */
    public void close() {
        if (following != null) {
            following.stop();
            following = null;
        }
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

    /** Who holds the record file's lock, with the verdict; empty when nobody does. */
    public ReadOnlyStringProperty lockHolderProperty() {
        return lockHolder;
    }

    public ReadOnlyBooleanProperty readOnlyProperty() {
        return readOnly;
    }

    public ObservableBooleanValue dirtyProperty() {
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

    public ObservableBooleanValue canRevertProperty() {
        return canRevert;
    }

    public ObservableBooleanValue canUndoProperty() {
        return canUndo;
    }

    public ObservableBooleanValue canSaveProperty() {
        return canSave;
    }

    public ObservableBooleanValue canAddProperty() {
        return canAdd;
    }

    /** "Save", or "Save 3 changes": what the Save button will write. */
    public ObservableStringValue saveTextProperty() {
        return saveText;
    }

    /** The generation the edits are based on, or -1. */
    public long loadedGeneration() {
        return base == null ? -1 : base.generation();
    }

    /** The newest generation seen on disk, or -1. */
    public long diskGeneration() {
        return disk == null ? -1 : disk.generation();
    }
}
