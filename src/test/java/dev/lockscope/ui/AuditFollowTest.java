package dev.lockscope.ui;

import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockOptions;
import dev.lockscope.ui.audit.AuditViewModel;
import dev.lockscope.ui.common.BackgroundIo;
import dev.lockscope.ui.locks.LocksViewModel;
import dev.lockscope.ui.main.MainViewModel;
import dev.lockscope.ui.records.RecordsViewModel;
import dev.lockscope.ui.records.StoreRecordFileGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The audit tab follows .lockscope-audit/ as the table follows the directory: no Reload needed. */
class AuditFollowTest {

    @TempDir
    Path dir;
    @TempDir
    Path config;

    @Test
    void aBreakMadeElsewhereShowsWithTheNextScan() throws Exception {
        LockFixtures.deadLockOf(dir.resolve("a.lock"), LockFixtures.exitedPid());
        BackgroundIo io = BackgroundIo.synchronous();
        ScriptedDialogs dialogs = new ScriptedDialogs();
        LocksViewModel locks = new LocksViewModel(io, Runnable::run, dialogs, new SynchronousScannerSource());
        AuditViewModel audit = new AuditViewModel(io);
        MainViewModel vm = new MainViewModel(io, dialogs, config.resolve("inspector.json"), locks, audit,
                new RecordsViewModel(io, dialogs, new StoreRecordFileGateway()));
        vm.add(dir);
        assertThat(audit.entries()).isEmpty();

        // Another process (the CLI, another inspector) breaks the lock: the library writes the audit record.
        LinkLock other = LinkLock.at(dir.resolve("a.lock"), LockOptions.defaults());
        assertThat(other.breakLock(other.inspect(), false).broken()).isTrue();

        locks.refresh(); // what the watcher's next poll does; the audit tab is not told anything else
        assertThat(audit.entries()).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo("BROKEN");
            assertThat(e.lock()).endsWith("a.lock");
            assertThat(e.forced()).isFalse();
        });
        locks.close();
    }
}
