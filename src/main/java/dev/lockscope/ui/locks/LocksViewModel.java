package dev.lockscope.ui.locks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lockscope.formats.ForeignLock;
import dev.lockscope.formats.ForeignLocks;
import dev.lockscope.formats.ForeignSettings;
import dev.lockscope.formats.ForeignVerdict;
import dev.lockscope.lock.BreakResult;
import dev.lockscope.lock.FileFacts;
import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockOptions;
import dev.lockscope.lock.LockOwner;
import dev.lockscope.lock.LockSnapshot;
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
import dev.lockscope.ui.common.DialogService;
import dev.lockscope.ui.common.Durations;
import dev.lockscope.ui.common.IoErrors;
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

import java.nio.charset.StandardCharsets;
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

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS", Locale.ROOT).withZone(ZoneId.systemDefault());

    private final BackgroundIo io;
    private final Executor ui;
    private final DialogService dialogs;
    private final DirectorySource source;

    private final ObjectProperty<Path> directory = new SimpleObjectProperty<>();
    private final ObservableList<LockRowViewModel> rows = FXCollections.observableArrayList();
    private final FilteredList<LockRowViewModel> visibleRows = new FilteredList<>(rows);
    private final StringProperty filterText = new SimpleStringProperty("");
    private final BooleanProperty showAllEntries = new SimpleBooleanProperty(false);
    private final ObjectProperty<LockRowViewModel> selected = new SimpleObjectProperty<>();
    private final StringProperty details = new SimpleStringProperty("");
    private final StringProperty rawBytes = new SimpleStringProperty("");
    private final BooleanProperty breaking = new SimpleBooleanProperty(false);
    private final StringProperty errorMessage = new SimpleStringProperty("");
    private final StringProperty actionMessage = new SimpleStringProperty("");
    private final ObjectProperty<BreakResult.Outcome> lastOutcome = new SimpleObjectProperty<>();
    private final StringProperty watchModeText = new SimpleStringProperty("not watching");
    private final StringProperty lastRefreshText = new SimpleStringProperty("");
    private final StringProperty skewText = new SimpleStringProperty("");
    private final StringProperty countsText = new SimpleStringProperty("");
    private final BooleanBinding canBreak;
    private final BooleanBinding canForceBreak;
    // --- checks on owners' hosts (issue 15): LockHostChecks does the work ---
    private final LockHostChecks hostChecks;
    private final BooleanBinding canCheckOnHost;

    private DirectorySource.Subscription subscription;
    private DirectorySnapshot lastSnapshot;
    private long lastArrivalNanos;
    private long openedNanos;
    private long generation;
    private Consumer<BreakResult> onBreakFinished = r -> { };
    /** procmail's locktimeout for the shown directory, in whole seconds; empty: none (age only). Issue 14. */
    private final StringProperty procmailLocktimeoutText = new SimpleStringProperty("");
    private Runnable onSettingsChanged = () -> { };

    /**
     * @param io      runs file-system work
     * @param ui      runs scanner callbacks on the FX thread ({@code Platform::runLater}; tests: {@code Runnable::run})
     * @param dialogs asks the user
     * @param source  delivers snapshots of the directory
     */
    public LocksViewModel(BackgroundIo io, Executor ui, DialogService dialogs, DirectorySource source) {
        this.io = Objects.requireNonNull(io);
        this.ui = Objects.requireNonNull(ui);
        this.dialogs = Objects.requireNonNull(dialogs);
        this.source = Objects.requireNonNull(source);
        filterText.addListener((o, a, b) -> applyFilter());
        showAllEntries.addListener((o, a, b) -> applyFilter());
        selected.addListener((o, a, b) -> showDetails(b, a == null || b == null || !a.name().equals(b.name())));
        applyFilter();
        canBreak = Bindings.createBooleanBinding(() -> isBreakable(true), selected, breaking, rows);
        canForceBreak = Bindings.createBooleanBinding(() -> isBreakable(false), selected, breaking, rows);
        hostChecks = new LockHostChecks(io, this::hostCheckDone);
        canCheckOnHost = Bindings.createBooleanBinding(() -> selected.get() != null
                && hostChecks.canCheck(selected.get().entry()), selected, rows);
    }

    // --- checks on owners' hosts (issue 15) ---------------------------------------------------

    /**
     * Sets how owners' hosts are asked (a checker from {@link LockHostChecks#checkerFor}, built on an I/O thread)
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
                r.update(hostChecks.applied(r.entry()), System.nanoTime());
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

    private boolean isBreakable(boolean stale) {
        LockRowViewModel r = selected.get();
        if (r == null || breaking.get() || r.entry() == null
                || r.entry().kind() != EntryKind.LOCK && r.entry().kind() != EntryKind.FOREIGN_LOCK
                || r.entry().verdict() == null) {
            return false;
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
                : "procmail locks in " + dir + " older than " + Durations.human(timeout.toMillis()) + " are EXPIRED.");
        onSettingsChanged.run();
        refresh();
    }

    /** Called after every break attempt with its result (the main window reloads the audit tab). */
    public void setOnBreakFinished(Consumer<BreakResult> c) {
        onBreakFinished = c == null ? r -> { } : c;
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
        openedNanos = System.nanoTime();
        if (dir == null) {
            return;
        }
        long gen = generation;
        ScanListener listener = new ScanListener() {
            @Override
            public void onRefresh(SnapshotDiff diff) {
                long arrived = System.nanoTime();
                ui.execute(() -> {
                    if (gen == generation) {
                        apply(diff.current(), arrived);
                    }
                });
            }

            @Override
            public void onError(Path d, Exception error) {
                ui.execute(() -> {
                    if (gen == generation) {
                        errorMessage.set(IoErrors.describe("reading " + d, error, io.timeout()));
                        lastRefreshText.set("last refresh failed at " + CLOCK.format(Instant.now()));
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
                    + Durations.human(sub.pollInterval().toMillis()));
        }, err -> {
            if (gen == generation) {
                errorMessage.set(err);
                lastRefreshText.set("");
            }
            // A watch that starts after we gave up on it must not run on unseen: close it when it comes.
            BackgroundIo.Call<DirectorySource.Subscription> call = pending.get();
            if (call != null) {
                call.finished().thenAccept(DirectorySource.Subscription::close);
            }
        }));
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
        } else if (directory.get() != null && !errorMessage.get().isEmpty()) {
            open(directory.get()); // the first open failed: try again
        }
    }

    /**
     * Advances the live ages and notices a scanner that stopped answering; called every second by the
     * view.
     */
    public void tick() {
        long now = System.nanoTime();
        for (LockRowViewModel r : rows) {
            r.tick(now);
        }
        if (subscription == null && lastSnapshot == null && directory.get() != null && errorMessage.get().isEmpty()) {
            long waited = (now - openedNanos) / 1_000_000;
            if (waited > io.timeout().toMillis()) {
                errorMessage.set("No answer within " + Durations.human(io.timeout().toMillis()) + " while opening " + directory.get()
                        + ". The file server may be hung or the mount gone; still waiting.");
            }
            return;
        }
        if (subscription != null) {
            long since = lastSnapshot == null ? now - openedNanos : now - lastArrivalNanos;
            long limit = subscription.pollInterval().toMillis() + io.timeout().toMillis();
            if (since / 1_000_000 > limit) {
                errorMessage.set("No refresh of " + directory.get() + " for " + Durations.human(since / 1_000_000)
                        + ": the file server may be hung or the mount gone. "
                        + (lastSnapshot == null ? "Nothing could be read yet." : "Showing what was read at "
                        + CLOCK.format(Instant.ofEpochMilli(lastSnapshot.takenAtMillis())) + "."));
            }
        }
    }

    /** Takes a snapshot into the rows, updating rows in place so selection and sorting survive. */
    void apply(DirectorySnapshot snap, long arrivedNanos) {
        lastSnapshot = snap;
        lastArrivalNanos = arrivedNanos;
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
        applyFilter();
        hostChecks.autoCheck(snap.entries());
        canCheckOnHost.invalidate();
        lastRefreshText.set("last refresh " + CLOCK.format(Instant.ofEpochMilli(snap.takenAtMillis()))
                + " (" + snap.fileSystemType() + ")");
        skewText.set(snap.clock() == null ? "server clock: not measured (" + snap.clockError() + ")"
                : "server clock skew " + Durations.signed(snap.clock().skewMillis()));
        countsText.set(counts(snap));
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
        visibleRows.setPredicate(r -> (all || r.entry() == null || r.entry().kind().isLockLike())
                && (f.isEmpty() || r.searchText().contains(f)));
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
            rawBytes.set(e.linkTarget() != null ? "symbolic link to " + e.linkTarget() + " (not followed)"
                    : "(not a regular file: nothing is read)");
            return;
        }
        Path p = directory.get().resolve(e.name());
        rawBytes.set("reading…");
        io.submit("reading " + p, () -> LockSnapshot.read(p), snap -> {
            if (selected.get() == row) {
                rawBytes.set(snap.map(s -> rawText(s.identity().content(), s.facts().size()))
                        .orElse("(the file is gone)"));
            }
        }, err -> {
            if (selected.get() == row) {
                rawBytes.set(err);
            }
        });
    }

    /** Asks, then breaks the selected stale lock. Does nothing unless {@link #canBreakProperty()} is true. */
    public void breakSelected() {
        if (!canBreak.get()) {
            return;
        }
        LockRowViewModel r = selected.get();
        BreakConfirmation c = confirmationFor(r);
        if (!dialogs.confirmBreak(c)) {
            actionMessage.set("Break cancelled: nothing was done to " + r.name() + ".");
            lastOutcome.set(null);
            return;
        }
        runBreak(r, false);
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
        lastOutcome.set(null);
        ForeignLock foreign = r.entry().foreign();
        io.submit("breaking " + lock, () -> foreign != null
                        // Another tool's lock: the same guarded break, plus that tool's leftover claim or temp file.
                        ? ForeignLocks.breakLock(new ForeignVerdict(foreign, judged), force)
                        : LinkLock.at(lock, LockOptions.defaults()).breakLock(judged, force),
                result -> {
                    breaking.set(false);
                    lastOutcome.set(result.outcome());
                    actionMessage.set(result.outcome() + ": " + result.message()
                            + (result.auditFile() == null ? "" : "\nAudit record: " + result.auditFile()));
                    refresh();
                    onBreakFinished.accept(result);
                },
                message -> {
                    breaking.set(false);
                    lastOutcome.set(BreakResult.Outcome.RESTORE_FAILED);
                    actionMessage.set("Break of " + r.name() + " failed: " + message);
                    refresh();
                });
    }

    /** The details text for an entry: path, kind, state and reason, owner record and evidence. */
    static String detailsOf(Path dir, ScanEntry e) {
        if (e == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        b.append("Path: ").append(dir == null ? e.name() : dir.resolve(e.name())).append('\n');
        b.append("Kind: ").append(LockRowViewModel.kindLabel(e.kind()));
        if (e.lockName() != null) {
            b.append(" (of ").append(e.lockName()).append(')');
        }
        b.append('\n');
        if (e.state() != EntryState.NONE) {
            b.append("State: ").append(e.state()).append('\n');
        }
        b.append("Why: ").append(e.reason()).append('\n');
        LockOwner o = e.owner();
        if (o != null) {
            b.append("\nOwner record:\n");
            try {
                b.append(JSON.writeValueAsString(o)).append('\n');
            } catch (Exception ex) {
                b.append(o).append('\n');
            }
            b.append("Acquired: ").append(STAMP.format(Instant.ofEpochMilli(o.acquiredAt())))
                    .append(" (owner's clock)\n");
        }
        if (e.foreign() != null) {
            b.append("\nForeign lock: ").append(e.foreign()).append('\n');
        }
        if (e.linkTarget() != null) {
            b.append("Link target (not followed): ").append(e.linkTarget()).append('\n');
        }
        b.append("\nEvidence:\n");
        if (e.facts() != null) {
            b.append("  inode ").append(e.inode()).append(", link count ").append(e.nlink())
                    .append(", size ").append(e.size()).append(" bytes\n");
            b.append("  modified ").append(STAMP.format(Instant.ofEpochMilli(e.mtimeMillis())))
                    .append(" (server clock)\n");
        } else {
            b.append("  attributes unreadable\n");
        }
        b.append("  lock age ").append(Durations.human(e.lockAgeMillis())).append(", last heartbeat ")
                .append(Durations.human(e.heartbeatAgeMillis())).append(" ago, lease ")
                .append(Durations.human(e.leaseMillis())).append('\n');
        Verdict v = e.verdict();
        if (v != null) {
            b.append("  server clock ").append(v.serverNowMillis() < 0 ? "not measured"
                    : STAMP.format(Instant.ofEpochMilli(v.serverNowMillis())) + ", skew "
                    + Durations.signed(v.skewMillis())).append('\n');
            if (v.ownerAlive() != null) {
                b.append("  owner process ").append(v.ownerAlive() ? "alive" : "gone").append('\n');
            }
        }
        return b.toString();
    }

    /** Bounded raw bytes as text, with control and invalid bytes escaped, trailing padding trimmed. */
    static String rawText(byte[] raw, long size) {
        int n = Math.min(raw.length, RAW_SHOWN);
        String s = new String(raw, 0, n, StandardCharsets.UTF_8).stripTrailing();
        StringBuilder b = new StringBuilder(s.length() + 64);
        b.append("(first ").append(n).append(" of ").append(size).append(" bytes; trailing spaces trimmed)\n");
        for (char c : s.toCharArray()) {
            if (c == '\n' || c == '\t' || c >= 0x20 && c != 0x7f && c != '\uFFFD') {
                b.append(c);
            } else {
                b.append(String.format(Locale.ROOT, "\\x%02x", (int) c & 0xff));
            }
        }
        return b.toString();
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
