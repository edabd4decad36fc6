package dev.lockscope.scan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the scanner benchmark small, so it keeps working; its figures are checked for sense, not speed. */
class ScanBenchmarkSmokeTest {

    @TempDir
    Path dir;

    @Test
    void theBenchmarkRunsSmallAndMeasuresRealRefreshes() throws Exception {
        ScanBenchmark.Result r = ScanBenchmark.run(dir, 500, 3);
        System.out.print(r.report());
        assertThat(r.entries()).isEqualTo(500);
        assertThat(r.locks()).isEqualTo(175);
        assertThat(r.fullSnapshotMillis()).hasSize(5).allMatch(ms -> ms >= 0);
        assertThat(r.incrementalMillis()).hasSize(3);
        // 1% of 500: one heartbeat (lock and claim share an inode, so both are re-read) and temp files
        // (named, never read). Nothing else is read again.
        assertThat(r.incrementalContentReads()).hasSize(3).allMatch(n -> n >= 1 && n <= 2);
        assertThat(r.heapUsedBytes()).isPositive();
        DirectorySnapshot snap = DirectoryScanner.snapshot(dir);
        assertThat(snap.ofKind(EntryKind.LOCK)).hasSize(175);
        assertThat(snap.ofKind(EntryKind.LOCK)).filteredOn(e -> e.state() == EntryState.DEAD).isNotEmpty();
        assertThat(snap.ofKind(EntryKind.LOCK)).filteredOn(e -> e.state() == EntryState.EXPIRED).isNotEmpty();
        assertThat(snap.ofKind(EntryKind.CLAIM)).filteredOn(e -> e.state() == EntryState.HELD).hasSize(175);
        assertThat(snap.ofKind(EntryKind.BROKEN_LEFTOVER)).isNotEmpty();
        assertThat(snap.ofKind(EntryKind.NFS_SILLY_RENAME)).isNotEmpty();
        assertThat(snap.ofKind(EntryKind.FOREIGN_LOCK)).isNotEmpty();
    }
}
