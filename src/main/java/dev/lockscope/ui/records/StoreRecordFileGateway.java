package dev.lockscope.ui.records;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockFile;
import dev.lockscope.lock.LockOptions;
import dev.lockscope.lock.LockState;
import dev.lockscope.lock.Verdict;
import dev.lockscope.record.MergeSaveResult;
import dev.lockscope.record.RecordMergeConflictException;
import dev.lockscope.record.RecordSnapshot;
import dev.lockscope.record.RecordStore;
import dev.lockscope.record.RecordStoreOptions;
import dev.lockscope.scan.FileWatcher;
import dev.lockscope.scan.WatchOptions;

import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The records tab's access to a record file through the record store (reads, the merging save path),
 * the scanner's file watcher and the lock library's verdict. Stateless; I/O threads only.
 */
public final class StoreRecordFileGateway implements RecordFileGateway {

    private final RecordStoreOptions options;
    private final WatchOptions watchOptions;

    public StoreRecordFileGateway() {
        this(RecordStoreOptions.defaults().withTool("lockscope-inspector"), WatchOptions.defaults());
    }

    public StoreRecordFileGateway(RecordStoreOptions options, WatchOptions watchOptions) {
        this.options = options;
        this.watchOptions = watchOptions;
    }

    @Override
    public Loaded load(Path file) throws IOException {
        return loaded(RecordStore.open(file, options).read());
    }

    private static Loaded loaded(RecordSnapshot s) {
        return new Loaded(s.generation(), s.records(), s.writer() == null ? "" : s.writer().describe());
    }

    @Override
    public SaveOutcome save(Path file, Loaded base, Map<String, JsonNode> mine) throws IOException {
        RecordStore store = RecordStore.open(file, options);
        RecordSnapshot baseSnapshot = new RecordSnapshot(store.file(), base.generation() > 0, base.generation(), null,
                new TreeMap<>(base.records()), 0);
        try {
            MergeSaveResult r = store.saveMerging(baseSnapshot, mine);
            return new SaveOutcome(r.save().saved().generation(), r.save().warning(), r.merge(), null);
        } catch (RecordMergeConflictException e) {
            return new SaveOutcome(e.actualGeneration(), null, e.outcome(), loaded(e.current()));
        }
    }

    @Override
    public Watch watch(Path file, Consumer<Set<Change>> onChange) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        String recordName = abs.getFileName().toString();
        String lockName = LockFile.forResource(abs).name();
        FileWatcher w = FileWatcher.start(abs.getParent(), Set.of(recordName, lockName), watchOptions, names -> {
            EnumSet<Change> what = EnumSet.noneOf(Change.class);
            if (names.contains(recordName)) {
                what.add(Change.RECORDS);
            }
            if (names.contains(lockName)) {
                what.add(Change.LOCK);
            }
            onChange.accept(what);
        });
        return w::close;
    }

    @Override
    public String lockHolder(Path file) throws IOException {
        LockFile lock = RecordStore.open(file, options).lockFile();
        Verdict v = LinkLock.of(lock, LockOptions.defaults()).inspect();
        if (v.state() == LockState.FREE) {
            return "";
        }
        return lock.name() + " is " + v.state() + ": " + v.holderDescription() + " (" + v.reason() + ")";
    }
}
