package dev.lockscope.ui.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.record.RecordFormat;
import dev.lockscope.record.RecordMerge;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.value.ObservableValue;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.RadioButton;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextArea;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The conflict dialog of a records save: one row per record changed both by the operator and on disk,
 * its base, mine and theirs values side by side, and a choice per record: keep mine, take theirs, or
 * edit. Nothing is preselected; "Save resolved" is enabled only when every record is settled (and an
 * edited value is valid JSON); Cancel, which overwrites nothing, is the default button. FX thread only.
 */
final class RecordConflictDialog {

    static final ButtonType SAVE_RESOLVED = new ButtonType("Save resolved", ButtonBar.ButtonData.OK_DONE);

    private final RecordConflicts question;
    private final Window owner;
    private final List<Row> rows = new ArrayList<>();

    RecordConflictDialog(RecordConflicts question, Window owner) {
        this.question = question;
        this.owner = owner;
    }

    /** One conflicting record: its three values and the operator's choice. */
    private static final class Row {
        final RecordMerge.Conflict conflict;
        final ToggleGroup choice = new ToggleGroup();
        final RadioButton keepMine = new RadioButton("Keep mine");
        final RadioButton takeTheirs = new RadioButton("Take theirs");
        final RadioButton edit = new RadioButton("Edit:");
        final TextArea editor = new TextArea();
        final Label problem = new Label();
        BooleanBinding settled;

        Row(RecordMerge.Conflict conflict, int index) {
            this.conflict = conflict;
            keepMine.setToggleGroup(choice);
            takeTheirs.setToggleGroup(choice);
            edit.setToggleGroup(choice);
            keepMine.setId("keepMine" + index);
            takeTheirs.setId("takeTheirs" + index);
            edit.setId("edit" + index);
            editor.setId("editValue" + index);
            editor.getStyleClass().add("mono");
            editor.setStyle("-fx-font-family: 'DejaVu Sans Mono', 'Monospaced';");
            editor.setPrefRowCount(5);
            editor.setPrefColumnCount(22);
            // Editing starts from mine: the operator's own text, which they are most likely to amend.
            editor.setText(conflict.mine() != null ? RecordFormat.toJson(conflict.mine(), true)
                    : conflict.theirs() != null ? RecordFormat.toJson(conflict.theirs(), true) : "null");
            editor.disableProperty().bind(edit.selectedProperty().not());
            problem.setWrapText(true);
            problem.setStyle("-fx-text-fill: #b71c1c;");
            problem.textProperty().bind(Bindings.createStringBinding(
                    () -> edit.isSelected() ? problemOf(editor.getText()) : "", edit.selectedProperty(),
                    editor.textProperty()));
            settled = Bindings.createBooleanBinding(() -> keepMine.isSelected() || takeTheirs.isSelected()
                    || edit.isSelected() && problemOf(editor.getText()).isEmpty(),
                    choice.selectedToggleProperty(), editor.textProperty());
        }

