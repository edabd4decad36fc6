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
                getStyleClass().remove("pending-row");
                if (!empty && item != null && item.pending()) {
                    getStyleClass().add("pending-row");
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
    private void onSave() {
        viewModel.save();
    }
}
