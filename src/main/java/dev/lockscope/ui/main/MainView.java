package dev.lockscope.ui.main;

import dev.lockscope.ui.audit.AuditView;
import dev.lockscope.ui.common.Fxml;
import dev.lockscope.ui.locks.LocksView;
import dev.lockscope.ui.records.RecordsView;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.application.Platform;
import javafx.beans.binding.Bindings;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.VBox;
import javafx.util.Duration;

import java.nio.file.Path;

/** The main window's content: menu, directory list, tabs and status bar. Binds only to {@link MainViewModel}. FX thread only. */
public final class MainView extends BorderPane {

    @FXML private MenuItem openDirItem;
    @FXML private MenuItem removeDirItem;
    @FXML private MenuItem quitItem;
    @FXML private MenuItem refreshItem;
    @FXML private MenuItem findItem;
    @FXML private CheckMenuItem showAllItem;
    @FXML private CheckMenuItem directoryListItem;
    @FXML private MenuItem breakItem;
    @FXML private MenuItem forceBreakItem;
    @FXML private ListView<Path> directoryList;
    @FXML private Button removeDirButton;
    @FXML private Label messageLabel;
    @FXML private javafx.scene.layout.HBox messageBanner;
    @FXML private TabPane tabs;
    @FXML private Tab locksTab;
    @FXML private Tab recordsTab;
    @FXML private Tab auditTab;
    @FXML private Label watchModeLabel;
    @FXML private Label lastRefreshLabel;
    @FXML private Label skewLabel;
    @FXML private Label countsLabel;
    @FXML private SplitPane sidebarSplit;
    @FXML private VBox directoryPane;

    private final MainViewModel viewModel;
    private final LocksView locksView;
    private final Timeline ticker;

    public MainView(MainViewModel viewModel) {
        this.viewModel = viewModel;
        Fxml.load(this);
        locksView = new LocksView(viewModel.locks());
        locksTab.setContent(locksView);
        // The directory list keeps its width when the window grows; the tabs take the rest.
        SplitPane.setResizableWithParent(directoryPane, false);
        recordsTab.setContent(new RecordsView(viewModel.records()));
        auditTab.setContent(new AuditView(viewModel.audit()));

        directoryList.setItems(viewModel.directories());
        directoryList.setCellFactory(l -> new javafx.scene.control.ListCell<>() {
            @Override
            protected void updateItem(Path item, boolean empty) {
                super.updateItem(item, empty);
                if (empty || item == null) {
                    setText(null);
                    setTooltip(null);
                } else {
                    Path name = item.getFileName();
                    setText((name == null ? item.toString() : name.toString())
                            + (item.getParent() == null ? "" : "\n" + item.getParent()));
                    setTooltip(new javafx.scene.control.Tooltip(item.toString()));
                }
            }
        });
        directoryList.getSelectionModel().selectedItemProperty().addListener((o, a, dir) -> {
            if (dir != null && !dir.equals(viewModel.selectedDirectoryProperty().get())) {
                viewModel.selectedDirectoryProperty().set(dir);
            }
        });
        viewModel.selectedDirectoryProperty().addListener((o, a, dir) -> {
            if (dir == null) {
                directoryList.getSelectionModel().clearSelection();
            } else if (!dir.equals(directoryList.getSelectionModel().getSelectedItem())) {
                directoryList.getSelectionModel().select(dir);
            }
        });
        removeDirButton.disableProperty().bind(viewModel.selectedDirectoryProperty().isNull());
        removeDirItem.disableProperty().bind(viewModel.selectedDirectoryProperty().isNull());

        messageLabel.textProperty().bind(viewModel.messageProperty());
        messageBanner.visibleProperty().bind(viewModel.messageProperty().isNotEmpty());

        var locks = viewModel.locks();
        watchModeLabel.textProperty().bind(locks.watchModeTextProperty());
        lastRefreshLabel.textProperty().bind(locks.lastRefreshTextProperty());
        skewLabel.textProperty().bind(locks.skewTextProperty());
        countsLabel.textProperty().bind(locks.countsTextProperty());
        showAllItem.selectedProperty().bindBidirectional(locks.showAllEntriesProperty());
        // At 800x600 the directory list can go: the tabs then take the whole width.
        directoryListItem.setAccelerator(new KeyCodeCombination(KeyCode.L, KeyCombination.SHORTCUT_DOWN));
        directoryListItem.selectedProperty().addListener((o, a, show) -> {
            if (show && !sidebarSplit.getItems().contains(directoryPane)) {
                sidebarSplit.getItems().add(0, directoryPane);
                sidebarSplit.setDividerPositions(0.2);
            } else if (!show) {
                sidebarSplit.getItems().remove(directoryPane);
            }
        });
        locksView.setOnShowAudit(name -> {
            viewModel.audit().showOnly(name);
            tabs.getSelectionModel().select(auditTab);
        });
        breakItem.disableProperty().bind(Bindings.not(locks.canBreakProperty()));
        forceBreakItem.disableProperty().bind(Bindings.not(locks.canForceBreakProperty()));

        openDirItem.setAccelerator(new KeyCodeCombination(KeyCode.O, KeyCombination.SHORTCUT_DOWN));
        quitItem.setAccelerator(new KeyCodeCombination(KeyCode.Q, KeyCombination.SHORTCUT_DOWN));
        refreshItem.setAccelerator(new KeyCodeCombination(KeyCode.F5));
        findItem.setAccelerator(new KeyCodeCombination(KeyCode.F, KeyCombination.SHORTCUT_DOWN));

        // Ages tick every second between refreshes; the scanner does the polling itself.
        ticker = new Timeline(new KeyFrame(Duration.seconds(1), e -> locks.tick()));
        ticker.setCycleCount(Timeline.INDEFINITE);
        ticker.play();
    }

