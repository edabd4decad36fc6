package dev.lockscope.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import dev.lockscope.lock.FilesystemType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The save path's fencing check on a local filesystem compares the file's bytes now with the bytes the
 * change was made on (no directory listing, no parse). Each test changes the file behind the store's back
 * between the temp file's fsync and the fencing check, as a writer that ignores the lock would.
 */
class RecordLocalFencingTest {

    @TempDir
    Path dir;

    Path file;

    @BeforeEach
    void base() throws IOException {
        assertThat(FilesystemType.isLocal(dir)).as("the test directory must be on a local filesystem").isTrue();
        file = dir.resolve("records.json");
        RecordStore.open(file).put("base", IntNode.valueOf(1));
    }

    @Test
    void aCopyWithTheSameGenerationButOtherRecordsRenamedOverTheFileIsRefused() throws Exception {
        // A generation check alone would let this through and overwrite the rogue's "rogue" record.
        RecordStore store = actingBeforeFencing(() -> {
            Path t = dir.resolve("rogue.tmp");
            Files.write(t, generation1With("rogue"));
            Files.move(t, file, StandardCopyOption.ATOMIC_MOVE);
        });
        assertThatThrownBy(() -> store.put("mine", IntNode.valueOf(2)))
                .isInstanceOf(RecordFencingException.class)
                .hasMessageContaining("changed while we held the lock, although its generation is still 1")
                .hasMessageContaining("now written by eve@rogue")
                .hasMessageContaining("temp file was removed");
        assertThat(RecordStore.open(file).read().records()).containsOnlyKeys("rogue");
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void aWriteInPlaceOfTheSameSizeAndGenerationIsRefused() throws Exception {
        long inodeBefore = (Long) Files.getAttribute(file, "unix:ino");
        RecordStore store = actingBeforeFencing(() -> {
            byte[] rogue = generation1With("rogue");
            assertThat((long) rogue.length).isEqualTo(Files.size(file));
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(rogue), 0);
            }
        });
        assertThatThrownBy(() -> store.put("mine", IntNode.valueOf(2)))
                .isInstanceOf(RecordFencingException.class)
                .hasMessageContaining("although its generation is still 1");
        assertThat((Long) Files.getAttribute(file, "unix:ino")).isEqualTo(inodeBefore);
        assertThat(RecordStore.open(file).read().records()).containsOnlyKeys("rogue");
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void aNewerGenerationRenamedOverTheFileIsRefusedNamingIt() throws Exception {
        RecordStore store = actingBeforeFencing(() -> {
            Map<String, JsonNode> m = new TreeMap<>();
            m.put("rogue", IntNode.valueOf(9));
            Path t = dir.resolve("rogue.tmp");
            Files.write(t, RecordFormat.pad(RecordFormat.encode(7, rogueStamp(), m), Long.MAX_VALUE));
            Files.move(t, file, StandardCopyOption.ATOMIC_MOVE);
        });
        assertThatThrownBy(() -> store.put("mine", IntNode.valueOf(2)))
                .isInstanceOf(RecordFencingException.class)
                .hasMessageContaining("moved from 1 to 7")
                .hasMessageContaining("written by eve@rogue");
        assertThat(RecordStore.open(file).read().generation()).isEqualTo(7);
    }

    @Test
    void aRemovedFileIsRefusedAndStaysRemoved() throws Exception {
        RecordStore store = actingBeforeFencing(() -> Files.delete(file));
        assertThatThrownBy(() -> store.put("mine", IntNode.valueOf(2)))
                .isInstanceOf(RecordFencingException.class)
                .hasMessageContaining("was removed while we held the lock");
        assertThat(file).doesNotExist();
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void aCorruptedFileIsRefused() throws Exception {
        RecordStore store = actingBeforeFencing(() -> Files.writeString(file, "{ not json"));
        assertThatThrownBy(() -> store.put("mine", IntNode.valueOf(2)))
                .isInstanceOf(RecordFencingException.class)
                .hasMessageContaining("is now unreadable");
        assertThat(Files.readString(file)).isEqualTo("{ not json");
    }

    @Test
    void aByteIdenticalCopyLosesNothingAndTheSaveGoesThrough() throws Exception {
        // Another inode with exactly the bytes we read: the generation, records and writer are the ones
        // our change was made on, so committing over it loses nothing.
        byte[] same = Files.readAllBytes(file);
        RecordStore store = actingBeforeFencing(() -> {
            Path t = dir.resolve("copy.tmp");
            Files.write(t, same);
            Files.move(t, file, StandardCopyOption.ATOMIC_MOVE);
        });
        SaveResult r = store.put("mine", IntNode.valueOf(2));
        assertThat(r.written()).isTrue();
        RecordSnapshot after = RecordStore.open(file).read();
        assertThat(after.generation()).isEqualTo(2);
        assertThat(after.records()).containsOnlyKeys("base", "mine");
    }

    @Test
    void untouchedFileCommitsEveryTime() throws Exception {
        RecordStore store = RecordStore.open(file);
        for (int i = 0; i < 50; i++) {
            store.put("n", IntNode.valueOf(i));
        }
        RecordSnapshot after = store.read();
        assertThat(after.generation()).isEqualTo(51);
        assertThat(after.get("n")).contains(IntNode.valueOf(49));
    }

    private interface Rogue {
        void act() throws IOException;
    }

    /** The store, with {@code rogue} acting once, after the temp file is written and before the fencing check. */
    private RecordStore actingBeforeFencing(Rogue rogue) {
        return RecordStore.open(file).withStepListener(step -> {
            if (step == RecordStore.SaveStep.TEMP_WRITTEN) {
                try {
                    rogue.act();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
    }

    /** Generation 1 with one record {@code name}, padded like a real file (so of the same size as ours). */
    private static byte[] generation1With(String name) {
        Map<String, JsonNode> m = new TreeMap<>();
        m.put(name, IntNode.valueOf(9));
        return RecordFormat.pad(RecordFormat.encode(1, rogueStamp(), m), Long.MAX_VALUE);
    }

    private static WriterStamp rogueStamp() {
        return new WriterStamp("rogue", "rogue-id", "eve", 1, Instant.now(), "sed");
    }

    private List<Path> tempFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> RecordTempFile.parse(p.getFileName().toString()).isPresent()).toList();
        }
    }
}
