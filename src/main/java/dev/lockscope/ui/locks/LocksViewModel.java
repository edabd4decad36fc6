package dev.lockscope.ui.locks;

import dev.lockscope.formats.ForeignLock;
import dev.lockscope.formats.ForeignSettings;
import dev.lockscope.formats.ForeignVerdict;
import dev.lockscope.lock.BreakResult;
import dev.lockscope.lock.FileFacts;
import dev.lockscope.lock.LockOwner;
import dev.lockscope.lock.LockClock;
import dev.lockscope.lock.LockState;
import dev.lockscope.lock.Verdict;
import dev.lockscope.scan.DirectorySnapshot;
import dev.lockscope.scan.EntryKind;
import dev.lockscope.scan.EntryState;
import dev.lockscope.scan.ScanEntry;
import dev.lockscope.scan.ScanListener;
import dev.lockscope.scan.SnapshotDiff;
import dev.lockscope.ui.common.BackgroundIo;
import dev.lockscope.ui.common.BreakConfirmation;
import dev.lockscope.ui.common.BulkBreakSummary;
import dev.lockscope.ui.common.DialogService;
import dev.lockscope.ui.common.Folders;
import dev.lockscope.text.Durations;
import dev.lockscope.ui.common.Times;
import dev.lockscope.text.Printable;
import dev.lockscope.formats.ForeignLock;
import dev.lockscope.ui.common.IoFailure;
import dev.lockscope.ui.common.MessageLevel;
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
import javafx.collections.transformation.FilteredList;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The lock table of one directory: rows, filter, selection, details, status bar and the break command.
 * FX thread only; all file-system work goes through {@link BackgroundIo} or the scanner's own thread.
 */
public final class LocksViewModel {

    /** At most this many raw bytes are shown in the details pane. */
    public static final int RAW_SHOWN = 1024;

    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(ZoneId.systemDefault());

    private final LockClock clock;
    private final BackgroundIo io;
    private final Executor ui;
    private final DialogService dialogs;
    private final DirectorySource source;
    private final LockActions actions;
    private final Folders folders;

    private final ObjectProperty<Path> directory = new SimpleObjectProperty<>();
    private final ObservableList<LockRowViewModel> rows = FXCollections.observableArrayList();
    private final FilteredList<LockRowViewModel> visibleRows = new FilteredList<>(rows);
    private final StringProperty filterText = new SimpleStringProperty("");
    private final BooleanProperty showAllEntries = new SimpleBooleanProperty(false);
    private final ObjectProperty<EntryState> stateFilter = new SimpleObjectProperty<>();
    private final StringProperty shownText = new SimpleStringProperty("");
    private java.util.function.Predicate<LockRowViewModel> baseFilter = r -> true;
    private final ObjectProperty<LockRowViewModel> selected = new SimpleObjectProperty<>();
    private final StringProperty details = new SimpleStringProperty("");
    private final StringProperty rawBytes = new SimpleStringProperty("");
    private final BooleanProperty breaking = new SimpleBooleanProperty(false);
    private final StringProperty errorMessage = new SimpleStringProperty("");
    private final StringProperty actionMessage = new SimpleStringProperty("");
    private final ObjectProperty<BreakResult.Outcome> lastOutcome = new SimpleObjectProperty<>();
    private final ObjectProperty<MessageLevel> actionLevel = new SimpleObjectProperty<>(MessageLevel.INFO);
    private final StringProperty watchModeText = new SimpleStringProperty("not watching");
    private final StringProperty lastRefreshText = new SimpleStringProperty("");
    private final StringProperty skewText = new SimpleStringProperty("");
    private final StringProperty countsText = new SimpleStringProperty("");
    private final BooleanBinding canBreak;
    private final ObservableList<LockRowViewModel> selectedRows = FXCollections.observableArrayList();
    private final javafx.beans.binding.IntegerBinding staleSelectedCount;
    private final BooleanProperty bulkRunning = new SimpleBooleanProperty(false);
    private final javafx.beans.property.DoubleProperty bulkProgress = new javafx.beans.property.SimpleDoubleProperty(0);
    private final StringProperty bulkProgressText = new SimpleStringProperty("");
    private java.util.concurrent.atomic.AtomicBoolean bulkCancel = new java.util.concurrent.atomic.AtomicBoolean();
    private final BooleanBinding canForceBreak;
    // --- checks on owners' hosts (issue 15): LockHostChecks does the work ---
    private final LockHostChecks hostChecks;
    private final BooleanBinding canCheckOnHost;

    private DirectorySource.Subscription subscription;
    private DirectorySnapshot lastSnapshot;
    private long lastArrivalNanos;
    /** When the scanner last said anything, a snapshot or an error: silence beyond this is a hung mount. */
    private long lastSignalNanos;
    /** The silence since lastSignalNanos was reported already. */
    private boolean silenceReported;
    /** The directory failure the operator dismissed: not shown again until a different one or a recovery. */
    private String dismissedFailure = "";
    private String shownFailure = "";
    private boolean openFailed;
    private long openedNanos;
    private long generation;
    private Consumer<BreakResult> onBreakFinished = r -> { };
    /** procmail's locktimeout for the shown directory, in whole seconds; empty: none (age only). Issue 14. */
    private final StringProperty procmailLocktimeoutText = new SimpleStringProperty("");
    private Runnable onSettingsChanged = () -> { };
    private Consumer<DirectorySnapshot> onSnapshot = s -> { };

    /**
     * @param io      runs file-system work
     * @param ui      runs scanner callbacks on the FX thread ({@code Platform::runLater}; tests: {@code Runnable::run})
     * @param dialogs asks the user
     * @param source  delivers snapshots of the directory
     * @param actions reads, judges and breaks single locks
     */
    public LocksViewModel(BackgroundIo io, Executor ui, DialogService dialogs, DirectorySource source,
                          LockActions actions) {
        this(io, ui, dialogs, source, actions, LockClock.SYSTEM);
    }

