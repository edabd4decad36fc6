package dev.lockscope.record;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The four names the store gives an intent file parse back to what it built them from, and nothing else does. */
class RecordIntentFileNameTest {
    private static final String W = "00ff00ff00ff00ff";

    @Test
    void everyNameTheStoreBuildsParsesBackToItsForm() {
        long seq = 999_999_999_999_999_999L;
        assertThat(RecordIntent.parseFileName(RecordIntent.newName("records.json", W, seq)))
                .contains(new RecordIntent.FileName("records.json", W, seq, RecordIntent.Form.NEW));
        assertThat(RecordIntent.parseFileName(RecordIntent.publishedName("records.json", W, 1)))
                .contains(new RecordIntent.FileName("records.json", W, 1, RecordIntent.Form.PUBLISHED));
        assertThat(RecordIntent.parseFileName(RecordIntent.takenName("a.taken.b", W, 2)))
                .contains(new RecordIntent.FileName("a.taken.b", W, 2, RecordIntent.Form.TAKEN));
        assertThat(RecordIntent.parseFileName(RecordIntent.quarantineName("r", W, 3)))
                .contains(new RecordIntent.FileName("r", W, 3, RecordIntent.Form.QUARANTINED));
    }

    /** What a holder takes: published and taken names only, never one being written or one quarantined. */
    @Test
    void aHolderFindsOnlyPublishedAndTakenNames() {
        assertThat(RecordIntent.parseName(RecordIntent.publishedName("records.json", W, 5)))
                .contains(new RecordIntent.Name("records.json", W, 5, false));
        assertThat(RecordIntent.parseName(RecordIntent.takenName("records.json", W, 5)))
                .contains(new RecordIntent.Name("records.json", W, 5, true));
        assertThat(RecordIntent.parseName(RecordIntent.newName("records.json", W, 5))).isEqualTo(Optional.empty());
        assertThat(RecordIntent.parseName(RecordIntent.quarantineName("records.json", W, 5))).isEmpty();
    }
}
