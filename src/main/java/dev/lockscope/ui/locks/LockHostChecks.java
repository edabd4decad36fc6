package dev.lockscope.ui.locks;

import dev.lockscope.lock.LockState;
import dev.lockscope.probe.HostCheck;
import dev.lockscope.probe.HostChecker;
import dev.lockscope.probe.ScanHostChecks;
import dev.lockscope.scan.EntryKind;
import dev.lockscope.scan.ScanEntry;
import dev.lockscope.ui.common.BackgroundIo;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The lock table's checks on owners' hosts ("Check on host", and the automatic check of old HELD locks): runs
 * them in the background, keeps each answer for the owner it was about, and applies it to that lock's row.
 * FX thread only; the ssh runs happen on {@link BackgroundIo}'s threads, through the {@link HostCheckGateway}.
 */
public final class LockHostChecks {
    /** An automatic ALIVE answer is trusted this long before the host is asked again. */
    static final Duration AUTO_RECHECK = Duration.ofMinutes(5);
    /** At most this many automatic checks at once: each is an ssh login on some host. */
    private static final int AUTO_PARALLEL = 2;

    /** A check and the owner token it was about: it applies to that owner's lock only. */
    private record Kept(String token, HostCheck check, long atNanos) {
    }

    private final BackgroundIo io;
    private final HostCheckGateway hosts;
    private final BiConsumer<String, HostCheck> onDone;
    private final Map<String, Kept> byLock = new HashMap<>();
    private final Set<String> running = new HashSet<>();
    private HostChecker checker;
    private Duration autoAfter;

    /**
     * @param hosts  asks the owners' hosts
     * @param onDone called on the FX thread with the lock's name and the check, when one finishes
     */
    LockHostChecks(BackgroundIo io, HostCheckGateway hosts, BiConsumer<String, HostCheck> onDone) {
        this.io = io;
        this.hosts = hosts;
        this.onDone = onDone;
    }

    /**
     * Sets the checker (from {@link HostCheckGateway#checkerFor}) and the lock age after which HELD locks of
     * allow-listed hosts are checked automatically (null: never). Until it is called nothing can be checked.
     */
    void configure(HostChecker checker, Duration autoCheckHeldAfter) {
        this.checker = checker;
        this.autoAfter = autoCheckHeldAfter;
    }

    /** Whether the lock of this entry is one another host could tell more about. */
    boolean canCheck(ScanEntry e) {
        return checker != null && e != null && e.kind() == EntryKind.LOCK && e.verdict() != null && e.owner() != null
                && !running.contains(e.name()) && checker.worthAsking(e.verdict());
    }

    /** Asks the owner's host about this entry's lock, in the background. */
    void check(ScanEntry e) {
        if (!canCheck(e)) {
            return;
        }
        String name = e.name();
        String token = e.owner().token();
        running.add(name);
        HostChecker c = checker;
        var owner = e.owner();
        Duration limit = c.settings().timeout().multipliedBy(2).plusSeconds(5);
        io.submit("asking " + owner.host() + " about pid " + owner.pid(), limit, () -> hosts.check(c, owner), check -> {
            running.remove(name);
            byLock.put(name, new Kept(token, check, System.nanoTime()));
            onDone.accept(name, check);
        }, err -> {
            running.remove(name);
            onDone.accept(name, null);
        });
    }

    /** The entry with the check kept for its owner applied (see {@link HostCheck#applyTo}), or as it is. */
    ScanEntry applied(ScanEntry e) {
        Kept k = byLock.get(e.name());
        if (k == null || e.verdict() == null || e.owner() == null) {
            return e;
        }
        if (!k.token().equals(e.owner().token())) {
            byLock.remove(e.name()); // another owner now: the answer was about someone else
            return e;
        }
        if (checker == null || !checker.worthAsking(e.verdict())) {
            return e; // judged here already (DEAD locally, or FREE)
        }
        return ScanHostChecks.applied(e, k.check().applyTo(e.verdict()));
    }

    /** Starts the automatic checks that are due: HELD, older than the threshold, host on the allow-list. */
    void autoCheck(Iterable<ScanEntry> entries) {
        if (autoAfter == null || checker == null) {
            return;
        }
        for (ScanEntry e : entries) {
            if (running.size() >= AUTO_PARALLEL) {
                return;
            }
            if (e.verdict() == null || e.verdict().state() != LockState.HELD || e.owner() == null
                    || e.lockAgeMillis() < autoAfter.toMillis() || !checker.settings().allowList().allows(e.owner().host())) {
                continue;
            }
            Kept k = byLock.get(e.name());
            if (k == null || !k.token().equals(e.owner().token())
                    || System.nanoTime() - k.atNanos() > AUTO_RECHECK.toNanos()) {
                check(e);
            }
        }
    }

    /** The details-pane section for this entry's kept check, or a hint; empty for entries that have none. */
    String detailsFor(ScanEntry e) {
        if (e == null || e.kind() != EntryKind.LOCK || e.owner() == null) {
            return "";
        }
        StringBuilder b = new StringBuilder("\nCheck on host:\n");
        Kept k = byLock.get(e.name());
        if (running.contains(e.name())) {
            b.append("  asking the owner's host over ssh…\n");
        }
        if (k != null && k.token().equals(e.owner().token())) {
            HostCheck c = k.check();
            b.append("  ").append(c.headline()).append('\n');
            c.evidence().forEach(line -> b.append("  ").append(line.label()).append(": ").append(line.text()).append('\n'));
        } else if (!running.contains(e.name())) {
            b.append(canCheck(e) ? "  not asked yet (\"Check on host\")\n"
                    : "  not needed: the verdict was reached on this host\n");
        }
        if (checker == null) {
            b.append("  no hosts to ask are configured yet\n");
        }
        return b.toString();
    }
}
