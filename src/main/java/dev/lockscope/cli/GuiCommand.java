package dev.lockscope.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code lockscope gui [DIR]}: listed here for {@code --help}. {@code dev.lockscope.Main} opens the window
 * itself before picocli runs, so the CLI path never loads JavaFX; only {@code gui --help} (and
 * {@code --version}) reach this class. Main thread only.
 */
@Command(name = "gui", mixinStandardHelpOptions = true, versionProvider = LockscopeCommand.Version.class,
        description = {"Opens the graphical inspector on DIR; without DIR, on the last directory used, or on a demo"
                + " directory with live holders the first time.",
                "Needs a desktop session (DISPLAY or WAYLAND_DISPLAY) and, on Linux, GTK 3 (libgtk-3-0)."})
public final class GuiCommand implements Callable<Integer> {

    @Parameters(arity = "0..1", paramLabel = "DIR", description = "the lock directory to open")
    Path directory;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }
}
