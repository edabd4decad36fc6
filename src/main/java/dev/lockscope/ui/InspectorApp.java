package dev.lockscope.ui;

import dev.lockscope.lock.LockClock;
import dev.lockscope.scan.WatchOptions;
import dev.lockscope.ui.audit.AuditReader;
import dev.lockscope.ui.audit.AuditViewModel;
import dev.lockscope.ui.common.BackgroundIo;
import dev.lockscope.ui.common.Folders;
import dev.lockscope.ui.common.FxDialogService;
import dev.lockscope.ui.demo.DemoDirectory;
import dev.lockscope.ui.locks.DirectorySource;
import dev.lockscope.ui.locks.HostCheckGateway;
import dev.lockscope.ui.locks.LockActions;
import dev.lockscope.ui.locks.LocksViewModel;
import dev.lockscope.ui.main.InspectorSettings;
import dev.lockscope.ui.main.MainView;
import dev.lockscope.ui.main.MainViewModel;
import dev.lockscope.ui.main.SettingsFile;
import dev.lockscope.ui.main.WindowState;
import dev.lockscope.ui.records.RecordsViewModel;
import dev.lockscope.ui.records.StoreRecordFileGateway;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.image.Image;
import javafx.stage.Stage;

import java.io.File;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Lockscope inspector application. {@link #launchApp} is called on the main thread (by
 * {@code dev.lockscope.GuiLauncher}); the lifecycle methods run on the FX thread as JavaFX calls them.
 */
public final class InspectorApp extends Application {

    /** Timeout for any single file-system call before the user is told the server does not answer. */
    public static final Duration IO_TIMEOUT = Duration.ofSeconds(8);

    private ExecutorService ioPool;
    private MainViewModel mainViewModel;
    private MainView mainView;
    private final AtomicReference<DemoDirectory> demo = new AtomicReference<>();
    private Stage stage;
    /** The window state as the settings remember it (read in {@link #init()}, off the FX thread). */
    private volatile WindowState remembered = WindowState.initial();
    /** The last size the window had while neither maximized nor minimized: what the next launch opens at. */
    private double normalWidth;
    private double normalHeight;

    /**
     * Opens the inspector window and returns when it is closed.
     *
     * @param args an optional lock directory
     * @throws IllegalStateException with what to install when no display can be opened
     */
    public static void launchApp(String[] args) {
        String problem = displayProblem();
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
        Application.launch(InspectorApp.class, args);
    }