    /**
     * As above, with the clock that ages and silences are measured on ({@link LockClock#SYSTEM} but in tests),
     * and ssh host checks and the desktop's file manager as the inspector has them.
     */
    public LocksViewModel(BackgroundIo io, Executor ui, DialogService dialogs, DirectorySource source,
                          LockActions actions, LockClock clock) {
        this(io, ui, dialogs, source, actions, HostCheckGateway.ssh(), Folders.desktop(), clock);
    }

    /**
     * @param hosts   asks owners' hosts whether a lock's owner still runs
     * @param folders shows the directory in the desktop's file manager
     * @see #LocksViewModel(BackgroundIo, Executor, DialogService, DirectorySource, LockActions)
     */
    public LocksViewModel(BackgroundIo io, Executor ui, DialogService dialogs, DirectorySource source,
                          LockActions actions, HostCheckGateway hosts, Folders folders, LockClock clock) {
        this.clock = Objects.requireNonNull(clock);
        this.io = Objects.requireNonNull(io);
        this.ui = Objects.requireNonNull(ui);
        this.dialogs = Objects.requireNonNull(dialogs);
        this.source = Objects.requireNonNull(source);
        this.actions = Objects.requireNonNull(actions);
        this.folders = Objects.requireNonNull(folders);
        filterText.addListener((o, a, b) -> applyFilter());
        showAllEntries.addListener((o, a, b) -> applyFilter());
        stateFilter.addListener((o, a, b) -> applyFilter());
        selected.addListener((o, a, b) -> showDetails(b, a == null || b == null || !a.name().equals(b.name())));
        applyFilter();
        canBreak = Bindings.createBooleanBinding(() -> isBreakable(true), selected, breaking, rows);
        canForceBreak = Bindings.createBooleanBinding(() -> isBreakable(false), selected, breaking, rows);
        staleSelectedCount = Bindings.createIntegerBinding(() -> bulkRunning.get() || breaking.get() ? 0
                : (int) selectedRows.stream().filter(LocksViewModel::isStaleLock).count(), selectedRows, bulkRunning,
                breaking, rows);
        hostChecks = new LockHostChecks(io, Objects.requireNonNull(hosts), this::hostCheckDone);
        canCheckOnHost = Bindings.createBooleanBinding(() -> selected.get() != null
                && hostChecks.canCheck(selected.get().entry()), selected, rows);
    }

    // --- checks on owners' hosts (issue 15) ---------------------------------------------------

    /**
     * Sets how owners' hosts are asked (a checker from {@link HostCheckGateway#checkerFor}, built on an I/O thread)
     * and the lock age after which HELD locks of allow-listed hosts are checked automatically (null: never).
     */
    public void configureHostChecks(dev.lockscope.probe.HostChecker checker, java.time.Duration autoCheckHeldAfter) {
        hostChecks.configure(checker, autoCheckHeldAfter);
        canCheckOnHost.invalidate();
        if (selected.get() != null) {
            showDetails(selected.get(), false);
        }
    }

    /** "Check on host": asks the selected lock's owner's host whether the owner still runs. */
    public void checkSelectedOnHost() {
        LockRowViewModel r = selected.get();
        if (r != null && hostChecks.canCheck(r.entry())) {
            hostChecks.check(r.entry());
            actionMessage.set("Asking the owner's host over ssh about pid " + r.entry().pid() + "…");
            lastOutcome.set(null);
            canCheckOnHost.invalidate();
            showDetails(r, false);
        }
    }

    public ObservableBooleanValue canCheckOnHostProperty() {
        return canCheckOnHost;
    }

    private void hostCheckDone(String name, dev.lockscope.probe.HostCheck check) {
        for (LockRowViewModel r : rows) {
            if (r.name().equals(name) && r.entry() != null) {
                r.update(hostChecks.applied(r.entry()), clock.nanoTime());
                if (check != null && selected.get() == r) {
                    actionMessage.set(r.name() + ": " + check.headline());
                }
                if (selected.get() == r) {
                    showDetails(r, false);
                }
            }
        }
        canBreak.invalidate();
        canForceBreak.invalidate();
        canCheckOnHost.invalidate();
    }

    private static boolean isStaleLock(LockRowViewModel r) {
        ScanEntry e = r.entry();
        return e != null && e.kind() == EntryKind.LOCK && e.verdict() != null && e.verdict().state().isStale()
                && r.currentProperty().get();
    }

    /** With the lock library's own actions. */
    public LocksViewModel(BackgroundIo io, Executor ui, DialogService dialogs, DirectorySource source) {
        this(io, ui, dialogs, source, LockActions.linkLocks());
    }

    private boolean isBreakable(boolean stale) {
        LockRowViewModel r = selected.get();
        if (r == null || breaking.get() || r.entry() == null
                || r.entry().kind() != EntryKind.LOCK && r.entry().kind() != EntryKind.FOREIGN_LOCK
                || r.entry().verdict() == null) {
            return false;
        }
        if (!r.currentProperty().get()) {
            return false; // the directory could not be read since: nothing is known to break
        }
        LockState s = r.entry().verdict().state();
        return stale ? s.isStale() : (s == LockState.HELD || s == LockState.UNKNOWN);
    }

    /** Called after the operator changed a per-directory setting (the main window saves the settings). */
    public void setOnSettingsChanged(Runnable r) {
        onSettingsChanged = r == null ? () -> { } : r;
    }

    /** procmail's locktimeout for the shown directory as typed: whole seconds, or empty for none (age only). */
    public StringProperty procmailLocktimeoutTextProperty() {
        return procmailLocktimeoutText;
    }

