package dev.lockscope.record;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.lockscope.testing.Testbed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Corrupt, truncated, unknown, oversized files and read-only or full directories: clear errors, nothing lost. */
class RecordBadInputTest {

    @TempDir
    Path dir;

    private RecordStore store(Path file) {
        return RecordStore.open(file, RecordStoreOptions.defaults().withTornRetry(Duration.ofMillis(300))
                .withLockTimeout(Duration.ofSeconds(5)));
    }

    private Path fileWith(byte[] content) throws IOException {
        Path f = dir.resolve("records.json");
        Files.write(f, content);
        return f;
    }

    private void assertRefusedAndUnchanged(Path f, CorruptRecordFileException.Problem problem, String... inMessage)
            throws IOException {
        byte[] before = Files.readAllBytes(f);
        RecordStore s = store(f);
        assertThatThrownBy(s::read).isInstanceOfSatisfying(CorruptRecordFileException.class, e -> {
            assertThat(e.problem()).isEqualTo(problem);
            assertThat(e.getMessage()).contains(f.toString()).contains(inMessage);
        });
        assertThatThrownBy(() -> s.put("x", IntNode.valueOf(1))).isInstanceOf(CorruptRecordFileException.class)
                .hasMessageContaining(f.toString());
        assertThatThrownBy(() -> s.delete("x")).isInstanceOf(CorruptRecordFileException.class);
        assertThat(Files.readAllBytes(f)).isEqualTo(before);
        assertThat(leftovers(f.getParent())).isEmpty();
    }

