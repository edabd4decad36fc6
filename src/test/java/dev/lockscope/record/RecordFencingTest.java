package dev.lockscope.record;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.lockscope.lock.BreakResult;
import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockFile;
import dev.lockscope.lock.LockOptions;
import dev.lockscope.testing.MountKind;
import dev.lockscope.testing.Testbed;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Fencing: a holder whose lock is broken in the middle of a save must not commit, must remove its temp
 * file, and must say why. The lock is broken for real, through the other mount of the pair (each case runs
 * once per {@link MountKind}; the network ones skip without the testbed, and fail without it under CI=true).
 */
class RecordFencingTest {

    @TempDir
    Path local;

    @ParameterizedTest(name = "{0}")
    @EnumSource(MountKind.class)
    @Tag("testbed")
    void brokenLockDoesNotCommit(MountKind kind) throws Exception {
        brokenLockDoesNotCommit(kind.freshDir("records-fence", local));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(MountKind.class)
    @Tag("testbed")
    void brokenAndRetakenLockDoesNotCommitOverTheNewHolder(MountKind kind) throws Exception {
        brokenAndRetaken(kind.freshDir("records-fence", local));
    }

    @Test
    void generationMovedUnderTheLockDoesNotCommit() throws Exception {
        Path file = local.resolve("records.json");
        RecordStore.open(file).put("base", IntNode.valueOf(1));
        RecordStore store = RecordStore.open(file).withStepListener(step -> {
            if (step == RecordStore.SaveStep.TEMP_WRITTEN) {
                // A rogue writer that ignores the lock replaces the file with generation 2.
                try {
                    Map<String, com.fasterxml.jackson.databind.JsonNode> m = new TreeMap<>();
                    m.put("rogue", IntNode.valueOf(9));
                    Path t = local.resolve("rogue.tmp");
                    Files.write(t, RecordFormat.encode(2, new WriterStamp("rogue", "rogue-id", "eve", 1,
                            Instant.now(), "sed"), m));
                    Files.move(t, file, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
        assertThatThrownBy(() -> store.put("mine", IntNode.valueOf(2)))
                .isInstanceOf(RecordFencingException.class)
                .hasMessageContaining("moved from 1 to 2")
                .hasMessageContaining("written by eve@rogue")
                .hasMessageContaining("temp file was removed");
        RecordSnapshot after = RecordStore.open(file).read();
        assertThat(after.generation()).isEqualTo(2);
        assertThat(after.records()).containsOnlyKeys("rogue");
        assertThat(tempFiles(local)).isEmpty();
    }

    private void brokenLockDoesNotCommit(Testbed.MountPair dir) throws Exception {
        Path viaA = dir.a().resolve("records.json");
        Path viaB = dir.b().resolve("records.json");
        RecordStore.open(viaA).put("base", IntNode.valueOf(1));
        byte[] before = Files.readAllBytes(viaA);
        AtomicReference<BreakResult> broke = new AtomicReference<>();
        RecordStore store = RecordStore.open(viaA).withStepListener(step -> {
            if (step == RecordStore.SaveStep.TEMP_WRITTEN) {
                broke.set(breakFromOtherSide(viaB));
            }
        });
        assertThatThrownBy(() -> store.put("mine", IntNode.valueOf(2)))
                .isInstanceOf(RecordFencingException.class)
                .hasMessageContaining("lost before the commit")
                .hasMessageContaining("temp file was removed")
                .hasMessageContaining("unchanged at generation 1");
        assertThat(broke.get().outcome()).isEqualTo(BreakResult.Outcome.BROKEN);
        assertThat(Files.readAllBytes(viaA)).isEqualTo(before);
        assertThat(RecordStore.open(viaB).read().records()).containsOnlyKeys("base");
        assertThat(tempFiles(dir.a())).isEmpty();
    }

    private void brokenAndRetaken(Testbed.MountPair dir) throws Exception {
        Path viaA = dir.a().resolve("records.json");
        Path viaB = dir.b().resolve("records.json");
        RecordStore.open(viaA).put("base", IntNode.valueOf(1));
        AtomicReference<SaveResult> intruder = new AtomicReference<>();
        RecordStore store = RecordStore.open(viaA).withStepListener(step -> {
            if (step == RecordStore.SaveStep.TEMP_WRITTEN) {
                breakFromOtherSide(viaB);
                try {
                    intruder.set(RecordStore.open(viaB).put("intruder", IntNode.valueOf(3)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
        assertThatThrownBy(() -> store.put("mine", IntNode.valueOf(2)))
                .isInstanceOf(RecordFencingException.class)
                .hasMessageContaining("not saved")
                .hasMessageContaining("temp file was removed");
        assertThat(intruder.get().saved().generation()).isEqualTo(2);
        RecordSnapshot after = RecordStore.open(viaA).readFresh();
        assertThat(after.generation()).isEqualTo(2);
        assertThat(after.records()).containsOnlyKeys("base", "intruder");
        assertThat(tempFiles(dir.a())).isEmpty();
    }

    private static BreakResult breakFromOtherSide(Path recordViaB) {
        try {
            LinkLock other = LinkLock.of(LockFile.forResource(recordViaB), LockOptions.defaults());
            return other.breakLock(other.inspect(), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> tempFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.contains(RecordTempFile.INFIX) || RecordTempFile.parse(n).isPresent()).toList();
        }
    }
}
