package dev.lockscope;

import java.lang.reflect.InvocationTargetException;

/**
 * Starts the JavaFX inspector by name, so the CLI path never loads JavaFX. Main thread only.
 */
final class GuiLauncher {
    static final String APP_CLASS = "dev.lockscope.ui.InspectorApp";

    private GuiLauncher() {
    }

    static int launch(String[] args) {
        try {
            JavaFxNatives.prepare();
        } catch (java.io.IOException e) {
            System.err.println("lockscope: cannot unpack the JavaFX libraries for the inspector: " + e.getMessage());
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
