package dev.lockscope.ui.main;

import dev.lockscope.ui.audit.AuditViewModel;
import dev.lockscope.ui.common.BackgroundIo;
import dev.lockscope.ui.common.DialogService;
import dev.lockscope.ui.common.Folders;
import dev.lockscope.ui.locks.HostCheckGateway;
import dev.lockscope.ui.locks.LocksViewModel;
import dev.lockscope.ui.records.RecordsViewModel;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * The main window: the list of opened lock directories (remembered between runs) and the tabs of the
 * selected one. FX thread only.
 */
public final class MainViewModel {

    private final BackgroundIo io;
    /** The settings file has one writer: saves run one at a time, in order, so the newest state is written last. */
    private final BackgroundIo settingsWriter;
    private final DialogService dialogs;
    /** Null: nothing is remembered (some tests). */
    private final SettingsStore settingsStore;
    private final Folders folders;
    private final HostCheckGateway hosts;
    private final LocksViewModel locks;
    private final AuditViewModel audit;
    private final RecordsViewModel records;
    private final ObservableList<Path> directories = FXCollections.observableArrayList();
    private final ObjectProperty<Path> selectedDirectory = new SimpleObjectProperty<>();
    private final StringProperty message = new SimpleStringProperty("");
    private final StringProperty title = new SimpleStringProperty("Lockscope Inspector");
    /** Directories shown but not remembered (the demo directory). */
    private final Set<Path> transientDirectories = new HashSet<>();
    /** The window state read from the settings, or given by {@link #rememberWindow}; null before either. */
    private WindowState window;

    /**
     * With the settings kept in {@code settingsFile} (null: nothing is remembered), this machine's folders and
     * ssh host checks.
     */
    public MainViewModel(BackgroundIo io, DialogService dialogs, Path settingsFile, LocksViewModel locks,
                         AuditViewModel audit, RecordsViewModel records) {
        this(io, dialogs, settingsFile == null ? null : new SettingsFile(settingsFile), Folders.desktop(),
                HostCheckGateway.ssh(), locks, audit, records);
    }

    /**
     * @param io           runs file-system work
     * @param dialogs      asks the user
     * @param settingsStore keeps the settings between runs; null: nothing is remembered
     * @param folders      checks the directories the operator opens
     * @param hosts        reads the ssh settings of the checks on owners' hosts
     */
    public MainViewModel(BackgroundIo io, DialogService dialogs, SettingsStore settingsStore, Folders folders,
                         HostCheckGateway hosts, LocksViewModel locks, AuditViewModel audit, RecordsViewModel records) {
        this.io = Objects.requireNonNull(io);
        this.folders = Objects.requireNonNull(folders);
        this.hosts = Objects.requireNonNull(hosts);
        this.settingsWriter = io.serial();
        this.dialogs = Objects.requireNonNull(dialogs);
        this.settingsStore = settingsStore;
        this.locks = locks;
        this.audit = audit;
        this.records = records;
        locks.setOnBreakFinished(r -> audit.reload());
        locks.setOnSettingsChanged(this::persist);
        // The audit tab follows .lockscope-audit/ through the table's own scans of the directory.
        locks.setOnSnapshot(snap -> audit.follow(LocksViewModel.auditDirectoryStamp(snap)));
        selectedDirectory.addListener((o, before, dir) -> {
            locks.open(dir);
            audit.open(dir);
            records.suggestFor(dir);
            title.set(dir == null ? "Lockscope Inspector" : "Lockscope Inspector — " + dir);
            if (dir != null && !transientDirectories.contains(dir)) {
                persist();
            }
        });
    }

