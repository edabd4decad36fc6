package dev.lockscope.ui.locks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lockscope.lock.BreakResult;
import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockOptions;
import dev.lockscope.lock.LockOwner;
import dev.lockscope.lock.LockState;
import dev.lockscope.lock.Verdict;
import dev.lockscope.ui.common.BackgroundIo;
import dev.lockscope.ui.common.BreakConfirmation;
import dev.lockscope.ui.common.DialogService;
import dev.lockscope.ui.common.Durations;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleLongProperty;
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
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The lock table of one directory: rows, filter, selection, details, status bar and the break command.
 * FX thread only; all file-system work goes through {@link BackgroundIo}.
 */
public final class LocksViewModel {

    /** Poll interval where events cannot come from other hosts. */
    public static final long NETWORK_POLL_MILLIS = 2000;
    /** Poll interval on local filesystems: ages change without events. */
    public static final long LOCAL_POLL_MILLIS = 2000;
    /** At most this many raw bytes are shown in the details pane. */
    public static final int RAW_SHOWN = 1024;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS", Locale.ROOT).withZone(ZoneId.systemDefault());

    private final BackgroundIo io;
    private final DialogService dialogs;
    private final DirectoryReader reader;

    private final ObjectProperty<Path> directory = new SimpleObjectProperty<>();
    private final ObservableList<LockRowViewModel> rows = FXCollections.observableArrayList();
    private final FilteredList<LockRowViewModel> visibleRows = new FilteredList<>(rows);
    private final StringProperty filterText = new SimpleStringProperty("");
    private final BooleanProperty showAllEntries = new SimpleBooleanProperty(false);
    private final ObjectProperty<LockRowViewModel> selected = new SimpleObjectProperty<>();
    private final StringProperty details = new SimpleStringProperty("");
    private final BooleanProperty refreshing = new SimpleBooleanProperty(false);
    private final BooleanProperty breaking = new SimpleBooleanProperty(false);
    private final StringProperty errorMessage = new SimpleStringProperty("");
    private final StringProperty actionMessage = new SimpleStringProperty("");
    private final ObjectProperty<BreakResult.Outcome> lastOutcome = new SimpleObjectProperty<>();
    private final StringProperty watchModeText = new SimpleStringProperty("not watching");
    private final StringProperty lastRefreshText = new SimpleStringProperty("never refreshed");
    private final StringProperty skewText = new SimpleStringProperty("clock skew: —");
    private final StringProperty countsText = new SimpleStringProperty("");
    private final LongProperty pollIntervalMillis = new SimpleLongProperty(LOCAL_POLL_MILLIS);
    private final BooleanBinding canBreak;
    private final BooleanBinding canForceBreak;

    private BackgroundIo.Call<DirectoryReading> pendingRead;
    private DirectoryReading lastReading;
    private long generation;
    private Consumer<BreakResult> onBreakFinished = r -> { };

    public LocksViewModel(BackgroundIo io, DialogService dialogs, DirectoryReader reader) {
        this.io = Objects.requireNonNull(io);
        this.dialogs = Objects.requireNonNull(dialogs);
        this.reader = Objects.requireNonNull(reader);
        filterText.addListener((o, a, b) -> applyFilter());
        showAllEntries.addListener((o, a, b) -> applyFilter());
        selected.addListener((o, a, b) -> details.set(b == null ? "" : detailsOf(b.entry())));
        applyFilter();
        canBreak = Bindings.createBooleanBinding(() -> isBreakable(true), selected, breaking, rows);
        canForceBreak = Bindings.createBooleanBinding(() -> isBreakable(false), selected, breaking, rows);
    }

    private boolean isBreakable(boolean stale) {
        LockRowViewModel r = selected.get();
        if (r == null || breaking.get() || r.entry() == null || !r.entry().kind().isBreakable()
                || r.entry().verdict() == null) {
            return false;
        }
        LockState s = r.entry().verdict().state();
        return stale ? s.isStale() : (s == LockState.HELD || s == LockState.UNKNOWN);
    }