    /**
     * Applies {@link #procmailLocktimeoutTextProperty()} to the shown directory: procmail has no default
     * locktimeout, so its locks there are judged by this one (or by their age only when it is empty).
     */
    public void applyProcmailLocktimeout() {
        Path dir = directory.get();
        if (dir == null) {
            return;
        }
        String text = procmailLocktimeoutText.get() == null ? "" : procmailLocktimeoutText.get().strip();
        java.time.Duration timeout = null;
        try {
            if (!text.isEmpty()) {
                timeout = java.time.Duration.ofSeconds(Long.parseLong(text));
            }
            ForeignSettings.setProcmailLocktimeout(dir, timeout);
        } catch (IllegalArgumentException e) {
            actionMessage.set("procmail locktimeout '" + text + "' not applied: give whole seconds between 1 and "
                    + ForeignSettings.MAX_LOCKTIMEOUT.toSeconds() + ", or nothing for age only.");
            return;
        }
        actionMessage.set(timeout == null ? "procmail locks in " + dir + " are judged by their age only."
                : "procmail locks in " + dir + " older than " + Durations.compact(timeout.toMillis()) + " are EXPIRED.");
        onSettingsChanged.run();
        refresh();
    }

    /**
     * Called after every break attempt with its result (the main window reloads the audit tab); after a
     * bulk break, once, with null.
     */
    public void setOnBreakFinished(Consumer<BreakResult> c) {
        onBreakFinished = c == null ? r -> { } : c;
    }

    /** Called with every snapshot shown (the main window lets the audit tab follow its directory). */
    public void setOnSnapshot(Consumer<DirectorySnapshot> c) {
        onSnapshot = c == null ? s -> { } : c;
    }

    /** Shows {@code dir}: stops watching the previous directory and starts watching this one. */
    public void open(Path dir) {
        generation++;
        closeSubscription();
        directory.set(dir);
        rows.clear();
        selected.set(null);
        lastSnapshot = null;
        errorMessage.set("");
        actionMessage.set("");
        lastOutcome.set(null);
        countsText.set("");
        skewText.set("");
        watchModeText.set("not watching");
        lastRefreshText.set(dir == null ? "" : "opening…");
        java.time.Duration locktimeout = dir == null ? null : ForeignSettings.procmailLocktimeout(dir);
        procmailLocktimeoutText.set(locktimeout == null ? "" : Long.toString(locktimeout.toSeconds()));
        openedNanos = clock.nanoTime();
        lastSignalNanos = openedNanos;
        silenceReported = false;
        dismissedFailure = "";
        shownFailure = "";
        openFailed = false;
        actionLevel.set(MessageLevel.INFO);
        if (dir == null) {
            return;
        }
        long gen = generation;
        ScanListener listener = new ScanListener() {
            @Override
            public void onRefresh(SnapshotDiff diff) {
                long arrived = clock.nanoTime();
                ui.execute(() -> {
                    if (gen == generation) {
                        apply(diff.current(), arrived);
                    }
                });
            }

            @Override
            public void onError(Path d, Exception error) {
                long arrived = clock.nanoTime();
                ui.execute(() -> {
                    if (gen == generation) {
                        lastSignalNanos = arrived;
                        silenceReported = false;
                        directoryUnreadable(IoFailure.of("reading " + d, error, io.timeout()).message());
                    }
                });
            }
        };
        java.util.concurrent.atomic.AtomicReference<BackgroundIo.Call<DirectorySource.Subscription>> pending =
                new java.util.concurrent.atomic.AtomicReference<>();
        pending.set(io.submit("opening " + dir, () -> source.watch(dir, listener), sub -> {
            if (gen != generation) {
                closeInBackground(sub);
                return;
            }
            subscription = sub;
            watchModeText.set((sub.usesEvents() ? "events + polling every " : "polling every ")
                    + Durations.compact(sub.pollInterval().toMillis()));
        }, err -> {
            if (gen == generation) {
                openFailed = true;
                errorMessage.set(err.message());
                lastRefreshText.set("");
            }
            // A watch that starts after we gave up on it must not run on unseen: close it when it comes.
            BackgroundIo.Call<DirectorySource.Subscription> call = pending.get();
            if (call != null) {
                call.finished().thenAccept(DirectorySource.Subscription::close);
            }
        }));
    }

    /**
     * The directory could not be read: say why, and mark every row as no longer current (its ages stop),
     * since whether those locks still exist is unknown now.
     */
    private void directoryUnreadable(String why) {
        boolean anyRow = !rows.isEmpty();
        rows.forEach(LockRowViewModel::markNotCurrent);
        lastRefreshText.set("last refresh failed at " + CLOCK.format(Instant.now()));
        if (why.equals(dismissedFailure)) {
            return; // the scanner repeats it every poll; the operator has read it
        }
        shownFailure = why;
        errorMessage.set(why + (anyRow && lastSnapshot != null ? " The table shows what was read at "
                + CLOCK.format(Instant.ofEpochMilli(lastSnapshot.takenAtMillis())) + " and is no longer current." : ""));
    }

    /** Hides the error message until the next failure (the operator has read it). */
    public void dismissError() {
        dismissedFailure = shownFailure;
        errorMessage.set("");
    }

    /** Hides the result of the last action. */
    public void dismissAction() {
        actionMessage.set("");
    }

    /** Stops watching (when the window closes). Blocking parts run in the background. */
    public void close() {
        generation++;
        closeSubscription();
    }

    private void closeSubscription() {
        if (subscription != null) {
            closeInBackground(subscription);
            subscription = null;
        }
    }

    private void closeInBackground(DirectorySource.Subscription sub) {
        // Closing joins the scanner thread, which a hung mount may block: never on the FX thread.
        io.submit("closing the watch", () -> {
            sub.close();
            return Boolean.TRUE;
        }, ok -> { }, err -> { });
    }