    /**
     * Starts: opens {@code argument} if given; else the last directory used; else the directory made by
     * {@code demo} (which runs on an I/O thread and may start processes).
     */
    public void start(Path argument, Callable<Path> demo) {
        io.submit("reading settings " + settingsStore, () -> settingsStore == null ? InspectorSettings.empty()
                : settingsStore.load(), settings -> {
                    applyLocktimeouts(settings);
                    loadedSettings = settings;
                    configureHostChecks(settings);
                    if (window == null) {
                        window = settings.window();
                    }
                    for (String d : settings.directories()) {
                        Path p = Path.of(d);
                        if (!directories.contains(p)) {
                            directories.add(p);
                        }
                    }
                    if (argument != null) {
                        add(argument);
                    } else if (settings.lastDirectory() != null) {
                        openLastOrDemo(Path.of(settings.lastDirectory()), demo);
                    } else {
                        openDemo(demo);
                    }
                }, err -> {
                    message.set(err.message());
                    configureHostChecks(InspectorSettings.empty());
                    if (argument != null) {
                        add(argument);
                    } else {
                        openDemo(demo, err.message() + " ");
                    }
                });
    }

    // --- checks on owners' hosts (issue 15): the allow-list and auto-check age come from the settings ---
    private InspectorSettings loadedSettings = InspectorSettings.empty();

    /**
     * "Hosts to ask…": edits the inspector's allow-list of hosts it may ask over ssh about lock owners, and
     * remembers it in the settings.
     */
    public void editAskHosts() {
        String now = loadedSettings.askHosts().isEmpty() ? "none" : String.join(", ", loadedSettings.askHosts());
        java.util.Optional<String> text = dialogs.askText("Hosts to ask over ssh", "Host patterns the inspector may"
                + " ask about lock owners (comma-separated; * and ? match; empty: none). Now: " + now);
        if (text.isEmpty()) {
            return;
        }
        dev.lockscope.probe.AskHostsAllowList parsed = dev.lockscope.probe.AskHostsAllowList.parse(text.get());
        if (!parsed.rejected().isEmpty()) {
            message.set("Not host patterns (nothing changed): " + String.join(", ", parsed.rejected()));
            return;
        }
        loadedSettings = new InspectorSettings(loadedSettings.directories(), loadedSettings.lastDirectory(),
                loadedSettings.procmailLocktimeoutSeconds(), parsed.patterns(), loadedSettings.autoCheckHeldAfterMinutes(),
                loadedSettings.window());
        configureHostChecks(loadedSettings);
        persist();
        message.set(parsed.isEmpty() ? "No hosts will be asked." : "Hosts to ask: " + parsed);
    }

    private void configureHostChecks(InspectorSettings settings) {
        java.time.Duration auto = settings.autoCheckHeldAfterMinutes() == null ? null
                : java.time.Duration.ofMinutes(settings.autoCheckHeldAfterMinutes());
        io.submit("reading the ssh settings", () -> hosts.checkerFor(
                        dev.lockscope.probe.AskHostsAllowList.of(settings.askHosts())),
                checker -> locks.configureHostChecks(checker, auto), err -> message.set(err.message()));
    }

    private void openLastOrDemo(Path last, Callable<Path> demo) {
        io.submit("checking " + last, () -> folders.isDirectory(last), exists -> {
            if (exists) {
                if (!directories.contains(last)) {
                    directories.add(last);
                }
                selectedDirectory.set(last);
            } else {
                openDemo(demo, "The last directory used, " + last + ", is gone; showing the demo directory. ");
            }
        }, err -> openDemo(demo, err.message() + " "));
    }

    private void openDemo(Callable<Path> demo) {
        openDemo(demo, "");
    }

    /** Creates and shows the demo directory; {@code note} (why the demo is shown) stays in front of the message. */
    private void openDemo(Callable<Path> demo, String note) {
        if (demo == null) {
            return;
        }
        message.set(note + "Starting the demo directory (live holders, a dead lock and an expired lock)…");
        io.submit("creating the demo directory", java.time.Duration.ofSeconds(90), demo, dir -> {
            transientDirectories.add(dir);
            directories.add(dir);
            selectedDirectory.set(dir);
            message.set(note + "Demo directory " + dir + ": its holders stop when the inspector closes.");
        }, err -> message.set(note + "Could not create the demo directory: " + err.message()));
    }

    /** Asks for a directory and opens it. */
    public void addDirectory() {
        Path initial = selectedDirectory.get();
        dialogs.chooseDirectory(initial).ifPresent(this::add);
    }

