package dev.lockscope.ui;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.ui.records.RecordFileGateway;
import dev.lockscope.ui.records.StoreRecordFileGateway;

import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The real record-file gateway (store, save path, lock verdicts) whose watch reports when the test says
 * so, on the test's thread: view-model tests decide when "the file changed on disk" is heard, instead of
 * waiting for a watcher thread. The real watcher is tested in FileWatcherTest and the TestFX flows.
 */
final class ManualWatchGateway implements RecordFileGateway {
    private final StoreRecordFileGateway real = new StoreRecordFileGateway();
    final Map<Path, Consumer<Set<Change>>> watches = new ConcurrentHashMap<>();

    /** Tells the view model that {@code file} (or its lock) changed. */
    void fire(Path file, Change first, Change... more) {
        Consumer<Set<Change>> c = watches.get(file.toAbsolutePath().normalize());
        if (c == null) {
            throw new AssertionError("nobody watches " + file + "; watched: " + watches.keySet());
        }
        c.accept(EnumSet.of(first, more));
    }

    @Override
    public Loaded load(Path file) throws IOException {
        return real.load(file);
    }

    @Override
    public SaveOutcome save(Path file, Loaded base, Map<String, JsonNode> mine) throws IOException {
        return real.save(file, base, mine);
    }

    @Override
    public Watch watch(Path file, Consumer<Set<Change>> onChange) {
        Path key = file.toAbsolutePath().normalize();
        watches.put(key, onChange);
        return () -> watches.remove(key, onChange);
    }

    @Override
    public String lockHolder(Path file) throws IOException {
        return real.lockHolder(file);
    }
}