    /** Asks for an immediate refresh (F5). */
    public void refresh() {
        if (subscription != null) {
            subscription.refreshNow();
        } else if (directory.get() != null && openFailed) {
            open(directory.get()); // the first open failed: try again
        }
    }

    /**
     * Advances the live ages and notices a scanner that stopped answering; called every second by the
     * view.
     */
    public void tick() {
        long now = clock.nanoTime();
        for (LockRowViewModel r : rows) {
            r.tick(now);
        }
        if (subscription == null && lastSnapshot == null && directory.get() != null && errorMessage.get().isEmpty()) {
            long waited = (now - openedNanos) / 1_000_000;
            if (waited > io.timeout().toMillis()) {
                errorMessage.set("No answer within " + Durations.compact(io.timeout().toMillis()) + " while opening " + directory.get()
                        + ". The file server may be hung or the mount gone; still waiting.");
            }
            return;
        }
        if (subscription != null) {
            // Only silence means a hung server: a scanner that reports errors is answering (see onError).
            long since = now - lastSignalNanos;
            long limit = subscription.pollInterval().toMillis() + io.timeout().toMillis();
            if (since / 1_000_000 > limit && !silenceReported) {
                silenceReported = true;
                directoryUnreadable("No answer from " + directory.get() + " since "
                        + CLOCK.format(Instant.now().minusMillis(since / 1_000_000))
                        + ": the file server may be hung or the mount gone."
                        + (lastSnapshot == null ? " Nothing could be read yet." : ""));
            }
        }
    }

    /** Takes a snapshot into the rows, updating rows in place so selection and sorting survive. */
    void apply(DirectorySnapshot snap, long arrivedNanos) {
        lastSnapshot = snap;
        lastArrivalNanos = arrivedNanos;
        lastSignalNanos = arrivedNanos;
        silenceReported = false;
        dismissedFailure = "";
        shownFailure = "";
        errorMessage.set("");
        Map<String, LockRowViewModel> byName = new HashMap<>();
        for (LockRowViewModel r : rows) {
            byName.put(r.name(), r);
        }
        for (ScanEntry scanned : snap.entries()) {
            if (scanned.kind() == EntryKind.AUDIT_DIR) {
                continue;
            }
            ScanEntry e = hostChecks.applied(scanned); // a host's answer about this owner, if one was asked
            LockRowViewModel r = byName.remove(e.name());
            if (r == null) {
                r = new LockRowViewModel(e.name());
                r.update(e, arrivedNanos);
                rows.add(r);
            } else {
                r.update(e, arrivedNanos);
            }
        }
        LockRowViewModel sel = selected.get();
        rows.removeAll(byName.values());
        if (sel != null && byName.containsKey(sel.name())) {
            selected.set(null);
        } else if (sel != null) {
            showDetails(sel, false);
            // The selected row was updated in place: a lock that turned stale (or was renewed) while selected
            // must enable (or disable) the break at once.
            canBreak.invalidate();
            canForceBreak.invalidate();
        }
        refilterIfNeeded();
        hostChecks.autoCheck(snap.entries());
        canCheckOnHost.invalidate();
        lastRefreshText.set("last refresh " + CLOCK.format(Instant.ofEpochMilli(snap.takenAtMillis()))
                + " (" + snap.fileSystemType() + ")");
        skewText.set(snap.clock() == null ? "server clock: not measured (" + snap.clockError() + ")"
                : "server clock skew " + Durations.signed(snap.clock().skewMillis()));
        countsText.set(counts(snap));
        onSnapshot.accept(snap);
    }

    /** The audit directory's inode, mtime, size and link count in {@code snap}, or null when it has none. */
    public static String auditDirectoryStamp(DirectorySnapshot snap) {
        for (ScanEntry e : snap.entries()) {
            if (e.kind() == EntryKind.AUDIT_DIR) {
                return e.inode() + "/" + e.mtimeMillis() + "/" + e.size() + "/" + e.nlink();
            }
        }
        return null;
    }

    private static String counts(DirectorySnapshot snap) {
        Map<EntryState, Integer> n = new EnumMap<>(EntryState.class);
        int others = 0;
        for (ScanEntry e : snap.entries()) {
            if (e.kind().isLockLike()) {
                n.merge(e.state(), 1, Integer::sum);
            } else if (e.kind() != EntryKind.AUDIT_DIR) {
                others++;
            }
        }
        StringBuilder b = new StringBuilder();
        for (EntryState s : new EntryState[] {EntryState.HELD, EntryState.EXPIRED, EntryState.DEAD,
                EntryState.UNKNOWN}) {
            b.append(s.name()).append(' ').append(n.getOrDefault(s, 0)).append(" · ");
        }
        return b.append("other entries ").append(others).toString();
    }

    private void applyFilter() {
        String f = filterText.get() == null ? "" : filterText.get().strip().toLowerCase(Locale.ROOT);
        boolean all = showAllEntries.get();
        EntryState state = stateFilter.get();
        baseFilter = r -> all || r.entry() == null || r.entry().kind().isLockLike();
        java.util.function.Predicate<LockRowViewModel> base = baseFilter;
        visibleRows.setPredicate(r -> base.test(r) && (state == null || r.stateProperty().get() == state)
                && (f.isEmpty() || r.searchText().contains(f)));
        updateShownText();
    }

    /**
     * After a refresh: rows were updated in place, which the filtered list does not see. Setting the
     * predicate again refilters everything and drops the table's multiple selection, so it is done
     * only when some row's visibility really changed (a lock changed state under a state filter).
     */
    private void refilterIfNeeded() {
        java.util.function.Predicate<? super LockRowViewModel> p = visibleRows.getPredicate();
        if (p != null) {
            java.util.Set<LockRowViewModel> shown = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            shown.addAll(visibleRows);
            for (LockRowViewModel r : rows) {
                if (p.test(r) != shown.contains(r)) {
                    applyFilter();
                    return;
                }
            }
        }
        updateShownText();
    }

