package dev.lockscope.ui.main;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the inspector remembers between runs: the opened directories and the last one used. Stored as
 * small JSON in {@code ~/.config/lockscope/inspector.json} ({@code $XDG_CONFIG_HOME} and the system
 * property {@code lockscope.config.dir} override the place) by {@link SettingsFile}. Immutable; any thread.
 *
 * @param directories   the opened lock directories, in order
 * @param lastDirectory the directory shown last, or null
 * @param procmailLocktimeoutSeconds procmail's locktimeout per directory (procmail has no default), in seconds
 * @param askHosts      host patterns the inspector may ask over ssh about lock owners ("Check on host"); empty by
 *                      default (issue 15)
 * @param autoCheckHeldAfterMinutes check HELD locks of those hosts automatically once they are this old; null: never
 * @param window        the window's place, size and dividers when it last closed, or null (first launch)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record InspectorSettings(@JsonProperty("directories") List<String> directories,
                                @JsonProperty("lastDirectory") String lastDirectory,
                                @JsonProperty("procmailLocktimeoutSeconds") Map<String, Long> procmailLocktimeoutSeconds,
                                @JsonProperty("askHosts") List<String> askHosts,
                                @JsonProperty("autoCheckHeldAfterMinutes") Integer autoCheckHeldAfterMinutes,
                                @JsonProperty("window") WindowState window) {

    /** Settings without locktimeouts, host checks or a remembered window. */
    public InspectorSettings(List<String> directories, String lastDirectory) {
        this(directories, lastDirectory, Map.of(), List.of(), null, null);
    }

    public static final String FILE_NAME = "inspector.json";

    public InspectorSettings {
        directories = directories == null ? List.of() : List.copyOf(directories);
        procmailLocktimeoutSeconds = procmailLocktimeoutSeconds == null ? Map.of() : Map.copyOf(procmailLocktimeoutSeconds);
        askHosts = askHosts == null ? List.of() : List.copyOf(askHosts);
        if (autoCheckHeldAfterMinutes != null && autoCheckHeldAfterMinutes < 1) {
            autoCheckHeldAfterMinutes = null;
        }
    }

    public static InspectorSettings empty() {
        return new InspectorSettings(List.of(), null);
    }

    /** The remembered window state, bounded; the first-launch state when none is remembered. */
    public WindowState windowOrInitial() {
        return window == null ? WindowState.initial() : window.bounded();
    }

    /** Where settings live on this machine. */
    public static Path defaultLocation() {
        String override = System.getProperty("lockscope.config.dir");
        if (override != null && !override.isBlank()) {
            return Path.of(override).resolve(FILE_NAME);
        }
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return base.resolve("lockscope").resolve(FILE_NAME);
    }
}
