package dev.lockscope;

import dev.lockscope.cli.LockscopeCommand;

/**
 * Entry point of {@code lockscope}: no arguments (or {@code gui}) opens the inspector, anything else is
 * the CLI. Called once, on the main thread.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (args.length == 0 || "gui".equals(args[0]) && !asksForHelp(args)) {
            System.exit(GuiLauncher.launch(args.length == 0 ? args : java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        if ("run".equals(args[0])) {
            // The common `run LOCKFILE -- CMD` skips building picocli's model (most of the start time).
            Integer fast = dev.lockscope.cli.RunFastPath.tryRun(args);
            if (fast != null) {
                System.exit(fast);
            }
        }
        if ("probe".equals(args[0])) {
            // Run over ssh by other hosts' --ask-host: skip picocli's model for the plain `probe PID`.
            Integer fast = dev.lockscope.cli.ProbeCommand.tryRun(args);
            if (fast != null) {
                System.exit(fast);
            }
        }
        System.exit(LockscopeCommand.execute(args));
    }

    /** {@code gui --help} or {@code gui --version}: picocli answers, no window opens. */
    private static boolean asksForHelp(String[] args) {
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "-h", "--help", "-V", "--version" -> {
                    return true;
                }
                default -> { }
            }
        }
        return false;
    }
}