    private void updateShownText() {
        long of = rows.stream().filter(baseFilter).count();
        shownText.set(visibleRows.size() == of ? of + (of == 1 ? " entry" : " entries")
                : visibleRows.size() + " of " + of + " shown");
    }

    /** Clears the find text and the state filter (Esc in the find field). */
    public void clearFilter() {
        filterText.set("");
        stateFilter.set(null);
    }

    /** Opens the lock directory in the desktop's file manager (xdg-open), off the FX thread. */
    public void openContainingFolder() {
        Path dir = directory.get();
        if (dir == null) {
            return;
        }
        io.submit("opening " + dir + " in the file manager", () -> folders.showInFileManager(dir), code -> {
            if (code != 0) {
                actionLevel.set(MessageLevel.WARNING);
                actionMessage.set("The file manager could not be opened (xdg-open exited with " + code + "): " + dir);
            }
        }, failure -> {
            actionLevel.set(MessageLevel.WARNING);
            actionMessage.set("The file manager could not be opened: " + failure.message()
                    + " (xdg-open, from xdg-utils, opens folders on Linux desktops).");
        });
    }

    /** "user@host pid N", the way operators name a process; parts that are unknown are left out. */
    static String ownerText(String user, String host, long pid) {
        StringBuilder b = new StringBuilder();
        if (user != null && !user.isEmpty()) {
            b.append(user);
        }
        if (host != null && !host.isEmpty()) {
            b.append(b.length() > 0 ? "@" : "").append(host);
        }
        if (pid >= 0) {
            b.append(b.length() > 0 ? " " : "").append("pid ").append(pid);
        }
        return b.length() == 0 ? "unknown owner" : b.toString();
    }

    /** The owner of a row as "user@host pid N" (for Copy owner). */
    public static String ownerOf(LockRowViewModel r) {
        return ownerText(r.userProperty().get(), r.hostProperty().get(), r.pidProperty().get());
    }

    /** The full path of a row's entry (for Copy path). */
    public String pathOf(LockRowViewModel r) {
        return directory.get() == null ? r.name() : directory.get().resolve(r.name()).toString();
    }

    /** The selected rows, one tab-separated line each as the table shows them (Ctrl+C, Copy row). */
    public String selectedRowsText() {
        StringBuilder b = new StringBuilder();
        java.util.List<LockRowViewModel> sel = selectedRows.isEmpty() && selected.get() != null
                ? java.util.List.of(selected.get()) : selectedRows;
        for (LockRowViewModel r : sel) {
            b.append(String.join("\t", r.name(), r.stateTextProperty().get(), ownerOf(r),
                    r.purposeProperty().get(), Durations.compact(r.lockAgeMillisProperty().get()),
                    Durations.compact(r.heartbeatAgeMillisProperty().get()), pathOf(r))).append('\n');
        }
        return b.toString();
    }

    private void showDetails(LockRowViewModel row, boolean reloadRaw) {
        if (row == null) {
            details.set("");
            rawBytes.set("");
            return;
        }
        details.set(detailsOf(directory.get(), row.entry()) + hostChecks.detailsFor(row.entry()));
        if (reloadRaw) {
            loadRaw(row);
        }
    }

    private void loadRaw(LockRowViewModel row) {
        ScanEntry e = row.entry();
        if (e.facts() == null || e.facts().type() != FileFacts.Type.REGULAR) {
            rawBytes.set(e.linkTarget() != null ? "symbolic link to " + Printable.escape(e.linkTarget()) + " (not followed)"
                    : "(not a regular file: nothing is read)");
            return;
        }
        Path p = directory.get().resolve(e.name());
        rawBytes.set("reading…");
        io.submit("reading " + p, () -> actions.read(p), snap -> {
            if (selected.get() == row) {
                rawBytes.set(snap.map(s -> rawText(s.identity().content(), s.facts().size()))
                        .orElse("(the file is gone)"));
            }
        }, err -> {
            if (selected.get() == row) {
                rawBytes.set(err.message());
            }
        });
    }

    /** Asks, then breaks the selected stale lock. Does nothing unless {@link #canBreakProperty()} is true. */
    public void breakSelected() {
        if (!canBreak.get()) {
            explainWhyNotBreakable(selected.get());
            return;
        }
        LockRowViewModel r = selected.get();
        BreakConfirmation c = confirmationFor(r);
        if (!dialogs.confirmBreak(c)) {
            actionMessage.set("Break cancelled: nothing was done to " + r.name() + ".");
            actionLevel.set(MessageLevel.INFO);
            lastOutcome.set(null);
            return;
        }
        runBreak(r, false);
    }

    /**
     * Break was asked for a row it does not apply to: say why nothing happened, instead of doing nothing
     * silently, and where the way forward is when there is one.
     */
    private void explainWhyNotBreakable(LockRowViewModel r) {
        if (r == null || breaking.get() || bulkRunning.get()) {
            return;
        }
        ScanEntry e = r.entry();
        String why;
        if (!r.currentProperty().get()) {
            why = r.name() + " was not broken: the directory could not be read since, so what the table shows of it"
                    + " is no longer current.";
        } else if (e != null && e.kind() == EntryKind.LOCK && e.verdict() != null
                && (e.verdict().state() == LockState.HELD || e.verdict().state() == LockState.UNKNOWN)) {
            why = "Nothing was done: " + r.name() + " is " + e.verdict().state() + " (" + e.verdict().reason()
                    + "), and Break only removes stale locks. If you know its owner is gone, use"
                    + " Lock ▸ Force break… (it asks twice).";
        } else {
            why = "Nothing was done: " + r.name() + " is a " + LockRowViewModel.kindLabel(e == null ? EntryKind.OTHER
                    : e.kind()) + ", not a stale lock; only stale locks can be broken.";
        }
        actionLevel.set(MessageLevel.WARNING);
        lastOutcome.set(null);
        actionMessage.set(why);
    }

