/**
 * Lockscope: link(2) lock files that survive NFS, a lossless shared record store,
 * a lock-directory scanner, a CLI and a JavaFX inspector.
 */
module dev.lockscope {
    requires com.fasterxml.jackson.databind;
    requires info.picocli;
    // The inspector only, and optional: a server that uses the lock and record library runs without JavaFX
    // (NoJavaFxModulePathIT holds this). The UI is loaded by name (GuiLauncher), so the core never links
    // against JavaFX; a launch on the module path that wants the inspector adds
    // --add-modules javafx.controls,javafx.fxml (the jlink'ed runtime has it built in, packaging/build-packages.sh).
    requires static javafx.controls;
    requires static javafx.fxml;
    // sun.misc.Signal: `lockscope run` passes SIGTERM, SIGINT and SIGHUP on to CMD (see cli.RunInterruptions).
    requires jdk.unsupported;

    exports dev.lockscope.lock;
    exports dev.lockscope.scan;
    exports dev.lockscope.formats;
    exports dev.lockscope.record;
    // Not dev.lockscope.bench: it is the engine of `lockscope bench` (cli.BenchCommand), not a library API.
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
