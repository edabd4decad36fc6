package dev.lockscope.record;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.Testbed;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two clients of one shared directory take turns, each having just read the file when the other
 * commits. On gluster, a client that has just read the file keeps serving its old content for about a
 * second after another mount replaced it; without the directory refresh in the save path, 39 of 80
 * updates were lost here. Every update must survive, and a fresh read must see the newest generation.
 */
@MultiProcess
class RecordCrossMountTest {

    @Test
    void turnsAcrossGlusterMountsLoseNothing() throws Exception {
        turns(Testbed.gluster());
    }

    @Test
    void turnsAcrossSshfsMountsLoseNothing() throws Exception {
        turns(Testbed.sshfs());
    }

    private void turns(Testbed.MountPair bed) throws Exception {
        Testbed.MountPair d = bed.freshDir("records-turns");
        RecordStore a = RecordStore.open(d.a().resolve("records.json"));
        RecordStore b = RecordStore.open(d.b().resolve("records.json"));
        int rounds = 30;
        int staleFreshReads = 0;
        for (int i = 0; i < rounds; i++) {
            RecordStore first = i % 2 == 0 ? a : b;
            RecordStore second = i % 2 == 0 ? b : a;
            first.read();
            second.read();
            second.put("second." + i, IntNode.valueOf(i));
            SaveResult r = first.put("first." + i, IntNode.valueOf(i));
            assertThat(r.saved().generation()).isEqualTo(2L * (i + 1));
            if (second.readFresh().generation() != r.saved().generation()) {
                staleFreshReads++;
            }
        }
        RecordSnapshot fin = a.readFresh();
        assertThat(fin.records()).hasSize(2 * rounds);
        assertThat(fin.generation()).isEqualTo(2L * rounds);
        assertThat(staleFreshReads).as("fresh reads that missed a completed commit").isZero();
        Children.figures("turns " + bed.kind() + ": updates=" + 2 * rounds + " lost=" + (2 * rounds - fin.records().size())
                + " staleFreshReads=" + staleFreshReads);
    }
}