    /** Asks twice, then forces the break of the selected HELD (or unjudgeable) lock. */
    public void forceBreakSelected() {
        if (!canForceBreak.get()) {
            return;
        }
        LockRowViewModel r = selected.get();
        BreakConfirmation c = confirmationFor(r);
        if (!dialogs.confirmBreak(c) || !dialogs.confirmForce(c)) {
            actionMessage.set("Forced break cancelled: nothing was done to " + r.name() + ".");
            actionLevel.set(MessageLevel.INFO);
            lastOutcome.set(null);
            return;
        }
        runBreak(r, true);
    }

    /** The confirmation shown for a row, with its ages as they stand now. */
    public static BreakConfirmation confirmationFor(LockRowViewModel r) {
        return BreakConfirmation.of(r.entry().verdict(), r.lockAgeMillisProperty().get(),
                r.heartbeatAgeMillisProperty().get());
    }

    private void runBreak(LockRowViewModel r, boolean force) {
        Verdict judged = r.entry().verdict();
        Path lock = directory.get().resolve(r.name());
        breaking.set(true);
        actionMessage.set((force ? "Forcing the break of " : "Breaking ") + r.name() + "…");
        actionLevel.set(MessageLevel.INFO);
        lastOutcome.set(null);
        ForeignLock foreign = r.entry().foreign();
        io.submit("breaking " + lock, () -> foreign != null
                        // Another tool's lock: the same guarded break, plus that tool's leftover claim or temp file.
                        ? actions.breakForeign(new ForeignVerdict(foreign, judged), force)
                        : actions.breakLock(lock, judged, force),
                result -> {
                    breaking.set(false);
                    lastOutcome.set(result.outcome());
                    actionLevel.set(levelOf(result.outcome()));
                    actionMessage.set(result.outcome() + ": " + result.message()
                            + (result.auditFile() == null ? "" : "\nAudit record: " + result.auditFile()));
                    refresh();
                    onBreakFinished.accept(result);
                },
                failure -> {
                    // The break did not run to an outcome: say why, in the failure's own words. This is not
                    // RESTORE_FAILED (a wrong lock moved and not put back), which only the core can report.
                    breaking.set(false);
                    lastOutcome.set(null);
                    actionLevel.set(MessageLevel.ERROR);
                    actionMessage.set("Break of " + r.name() + " did not complete: " + failure.message());
                    refresh();
                });
    }

    /** How the outcome of a break looks: only a removed lock is a success, only a failed restore an error. */
    static MessageLevel levelOf(BreakResult.Outcome o) {
        return switch (o) {
            case BROKEN -> MessageLevel.SUCCESS;
            case RESTORE_FAILED -> MessageLevel.ERROR;
            case REFUSED_NOT_STALE, NOTHING_TO_BREAK, CHANGED, RESTORED, GUARD_BUSY -> MessageLevel.WARNING;
        };
    }

