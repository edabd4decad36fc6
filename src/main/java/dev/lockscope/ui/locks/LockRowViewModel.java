package dev.lockscope.ui.locks;

import dev.lockscope.lock.LockOwner;
import dev.lockscope.lock.LockState;
import dev.lockscope.lock.Verdict;
import dev.lockscope.ui.common.Durations;
import javafx.beans.property.LongProperty;
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
    private final ObjectProperty<LockEntry> entry = new SimpleObjectProperty<>();
    private final ObjectProperty<EntryKind> kind = new SimpleObjectProperty<>();
    private final ObjectProperty<LockState> state = new SimpleObjectProperty<>();
    private final StringProperty stateText = new SimpleStringProperty();
    private final StringProperty host = new SimpleStringProperty();
    private final StringProperty user = new SimpleStringProperty();
    private final LongProperty pid = new SimpleLongProperty(-1);
    private final LongProperty lockAgeMillis = new SimpleLongProperty(-1);
    private final LongProperty heartbeatAgeMillis = new SimpleLongProperty(-1);
    private final LongProperty leaseMillis = new SimpleLongProperty(-1);
    private final LongProperty nlink = new SimpleLongProperty(-1);
    private final LongProperty inode = new SimpleLongProperty(-1);
    private long baseLockAge = -1;
    private long baseHeartbeatAge = -1;
    private long readAtNanos;

    LockRowViewModel(String name) {
        this.name = name;
    }

    /** Takes the values of a fresh read. */
    void update(LockEntry e, long readAtNanos) {
        this.readAtNanos = readAtNanos;
        entry.set(e);
        kind.set(e.kind());
        Verdict v = e.verdict();
        LockOwner o = v == null ? null : v.owner();
        state.set(v == null ? null : v.state());
        stateText.set(stateTextOf(e));
        host.set(o == null ? "" : o.host());
        user.set(o == null ? "" : o.user());
        pid.set(o == null ? -1 : o.pid());
        leaseMillis.set(o == null ? -1 : o.leaseMillis());
        nlink.set(e.facts() == null ? -1 : e.facts().nlink());
        inode.set(e.facts() == null ? -1 : e.facts().inode());
        baseLockAge = v == null ? -1 : v.lockAgeMillis();
        baseHeartbeatAge = v == null ? -1 : v.heartbeatAgeMillis();
        tick(readAtNanos);
    }

    /** Advances the ages to {@code nowNanos} (a {@link System#nanoTime()} value). */
    void tick(long nowNanos) {
        long elapsed = Math.max(0, (nowNanos - readAtNanos) / 1_000_000);
        lockAgeMillis.set(baseLockAge < 0 ? -1 : baseLockAge + elapsed);
        heartbeatAgeMillis.set(baseHeartbeatAge < 0 ? -1 : baseHeartbeatAge + elapsed);
    }

    /** The badge text: the state for locks, the kind otherwise. */
    static String stateTextOf(LockEntry e) {
        if (e.verdict() != null && (e.kind() == EntryKind.LOCK || e.kind() == EntryKind.BREAK_GUARD)) {
            return e.verdict().state().name();
        }
        if (e.kind() == EntryKind.FOREIGN_LOCK || e.kind() == EntryKind.UNREADABLE) {
            return e.verdict() == null ? e.kind().label().toUpperCase() : e.verdict().state().name();
        }
        return e.kind().label();
    }

    /** The CSS style class of the state badge, one per state or kind. */
    public String badgeStyleClass() {
        LockState s = state.get();
        if (s != null && (kind.get() == EntryKind.LOCK || kind.get() == EntryKind.BREAK_GUARD
                || kind.get() == EntryKind.FOREIGN_LOCK || kind.get() == EntryKind.UNREADABLE)) {
            return "badge-" + s.name().toLowerCase();
        }
        return "badge-" + kind.get().name().toLowerCase().replace('_', '-');
    }

    public String name() {
        return name;
    }

    public LockEntry entry() {
        return entry.get();
    }

    public ReadOnlyObjectProperty<LockEntry> entryProperty() {
        return entry;
    }

    public ReadOnlyObjectProperty<EntryKind> kindProperty() {
        return kind;
    }

    public ReadOnlyObjectProperty<LockState> stateProperty() {
        return state;
    }

    public ReadOnlyStringProperty stateTextProperty() {
        return stateText;
    }

    public ReadOnlyStringProperty hostProperty() {
        return host;
    }

    public ReadOnlyStringProperty userProperty() {
        return user;
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

    /** Text used by the find filter. */
    String searchText() {
        return (name + " " + stateText.get() + " " + host.get() + " " + user.get() + " "
                + (pid.get() < 0 ? "" : pid.get())).toLowerCase();
    }

    @Override
    public String toString() {
        return name + " [" + stateText.get() + "]";
    }

    /** Ages for table cells. */
    public static String age(long millis) {
        return Durations.human(millis);
    }
}