    /** Called after every break attempt with its result (the main window reloads the audit tab). */
    public void setOnBreakFinished(Consumer<BreakResult> c) {
        onBreakFinished = c == null ? r -> { } : c;
    }

    /** Shows {@code dir}, forgetting the previous directory's rows. */
    public void open(Path dir) {
        generation++;
        directory.set(dir);
        rows.clear();
        selected.set(null);
        lastReading = null;
        errorMessage.set("");
        actionMessage.set("");
        lastOutcome.set(null);
        lastRefreshText.set("reading…");
        countsText.set("");
        watchModeText.set("not watching");
        pendingRead = null;
        if (dir != null) {
            refresh();
        }
    }

    /** Re-reads the directory in the background, unless a read of it is still pending. */
    public void refresh() {
        Path dir = directory.get();
        if (dir == null) {
            return;
        }
        if (pendingRead != null && pendingRead.isRunning()) {
            return; // never pile calls onto a hung mount
        }
        long gen = generation;
        refreshing.set(true);
        pendingRead = io.submit("reading " + dir, () -> reader.read(dir), reading -> {
            if (gen != generation) {
                return;
            }
            refreshing.set(false);
            apply(reading);
        }, message -> {
            if (gen != generation) {
                return;
            }
            refreshing.set(false);
            errorMessage.set(message);
            lastRefreshText.set("last refresh failed at " + CLOCK.format(Instant.now()));
        });
    }

    /** Advances the live ages; called every second by the view. */
    public void tick() {
        long now = System.nanoTime();
        for (LockRowViewModel r : rows) {
            r.tick(now);
        }
    }

    private void apply(DirectoryReading reading) {
        lastReading = reading;
        errorMessage.set("");
        Map<String, LockRowViewModel> byName = new HashMap<>();
        for (LockRowViewModel r : rows) {
            byName.put(r.name(), r);
        }
        Set<String> seen = new HashSet<>();
        for (LockEntry e : reading.entries()) {
            seen.add(e.name());
            LockRowViewModel r = byName.get(e.name());
            if (r == null) {
                r = new LockRowViewModel(e.name());
                r.update(e, reading.readAtNanos());
                rows.add(r);
            } else {
                r.update(e, reading.readAtNanos());
            }
        }
        LockRowViewModel sel = selected.get();
        rows.removeIf(r -> !seen.contains(r.name()));
        if (sel != null && !seen.contains(sel.name())) {
            selected.set(null);
        } else if (sel != null) {
            details.set(detailsOf(sel.entry()));
        }
        applyFilter();
        pollIntervalMillis.set(reading.network() ? NETWORK_POLL_MILLIS : LOCAL_POLL_MILLIS);
        watchModeText.set("polling every " + Durations.human(pollIntervalMillis.get()) + " (" + reading.fsType()
                + (reading.network() ? ", network filesystem: no events from other hosts" : "") + ")");
        lastRefreshText.set("last refresh " + CLOCK.format(Instant.ofEpochMilli(reading.readAtWallMillis()))
                + " (" + reading.tookMillis() + " ms)");
        skewText.set(reading.clock() == null ? "clock skew: unknown (" + reading.clockError() + ")"
                : "server clock skew " + Durations.signed(reading.clock().skewMillis()));
        countsText.set(counts(reading));
    }

    private static String counts(DirectoryReading reading) {
        Map<LockState, Integer> n = new EnumMap<>(LockState.class);
        int others = 0;
        for (LockEntry e : reading.entries()) {
            if (e.kind().isBreakable() && e.verdict() != null) {
                n.merge(e.verdict().state(), 1, Integer::sum);
            } else {
                others++;
            }
        }
        StringBuilder b = new StringBuilder();
        for (LockState s : LockState.values()) {
            if (s != LockState.FREE) {
                b.append(s.name()).append(' ').append(n.getOrDefault(s, 0)).append(" · ");
            }
        }
        return b.append("other entries ").append(others).toString();
    }

