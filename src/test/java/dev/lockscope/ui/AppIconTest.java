package dev.lockscope.ui;

import javafx.scene.image.Image;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import static org.assertj.core.api.Assertions.assertThat;

/** Every icon size the window offers is in the build, decodes, and has the size its name says. */
@ExtendWith(ApplicationExtension.class)
class AppIconTest {

    @Start
    void start(Stage stage) {
        // Image decoding needs the toolkit; TestFX starts it (headless Monocle).
    }

    @Test
    void everyOfferedSizeLoadsAtItsSize() {
        for (int size : InspectorApp.ICON_SIZES) {
            Image icon = InspectorApp.loadIcon(size);
            assertThat(icon).as("icons/lockscope-%d.png", size).isNotNull();
            assertThat(icon.isError()).as("decoding lockscope-%d.png", size).isFalse();
            assertThat(icon.getWidth()).as("width of lockscope-%d.png", size).isEqualTo(size);
            assertThat(icon.getHeight()).as("height of lockscope-%d.png", size).isEqualTo(size);
        }
    }
}