        RecordConflicts.Resolution resolution() {
            if (keepMine.isSelected()) {
                return RecordConflicts.Resolution.keepMine(conflict);
            }
            if (takeTheirs.isSelected()) {
                return RecordConflicts.Resolution.takeTheirs(conflict);
            }
            try {
                return RecordConflicts.Resolution.edited(RecordFormat.parseValue(editor.getText()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("Save resolved was enabled with invalid JSON", e);
            }
        }
    }

    /** Empty when the operator cancelled; else one resolution per conflicting record. */
    Optional<Map<String, RecordConflicts.Resolution>> ask() {
        Dialog<ButtonType> d = new Dialog<>();
        if (owner != null) {
            d.initOwner(owner);
        }
        d.setResizable(true);
        d.getDialogPane().setId("recordConflictDialog");
        d.setTitle("Records changed on both sides");
        int n = question.conflicts().size();
        d.setHeaderText(n + (n == 1 ? " record was" : " records were") + " changed both by you and on disk"
                + (question.theirsWriter().isEmpty() ? "" : " (last written by " + question.theirsWriter() + ")")
                + ".\nChoose for each; nothing is saved until every one is settled.");
        d.getDialogPane().getButtonTypes().addAll(SAVE_RESOLVED, ButtonType.CANCEL);

        GridPane grid = new GridPane();
        grid.setHgap(10);
        grid.setVgap(8);
        grid.setPadding(new Insets(4));
        String[] heads = {"Record", "Base (generation " + question.baseGeneration() + ")", "Mine (not saved)",
                "Theirs (generation " + question.theirsGeneration() + ")", "Your choice"};
        for (int c = 0; c < heads.length; c++) {
            Label h = new Label(heads[c]);
            h.setStyle("-fx-font-weight: bold;");
            h.setWrapText(true);
            grid.add(h, c, 0);
        }
        for (int c = 0; c < heads.length; c++) {
            ColumnConstraints cc = new ColumnConstraints();
            cc.setHgrow(c == 0 ? Priority.NEVER : Priority.SOMETIMES);
            cc.setMinWidth(c == 0 ? 70 : 150);
            cc.setPrefWidth(c == 0 ? 90 : c == 4 ? 240 : 200);
            grid.getColumnConstraints().add(cc);
        }
        int r = 1;
        for (RecordMerge.Conflict c : question.conflicts()) {
            Row row = new Row(c, r - 1);
            rows.add(row);
            Label name = new Label(c.name());
            name.setStyle("-fx-font-weight: bold;");
            name.setWrapText(true);
            grid.add(name, 0, r);
            grid.add(value(c.base(), "(absent)"), 1, r);
            grid.add(value(c.mine(), "(deleted by you)"), 2, r);
            grid.add(value(c.theirs(), "(deleted on disk)"), 3, r);
            VBox choice = new VBox(4, row.keepMine, row.takeTheirs, row.edit, row.editor, row.problem);
            grid.add(choice, 4, r);
            r++;
        }
        Label note = new Label(mergedNote());
        note.setWrapText(true);
        note.setId("mergedNote");
        ScrollPane scroll = new ScrollPane(grid);
        scroll.setFitToWidth(true);
        scroll.setPrefViewportHeight(Math.min(520, 230 * n + 40));
        VBox content = new VBox(10, scroll, note);
        content.setPrefWidth(1020);
        d.getDialogPane().setContent(content);

        Button save = (Button) d.getDialogPane().lookupButton(SAVE_RESOLVED);
        Button cancel = (Button) d.getDialogPane().lookupButton(ButtonType.CANCEL);
        // Enter must never overwrite their change: Cancel is the default, and Save needs every record settled.
        save.setDefaultButton(false);
        cancel.setDefaultButton(true);
        ObservableValue<Boolean> allSettled = rows.stream().map(x -> (ObservableValue<Boolean>) x.settled)
                .reduce((a, b) -> Bindings.createBooleanBinding(() -> a.getValue() && b.getValue(), a, b))
                .orElse(Bindings.createBooleanBinding(() -> true));
        save.disableProperty().bind(Bindings.createBooleanBinding(() -> !allSettled.getValue(), allSettled));

        Optional<ButtonType> b = d.showAndWait();
        if (b.isEmpty() || b.get() != SAVE_RESOLVED) {
            return Optional.empty();
        }
        Map<String, RecordConflicts.Resolution> out = new LinkedHashMap<>();
        for (Row row : rows) {
            out.put(row.conflict.name(), row.resolution());
        }
        return Optional.of(out);
    }

    private String mergedNote() {
        String theirs = question.theirsMerged() == 0 ? "no other change made on disk"
                : question.theirsMerged() + (question.theirsMerged() == 1 ? " other change" : " other changes")
                + " made on disk";
        String mine = question.mineMerged() == 0 ? "none of your other changes"
                : question.mineMerged() + (question.mineMerged() == 1 ? " other change" : " other changes") + " of yours";
        return "Merged without a question when you save: " + theirs + ", and " + mine + ". Cancel writes nothing and"
                + " keeps your changes.";
    }

    private static TextArea value(JsonNode v, String absent) {
        TextArea t = new TextArea(v == null ? absent : RecordFormat.toJson(v, true));
        t.setEditable(false);
        t.setWrapText(true);
        t.setPrefRowCount(Math.min(6, Math.max(2, t.getText().split("\n").length)));
        t.setPrefColumnCount(20);
        t.setStyle("-fx-font-family: 'DejaVu Sans Mono', 'Monospaced';");
        return t;
    }

    private static String problemOf(String text) {
        return JsonInput.problem(text);
    }
}
