package dev.lockscope.ui.locks;

import dev.lockscope.ui.common.Durations;
import dev.lockscope.ui.common.Fxml;
import javafx.beans.binding.Bindings;
import javafx.beans.value.ObservableValue;
import javafx.collections.transformation.SortedList;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.BorderPane;

import java.util.function.Function;

/** The lock table, its toolbar and the details pane. Binds only to {@link LocksViewModel}. FX thread only. */
public final class LocksView extends BorderPane {

    @FXML private TextField filterField;
    @FXML private CheckBox showAllCheck;
    @FXML private Button refreshButton;
    @FXML private Button breakButton;
    @FXML private Button forceBreakButton;
    @FXML private Button bulkBreakButton;
    @FXML private javafx.scene.layout.HBox bulkBanner;
    @FXML private javafx.scene.control.ProgressBar bulkProgress;
    @FXML private Label bulkProgressLabel;
    @FXML private Label errorLabel;
    @FXML private Label actionLabel;
    @FXML private javafx.scene.layout.HBox errorBanner;
    @FXML private javafx.scene.layout.HBox actionBanner;
    @FXML private TableView<LockRowViewModel> lockTable;
    @FXML private TableColumn<LockRowViewModel, String> nameColumn;
    @FXML private TableColumn<LockRowViewModel, String> stateColumn;
    @FXML private TableColumn<LockRowViewModel, String> hostColumn;
    @FXML private TableColumn<LockRowViewModel, Number> pidColumn;
    @FXML private TableColumn<LockRowViewModel, String> userColumn;
    @FXML private TableColumn<LockRowViewModel, Number> lockAgeColumn;
    @FXML private TableColumn<LockRowViewModel, Number> heartbeatColumn;
    @FXML private TableColumn<LockRowViewModel, Number> leaseColumn;
    @FXML private TableColumn<LockRowViewModel, Number> nlinkColumn;
    @FXML private TableColumn<LockRowViewModel, Number> inodeColumn;
    @FXML private TextArea detailsArea;
    @FXML private TextArea rawArea;
    @FXML private SplitPane split;
    @FXML private SplitPane detailsSplit;

    private final LocksViewModel viewModel;

