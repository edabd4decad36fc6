package dev.lockscope.ui.records;

import dev.lockscope.ui.common.Fxml;
import javafx.beans.binding.Bindings;
import javafx.beans.property.SimpleStringProperty;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.BorderPane;

/** The records tab: table of records and a validating JSON editor. Binds only to {@link RecordsViewModel}. FX thread only. */
public final class RecordsView extends BorderPane {

    @FXML private Button openButton;
    @FXML private Button reloadButton;
    @FXML private Label messageLabel;
    @FXML private TableView<RecordRow> recordTable;
    @FXML private TableColumn<RecordRow, String> nameColumn;
    @FXML private TableColumn<RecordRow, String> valueColumn;
    @FXML private TableColumn<RecordRow, String> statusColumn;
    @FXML private TextArea editor;
    @FXML private Label validationLabel;
    @FXML private Button applyButton;
    @FXML private Button addButton;
    @FXML private Button deleteButton;
    @FXML private Button saveButton;
    @FXML private Button revertButton;
    @FXML private Button undoButton;
    @FXML private Label lockHolderLabel;

    private static final KeyCombination UNDO = new KeyCodeCombination(KeyCode.Z, KeyCombination.SHORTCUT_DOWN);

    private final RecordsViewModel viewModel;

    public RecordsView(RecordsViewModel viewModel) {
        this.viewModel = viewModel;
        Fxml.load(this);
        messageLabel.textProperty().bind(viewModel.messageProperty());
        nameColumn.setCellValueFactory(c -> new SimpleStringProperty(c.getValue().name()));
        valueColumn.setCellValueFactory(c -> new SimpleStringProperty(c.getValue().summary()));
        statusColumn.setCellValueFactory(c -> new SimpleStringProperty(c.getValue().status()));
        recordTable.setItems(viewModel.rows());
        recordTable.setRowFactory(t -> new TableRow<>() {
            @Override
            protected void updateItem(RecordRow item, boolean empty) {
                super.updateItem(item, empty);
                getStyleClass().removeAll("pending-row", "pending-delete", "changed-on-disk");
                if (!empty && item != null && item.pending()) {
                    getStyleClass().add("pending-row");
                    if (item.change() == RecordRow.Change.DELETED) {
                        getStyleClass().add("pending-delete");
                    }
                    if (item.changedOnDisk()) {
                        getStyleClass().add("changed-on-disk");
                    }
                }
            }
        });
        recordTable.getSelectionModel().selectedItemProperty().addListener((o, a, row) -> {
            if (row != null) {
                viewModel.selectedProperty().set(row);
            }
        });
        viewModel.selectedProperty().addListener((o, a, row) -> {
            if (recordTable.getSelectionModel().getSelectedItem() != row) {
                if (row == null) {
                    recordTable.getSelectionModel().clearSelection();
                } else {
                    recordTable.getSelectionModel().select(row);
                }
            }
        });
        editor.textProperty().bindBidirectional(viewModel.editorTextProperty());
        editor.editableProperty().bind(Bindings.not(viewModel.readOnlyProperty()));
        validationLabel.textProperty().bind(viewModel.validationProperty());
        applyButton.disableProperty().bind(Bindings.not(viewModel.canApplyEditProperty()));
        addButton.disableProperty().bind(Bindings.not(viewModel.canAddProperty()));
        deleteButton.disableProperty().bind(Bindings.not(viewModel.canDeleteProperty()));
        saveButton.disableProperty().bind(Bindings.not(viewModel.canSaveProperty()));
        saveButton.textProperty().bind(viewModel.saveTextProperty());
        revertButton.disableProperty().bind(Bindings.not(viewModel.canRevertProperty()));
        undoButton.disableProperty().bind(Bindings.not(viewModel.canUndoProperty()));
        lockHolderLabel.textProperty().bind(viewModel.lockHolderProperty());
        // The lock line keeps its height when empty: a lock taken or released must not move the table.
        lockHolderLabel.setTooltip(new javafx.scene.control.Tooltip());
        lockHolderLabel.getTooltip().textProperty().bind(viewModel.lockHolderProperty());
        messageLabel.setTooltip(new javafx.scene.control.Tooltip());
        messageLabel.getTooltip().textProperty().bind(viewModel.messageProperty());
        // Ctrl+Z undoes pending changes; inside the value editor it stays the editor's own text undo.
        addEventHandler(KeyEvent.KEY_PRESSED, e -> {
            if (UNDO.match(e) && !(e.getTarget() instanceof TextArea)) {
                viewModel.undo();
                e.consume();
            }
        });
        reloadButton.disableProperty().bind(viewModel.fileProperty().isNull());
    }

    @FXML
    private void onOpen() {
        viewModel.chooseFile();
    }

    @FXML
    private void onReload() {
        viewModel.reload();
    }

    @FXML
    private void onApply() {
        viewModel.applyEdit();
    }

    @FXML
    private void onAdd() {
        viewModel.addRecord();
    }

    @FXML
    private void onDelete() {
        viewModel.deleteSelected();
    }

    @FXML
    private void onRevert() {
        viewModel.revertSelected();
    }

    @FXML
    private void onUndo() {
        viewModel.undo();
    }

    @FXML
    private void onSave() {
        viewModel.save();
    }
}
