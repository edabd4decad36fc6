package dev.lockscope.ui.common;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Every question the inspector asks its user. View models talk to this interface only, so their rules
 * are tested without a robot. FX thread only (implementations may show modal dialogs).
 */
public interface DialogService {

    /** The answer to a save conflict. */
    enum ConflictChoice {
        /** Apply my edits again on top of the newer file. */
        REAPPLY,
        /** Drop my edits and load the newer file. */
        RELOAD,
        /** Do nothing for now; my edits stay in the editor. */
        CANCEL
    }

    /** Asks whether to break the lock described; true only on an explicit yes. */
    boolean confirmBreak(BreakConfirmation details);

    /** Asks once whether to break all the stale locks summarised; true only on an explicit yes. */
    boolean confirmBulkBreak(BulkBreakSummary summary);

    /** The second, explicit question before forcing a break of a lock that is not stale. */
    boolean confirmForce(BreakConfirmation details);

    /** The record file changed on disk since it was loaded; what now? */
    ConflictChoice resolveConflict(String message);

    /** Asks for a short piece of text (a record name); empty when cancelled. */
    Optional<String> askText(String title, String prompt);

    /** Asks for a lock directory to open; empty when cancelled. */
    Optional<Path> chooseDirectory(Path initial);

    /** Asks for a record file; empty when cancelled. */
    Optional<Path> chooseRecordFile(Path initial);

    /** Shows an error that needs acknowledging. */
    void showError(String title, String message);

    /** Shows the about box. */
    void showAbout(String text);
}
