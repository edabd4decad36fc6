package dev.lockscope.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** The top-level {@code lockscope} command. Main thread only. */
@Command(name = "lockscope", mixinStandardHelpOptions = true, versionProvider = LockscopeCommand.Version.class,
        description = {"NFS-safe link(2) lock files: run commands under a lock, inspect and break stale locks.",
                "With no arguments, opens the graphical inspector."},
        subcommands = {RunCommand.class, StatusCommand.class, BreakCommand.class, LsCommand.class, RecordsCommand.class,
                BenchCommand.class, ProbeCommand.class, GuiCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success",
                "1:nothing done (no lock, lock changed or vanished before a break, not a lock file, no such record)",
                "3:break refused: the lock is not stale (use --force)",
                "4:not confirmed",
                "64:usage error",
                "65:bad data (invalid JSON, corrupt record file)",
                "66:the directory of LOCKFILE or FILE does not exist",
                "70:the lock was lost while the command ran",
                "74:other I/O error (the message names the operation and the path)",
                "75:the lock could not be had in time",
                "77:permission denied or read-only filesystem"})
public final class LockscopeCommand implements Runnable {

    public static final String VERSION = "0.1.0";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Prints the version. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"lockscope " + VERSION, "Java " + System.getProperty("java.version")};
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Runs the CLI and returns the exit code. */
    public static int execute(String[] args) {
        return newCommandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true)).execute(args);
    }

    public static CommandLine newCommandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new LockscopeCommand());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExitCodeExceptionMapper(ex -> ExitCodes.IO_ERROR);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            Object command = commandLine.getCommand();
            commandLine.getErr().println(ExitCodes.describe(ex,
                    command instanceof ExitCodes.Operation op ? op.operation() : null));
            return ExitCodes.forFailure(ex);
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            // picocli quotes the offending argument, which may be a hostile file name.
            c.getErr().println("lockscope: " + TerminalText.escape(ex.getMessage()));
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help'.");
            return ExitCodes.USAGE;
        });
        return cl;
    }
}
