package dev.lockscope.ui.common;

import javafx.fxml.FXMLLoader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;

/**
 * Loads a view's FXML, which lives beside the view class under the same name, with the view as both
 * root ({@code fx:root}) and controller, and adds its CSS when there is one. FX thread only.
 */
public final class Fxml {
    private Fxml() {
    }

    public static void load(Object view) {
        Class<?> c = view.getClass();
        URL fxml = c.getResource(c.getSimpleName() + ".fxml");
        if (fxml == null) {
            throw new IllegalStateException("missing " + c.getSimpleName() + ".fxml beside " + c.getName());
        }
        FXMLLoader loader = new FXMLLoader(fxml);
        loader.setRoot(view);
        loader.setController(view);
        // The module's class loader: FXML resolves classes of this module by name.
        loader.setClassLoader(c.getClassLoader());
        try {
            loader.load();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load " + fxml, e);
        }
        URL css = c.getResource(c.getSimpleName() + ".css");
        if (css != null && view instanceof javafx.scene.Parent p) {
            p.getStylesheets().add(css.toExternalForm());
        }
    }
}
