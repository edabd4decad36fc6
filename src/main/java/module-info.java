/**
 * Lockscope: link(2) lock files that survive NFS, a lossless shared record store,
 * a lock-directory scanner, a CLI and a JavaFX inspector.
 */
module dev.lockscope {
    requires com.fasterxml.jackson.databind;
    requires info.picocli;
    requires javafx.controls;
    requires javafx.fxml;
    // sun.misc.Signal: `lockscope run` passes SIGTERM, SIGINT and SIGHUP on to CMD (see cli.RunInterruptions).
    requires jdk.unsupported;

    exports dev.lockscope.lock;
    exports dev.lockscope.scan;
    exports dev.lockscope.formats;
    exports dev.lockscope.record;
    exports dev.lockscope.bench;
    exports dev.lockscope.probe;

    // Jackson reads and writes the owner records by reflection.
    opens dev.lockscope.lock to com.fasterxml.jackson.databind;
    // picocli injects options by reflection.
    opens dev.lockscope.cli to info.picocli;

    // The inspector: JavaFX instantiates the Application class; FXML injects the views' fields.
    exports dev.lockscope.ui to javafx.graphics;
    // ... and Jackson reads and writes the inspector settings.
    opens dev.lockscope.ui.main to javafx.fxml, com.fasterxml.jackson.databind;
    opens dev.lockscope.ui.locks to javafx.fxml;
    opens dev.lockscope.ui.records to javafx.fxml;
    opens dev.lockscope.ui.audit to javafx.fxml;
}