    /** Puts the dividers where {@code w} says (after the window has its size, or they land elsewhere). */
    public void applyDividers(WindowState w) {
        if (sidebarSplit.getItems().size() > 1) {
            sidebarSplit.setDividerPositions(w.sidebarDivider());
        }
        locksView.applyDividers(w.tableDivider(), w.detailsDivider());
    }

    /** {@code w} with the dividers as they are now. */
    public WindowState withDividers(WindowState w) {
        double[] table = locksView.dividers();
        double sidebar = sidebarSplit.getItems().size() > 1 ? sidebarSplit.getDividerPositions()[0] : w.sidebarDivider();
        return new WindowState(w.x(), w.y(), w.width(), w.height(), w.maximized(), sidebar, table[0], table[1]);
    }

    /** Stops the ticker (the window is closing). */
    public void dispose() {
        ticker.stop();
    }

    // --- checks on owners' hosts (issue 15) ---
    @FXML
    private void onCheckOnHost() {
        viewModel.locks().checkSelectedOnHost();
    }

    @FXML
    private void onEditAskHosts() {
        viewModel.editAskHosts();
    }

    @FXML
    private void onAddDirectory() {
        viewModel.addDirectory();
    }

    @FXML
    private void onRemoveDirectory() {
        viewModel.removeSelectedDirectory();
    }

    @FXML
    private void onOpenRecordFile() {
        tabs.getSelectionModel().select(recordsTab);
        viewModel.records().chooseFile();
    }

    @FXML
    private void onQuit() {
        Platform.exit();
    }

    @FXML
    private void onRefresh() {
        viewModel.refresh();
    }

    @FXML
    private void onFind() {
        tabs.getSelectionModel().select(locksTab);
        locksView.focusFind();
    }

    @FXML
    private void onBreak() {
        tabs.getSelectionModel().select(locksTab);
        viewModel.locks().breakSelected();
    }

    @FXML
    private void onForceBreak() {
        tabs.getSelectionModel().select(locksTab);
        viewModel.locks().forceBreakSelected();
    }

    @FXML
    private void onDismissMessage() {
        viewModel.dismissMessage();
    }

    @FXML
    private void onAbout() {
        viewModel.showAbout();
    }
}