    /** The details text for an entry: path, kind, state and reason, owner record and evidence. */
    static String detailsOf(Path dir, ScanEntry e) {
        if (e == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        b.append("Path: ").append(Printable.escape((dir == null ? e.name() : dir.resolve(e.name())).toString())).append('\n');
        b.append("Kind: ").append(LockRowViewModel.kindLabel(e.kind()));
        if (e.lockName() != null) {
            b.append(" (of ").append(Printable.escape(e.lockName())).append(')');
        }
        b.append('\n');
        if (e.state() != EntryState.NONE) {
            b.append("State: ").append(e.state()).append('\n');
        }
        b.append("Why: ").append(Printable.escape(e.reason())).append('\n');
        LockOwner o = e.owner();
        if (o != null) {
            b.append("\nOwner: ").append(ownerText(Printable.escape(o.user()), Printable.escape(o.host()), o.pid()))
                    .append('\n');
            b.append("  host id ").append(Printable.escape(o.hostId())).append('\n');
            if (o.purpose() != null && !o.purpose().isBlank()) {
                b.append("  purpose: ").append(Printable.escape(o.purpose())).append('\n');
            }
            b.append("  acquired ").append(Times.local(o.acquiredAt())).append(" (owner's clock)\n");
            b.append("  lease ").append(Durations.compact(o.leaseMillis())).append('\n');
        }
        ForeignLock f = e.foreign();
        if (f != null) {
            b.append("\nForeign lock (").append(Printable.escape(f.format())).append("): ")
                    .append(Printable.escape(f.description())).append('\n');
            String host = f.host() == null || ForeignLock.UNKNOWN.equals(f.host()) ? "unknown host"
                    : "host " + Printable.escape(f.host());
            b.append("  ").append(host).append(", ").append(f.pid() < 0 ? "pid unknown" : "pid " + f.pid()).append('\n');
        }
        if (e.linkTarget() != null) {
            b.append("Link target (not followed): ").append(Printable.escape(e.linkTarget())).append('\n');
        }
        b.append("\nEvidence:\n");
        if (e.facts() != null) {
            b.append("  inode ").append(e.inode()).append(", link count ").append(e.nlink())
                    .append(", size ").append(e.size()).append(" bytes\n");
            b.append("  modified ").append(Times.local(e.mtimeMillis())).append(" (server clock)\n");
        } else {
            b.append("  attributes unreadable\n");
        }
        b.append("  lock age ").append(Durations.compact(e.lockAgeMillis())).append(", last heartbeat ")
                .append(Durations.compact(e.heartbeatAgeMillis())).append(" ago, lease ")
                .append(Durations.compact(e.leaseMillis())).append('\n');
        Verdict v = e.verdict();
        if (v != null) {
            b.append("  server clock ").append(v.serverNowMillis() < 0 ? "not measured"
                    : Times.local(v.serverNowMillis()) + ", skew " + Durations.signed(v.skewMillis())).append('\n');
            if (v.ownerAlive() != null) {
                b.append("  owner process ").append(v.ownerAlive() ? "alive" : "gone").append('\n');
            }
        }
        return b.toString();
    }

    /**
     * Bounded raw bytes as text, escaped by {@link Printable} line by line (so the content's own line breaks stay
     * line breaks), trailing padding trimmed.
     */
    static String rawText(byte[] raw, long size) {
        int n = Math.min(raw.length, RAW_SHOWN);
        int end = n;
        while (end > 0 && (raw[end - 1] == ' ' || raw[end - 1] == '\n' || raw[end - 1] == '\t' || raw[end - 1] == '\r')) {
            end--;
        }
        StringBuilder b = new StringBuilder(end + 64);
        b.append("(first ").append(n).append(" of ").append(size).append(" bytes; trailing spaces trimmed)\n");
        int line = 0;
        for (int i = 0; i <= end; i++) {
            if (i == end || raw[i] == '\n') {
                b.append(Printable.escape(raw, line, i - line, null));
                if (i < end) {
                    b.append('\n');
                }
                line = i + 1;
            }
        }
        return b.toString();
    }

    // ---- bulk break ----------------------------------------------------------------------------

    /** One lock of a bulk break, as judged when the operator confirmed. */
    private record BulkItem(String name, Path path, Verdict judged) {
    }

    /** What a bulk break did, gathered on the I/O thread. */
    private static final class BulkTally {
        int broken;
        int audits;
        int notReached;
        final java.util.List<String> skipped = new java.util.ArrayList<>();
        final java.util.List<String> failed = new java.util.ArrayList<>();
    }

    /**
     * Asks once, then breaks every stale lock among the selected rows, one after another in the
     * background. HELD locks and other entries in the selection are left alone; there is no bulk force.
     */
    public void breakSelectedStale() {
        if (staleSelectedCount.get() == 0) {
            return;
        }
        Path dir = directory.get();
        java.util.List<BulkItem> items = new java.util.ArrayList<>();
        Map<String, Integer> perState = new java.util.TreeMap<>();
        Map<String, Integer> perReason = new java.util.LinkedHashMap<>();
        for (LockRowViewModel r : selectedRows) {
            if (isStaleLock(r)) {
                Verdict v = r.entry().verdict();
                items.add(new BulkItem(r.name(), dir.resolve(r.name()), v));
                perState.merge(v.state().name(), 1, Integer::sum);
                perReason.merge(reasonKind(v.reason()), 1, Integer::sum);
            }
        }
        Map<String, Integer> reasonsByCount = new java.util.LinkedHashMap<>();
        perReason.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(e -> reasonsByCount.put(e.getKey(), e.getValue()));
        BulkBreakSummary summary = new BulkBreakSummary(dir.toString(), items.size(), perState, reasonsByCount,
                items.stream().limit(BulkBreakSummary.NAMES_SHOWN).map(BulkItem::name).toList(),
                selectedRows.size() - items.size());
        if (!dialogs.confirmBulkBreak(summary)) {
            actionLevel.set(MessageLevel.INFO);
            actionMessage.set("Bulk break cancelled: nothing was done to the " + items.size() + " stale locks.");
            return;
        }
        runBulk(items);
    }

    /** A reason with its numbers blanked, so "process 412 is gone" and "process 9 is gone" count together. */
    static String reasonKind(String reason) {
        return reason == null ? "?" : reason.replaceAll("\\d+(\\.\\d+)?", "#");
    }

    /** Stops a running bulk break after the lock in hand; the rest are not touched. */
    public void cancelBulk() {
        bulkCancel.set(true);
        bulkProgressText.set(bulkProgressText.get() + " — cancelling after the current lock…");
    }

    private void runBulk(java.util.List<BulkItem> items) {
        java.util.concurrent.atomic.AtomicBoolean cancel = new java.util.concurrent.atomic.AtomicBoolean();
        bulkCancel = cancel;
        bulkRunning.set(true);
        bulkProgress.set(0);
        bulkProgressText.set("Breaking 0 of " + items.size() + " stale locks…");
        actionMessage.set("");
        lastOutcome.set(null);
        long gen = generation;
        // Each lock may wait for its break guard; the limit only decides when "no answer" is said.
        java.time.Duration limit = io.timeout().multipliedBy(Math.max(1, items.size())).plusSeconds(30);
        io.submit("breaking " + items.size() + " stale locks in " + directory.get(), limit, () -> {
            BulkTally t = new BulkTally();
            for (int i = 0; i < items.size(); i++) {
                if (cancel.get()) {
                    t.notReached = items.size() - i;
                    break;
                }
                breakOne(items.get(i), t);
                int done = i + 1;
                ui.execute(() -> {
                    if (gen == generation) {
                        bulkProgress.set(done / (double) items.size());
                        bulkProgressText.set("Breaking " + done + " of " + items.size() + " stale locks…"
                                + (cancel.get() ? " — cancelling after the current lock…" : ""));
                    }
                });
            }
            return t;
        }, t -> finishBulk(items.size(), t), failure -> {
            bulkRunning.set(false);
            actionLevel.set(MessageLevel.ERROR);
            actionMessage.set("Bulk break did not complete: " + failure.message());
            refresh();
        });
    }

    /** Judges one lock again and breaks it if it is still the stale lock judged. I/O thread. */
    private void breakOne(BulkItem it, BulkTally t) {
        try {
            Verdict now = actions.judge(it.path());
            if (now.state() == LockState.FREE) {
                t.skipped.add(it.name() + ": gone already");
                return;
            }
            if (!now.state().isStale() || now.identity() == null
                    || !now.identity().sameAs(it.judged().identity(), false)) {
                t.skipped.add(it.name() + ": changed since it was judged (now " + now.state() + ", "
                        + now.holderDescription() + ")");
                return;
            }
            BreakResult r = actions.breakLock(it.path(), it.judged(), false);
            if (r.auditFile() != null) {
                t.audits++;
            }
            switch (r.outcome()) {
                case BROKEN -> t.broken++;
                case RESTORE_FAILED -> t.failed.add(it.name() + ": " + r.message());
                default -> t.skipped.add(it.name() + ": " + r.outcome() + ", " + r.message());
            }
        } catch (Exception e) {
            t.failed.add(it.name() + ": " + IoFailure.of("breaking " + it.path(), e, io.timeout()).message());
        }
    }

    private void finishBulk(int total, BulkTally t) {
        bulkRunning.set(false);
        bulkProgress.set(1);
        StringBuilder b = new StringBuilder("Bulk break: ").append(t.broken).append(" of ").append(total)
                .append(" broken (").append(t.audits).append(" audit record").append(t.audits == 1 ? "" : "s")
                .append(")");
        if (!t.skipped.isEmpty()) {
            b.append("; ").append(t.skipped.size()).append(" skipped");
        }
        if (!t.failed.isEmpty()) {
            b.append("; ").append(t.failed.size()).append(" failed");
        }
        if (t.notReached > 0) {
            b.append("; cancelled, ").append(t.notReached).append(" not touched");
        }
        b.append('.');
        appendList(b, "Skipped", t.skipped);
        appendList(b, "Failed", t.failed);
        actionLevel.set(!t.failed.isEmpty() ? MessageLevel.ERROR
                : t.skipped.isEmpty() && t.notReached == 0 ? MessageLevel.SUCCESS : MessageLevel.WARNING);
        actionMessage.set(b.toString());
        bulkProgressText.set("");
        refresh();
        onBreakFinished.accept(null);
    }

    private static void appendList(StringBuilder b, String title, java.util.List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        b.append('\n').append(title).append(":");
        lines.stream().limit(10).forEach(l -> b.append("\n  ").append(l));
        if (lines.size() > 10) {
            b.append("\n  … and ").append(lines.size() - 10).append(" more");
        }
    }

    /** The rows selected in the table (input; several for a bulk break). */
    public ObservableList<LockRowViewModel> selectedRows() {
        return selectedRows;
    }

    /** How many selected rows are stale locks a bulk break would act on (0 while a break runs). */
    public javafx.beans.binding.IntegerBinding staleSelectedCountProperty() {
        return staleSelectedCount;
    }

    public ReadOnlyBooleanProperty bulkRunningProperty() {
        return bulkRunning;
    }

    public javafx.beans.property.ReadOnlyDoubleProperty bulkProgressProperty() {
        return bulkProgress;
    }

    public ReadOnlyStringProperty bulkProgressTextProperty() {
        return bulkProgressText;
    }

    // ---- properties -------------------------------------------------------------------------

    public ReadOnlyObjectProperty<Path> directoryProperty() {
        return directory;
    }

    /** All rows, unfiltered (read-only view). */
    public ObservableList<LockRowViewModel> allRows() {
        return FXCollections.unmodifiableObservableList(rows);
    }

    /** Rows after filter and "show all entries"; the view sorts them. */
    public ObservableList<LockRowViewModel> visibleRows() {
        return visibleRows;
    }

    /** The find text (input). */
    public StringProperty filterTextProperty() {
        return filterText;
    }

    /** Only rows in this state, or all when null (input: the state toggle buttons). */
    public ObjectProperty<EntryState> stateFilterProperty() {
        return stateFilter;
    }

    /** "340 entries", or "12 of 340 shown" while a filter hides some. */
    public ReadOnlyStringProperty shownTextProperty() {
        return shownText;
    }

    /** Whether claims, guards and leftovers are shown too (input). */
    public BooleanProperty showAllEntriesProperty() {
        return showAllEntries;
    }

    /** The row the user selected (input). */
    public ObjectProperty<LockRowViewModel> selectedProperty() {
        return selected;
    }

    public ReadOnlyStringProperty detailsProperty() {
        return details;
    }

    /** The selected entry's first bytes, read in the background. */
    public ReadOnlyStringProperty rawBytesProperty() {
        return rawBytes;
    }

    public ObservableBooleanValue canBreakProperty() {
        return canBreak;
    }

    public ObservableBooleanValue canForceBreakProperty() {
        return canForceBreak;
    }

    public ReadOnlyBooleanProperty breakingProperty() {
        return breaking;
    }

    /** Empty when the last refresh worked; else what went wrong, naming the path. */
    public ReadOnlyStringProperty errorMessageProperty() {
        return errorMessage;
    }

    /** The result of the last break (or its cancellation). */
    public ReadOnlyStringProperty actionMessageProperty() {
        return actionMessage;
    }

    public ReadOnlyObjectProperty<BreakResult.Outcome> lastOutcomeProperty() {
        return lastOutcome;
    }

    /** How the action message should look. */
    public ReadOnlyObjectProperty<MessageLevel> actionLevelProperty() {
        return actionLevel;
    }

    public ReadOnlyStringProperty watchModeTextProperty() {
        return watchModeText;
    }

    public ReadOnlyStringProperty lastRefreshTextProperty() {
        return lastRefreshText;
    }

    public ReadOnlyStringProperty skewTextProperty() {
        return skewText;
    }

    public ReadOnlyStringProperty countsTextProperty() {
        return countsText;
    }

    /** The last snapshot shown, or empty. */
    public Optional<DirectorySnapshot> lastSnapshot() {
        return Optional.ofNullable(lastSnapshot);
    }

    /** Selects the row named {@code name}, if present; true when found. */
    public boolean select(String name) {
        Optional<LockRowViewModel> r = rows.stream().filter(x -> x.name().equals(name)).findFirst();
        r.ifPresent(selected::set);
        return r.isPresent();
    }
}
