package dev.lockscope.ui.common;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Every question the inspector asks its user. View models talk to this interface only, so their rules
 * are tested without a robot. FX thread only (implementations may show modal dialogs).
 */
public interface DialogService {

    /** Asks whether to break the lock described; true only on an explicit yes. */
    boolean confirmBreak(BreakConfirmation details);

    /** Asks once whether to break all the stale locks summarised; true only on an explicit yes. */
    boolean confirmBulkBreak(BulkBreakSummary summary);

    /** The second, explicit question before forcing a break of a lock that is not stale. */
    boolean confirmForce(BreakConfirmation details);

    /**
     * Records were changed both by the operator and on disk: asks, per record, keep mine, take theirs or
     * edit. Returns a resolution for every conflict, or empty when the operator cancelled (nothing is
     * then saved, and their changes stay as they are).
     */
    Optional<Map<String, RecordConflicts.Resolution>> resolveRecordConflicts(RecordConflicts question);

    /** Asks for a short piece of text (a record name); empty when cancelled. */
    Optional<String> askText(String title, String prompt);

    /** Asks for a lock directory to open; empty when cancelled. */
    Optional<Path> chooseDirectory(Path initial);

    /**
     * Asks for a record file, starting in {@code initial} (a directory the caller found to exist, off the
     * FX thread) or, when null, where the platform chooses; empty when cancelled.
     */
    Optional<Path> chooseRecordFile(Path initial);

    /** Shows an error that needs acknowledging. */
    void showError(String title, String message);

    /** Shows the about box. */
    void showAbout(String text);
}