    public LocksView(LocksViewModel viewModel) {
        this.viewModel = viewModel;
        Fxml.load(this);
        filterField.textProperty().bindBidirectional(viewModel.filterTextProperty());
        showAllCheck.selectedProperty().bindBidirectional(viewModel.showAllEntriesProperty());
        breakButton.disableProperty().bind(Bindings.not(viewModel.canBreakProperty()));
        forceBreakButton.disableProperty().bind(Bindings.not(viewModel.canForceBreakProperty()));
        banner(errorBanner, errorLabel, viewModel.errorMessageProperty());
        bulkBreakButton.textProperty().bind(Bindings.format("Break %d stale locks…", viewModel.staleSelectedCountProperty()));
        // Shown when a bulk break has something to do: two or more stale locks selected.
        bulkBreakButton.visibleProperty().bind(viewModel.staleSelectedCountProperty().greaterThan(1));
        bulkBreakButton.managedProperty().bind(bulkBreakButton.visibleProperty());
        bulkBanner.visibleProperty().bind(viewModel.bulkRunningProperty());
        bulkBanner.managedProperty().bind(bulkBanner.visibleProperty());
        bulkProgress.progressProperty().bind(viewModel.bulkProgressProperty());
        bulkProgressLabel.textProperty().bind(viewModel.bulkProgressTextProperty());
        banner(actionBanner, actionLabel, viewModel.actionMessageProperty());
        viewModel.actionLevelProperty().addListener((o, a, level) -> {
            actionBanner.getStyleClass().removeAll("outcome-broken", "outcome-refused", "outcome-failed");
            switch (level) {
                case SUCCESS -> actionBanner.getStyleClass().add("outcome-broken");
                case WARNING -> actionBanner.getStyleClass().add("outcome-refused");
                case ERROR -> actionBanner.getStyleClass().add("outcome-failed");
                default -> { }
            }
        });
        detailsArea.textProperty().bind(viewModel.detailsProperty());
        rawArea.textProperty().bind(viewModel.rawBytesProperty());

        nameColumn.setCellValueFactory(c -> new javafx.beans.property.SimpleStringProperty(c.getValue().name()));
        stateColumn.setCellValueFactory(c -> c.getValue().stateTextProperty());
        stateColumn.setCellFactory(col -> new BadgeCell());
        hostColumn.setCellValueFactory(c -> c.getValue().hostProperty());
        userColumn.setCellValueFactory(c -> c.getValue().userProperty());
        number(pidColumn, LockRowViewModel::pidProperty, v -> v < 0 ? "" : Long.toString(v));
        number(lockAgeColumn, LockRowViewModel::lockAgeMillisProperty, Durations::human);
        number(heartbeatColumn, LockRowViewModel::heartbeatAgeMillisProperty, Durations::human);
        number(leaseColumn, LockRowViewModel::leaseMillisProperty, Durations::human);
        number(nlinkColumn, LockRowViewModel::nlinkProperty, v -> v < 0 ? "" : Long.toString(v));
        number(inodeColumn, LockRowViewModel::inodeProperty, v -> v < 0 ? "" : Long.toString(v));

        SortedList<LockRowViewModel> sorted = new SortedList<>(viewModel.visibleRows());
        sorted.comparatorProperty().bind(lockTable.comparatorProperty());
        lockTable.setItems(sorted);
        lockTable.setRowFactory(t -> new NotCurrentAwareRow());
        lockTable.getSortOrder().add(nameColumn);
        lockTable.getSelectionModel().setSelectionMode(javafx.scene.control.SelectionMode.MULTIPLE);
        lockTable.getSelectionModel().getSelectedItems().addListener(
                (javafx.collections.ListChangeListener<LockRowViewModel>) c ->
                        viewModel.selectedRows().setAll(lockTable.getSelectionModel().getSelectedItems()));
        lockTable.getSelectionModel().selectedItemProperty().addListener((o, a, row) -> {
            if (row != null || !sorted.contains(viewModel.selectedProperty().get())) {
                viewModel.selectedProperty().set(row);
            }
        });
        viewModel.selectedProperty().addListener((o, a, row) -> {
            if (lockTable.getSelectionModel().getSelectedItem() != row) {
                if (row == null) {
                    lockTable.getSelectionModel().clearSelection();
                } else {
                    lockTable.getSelectionModel().select(row);
                }
            }
        });
        lockTable.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.DELETE) {
                viewModel.breakSelected();
                e.consume();
            }
        });
    }

    @FXML
    private void onRefresh() {
        viewModel.refresh();
    }

    @FXML
    private void onBreak() {
        viewModel.breakSelected();
    }

    @FXML
    private void onBulkBreak() {
        viewModel.breakSelectedStale();
    }

    @FXML
    private void onCancelBulk() {
        viewModel.cancelBulk();
    }

    @FXML
    private void onForceBreak() {
        viewModel.forceBreakSelected();
    }

    /** Sets the table/details divider and the details/raw divider (fractions). */
    public void applyDividers(double table, double details) {
        split.setDividerPositions(table);
        detailsSplit.setDividerPositions(details);
    }

    /** The table/details divider and the details/raw divider, as fractions. */
    public double[] dividers() {
        return new double[] {split.getDividerPositions()[0], detailsSplit.getDividerPositions()[0]};
    }

    /** Focuses the find field (Ctrl+F). */
    public void focusFind() {
        filterField.requestFocus();
        filterField.selectAll();
    }

    private static void banner(javafx.scene.Node banner, Label label, ObservableValue<String> text) {
        label.textProperty().bind(text);
        banner.visibleProperty().bind(Bindings.createBooleanBinding(() -> text.getValue() != null
                && !text.getValue().isEmpty(), text));
        banner.managedProperty().bind(banner.visibleProperty());
    }

    @FXML
    private void onDismissError() {
        viewModel.dismissError();
    }

    @FXML
    private void onDismissAction() {
        viewModel.dismissAction();
    }

    private static void number(TableColumn<LockRowViewModel, Number> col,
                               Function<LockRowViewModel, ObservableValue<Number>> value,
                               java.util.function.LongFunction<String> format) {
        col.setCellValueFactory(c -> value.apply(c.getValue()));
        col.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(Number item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty || item == null ? null : format.apply(item.longValue()));
            }
        });
        col.setStyle("-fx-alignment: CENTER-RIGHT;");
    }

    /** A row that greys out while its values are no longer current (the directory could not be read). */
    private static final class NotCurrentAwareRow extends javafx.scene.control.TableRow<LockRowViewModel> {
        private static final javafx.css.PseudoClass NOT_CURRENT = javafx.css.PseudoClass.getPseudoClass("not-current");
        private final javafx.beans.value.ChangeListener<Boolean> onCurrent =
                (o, a, current) -> pseudoClassStateChanged(NOT_CURRENT, !current);

        @Override
        protected void updateItem(LockRowViewModel item, boolean empty) {
            LockRowViewModel before = getItem();
            if (before != null) {
                before.currentProperty().removeListener(onCurrent);
            }
            super.updateItem(item, empty);
            if (item != null && !empty) {
                item.currentProperty().addListener(onCurrent);
                pseudoClassStateChanged(NOT_CURRENT, !item.currentProperty().get());
            } else {
                pseudoClassStateChanged(NOT_CURRENT, false);
            }
        }
    }

    /** The state as a coloured badge with its text. */
    private static final class BadgeCell extends TableCell<LockRowViewModel, String> {
        private final Label badge = new Label();

        BadgeCell() {
            badge.getStyleClass().add("badge");
            setGraphic(null);
        }

        @Override
        protected void updateItem(String item, boolean empty) {
            super.updateItem(item, empty);
            LockRowViewModel row = empty ? null : getTableRow() == null ? null : getTableRow().getItem();
            if (empty || item == null || row == null) {
                setGraphic(null);
                setText(null);
                return;
            }
            badge.setText(item);
            badge.getStyleClass().removeIf(s -> s.startsWith("badge-"));
            badge.getStyleClass().add(row.badgeStyleClass());
            setGraphic(badge);
            setText(null);
        }
    }
}
