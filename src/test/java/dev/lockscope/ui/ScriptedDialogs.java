package dev.lockscope.ui;

import dev.lockscope.ui.common.BreakConfirmation;
import dev.lockscope.ui.common.DialogService;
import dev.lockscope.ui.common.RecordConflicts;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A user who answers from a script and remembers every question: lets view-model tests check the
 * rules (what is asked, when, and what follows each answer) without a robot. Test thread only.
 */
final class ScriptedDialogs implements DialogService {
    final Deque<Boolean> breakAnswers = new ArrayDeque<>();
    final Deque<Boolean> forceAnswers = new ArrayDeque<>();
    /** Answers to record conflicts: each gets the question and returns the operator's resolutions. */
    final Deque<Function<RecordConflicts, Optional<Map<String, RecordConflicts.Resolution>>>> recordConflictAnswers =
            new ArrayDeque<>();
    final List<RecordConflicts> recordConflictQuestions = new ArrayList<>();
    final List<Path> chooserStarts = new ArrayList<>();
    final Deque<Path> chosenRecordFiles = new ArrayDeque<>();
    final Deque<Boolean> bulkAnswers = new ArrayDeque<>();
    final List<dev.lockscope.ui.common.BulkBreakSummary> bulkQuestions = new ArrayList<>();
    final Deque<String> textAnswers = new ArrayDeque<>();
    final List<BreakConfirmation> breakQuestions = new ArrayList<>();
    final List<BreakConfirmation> forceQuestions = new ArrayList<>();
    final List<String> errors = new ArrayList<>();

    @Override
    public boolean confirmBreak(BreakConfirmation details) {
        breakQuestions.add(details);
        return take(breakAnswers, "confirmBreak");
    }

    @Override
    public boolean confirmBulkBreak(dev.lockscope.ui.common.BulkBreakSummary summary) {
        bulkQuestions.add(summary);
        return take(bulkAnswers, "confirmBulkBreak");
    }

    @Override
    public boolean confirmForce(BreakConfirmation details) {
        forceQuestions.add(details);
        return take(forceAnswers, "confirmForce");
    }

    @Override
    public Optional<Map<String, RecordConflicts.Resolution>> resolveRecordConflicts(RecordConflicts question) {
        recordConflictQuestions.add(question);
        return take(recordConflictAnswers, "resolveRecordConflicts").apply(question);
    }

    @Override
    public Optional<String> askText(String title, String prompt) {
        return Optional.ofNullable(textAnswers.poll());
    }

    @Override
    public Optional<Path> chooseDirectory(Path initial) {
        return Optional.empty();
    }

    @Override
    public Optional<Path> chooseRecordFile(Path initial) {
        chooserStarts.add(initial);
        return Optional.ofNullable(chosenRecordFiles.poll());
    }

    @Override
    public void showError(String title, String message) {
        errors.add(title + ": " + message);
    }

    @Override
    public void showAbout(String text) {
    }

    private static <T> T take(Deque<T> answers, String what) {
        T a = answers.poll();
        if (a == null) {
            throw new AssertionError("unexpected question " + what + ": no answer scripted");
        }
        return a;
    }
}
