package dev.lockscope.ui.main;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.lockscope.lock.JsonMappers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The {@link SettingsStore} of a real inspector: small JSON in one file ({@link InspectorSettings#defaultLocation()}
 * by default). I/O threads only, but for {@link #toString}.
 *
 * @param file where the settings are kept
 */
public record SettingsFile(Path file) implements SettingsStore {

    /** The CLI-output mapper: Jackson's defaults; the settings file is written indented, for people. */
    private static final ObjectWriter JSON_OUT = JsonMappers.cliOutput().writerWithDefaultPrettyPrinter();
    private static final ObjectMapper JSON = JsonMappers.cliOutput();

    /** Reads the file; a missing file means empty settings, a damaged one is reported. */
    @Override
    public InspectorSettings load() throws IOException {
        try {
            byte[] b = Files.readAllBytes(file);
            return JSON.readValue(b, InspectorSettings.class);
        } catch (NoSuchFileException e) {
            return InspectorSettings.empty();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException("settings file " + file + " is not valid JSON: "
                    + e.getOriginalMessage() + " (it is left as it is; delete it to start afresh)", e);
        }
    }

    /**
     * Writes the file atomically (a temp file of its own, then a rename), creating its directory. Two
     * saves at once (two windows, two inspectors) each use their own temp file, so neither can move the
     * other's away; the last rename wins, whole.
     */
    @Override
    public void save(InspectorSettings settings) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), "." + InspectorSettings.FILE_NAME + ".", ".tmp");
        try {
            Files.write(tmp, JSON_OUT.writeValueAsBytes(settings));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The file's path, as messages name it. */
    @Override
    public String toString() {
        return file.toString();
    }
}