    /** Opens {@code dir} after checking, off the FX thread, that it is a directory. */
    public void add(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        io.submit("opening " + abs, () -> {
            folders.requireDirectory(abs);
            return abs;
        }, ok -> {
            if (!directories.contains(ok)) {
                directories.add(ok);
            }
            message.set("");
            selectedDirectory.set(ok);
            persist();
        }, err -> {
            message.set(err.message());
            dialogs.showError("Cannot open directory", err.message());
        });
    }

    /** Removes the selected directory from the list (nothing on disk is touched). */
    public void removeSelectedDirectory() {
        Path dir = selectedDirectory.get();
        if (dir == null) {
            return;
        }
        int i = directories.indexOf(dir);
        directories.remove(dir);
        transientDirectories.remove(dir);
        selectedDirectory.set(directories.isEmpty() ? null : directories.get(Math.max(0, i - 1)));
        persist();
    }

    /** procmail's saved locktimeouts, per directory; a value out of range is skipped (and dropped at the next save). */
    private static void applyLocktimeouts(InspectorSettings settings) {
        settings.procmailLocktimeoutSeconds().forEach((dir, seconds) -> {
            try {
                dev.lockscope.formats.ForeignSettings.setProcmailLocktimeout(Path.of(dir),
                        seconds == null ? null : java.time.Duration.ofSeconds(seconds));
            } catch (IllegalArgumentException e) {
                // a hand-edited value out of range: procmail locks there are judged by age only
            }
        });
    }


    /**
     * Remembers where the window is and how it is divided (it is closing) and saves the settings.
     *
     * @return completes when the save has ended, whichever way
     */
    public CompletableFuture<?> rememberWindow(WindowState state) {
        window = state;
        return persist();
    }

    private CompletableFuture<?> persist() {
        if (settingsStore == null) {
            return CompletableFuture.completedFuture(null);
        }
        List<String> dirs = directories.stream().filter(d -> !transientDirectories.contains(d))
                .map(Path::toString).toList();
        Path sel = selectedDirectory.get();
        java.util.Map<String, Long> locktimeouts = new java.util.TreeMap<>();
        dev.lockscope.formats.ForeignSettings.procmailLocktimeouts()
                .forEach((d, t) -> locktimeouts.put(d.toString(), t.toSeconds()));
        InspectorSettings s = new InspectorSettings(dirs,
                sel == null || transientDirectories.contains(sel) ? null : sel.toString(), locktimeouts,
                loadedSettings.askHosts(), loadedSettings.autoCheckHeldAfterMinutes(), window);
        return settingsWriter.submit("saving settings " + settingsStore, () -> {
            settingsStore.save(s);
            return s;
        }, ok -> { }, err -> message.set(err.message())).finished();
    }

    /** Hides the message (the operator has read it). */
    public void dismissMessage() {
        message.set("");
    }

    /** Refreshes what the current tab shows. */
    public void refresh() {
        locks.refresh();
        audit.reload();
    }

    /** The text of the about box. */
    public String aboutText() {
        String v = MainViewModel.class.getPackage().getImplementationVersion();
        return "Lockscope Inspector " + (v == null ? "(development build)" : v) + "\n\n"
                + "Watches lock directories, shows who holds each link(2) lock and whether it is stale,\n"
                + "breaks stale locks safely (guard, re-check, rename, verify, audit),\n"
                + "and edits shared record files through the locked save path.\n\n"
                + "Java " + System.getProperty("java.version") + ", JavaFX " + System.getProperty("javafx.version", "?");
    }

    public void showAbout() {
        dialogs.showAbout(aboutText());
    }

    public ObservableList<Path> directories() {
        return FXCollections.unmodifiableObservableList(directories);
    }

    /** The directory shown (input: the list selection). */
    public ObjectProperty<Path> selectedDirectoryProperty() {
        return selectedDirectory;
    }

    public ReadOnlyStringProperty messageProperty() {
        return message;
    }

    public ReadOnlyStringProperty titleProperty() {
        return title;
    }

    public LocksViewModel locks() {
        return locks;
    }

    public AuditViewModel audit() {
        return audit;
    }

    public RecordsViewModel records() {
        return records;
    }
}
