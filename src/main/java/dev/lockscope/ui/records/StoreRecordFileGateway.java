package dev.lockscope.ui.records;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.record.RecordChange;
import dev.lockscope.record.RecordConflictException;
import dev.lockscope.record.RecordSnapshot;
import dev.lockscope.record.RecordStore;
import dev.lockscope.record.RecordStoreOptions;
import dev.lockscope.record.SaveResult;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The records tab's access to a record file through the record store: lockless reads and the locked
 * save path, nothing else. Stateless; I/O threads only.
 */
public final class StoreRecordFileGateway implements RecordFileGateway {

    private final RecordStoreOptions options;

    public StoreRecordFileGateway() {
        this(RecordStoreOptions.defaults().withTool("lockscope-inspector"));
    }

    public StoreRecordFileGateway(RecordStoreOptions options) {
        this.options = options;
    }

    @Override
    public Loaded load(Path file) throws IOException {
        RecordSnapshot s = RecordStore.open(file, options).read();
        return new Loaded(s.generation(), s.records(), s.writer() == null ? "" : s.writer().describe());
    }

    @Override
    public SaveOutcome save(Path file, long expectedGeneration, Map<String, JsonNode> changes, boolean reapply)
            throws IOException {
        List<RecordChange> parts = new ArrayList<>();
        changes.forEach((name, value) -> parts.add(value == null ? RecordChange.delete(name)
                : RecordChange.put(name, value)));
        RecordChange all = m -> parts.forEach(c -> c.apply(m));
        try {
            SaveResult r = RecordStore.open(file, options).save(expectedGeneration, all,
                    reapply ? RecordStore.OnConflict.REAPPLY : RecordStore.OnConflict.FAIL);
            return new SaveOutcome(true, r.saved().generation(), r.warning());
        } catch (RecordConflictException e) {
            return new SaveOutcome(false, e.actualGeneration(), e.getMessage());
        }
    }
}
