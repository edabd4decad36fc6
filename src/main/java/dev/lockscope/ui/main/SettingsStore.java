package dev.lockscope.ui.main;

import java.io.IOException;

/**
 * Where the inspector keeps its {@link InspectorSettings} between runs. The main view model gets this injected,
 * so it never reads or writes the settings file itself. {@link #load} and {@link #save} do I/O: I/O threads only;
 * {@link #toString} names the place for messages (any thread).
 */
public interface SettingsStore {

    /** The settings as last saved; empty settings when none were. */
    InspectorSettings load() throws IOException;

    /** Replaces the saved settings with {@code settings}, whole. */
    void save(InspectorSettings settings) throws IOException;
}