    private void applyFilter() {
        String f = filterText.get() == null ? "" : filterText.get().strip().toLowerCase(Locale.ROOT);
        boolean all = showAllEntries.get();
        visibleRows.setPredicate(r -> (all || r.entry() == null || r.entry().kind().isPrimary())
                && (f.isEmpty() || r.searchText().contains(f)));
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

    /** Asks twice, then forces the break of the selected HELD (or unreadable) lock. */
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
        Path lock = r.entry().path();
        breaking.set(true);
        actionMessage.set((force ? "Forcing the break of " : "Breaking ") + r.name() + "…");
        lastOutcome.set(null);
        io.submit("breaking " + lock, () -> LinkLock.at(lock, LockOptions.defaults()).breakLock(judged, force),
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

    /** The details pane text for an entry: path, verdict, owner record, evidence and bounded raw bytes. */
    static String detailsOf(LockEntry e) {
        if (e == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        b.append("Path: ").append(e.path()).append('\n');
        b.append("Kind: ").append(e.kind().label()).append('\n');
        Verdict v = e.verdict();
        if (v != null) {
            b.append("State: ").append(v.state()).append(" — ").append(v.reason()).append('\n');
        }
        if (e.note() != null) {
            b.append("Note: ").append(e.note()).append('\n');
        }
        LockOwner o = v == null ? null : v.owner();
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
        b.append("\nEvidence:\n");
        if (e.facts() != null) {
            b.append("  inode ").append(e.facts().inode()).append(", link count ").append(e.facts().nlink())
                    .append(", size ").append(e.facts().size()).append(" bytes\n");
            b.append("  modified ").append(STAMP.format(Instant.ofEpochMilli(e.facts().mtimeMillis())))
                    .append(" (server clock)\n");
        } else {
            b.append("  attributes unreadable\n");
        }
        if (v != null) {
            b.append("  heartbeat age ").append(Durations.human(v.heartbeatAgeMillis()))
                    .append(", lock age ").append(Durations.human(v.lockAgeMillis())).append('\n');
            b.append("  server clock ").append(v.serverNowMillis() < 0 ? "not measured"
                    : STAMP.format(Instant.ofEpochMilli(v.serverNowMillis())) + ", skew "
                    + Durations.signed(v.skewMillis())).append('\n');
            if (v.ownerAlive() != null) {
                b.append("  owner process ").append(v.ownerAlive() ? "alive" : "gone").append('\n');
            }
        }
        byte[] raw = e.raw();
        b.append("\nRaw bytes (").append(Math.min(raw.length, RAW_SHOWN)).append(" of ")
                .append(e.facts() == null ? raw.length : e.facts().size()).append(" shown):\n");
        b.append(printable(raw, RAW_SHOWN));
        return b.toString();
    }

    /** Bytes as text, with control and invalid bytes escaped, trailing padding trimmed. */
    static String printable(byte[] raw, int max) {
        int n = Math.min(raw.length, max);
        String s = new String(raw, 0, n, StandardCharsets.UTF_8).stripTrailing();
        StringBuilder b = new StringBuilder(s.length());
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

    public ObservableBooleanValue canBreakProperty() {
        return canBreak;
    }

    public ObservableBooleanValue canForceBreakProperty() {
        return canForceBreak;
    }

    public ReadOnlyBooleanProperty refreshingProperty() {
        return refreshing;
    }

    public ReadOnlyBooleanProperty breakingProperty() {
        return breaking;
    }

    /** Empty when the last read worked; else what went wrong, naming the path. */
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

    public ReadOnlyLongProperty pollIntervalMillisProperty() {
        return pollIntervalMillis;
    }

    /** The last successful read, or null. */
    public DirectoryReading lastReading() {
        return lastReading;
    }

    /** Selects the row named {@code name}, if present. */
    public void select(String name) {
        rows.stream().filter(r -> r.name().equals(name)).findFirst().ifPresent(selected::set);
    }
}
