package dev.lockscope.ui.common;

import javafx.geometry.Insets;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextInputDialog;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import javafx.stage.Window;

import java.io.File;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Modal JavaFX dialogs behind {@link DialogService}. FX thread only.
 *
 * <p>Nothing here touches the file system: a chooser starts in the initial directory its caller checked
 * off the FX thread (a stat here could block on a hung mount), else where the platform chooses.
 */
public final class FxDialogService implements DialogService {

    public static final ButtonType BREAK = new ButtonType("Break lock", ButtonBar.ButtonData.OK_DONE);
    public static final ButtonType FORCE = new ButtonType("Force break", ButtonBar.ButtonData.OK_DONE);

    private Window owner;
    private Image icon;

    /** The window dialogs belong to. */
    public void setOwner(Window owner) {
        this.owner = owner;
    }

    /** The icon shown in dialogs and the about box. */
    public void setIcon(Image icon) {
        this.icon = icon;
    }

    private <T> void prepare(Dialog<T> d, String id) {
        if (owner != null) {
            d.initOwner(owner);
        }
        d.getDialogPane().setId(id);
        d.setResizable(true);
    }

    @Override
    public boolean confirmBreak(BreakConfirmation c) {
        if (c.force()) {
            return confirmForceFirst(c);
        }
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, "", BREAK, ButtonType.CANCEL);
        prepare(a, "breakDialog");
        a.setTitle("Break lock");
        a.setHeaderText((c.force() ? "Break the " + c.state() + " lock " : "Break the stale (" + c.state() + ") lock ")
                + Path.of(c.lockPath()).getFileName() + "?");
        a.getDialogPane().setContent(confirmationContent(c,
                "Lockscope re-checks the lock under the break guard and removes it only if it is still exactly"
                        + " this one (same inode, content and mtime). An audit record is written."));
        // Cancel is the default: Enter must never break a lock by accident.
        ((javafx.scene.control.Button) a.getDialogPane().lookupButton(BREAK)).setDefaultButton(false);
        ((javafx.scene.control.Button) a.getDialogPane().lookupButton(ButtonType.CANCEL)).setDefaultButton(true);
        return a.showAndWait().filter(b -> b == BREAK).isPresent();
    }

    /**
     * The first question before forcing: it must not look like an ordinary break. A warning, a red header
     * that says the owner may be alive, and a button that only leads to the second question.
     */
    private boolean confirmForceFirst(BreakConfirmation c) {
        ButtonType next = new ButtonType("Continue to force break…", ButtonBar.ButtonData.OK_DONE);
        Alert a = new Alert(Alert.AlertType.WARNING, "", next, ButtonType.CANCEL);
        prepare(a, "breakDialog");
        a.getDialogPane().getStyleClass().add("force-warning");
        a.getDialogPane().setStyle("-fx-border-color: #c62828; -fx-border-width: 3;");
        a.setTitle("Force break — the lock is " + c.state());
        Label header = new Label("⚠  " + Path.of(c.lockPath()).getFileName() + " is " + c.state() + ", NOT stale.\n"
                + "Its owner may still be working. Forcing the break can corrupt what the lock protects.");
        header.setId("forceWarningHeader");
        header.setWrapText(true);
        header.setMaxWidth(Double.MAX_VALUE);
        header.setStyle("-fx-background-color: #fde2e1; -fx-text-fill: #8a1f11; -fx-font-weight: bold;"
                + " -fx-font-size: 1.1em; -fx-padding: 12;");
        a.getDialogPane().setHeader(header);
        a.getDialogPane().setContent(confirmationContent(c, "You will be asked once more before anything is done."));
        ((javafx.scene.control.Button) a.getDialogPane().lookupButton(next)).setDefaultButton(false);
        ((javafx.scene.control.Button) a.getDialogPane().lookupButton(ButtonType.CANCEL)).setDefaultButton(true);
        return a.showAndWait().filter(b -> b == next).isPresent();
    }

    @Override
    public boolean confirmBulkBreak(BulkBreakSummary s) {
        ButtonType breakAll = new ButtonType("Break " + s.total() + " locks", ButtonBar.ButtonData.OK_DONE);
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, "", breakAll, ButtonType.CANCEL);
        prepare(a, "bulkBreakDialog");
        a.setTitle("Break stale locks");
        a.setHeaderText("Break " + s.total() + " stale lock" + (s.total() == 1 ? "" : "s") + " in " + s.directory() + "?");
        GridPane g = new GridPane();
        g.setHgap(12);
        g.setVgap(3);
        int row = 0;
        for (var e : s.perState().entrySet()) {
            row = addRow(g, row, e.getKey(), e.getValue() + (e.getValue() == 1 ? " lock" : " locks"));
        }
        Label why = new Label("Why they are stale");
        why.setStyle("-fx-font-weight: bold; -fx-padding: 6 0 0 0;");
        g.add(why, 0, row++, 2, 1);
        for (var e : s.perReason().entrySet()) {
            row = addRow(g, row, e.getValue() + " ×", e.getKey());
        }
        row = addRow(g, row, "First " + s.firstNames().size(), String.join("\n", s.firstNames())
                + (s.total() > s.firstNames().size() ? "\n… and " + (s.total() - s.firstNames().size()) + " more" : ""));
        if (s.leftAlone() > 0) {
            addRow(g, row, "Left alone", s.leftAlone() + " selected entr" + (s.leftAlone() == 1 ? "y is" : "ies are")
                    + " not stale (HELD locks are never broken in bulk)");
        }
        Label n = new Label("Each lock is judged again and broken by the guarded procedure, one audit record each."
                + " A lock that changed since it was judged is skipped and reported. You can cancel while it runs.");
        n.setWrapText(true);
        n.setMaxWidth(560);
        VBox box = new VBox(10, g, n);
        box.setPadding(new Insets(4, 0, 0, 0));
        a.getDialogPane().setContent(box);
        // Cancel is the default: Enter must never break locks by accident.
        ((javafx.scene.control.Button) a.getDialogPane().lookupButton(breakAll)).setDefaultButton(false);
        ((javafx.scene.control.Button) a.getDialogPane().lookupButton(ButtonType.CANCEL)).setDefaultButton(true);
        return a.showAndWait().filter(b -> b == breakAll).isPresent();
    }

    @Override
    public boolean confirmForce(BreakConfirmation c) {
        Alert a = new Alert(Alert.AlertType.WARNING, "", FORCE, ButtonType.CANCEL);
        prepare(a, "forceDialog");
        a.setTitle("Force break");
        a.setHeaderText("This lock is " + c.state() + ", not stale. Force the break anyway?");
        a.getDialogPane().setContent(confirmationContent(c, "Its owner, " + c.holder() + ", may still be working."
                + " It will lose the lock: its heartbeat will notice, and any save it makes under the lock will fail."
                + " Only do this when you know the owner is gone."));
        ((javafx.scene.control.Button) a.getDialogPane().lookupButton(FORCE)).setDefaultButton(false);
        ((javafx.scene.control.Button) a.getDialogPane().lookupButton(ButtonType.CANCEL)).setDefaultButton(true);
        return a.showAndWait().filter(b -> b == FORCE).isPresent();
    }

    private static VBox confirmationContent(BreakConfirmation c, String note) {
        GridPane g = new GridPane();
        g.setHgap(12);
        g.setVgap(3);
        int row = 0;
        row = addRow(g, row, "Lock", c.lockPath());
        row = addRow(g, row, "State", c.state().name());
        row = addRow(g, row, "Held by", c.holder());
        row = addRow(g, row, "Since", c.since());
        row = addRow(g, row, c.force() ? "Why it is not stale" : "Why it is stale", c.why());
        Label ev = new Label("Evidence");
        ev.setStyle("-fx-font-weight: bold; -fx-padding: 6 0 0 0;");
        g.add(ev, 0, row++, 2, 1);
        for (var e : c.evidence().entrySet()) {
            row = addRow(g, row, e.getKey(), e.getValue());
        }
        Label n = new Label(note);
        n.setWrapText(true);
        n.setMaxWidth(560);
        VBox box = new VBox(10, g, n);
        box.setPadding(new Insets(4, 0, 0, 0));
        return box;
    }

    private static int addRow(GridPane g, int row, String label, String value) {
        Label l = new Label(label + ":");
        l.setStyle("-fx-font-weight: bold;");
        Label v = new Label(value);
        v.setWrapText(true);
        v.setMaxWidth(460);
        g.add(l, 0, row);
        g.add(v, 1, row);
        return row + 1;
    }

    @Override
    public Optional<Map<String, RecordConflicts.Resolution>> resolveRecordConflicts(RecordConflicts q) {
        return new RecordConflictDialog(q, owner).ask();
    }

    @Override
    public Optional<String> askText(String title, String prompt) {
        TextInputDialog d = new TextInputDialog();
        prepare(d, "textDialog");
        d.setTitle(title);
        d.setHeaderText(prompt);
        return d.showAndWait();
    }

    @Override
    public Optional<Path> chooseDirectory(Path initial) {
        DirectoryChooser c = new DirectoryChooser();
        c.setTitle("Open lock directory");
        File f = c.showDialog(owner);
        return Optional.ofNullable(f).map(File::toPath);
    }

    @Override
    public Optional<Path> chooseRecordFile(Path initial) {
        FileChooser c = new FileChooser();
        c.setTitle("Open record file");
        c.getExtensionFilters().addAll(new FileChooser.ExtensionFilter("JSON record files", "*.json"),
                new FileChooser.ExtensionFilter("All files", "*"));
        if (initial != null) {
            // The caller checked, off this thread, that it is a directory.
            c.setInitialDirectory(initial.toFile());
        }
        File f = c.showOpenDialog(owner);
        return Optional.ofNullable(f).map(File::toPath);
    }

    @Override
    public void showError(String title, String message) {
        Alert a = new Alert(Alert.AlertType.ERROR, message, ButtonType.OK);
        prepare(a, "errorDialog");
        a.setTitle(title);
        a.setHeaderText(title);
        a.showAndWait();
    }

    @Override
    public void showAbout(String text) {
        Alert a = new Alert(Alert.AlertType.INFORMATION, text, ButtonType.OK);
        prepare(a, "aboutDialog");
        a.setTitle("About Lockscope");
        a.setHeaderText("Lockscope Inspector");
        if (icon != null) {
            ImageView v = new ImageView(icon);
            v.setFitWidth(64);
            v.setFitHeight(64);
            a.setGraphic(v);
        }
        a.showAndWait();
    }
}