    /** Files the save path left behind. Claims kept for a quick retake (LinkLock.dropKeptClaims) are not leftovers. */
    static java.util.List<String> leftovers(Path d) throws IOException {
        dev.lockscope.lock.LinkLock.dropKeptClaims();
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(".") || n.endsWith(".lock")).toList();
        }
    }

    private byte[] validFile() throws IOException {
        Path tmp = dir.resolve("valid.json");
        RecordStore.open(tmp).put("alpha", TextNode.valueOf("é and more"));
        RecordStore.open(tmp).put("beta", IntNode.valueOf(2));
        byte[] b = Files.readAllBytes(tmp);
        Files.delete(tmp);
        return b;
    }

    @Test
    void garbageIsNotJson() throws IOException {
        assertRefusedAndUnchanged(fileWith("hello world\n".getBytes(StandardCharsets.UTF_8)),
                CorruptRecordFileException.Problem.NOT_JSON, "is not valid JSON", "line 1");
    }

    /**
     * The torn-read budget runs from the first failed read, and a budget that is not zero reads at least
     * {@link RecordStore#MIN_READ_ATTEMPTS} times: a first read slower than the whole budget (a loaded machine) was
     * reported at once, never read again. Zero means one read.
     */
    @Test
    void aTornLookingFileIsReadAgainEvenWhenTheBudgetIsSpentByTheFirstRead() throws IOException {
        Path f = fileWith("hello world\n".getBytes(StandardCharsets.UTF_8));
        RecordStore tiny = RecordStore.open(f, RecordStoreOptions.defaults().withTornRetry(Duration.ofNanos(1)));
        assertThatThrownBy(tiny::read).isInstanceOf(CorruptRecordFileException.class)
                .hasMessageContaining("the same after " + RecordStore.MIN_READ_ATTEMPTS + " reads over");
        RecordStore none = RecordStore.open(f, RecordStoreOptions.defaults().withTornRetry(Duration.ZERO));
        assertThatThrownBy(none::read).isInstanceOf(CorruptRecordFileException.class)
                .hasMessageContaining("is not valid JSON").hasMessageNotContaining("the same after");
    }

    @Test
    void truncatedFileIsReportedQuickly() throws IOException {
        byte[] valid = validFile();
        Path f = fileWith(Arrays.copyOf(valid, 150));
        long t0 = System.nanoTime();
        assertRefusedAndUnchanged(f, CorruptRecordFileException.Problem.TRUNCATED, "is truncated", "150 bytes");
        // 150 is not a size class, so it cannot be a stale-size cut: no long wait.
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(10_000);
    }

    @Test
    void unknownFormatTag() throws IOException {
        String s = new String(validFile(), StandardCharsets.UTF_8).replace(RecordFormat.FORMAT_TAG, "lockscope-records/9");
        assertRefusedAndUnchanged(fileWith(s.getBytes(StandardCharsets.UTF_8)),
                CorruptRecordFileException.Problem.UNKNOWN_FORMAT, "lockscope-records/9");
    }

    @Test
    void someoneElsesJson() throws IOException {
        assertRefusedAndUnchanged(fileWith("{\"name\": \"x\"}".getBytes(StandardCharsets.UTF_8)),
                CorruptRecordFileException.Problem.UNKNOWN_FORMAT, "no \"format\" field");
    }

    @Test
    void unknownTopLevelFieldWouldBeDroppedSoIsRefused() throws IOException {
        String s = new String(validFile(), StandardCharsets.UTF_8).replaceFirst("\\{", "{ \"extra\" : 1,");
        assertRefusedAndUnchanged(fileWith(s.getBytes(StandardCharsets.UTF_8)),
                CorruptRecordFileException.Problem.UNKNOWN_FORMAT, "\"extra\"");
    }

    @Test
    void notUtf8() throws IOException {
        byte[] valid = validFile();
        String s = new String(valid, StandardCharsets.UTF_8);
        int at = s.indexOf("é");
        byte[] bad = valid.clone();
        int byteAt = s.substring(0, at).getBytes(StandardCharsets.UTF_8).length;
        bad[byteAt] = (byte) 0xff;
        assertRefusedAndUnchanged(fileWith(bad), CorruptRecordFileException.Problem.NOT_UTF8,
                "byte offset " + byteAt);
    }

    @Test
    void tooLargeIsNotParsed() throws IOException {
        Path f = fileWith(validFile());
        byte[] before = Files.readAllBytes(f);
        RecordStore small = RecordStore.open(f, RecordStoreOptions.defaults().withMaxBytes(1000));
        assertThatThrownBy(small::read).isInstanceOfSatisfying(CorruptRecordFileException.class, e -> {
            assertThat(e.problem()).isEqualTo(CorruptRecordFileException.Problem.TOO_LARGE);
            assertThat(e.getMessage()).contains(f.toString()).contains(before.length + " bytes").contains("limit of 1000");
        });
        assertThatThrownBy(() -> small.put("x", IntNode.valueOf(1))).isInstanceOf(CorruptRecordFileException.class);
        assertThat(Files.readAllBytes(f)).isEqualTo(before);
    }

    @Test
    void saveThatWouldExceedTheLimitWritesNothing() throws IOException {
        Path f = dir.resolve("records.json");
        RecordStore s = RecordStore.open(f, RecordStoreOptions.defaults().withMaxBytes(6000));
        s.put("small", IntNode.valueOf(1));
        byte[] before = Files.readAllBytes(f);
        assertThat(before.length).isLessThanOrEqualTo(6000);
        assertThatThrownBy(() -> s.put("big", TextNode.valueOf("x".repeat(7000))))
                .isInstanceOf(RecordStoreException.class).hasMessageContaining("over the limit of 6000")
                .hasMessageContaining("nothing was written");
        assertThat(Files.readAllBytes(f)).isEqualTo(before);
        assertThat(leftovers(dir)).isEmpty();
    }

    @Test
    void symlinkIsRefused() throws IOException {
        Path target = dir.resolve("real.json");
        Files.write(target, validFile());
        Path link = dir.resolve("records.json");
        Files.createSymbolicLink(link, target);
        assertThatThrownBy(() -> store(link).read()).isInstanceOfSatisfying(CorruptRecordFileException.class,
                e -> assertThat(e.problem()).isEqualTo(CorruptRecordFileException.Problem.NOT_REGULAR_FILE));
        assertThat(Files.isSymbolicLink(link)).isTrue();
    }

    @Test
    void readOnlyDirectory() throws IOException {
        Path ro = Testbed.limits("ro");
        Path f = ro.resolve("records.json");
        RecordStore s = store(f);
        assertThat(s.read().exists()).isFalse();
        assertThatThrownBy(() -> s.put("x", IntNode.valueOf(1))).isInstanceOf(IOException.class)
                .hasMessageContaining(ro.toString()).hasMessageContaining("Read-only file system");
        assertThat(Files.exists(f)).isFalse();
    }

    @Test
    void fullDirectory() throws IOException {
        Path full = Testbed.limits("full").resolve("records-" + UUID.randomUUID().toString().substring(0, 8));
        Files.createDirectories(full);
        Path filler = full.resolve("filler");
        try {
            Path f = full.resolve("records.json");
            RecordStore s = RecordStore.open(f);
            for (int i = 0; i < 8; i++) {
                s.put("r" + i, TextNode.valueOf("v".repeat(5000)));
            }
            byte[] before = Files.readAllBytes(f);
            // Fill the filesystem, then give back 12 KiB: room for a lock claim, not for a new generation.
            try (OutputStream out = Files.newOutputStream(filler)) {
                byte[] chunk = new byte[4096];
                while (true) {
                    out.write(chunk);
                    out.flush();
                }
            } catch (IOException expected) {
                assertThat(expected.getMessage()).contains("No space left");
            }
            try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.WRITE)) {
                ch.truncate(Math.max(0, ch.size() - 12 * 1024));
            }
            assertThatThrownBy(() -> s.put("one-more", TextNode.valueOf("w".repeat(5000))))
                    .isInstanceOf(RecordStoreException.class)
                    .hasMessageContaining(f.toString())
                    .hasMessageContaining("No space left on device")
                    .hasMessageContaining("unchanged at generation 8");
            assertThat(Files.readAllBytes(f)).isEqualTo(before);
            assertThat(leftovers(full)).isEmpty();
        } finally {
            Files.deleteIfExists(filler);
            try (Stream<Path> st = Files.list(full)) {
                for (Path p : st.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(full);
        }
    }
}
