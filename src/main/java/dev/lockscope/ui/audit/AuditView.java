package dev.lockscope.ui.audit;

import dev.lockscope.ui.common.Fxml;
import javafx.beans.property.SimpleStringProperty;
import javafx.fxml.FXML;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.layout.BorderPane;

import java.util.function.Function;

/** The audit tab: the break history of the directory. Binds only to {@link AuditViewModel}. FX thread only. */
public final class AuditView extends BorderPane {

    @FXML private Label messageLabel;
    @FXML private TableView<AuditEntry> auditTable;
    @FXML private TableColumn<AuditEntry, String> atColumn;
    @FXML private TableColumn<AuditEntry, String> lockColumn;
    @FXML private TableColumn<AuditEntry, String> outcomeColumn;
    @FXML private TableColumn<AuditEntry, String> verdictColumn;
    @FXML private TableColumn<AuditEntry, String> byColumn;
    @FXML private TableColumn<AuditEntry, String> forcedColumn;
    @FXML private TextArea detailsArea;

    private final AuditViewModel viewModel;

    public AuditView(AuditViewModel viewModel) {
        this.viewModel = viewModel;
        Fxml.load(this);
        messageLabel.textProperty().bind(viewModel.messageProperty());
        text(atColumn, e -> dev.lockscope.ui.common.Times.localFromIso(e.at()));
        text(lockColumn, e -> e.lock().isEmpty() ? "" : java.nio.file.Path.of(e.lock()).getFileName().toString());
        text(outcomeColumn, AuditEntry::outcome);
        text(verdictColumn, AuditEntry::verdict);
        text(byColumn, AuditEntry::brokenBy);
        text(forcedColumn, e -> e.forced() ? "yes" : "no");
        auditTable.setItems(viewModel.shownEntries());
        auditTable.getSelectionModel().selectedItemProperty().addListener((o, a, e) -> {
            if (e != null) {
                viewModel.selectedProperty().set(e);
            }
        });
        detailsArea.textProperty().bind(viewModel.detailsProperty());
    }

    @FXML
    private void onReload() {
        viewModel.reload();
    }

    @FXML
    private void onShowAll() {
        viewModel.showOnly("");
    }

    private static void text(TableColumn<AuditEntry, String> col, Function<AuditEntry, String> f) {
        col.setCellValueFactory(c -> new SimpleStringProperty(f.apply(c.getValue())));
    }
}
