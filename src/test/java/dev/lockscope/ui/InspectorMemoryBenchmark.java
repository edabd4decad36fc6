package dev.lockscope.ui;

import dev.lockscope.scan.ScanBenchmark;
import dev.lockscope.ui.common.BackgroundIo;
import dev.lockscope.ui.locks.LocksViewModel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Locale;

/**
 * The inspector's memory with a large lock directory, in the scanner benchmark's style (docs/BENCHMARKS.md):
 * the directory of {@link ScanBenchmark#populate}, opened by the lock table's view model (rows, filter,
 * the scanner and its snapshots), refreshed, then the used heap after GC. Run with {@code -Xmx300m} to
 * show the target holds. Main thread only (it plays the FX thread; no window).
 *
 * <p>Run: {@code java -Xmx300m -cp target/classes:target/test-classes:<deps> dev.lockscope.ui.InspectorMemoryBenchmark [ENTRIES]}
 */
public final class InspectorMemoryBenchmark {
    private InspectorMemoryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        Path dir = Files.createTempDirectory("lockscope-inspector-mem");
        try {
            int locks = ScanBenchmark.populate(dir, n, new ArrayList<>());
            long baseline = ScanBenchmark.usedHeapAfterGc();
            LocksViewModel vm = new LocksViewModel(BackgroundIo.synchronous(), Runnable::run, new ScriptedDialogs(),
                    new SynchronousScannerSource());
            long t0 = System.nanoTime();
            vm.open(dir);
            long openMillis = (System.nanoTime() - t0) / 1_000_000;
            vm.showAllEntriesProperty().set(true);
            for (int i = 0; i < 3; i++) {
                vm.refresh();
                vm.tick();
            }
            long used = ScanBenchmark.usedHeapAfterGc();
            System.out.printf(Locale.ROOT, """
                    entries:                 %d (%d locks, each with its held claim), %d rows
                    open (first snapshot):   %d ms
                    heap after GC, baseline: %.1f MB
                    heap after GC, with the lock table's view model, scanner and snapshots: %.1f MB (%.1f MB above baseline)
                    max heap (-Xmx):         %.0f MB
                    """, n, locks, vm.allRows().size(), openMillis, baseline / 1e6, used / 1e6,
                    (used - baseline) / 1e6, Runtime.getRuntime().maxMemory() / 1e6);
            vm.close();
        } finally {
            try (var s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
