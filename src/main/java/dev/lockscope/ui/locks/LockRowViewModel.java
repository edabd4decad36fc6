package dev.lockscope.ui.locks;

import dev.lockscope.scan.EntryKind;
import dev.lockscope.scan.EntryState;
import dev.lockscope.scan.ScanEntry;
import dev.lockscope.text.Printable;
import dev.lockscope.text.Durations;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * One row of the lock table: an entry plus its ages, which tick between reads. FX thread only.
 */
public final class LockRowViewModel {

    private final String name;
    private final ObjectProperty<ScanEntry> entry = new SimpleObjectProperty<>();
    private final ObjectProperty<EntryKind> kind = new SimpleObjectProperty<>();
    private final ObjectProperty<EntryState> state = new SimpleObjectProperty<>();
    private final StringProperty stateText = new SimpleStringProperty();
    private final StringProperty tool = new SimpleStringProperty("");
    private final StringProperty host = new SimpleStringProperty();
    private final StringProperty user = new SimpleStringProperty();
    private final StringProperty purpose = new SimpleStringProperty("");
    private final LongProperty pid = new SimpleLongProperty(-1);
    private final LongProperty lockAgeMillis = new SimpleLongProperty(-1);
    private final LongProperty heartbeatAgeMillis = new SimpleLongProperty(-1);
    private final LongProperty leaseMillis = new SimpleLongProperty(-1);
    private final LongProperty nlink = new SimpleLongProperty(-1);
    private final LongProperty inode = new SimpleLongProperty(-1);
    private final BooleanProperty current = new SimpleBooleanProperty(true);
    private long baseLockAge = -1;
    private long baseHeartbeatAge = -1;
    private long readAtNanos;

    LockRowViewModel(String name) {
        this.name = name;
    }

    /** Takes the values of a fresh refresh, which arrived at {@code arrivedNanos} ({@link System#nanoTime()}). */
    void update(ScanEntry e, long arrivedNanos) {
        this.readAtNanos = arrivedNanos;
        entry.set(e);
        kind.set(e.kind());
        state.set(e.state());
        stateText.set(stateTextOf(e));
        tool.set(toolOf(e));
        // Values from the lock directory are shown escaped: they are anyone's writing.
        host.set(Printable.escape(e.host()));
        user.set(Printable.escape(e.user()));
        purpose.set(e.owner() == null ? "" : Printable.escape(e.owner().purpose()));
        pid.set(e.pid());
        leaseMillis.set(e.leaseMillis());
        nlink.set(e.nlink());
        inode.set(e.inode());
        baseLockAge = e.lockAgeMillis();
        baseHeartbeatAge = e.heartbeatAgeMillis();
        current.set(true);
        tick(arrivedNanos);
    }

    /**
     * The directory can no longer be read (deleted, unreadable, hung): this row shows what was read last,
     * and its ages stop, because nobody knows any more whether the lock still exists.
     */
    void markNotCurrent() {
        current.set(false);
    }

    /** Advances the ages to {@code nowNanos} (a {@link System#nanoTime()} value), unless the row is no longer current. */
    void tick(long nowNanos) {
        if (!current.get()) {
            return;
        }
        long elapsed = Math.max(0, (nowNanos - readAtNanos) / 1_000_000);
        lockAgeMillis.set(baseLockAge < 0 ? -1 : baseLockAge + elapsed);
        heartbeatAgeMillis.set(baseHeartbeatAge < 0 ? -1 : baseHeartbeatAge + elapsed);
    }

    /** The badge text: the state for locks and claims, the kind for everything else. */
    static String stateTextOf(ScanEntry e) {
        if (e.state() != EntryState.NONE) {
            return e.state().name();
        }
        return kindLabel(e.kind());
    }

    /** The tool whose lock (or claim) this is: another tool's name, {@code lockscope} for ours, else empty. */
    static String toolOf(ScanEntry e) {
        if (e.foreign() != null) {
            return e.foreign().format();
        }
        return e.owner() != null ? dev.lockscope.formats.ForeignLock.LOCKSCOPE : "";
    }

    /** A kind in words. */
    public static String kindLabel(EntryKind k) {
        return switch (k) {
            case LOCK -> "lock";
            case CLAIM -> "claim";
            case BREAK_GUARD -> "break guard";
            case BROKEN_LEFTOVER -> "broken leftover";
            case RECORD_TEMP -> "save temp file";
            case RECORD_INTENT -> "group-commit intent";
            case NFS_SILLY_RENAME -> "NFS silly-rename";
            case PROBE -> "clock probe";
            case AUDIT_DIR -> "audit directory";
            case FOREIGN_LOCK -> "foreign lock";
            case SYMLINK -> "symlink";
            case SPECIAL -> "special file";
            case DIRECTORY -> "directory";
            case OTHER -> "other file";
            case UNREADABLE -> "unreadable";
        };
    }

    /** The CSS style class of the state badge: one per state, or per kind for stateless entries. */
    public String badgeStyleClass() {
        EntryState s = state.get();
        if (s != null && s != EntryState.NONE) {
            return "badge-" + s.name().toLowerCase(java.util.Locale.ROOT);
        }
        return "badge-none";
    }

    public String name() {
        return name;
    }

    /** The name as shown: control characters escaped. */
    public String displayName() {
        return Printable.escape(name);
    }

    public ScanEntry entry() {
        return entry.get();
    }

    public ReadOnlyObjectProperty<ScanEntry> entryProperty() {
        return entry;
    }

    public ReadOnlyObjectProperty<EntryKind> kindProperty() {
        return kind;
    }

    public ReadOnlyObjectProperty<EntryState> stateProperty() {
        return state;
    }

    public ReadOnlyStringProperty stateTextProperty() {
        return stateText;
    }

    public ReadOnlyStringProperty toolProperty() {
        return tool;
    }

    public ReadOnlyStringProperty hostProperty() {
        return host;
    }

    public ReadOnlyStringProperty userProperty() {
        return user;
    }

    /** The owner's stated purpose, or "". */
    public ReadOnlyStringProperty purposeProperty() {
        return purpose;
    }

    public ReadOnlyLongProperty pidProperty() {
        return pid;
    }

    public ReadOnlyLongProperty lockAgeMillisProperty() {
        return lockAgeMillis;
    }

    public ReadOnlyLongProperty heartbeatAgeMillisProperty() {
        return heartbeatAgeMillis;
    }

    public ReadOnlyLongProperty leaseMillisProperty() {
        return leaseMillis;
    }

    public ReadOnlyLongProperty nlinkProperty() {
        return nlink;
    }

    public ReadOnlyLongProperty inodeProperty() {
        return inode;
    }

    /** False when the directory could not be read since this row was: it shows the last known values. */
    public ReadOnlyBooleanProperty currentProperty() {
        return current;
    }

    /** Text used by the find filter. */
    String searchText() {
        return (name + " " + stateText.get() + " " + kindLabel(kind.get()) + " " + tool.get() + " " + host.get() + " "
                + user.get() + " " + (pid.get() < 0 ? "" : pid.get()) + " " + purpose.get()).toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public String toString() {
        return name + " [" + stateText.get() + "]";
    }

    /** Ages for table cells. */
    public static String age(long millis) {
        return Durations.compact(millis);
    }
}
