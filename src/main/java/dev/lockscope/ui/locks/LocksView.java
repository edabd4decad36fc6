package dev.lockscope.ui.locks;

import dev.lockscope.text.Durations;
import dev.lockscope.ui.common.Fxml;
import javafx.beans.binding.Bindings;
import javafx.beans.value.ObservableValue;
import javafx.collections.transformation.SortedList;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.MenuItem;
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
    @FXML private Button cancelBulkButton;
    @FXML private Label errorLabel;
    @FXML private Label actionLabel;
    @FXML private javafx.scene.layout.HBox errorBanner;
    @FXML private javafx.scene.layout.HBox actionBanner;
    @FXML private TableView<LockRowViewModel> lockTable;
    @FXML private TableColumn<LockRowViewModel, String> nameColumn;
    @FXML private TableColumn<LockRowViewModel, String> stateColumn;
    @FXML private TableColumn<LockRowViewModel, String> toolColumn;
    @FXML private TextField locktimeoutField;
    @FXML private TableColumn<LockRowViewModel, String> hostColumn;
    @FXML private TableColumn<LockRowViewModel, Number> pidColumn;
    @FXML private TableColumn<LockRowViewModel, String> userColumn;
    @FXML private TableColumn<LockRowViewModel, String> purposeColumn;
    @FXML private javafx.scene.control.ToggleButton allStatesToggle;
    @FXML private javafx.scene.control.ToggleButton deadToggle;
    @FXML private javafx.scene.control.ToggleButton expiredToggle;
    @FXML private javafx.scene.control.ToggleButton heldToggle;
    @FXML private javafx.scene.control.ToggleButton unknownToggle;
    @FXML private Label shownLabel;
    @FXML private TableColumn<LockRowViewModel, Number> lockAgeColumn;
    @FXML private TableColumn<LockRowViewModel, Number> heartbeatColumn;
    @FXML private TableColumn<LockRowViewModel, Number> leaseColumn;
    @FXML private TableColumn<LockRowViewModel, Number> nlinkColumn;
    @FXML private TableColumn<LockRowViewModel, Number> inodeColumn;
    @FXML private TextArea detailsArea;
    @FXML private TextArea rawArea;
    @FXML private Button checkOnHostButton;
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
        // Its own visibility too: a hidden banner's "Cancel" must not be found by name (robots, screen readers).
        cancelBulkButton.visibleProperty().bind(viewModel.bulkRunningProperty());
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
        // --- "Check on host" (issue 15): the details pane's button and the table's context menu ---
        checkOnHostButton.disableProperty().bind(Bindings.not(viewModel.canCheckOnHostProperty()));
        MenuItem checkOnHost = new MenuItem("Check on host");
        checkOnHost.setOnAction(e -> viewModel.checkSelectedOnHost());
        checkOnHost.disableProperty().bind(Bindings.not(viewModel.canCheckOnHostProperty()));
        if (lockTable.getContextMenu() == null) {
            lockTable.setContextMenu(new ContextMenu());
        }
        lockTable.getContextMenu().getItems().add(checkOnHost);
        rawArea.textProperty().bind(viewModel.rawBytesProperty());

        nameColumn.setCellValueFactory(c -> new javafx.beans.property.SimpleStringProperty(c.getValue().displayName()));
        stateColumn.setCellValueFactory(c -> c.getValue().stateTextProperty());
        stateColumn.setCellFactory(col -> new BadgeCell());
        toolColumn.setCellValueFactory(c -> c.getValue().toolProperty());
        locktimeoutField.textProperty().bindBidirectional(viewModel.procmailLocktimeoutTextProperty());
        locktimeoutField.setOnAction(e -> viewModel.applyProcmailLocktimeout());
        hostColumn.setCellValueFactory(c -> c.getValue().hostProperty());
        userColumn.setCellValueFactory(c -> c.getValue().userProperty());
        purposeColumn.setCellValueFactory(c -> c.getValue().purposeProperty());
        shownLabel.textProperty().bind(viewModel.shownTextProperty());
        stateToggles();
        filterField.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.ESCAPE) {
                viewModel.clearFilter();
                e.consume();
            }
        });
        number(pidColumn, LockRowViewModel::pidProperty, v -> v < 0 ? "" : Long.toString(v));
        number(lockAgeColumn, LockRowViewModel::lockAgeMillisProperty, Durations::compact);
        number(heartbeatColumn, LockRowViewModel::heartbeatAgeMillisProperty, Durations::compact);
        number(leaseColumn, LockRowViewModel::leaseMillisProperty, Durations::compact);
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
                if (viewModel.staleSelectedCountProperty().get() > 1) {
                    viewModel.breakSelectedStale();
                } else {
                    viewModel.breakSelected();
                }
                e.consume();
            } else if (COPY.match(e)) {
                copy(viewModel.selectedRowsText());
                e.consume();
            }
        });
        lockTable.setContextMenu(contextMenu());
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
    private void onCheckOnHost() {
        viewModel.checkSelectedOnHost();
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

    private static final javafx.scene.input.KeyCombination COPY =
            new javafx.scene.input.KeyCodeCombination(KeyCode.C, javafx.scene.input.KeyCombination.SHORTCUT_DOWN);

    private java.util.function.Consumer<String> onShowAudit = name -> { };

    /** What "Show audit for this lock" does with the lock's name (the main window switches tabs). */
    public void setOnShowAudit(java.util.function.Consumer<String> c) {
        onShowAudit = c == null ? name -> { } : c;
    }

    private void stateToggles() {
        javafx.scene.control.ToggleGroup g = new javafx.scene.control.ToggleGroup();
        java.util.Map<javafx.scene.control.Toggle, dev.lockscope.scan.EntryState> states = new java.util.HashMap<>();
        for (var t : java.util.List.of(allStatesToggle, deadToggle, expiredToggle, heldToggle, unknownToggle)) {
            t.setToggleGroup(g);
        }
        states.put(deadToggle, dev.lockscope.scan.EntryState.DEAD);
        states.put(expiredToggle, dev.lockscope.scan.EntryState.EXPIRED);
        states.put(heldToggle, dev.lockscope.scan.EntryState.HELD);
        states.put(unknownToggle, dev.lockscope.scan.EntryState.UNKNOWN);
        g.selectedToggleProperty().addListener((o, a, t) -> {
            if (t == null) {
                allStatesToggle.setSelected(true); // one is always on
                return;
            }
            viewModel.stateFilterProperty().set(states.get(t));
        });
        viewModel.stateFilterProperty().addListener((o, a, s) -> {
            var want = s == null ? allStatesToggle : states.entrySet().stream().filter(e -> e.getValue() == s)
                    .map(java.util.Map.Entry::getKey).findFirst().orElse(allStatesToggle);
            if (g.getSelectedToggle() != want) {
                g.selectToggle(want);
            }
        });
    }

    private javafx.scene.control.ContextMenu contextMenu() {
        javafx.scene.control.MenuItem breakOne = new javafx.scene.control.MenuItem("Break stale lock…");
        breakOne.setOnAction(e -> viewModel.breakSelected());
        breakOne.disableProperty().bind(Bindings.not(viewModel.canBreakProperty()));
        javafx.scene.control.MenuItem breakMany = new javafx.scene.control.MenuItem();
        breakMany.textProperty().bind(Bindings.format("Break %d stale locks…", viewModel.staleSelectedCountProperty()));
        breakMany.visibleProperty().bind(viewModel.staleSelectedCountProperty().greaterThan(1));
        breakMany.setOnAction(e -> viewModel.breakSelectedStale());
        javafx.scene.control.MenuItem force = new javafx.scene.control.MenuItem("Force break…");
        force.setOnAction(e -> viewModel.forceBreakSelected());
        force.disableProperty().bind(Bindings.not(viewModel.canForceBreakProperty()));
        javafx.scene.control.MenuItem copyRow = new javafx.scene.control.MenuItem("Copy row");
        copyRow.setAccelerator(COPY);
        copyRow.setOnAction(e -> copy(viewModel.selectedRowsText()));
        javafx.scene.control.MenuItem copyOwner = new javafx.scene.control.MenuItem("Copy owner (user@host pid N)");
        copyOwner.setOnAction(e -> withSelected(r -> copy(LocksViewModel.ownerOf(r))));
        javafx.scene.control.MenuItem copyPath = new javafx.scene.control.MenuItem("Copy path");
        copyPath.setOnAction(e -> withSelected(r -> copy(viewModel.pathOf(r))));
        javafx.scene.control.MenuItem openFolder = new javafx.scene.control.MenuItem("Open containing folder");
        openFolder.setOnAction(e -> viewModel.openContainingFolder());
        javafx.scene.control.MenuItem audit = new javafx.scene.control.MenuItem("Show audit for this lock");
        audit.setOnAction(e -> withSelected(r -> onShowAudit.accept(r.name())));
        for (var item : java.util.List.of(copyOwner, copyPath, audit)) {
            item.disableProperty().bind(viewModel.selectedProperty().isNull());
        }
        return new javafx.scene.control.ContextMenu(breakOne, breakMany, force,
                new javafx.scene.control.SeparatorMenuItem(), copyRow, copyOwner, copyPath,
                new javafx.scene.control.SeparatorMenuItem(), openFolder, audit);
    }

    private void withSelected(java.util.function.Consumer<LockRowViewModel> action) {
        LockRowViewModel r = viewModel.selectedProperty().get();
        if (r != null) {
            action.accept(r);
        }
    }

    private static void copy(String text) {
        if (text == null || text.isEmpty()) {
            return;
        }
        javafx.scene.input.ClipboardContent c = new javafx.scene.input.ClipboardContent();
        c.putString(text);
        javafx.scene.input.Clipboard.getSystemClipboard().setContent(c);
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
