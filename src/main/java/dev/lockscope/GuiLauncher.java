package dev.lockscope;

import java.lang.reflect.InvocationTargetException;

/**
 * Starts the JavaFX inspector by name, so the CLI path never loads JavaFX. Main thread only.
 */
final class GuiLauncher {
    static final String APP_CLASS = "dev.lockscope.ui.InspectorApp";
    private static final String JAVAFX_MODULE = "javafx.controls";

    private GuiLauncher() {
    }

    static int launch(String[] args) {
        try {
            JavaFxNatives.prepare();
        } catch (java.io.IOException e) {
            System.err.println("lockscope: cannot unpack the JavaFX libraries for the inspector: " + e.getMessage());
            return 69;
        }
        if (GuiLauncher.class.getModule().isNamed() && ModuleLayer.boot().findModule(JAVAFX_MODULE).isEmpty()) {
            // JavaFX is an optional module (module-info): on a module path it is resolved only when asked for.
            System.err.println("lockscope: JavaFX is not in this Java runtime's modules, so the inspector cannot open;"
                    + " start it with --add-modules javafx.controls,javafx.fxml (and JavaFX on the module path)");
            return 69;
        }
        try {
            Class<?> app = Class.forName(APP_CLASS);
            app.getMethod("launchApp", String[].class).invoke(null, (Object) args);
            return 0;
        } catch (ClassNotFoundException e) {
            System.err.println("lockscope: the graphical inspector is not part of this build; try 'lockscope --help'");
            return 64;
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            System.err.println("lockscope: cannot open the inspector window: " + cause);
            System.err.println("  A desktop session is needed (DISPLAY or WAYLAND_DISPLAY), and on Linux the GTK 3 library:"
                    + " apt-get install -y libgtk-3-0 fontconfig fonts-dejavu-core");
            System.err.println("  On a server, use the CLI: lockscope --help");
            return 69;
        } catch (ReflectiveOperationException | LinkageError e) {
            System.err.println("lockscope: cannot start the inspector: " + e);
            return 69;
        }
    }
}