    /**
     * Why a window cannot be opened here, or null. Checked before JavaFX starts, because JavaFX itself
     * prints a stack trace or aborts where there is no display or no GTK.
     */
    static String displayProblem() {
        if ("Monocle".equalsIgnoreCase(System.getProperty("glass.platform"))) {
            return null; // headless tests
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) {
            return null;
        }
        String display = System.getenv("DISPLAY");
        String wayland = System.getenv("WAYLAND_DISPLAY");
        if ((display == null || display.isBlank()) && (wayland == null || wayland.isBlank())) {
            return "no display: neither DISPLAY nor WAYLAND_DISPLAY is set";
        }
        if (!hasGtk3(List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib",
                "/lib/x86_64-linux-gnu", "/lib64", "/lib"), System.getenv("LD_LIBRARY_PATH"))) {
            return "the GTK 3 library (libgtk-3.so.0) is not installed";
        }
        return null;
    }

    /** True when libgtk-3.so.0 is in one of {@code dirs} or on {@code ldLibraryPath}. */
    static boolean hasGtk3(List<String> dirs, String ldLibraryPath) {
        List<String> all = new java.util.ArrayList<>(dirs);
        if (ldLibraryPath != null) {
            all.addAll(List.of(ldLibraryPath.split(File.pathSeparator)));
        }
        for (String d : all) {
            if (!d.isBlank() && Files.exists(Path.of(d, "libgtk-3.so.0"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads the remembered window state. JavaFX calls this on its launcher thread, not the FX thread, so
     * the settings file can be read here before the window is shown at its size.
     */
    @Override
    public void init() {
        try {
            remembered = new SettingsFile(InspectorSettings.defaultLocation()).load().windowOrInitial();
        } catch (java.io.IOException | RuntimeException e) {
            remembered = WindowState.initial(); // a damaged file is reported by the main view model's own read
        }
    }

    @Override
    public void start(Stage stage) {
        this.stage = stage;
        List<String> raw = getParameters().getRaw();
        Path argument = raw.isEmpty() ? null : Path.of(raw.get(0));

        ioPool = BackgroundIo.daemonPool();
        Inspector inspector = Inspector.create(stage, ioPool, InspectorSettings.defaultLocation());
        mainViewModel = inspector.viewModel();
        mainView = inspector.view();
        place(stage, remembered);
        stage.show();
        holdSizeWhileMapping(stage, remembered);
        // The split panes take divider positions relative to their size: apply them once laid out.
        Platform.runLater(() -> mainView.applyDividers(remembered));

        mainViewModel.start(argument, () -> {
            DemoDirectory d = DemoDirectory.create();
            // Killed without stop() (SIGTERM): the holders see their stdin close and exit; remove the directory too.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                DemoDirectory left = demo.getAndSet(null);
                if (left != null) {
                    left.close();
                }
            }, "lockscope-demo-cleanup"));
            DemoDirectory before = demo.getAndSet(d);
            if (before != null) {
                before.close();
            }
            return d.directory();
        });
    }

    /**
     * The inspector's window content wired with its production parts: background I/O with a timeout,
     * real dialogs, and the production implementation of every gateway (the scanner's watcher, the lock library,
     * the record store, the audit directory, ssh host checks, the settings file, the desktop's folders). FX thread
     * only.
     */
    record Inspector(MainViewModel viewModel, MainView view, FxDialogService dialogs) {
        static Inspector create(Stage stage, ExecutorService pool, Path settingsFile) {
            return create(stage, pool, settingsFile,
                    DirectorySource.watcher(WatchOptions.defaults().withPollInterval(Duration.ofSeconds(2))),
                    LockActions.linkLocks());
        }

        /** As {@link #create(Stage, ExecutorService, Path)} with the directory source and lock actions given. */
        static Inspector create(Stage stage, ExecutorService pool, Path settingsFile, DirectorySource source,
                                LockActions actions) {
            BackgroundIo io = new BackgroundIo(pool, Platform::runLater, IO_TIMEOUT);
            FxDialogService dialogs = new FxDialogService();
            Folders folders = Folders.desktop();
            HostCheckGateway hosts = HostCheckGateway.ssh();
            LocksViewModel locks = new LocksViewModel(io, Platform::runLater, dialogs, source, actions, hosts, folders,
                    LockClock.SYSTEM);
            AuditViewModel audit = new AuditViewModel(io, new AuditReader());
            RecordsViewModel records = new RecordsViewModel(io, dialogs, new StoreRecordFileGateway(), folders);
            MainViewModel vm = new MainViewModel(io, dialogs, new SettingsFile(settingsFile), folders, hosts, locks,
                    audit, records);
            MainView view = new MainView(vm);
            stage.setScene(new Scene(view, 1180, 760));
            stage.titleProperty().bind(vm.titleProperty());
            // Several sizes, so the window manager picks a sharp one for the title bar, the task bar and Alt+Tab.
            for (int size : ICON_SIZES) {
                Image icon = loadIcon(size);
                if (icon != null) {
                    stage.getIcons().add(icon);
                    if (size == ABOUT_ICON_SIZE) {
                        dialogs.setIcon(icon);
                    }
                }
            }
            dialogs.setOwner(stage);
            return new Inspector(vm, view, dialogs);
        }
    }

    /**
     * Sizes and places the window explicitly before it is shown. Under a window manager JavaFX 21 opens
     * a stage sized only by its scene at 200x200 (JDK-8316423), so the stage's own width and height are
     * set, and a minimum below which the toolbar and status bar become unreadable.
     */
    private void place(Stage s, WindowState w) {
        s.setMinWidth(WindowState.MIN_WIDTH);
        s.setMinHeight(WindowState.MIN_HEIGHT);
        s.setWidth(w.width());
        s.setHeight(w.height());
        normalWidth = w.width();
        normalHeight = w.height();
        if (w.hasPosition() && !javafx.stage.Screen.getScreensForRectangle(w.x(), w.y(), 100, 40).isEmpty()) {
            s.setX(w.x());
            s.setY(w.y());
        } else {
            s.centerOnScreen();
        }
        s.setMaximized(w.maximized());
        s.widthProperty().addListener((o, a, b) -> {
            if (!s.isMaximized() && !s.isIconified()) {
                normalWidth = b.doubleValue();
            }
        });
        s.heightProperty().addListener((o, a, b) -> {
            if (!s.isMaximized() && !s.isIconified()) {
                normalHeight = b.doubleValue();
            }
        });
    }

    /**
     * The window manager's first answers arrive after {@code show()} and shrink the window to 200x200
     * (clamped to the minimum) on some launches (JDK-8316423). For the first seconds after showing, a
     * shrink to the minimum size is undone; any other size, and any size after that, is the user's.
     */
    private static void holdSizeWhileMapping(Stage s, WindowState w) {
        javafx.beans.InvalidationListener restore = o -> {
            // The bug's shrink lands at the minimum size (200x200 clamped); a user's resize to anything
            // larger in these first seconds is kept.
            boolean shrunkToMinimum = s.getWidth() <= WindowState.MIN_WIDTH + 1 || s.getHeight() <= WindowState.MIN_HEIGHT + 1;
            if (!s.isMaximized() && shrunkToMinimum && (s.getWidth() < w.width() - 1 || s.getHeight() < w.height() - 1)) {
                Platform.runLater(() -> {
                    s.setWidth(w.width());
                    s.setHeight(w.height());
                });
            }
        };
        s.widthProperty().addListener(restore);
        s.heightProperty().addListener(restore);
        restore.invalidated(null);
        javafx.animation.PauseTransition settle = new javafx.animation.PauseTransition(javafx.util.Duration.seconds(2));
        settle.setOnFinished(e -> {
            s.widthProperty().removeListener(restore);
            s.heightProperty().removeListener(restore);
        });
        settle.play();
    }

    /** The window as it is now, to open the same way next time. FX thread. */
    private WindowState currentWindow() {
        boolean maximized = stage.isMaximized();
        WindowState w = new WindowState(maximized ? remembered.x() : stage.getX(),
                maximized ? remembered.y() : stage.getY(), normalWidth, normalHeight, maximized, 0, 0, 0);
        return mainView.withDividers(w).bounded();
    }

    /** The sizes rendered from icons/lockscope.svg that the window offers (see packaging/render-icons.sh). */
    static final int[] ICON_SIZES = {16, 24, 32, 48, 64, 128, 256};
    private static final int ABOUT_ICON_SIZE = 64;

    /** The app icon of the given size from the jar, or null if this build lacks it. */
    static Image loadIcon(int size) {
        try (InputStream in = InspectorApp.class.getResourceAsStream("icons/lockscope-" + size + ".png")) {
            return in == null ? null : new Image(in);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    @Override
    public void stop() {
        if (mainView != null && mainViewModel != null && stage != null) {
            // The save runs on an I/O thread; wait for it briefly, the JVM exits after stop().
            try {
                mainViewModel.rememberWindow(currentWindow()).get(3, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                // not remembered this time: the next launch opens at the previous size
            }
        }
        if (mainView != null) {
            mainView.dispose();
        }
        if (mainViewModel != null) {
            mainViewModel.locks().close();
        }
        DemoDirectory d = demo.getAndSet(null);
        if (d != null) {
            // The holders must not outlive the window; stopping them and deleting the directory is I/O,
            // so it runs off the FX thread (bounded: the JVM is about to exit anyway).
            Thread t = new Thread(d::close, "lockscope-demo-stop");
            t.start();
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (ioPool != null) {
            ioPool.shutdownNow();
        }
    }
}
