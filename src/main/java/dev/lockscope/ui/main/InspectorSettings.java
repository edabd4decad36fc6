package dev.lockscope.ui.main;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.lockscope.lock.JsonMappers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * What the inspector remembers between runs: the opened directories and the last one used. Stored as
 * small JSON in {@code ~/.config/lockscope/inspector.json} ({@code $XDG_CONFIG_HOME} and the system
 * property {@code lockscope.config.dir} override the place). Immutable; load and save on I/O threads.
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
    /** The CLI-output mapper: Jackson's defaults; the settings file is written indented, for people. */
    private static final ObjectWriter JSON_OUT = JsonMappers.cliOutput().writerWithDefaultPrettyPrinter();
    private static final ObjectMapper JSON = JsonMappers.cliOutput();

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

    /** Reads {@code file}; a missing file means empty settings, a damaged one is reported. */
    public static InspectorSettings load(Path file) throws IOException {
        try {
            byte[] b = Files.readAllBytes(file);
            return JSON.readValue(b, InspectorSettings.class);
        } catch (NoSuchFileException e) {
            return empty();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException("settings file " + file + " is not valid JSON: "
                    + e.getOriginalMessage() + " (it is left as it is; delete it to start afresh)", e);
        }
    }

    /**
     * Writes {@code file} atomically (a temp file of its own, then a rename), creating its directory. Two
     * saves at once (two windows, two inspectors) each use their own temp file, so neither can move the
     * other's away; the last rename wins, whole.
     */
    public void save(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), "." + FILE_NAME + ".", ".tmp");
        try {
            Files.write(tmp, JSON_OUT.writeValueAsBytes(this));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
