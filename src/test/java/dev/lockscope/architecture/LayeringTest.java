package dev.lockscope.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.AccessTarget;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The layering of issue 17 as rules over the compiled main classes (tests excluded): lock at the bottom; record
 * and formats on it; scan and bench above those; probe on scan; cli and ui on top; text a leaf anyone may use;
 * no cycles; no JavaFX below ui; the inspector reaches files, processes and the I/O of the core only through its
 * gateway interfaces.
 * A fast unit test (Surefire), so CI holds it.
 */
class LayeringTest {
    private static final String ROOT = "dev.lockscope";
    private static final String UI = ROOT + ".ui";
    private static JavaClasses classes;

    @BeforeAll
    static void importTheMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    /** Guards against rules passing on nothing: the import must see both ends of the layering. */
    @Test
    void theImportSeesTheWholeProgram() {
        assertThat(classes.contain("dev.lockscope.lock.LinkLock")).isTrue();
        assertThat(classes.contain("dev.lockscope.ui.InspectorApp")).isTrue();
        assertThat(classes.contain("dev.lockscope.Main")).isTrue();
        assertThat(classes.contain("dev.lockscope.architecture.LayeringTest")).as("tests are not imported").isFalse();
        assertThat(classes.size()).isGreaterThan(150);
    }

    @Test
    void noJavaFxBelowTheUi() {
        noClasses().that().resideOutsideOfPackage("dev.lockscope.ui..")
                .should().dependOnClassesThat().resideInAnyPackage("javafx..", "com.sun.javafx..", "com.sun.glass..")
                .because("the core (lock, record, formats, scan, bench, probe, text, cli) must run without JavaFX")
                .check(classes);
    }

    @Test
    void lockDependsOnNothingAboveIt() {
        noClasses().that().resideInAPackage("dev.lockscope.lock..")
                .should().dependOnClassesThat(resideInAPackage("dev.lockscope..")
                        .and(resideOutsideOfPackage("dev.lockscope.lock.."))
                        .and(resideOutsideOfPackage("dev.lockscope.text..")))
                .because("lock is the bottom layer: it knows nothing of record, formats, scan, bench, probe, cli, ui"
                        + " or the launcher (text, the leaf of human-readable formatting, is allowed)")
                .check(classes);
    }

    @Test
    void textIsALeaf() {
        noClasses().that().resideInAPackage("dev.lockscope.text..")
                .should().dependOnClassesThat(resideInAPackage("dev.lockscope..")
                        .and(resideOutsideOfPackage("dev.lockscope.text..")))
                .check(classes);
    }

    /** Each layer may use the ones below it; lock and text are open to all. */
    @Test
    void eachLayerUsesOnlyTheLayersBelowIt() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("Launcher").definedBy(resideInTheRootPackage())
                .layer("Cli").definedBy("dev.lockscope.cli..")
                .layer("Ui").definedBy("dev.lockscope.ui..")
                .layer("Probe").definedBy("dev.lockscope.probe..")
                .layer("Bench").definedBy("dev.lockscope.bench..")
                .layer("Scan").definedBy("dev.lockscope.scan..")
                .layer("Record").definedBy("dev.lockscope.record..")
                .layer("Formats").definedBy("dev.lockscope.formats..")
                .layer("Lock").definedBy("dev.lockscope.lock..")
                .layer("Text").definedBy("dev.lockscope.text..")
                .whereLayer("Ui").mayNotBeAccessedByAnyLayer()
                .whereLayer("Cli").mayOnlyBeAccessedByLayers("Launcher")
                .whereLayer("Bench").mayOnlyBeAccessedByLayers("Cli")
                .whereLayer("Probe").mayOnlyBeAccessedByLayers("Cli", "Ui")
                .whereLayer("Scan").mayOnlyBeAccessedByLayers("Probe", "Cli", "Ui")
                .whereLayer("Record").mayOnlyBeAccessedByLayers("Scan", "Bench", "Probe", "Cli", "Ui")
                .whereLayer("Formats").mayOnlyBeAccessedByLayers("Scan", "Bench", "Probe", "Cli", "Ui")
                // ChildJvm (how to start a JVM of this build) sits in the root package next to Main; bench and
                // the inspector's demo start such JVMs.
                .whereLayer("Launcher").mayOnlyBeAccessedByLayers("Bench", "Ui")
                .check(classes);
    }

    /**
     * The scanner observes and never takes a lock: it uses the lock package's value types and judges, not the
     * acquisition (LinkLock) or a held handle. Before issue 17 it reached LinkLock for its static helpers.
     */
    @Test
    void theScannerNeverAcquires() {
        noClasses().that().resideInAPackage("dev.lockscope.scan..")
                .should().dependOnClassesThat().haveFullyQualifiedName("dev.lockscope.lock.LinkLock")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.lockscope.lock.LockHandle")
                .check(classes);
    }

    /**
     * No mutable static state in lock: every static field is final, and the mutable registries live in a
     * LockRuntime instance. The final statics that still hold changing values are LockRuntime's default instance,
     * the process-wide token sequence (tokens must be unique across runtimes) and FilesystemType's cache of
     * mount types (a fact about the machine, not about any test's state).
     */
    @Test
    void everyStaticFieldInLockIsFinal() {
        fields().that().areDeclaredInClassesThat().resideInAPackage("dev.lockscope.lock..").and().areStatic()
                .should().beFinal()
                .check(classes);
    }

    @Test
    void noCyclesBetweenTheTopLevelPackages() {
        slices().matching("dev.lockscope.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void noCyclesBetweenAnyTwoPackagesBelowTheRoot() {
        slices().assignedFrom(new EachPackage()).should().beFreeOfCycles().check(classes);
    }

    /**
     * The inspector reaches the file system, other processes and the I/O side of the core only through its
     * gateway interfaces (issue 17 point 8): outside {@link #GATEWAYS}, no class in ui accesses a JDK file-system
     * or process API, nor calls core code that reaches one (directly or through other core code; see
     * {@link DoesIo}). Value types, verdicts, exceptions and pure helpers of the core stay usable, and a new
     * core class that does I/O is forbidden here without naming it. View models and views get every I/O
     * capability injected as one of these interfaces, with one production implementation each.
     */
    @Test
    void theUiReachesFilesProcessesAndTheCoreIoOnlyThroughItsGateways() {
        noClasses().that().resideInAPackage("dev.lockscope.ui..")
                .and(areNotGateways())
                .should().accessTargetWhere(new DoesIo(classes))
                .because("view models and views get file-system and process work injected through a gateway"
                        + " interface (LayeringTest.GATEWAYS lists them), and the JavaFX thread never touches the file"
                        + " system")
                .check(classes);
    }

    /**
     * Guards the rule above against passing on nothing: the fixpoint finds the core's I/O (a foreign break, a lock
     * snapshot's read, a held lock's acquisition through LinkLock's inner steps, the ssh check) and the gateway
     * implementations' I/O, and leaves value types alone.
     */
    @Test
    void theIoPredicateFindsTheCoreIoAndLeavesValuesAlone() {
        DoesIo doesIo = new DoesIo(classes);
        assertThat(doesIo.ioCode).extracting(JavaCodeUnit::getFullName)
                .contains("dev.lockscope.formats.ForeignLocks.breakLock(dev.lockscope.formats.ForeignVerdict, boolean)",
                        "dev.lockscope.lock.LockSnapshot.read(java.nio.file.Path)",
                        "dev.lockscope.lock.LinkLock.acquire(java.time.Duration)",
                        "dev.lockscope.probe.HostChecker.check(dev.lockscope.lock.LockOwner)",
                        "dev.lockscope.ui.audit.AuditReader.read(java.nio.file.Path)",
                        "dev.lockscope.ui.main.SettingsFile.save(dev.lockscope.ui.main.InspectorSettings)")
                .doesNotContain("dev.lockscope.lock.Verdict.state()", "dev.lockscope.lock.LockSnapshot.facts()",
                        "dev.lockscope.ui.audit.AuditLog.read(java.nio.file.Path)");
    }

    /**
     * The classes of ui allowed to do I/O, each with what it is for (nested classes, anonymous ones and lambdas
     * included). Keep this list short: a new capability is a new gateway interface plus its one implementation.
     */
    private static final List<String> GATEWAYS = List.of(
            // The lock table's reads, judgements and breaks of lock files (lockscope's and other tools'); the
            // interface holds its production implementation (the lock library).
            "dev.lockscope.ui.locks.LockActions",
            // The lock table's snapshots of a directory; holds its production implementation (the scanner's watcher).
            "dev.lockscope.ui.locks.DirectorySource",
            // The records tab's loads, saves and watches of one record file, and its implementation (the record store).
            "dev.lockscope.ui.records.RecordFileGateway",
            "dev.lockscope.ui.records.StoreRecordFileGateway",
            // The break history of a lock directory, and its implementation (the audit directory's JSON files).
            "dev.lockscope.ui.audit.AuditLog",
            "dev.lockscope.ui.audit.AuditReader",
            // Asking a lock owner's host over ssh, and reading the ssh settings for it; holds its implementation.
            "dev.lockscope.ui.locks.HostCheckGateway",
            // Whether a path is a directory to open, and showing one in the desktop's file manager; holds its
            // implementation.
            "dev.lockscope.ui.common.Folders",
            // The inspector's remembered settings, and its implementation (one JSON file).
            "dev.lockscope.ui.main.SettingsStore",
            "dev.lockscope.ui.main.SettingsFile",
            // The composition root: checks the display before JavaFX starts, reads the remembered window size
            // on JavaFX's launcher thread and wires the production gateways into the view models.
            "dev.lockscope.ui.InspectorApp");

    /** Neither a gateway (see {@link #GATEWAYS}) nor in the demo package, which creates the demo's lock directory. */
    private static DescribedPredicate<JavaClass> areNotGateways() {
        return DescribedPredicate.describe("are neither gateways nor in ui.demo", c -> {
            String top = c.getName().replaceFirst("\\$.*", "");
            return !GATEWAYS.contains(top) && !c.getPackageName().startsWith(UI + ".demo");
        });
    }

    /**
     * An access to a target that does file-system or process I/O: a member of a JDK file-system or process API (the
     * classes and methods below), or a method or constructor of the core, of a gateway or of ui.demo that accesses
     * one, directly or through other such code (found as a fixpoint over the imported classes; ArchUnit counts a
     * lambda's accesses as its enclosing method's). So a view model may call a gateway interface, but not its
     * implementation directly. A core interface or superclass method counts as doing I/O when one of its
     * implementations does. {@code Path} as a value, and {@code File} as a value (what a FileChooser returns), are
     * fine.
     */
    static final class DoesIo extends DescribedPredicate<JavaAccess<?>> {
        /** Every member of these does I/O. */
        private static final Set<String> IO_TYPES = Set.of(
                "java.nio.file.Files", "java.nio.file.DirectoryStream", "java.nio.file.SecureDirectoryStream",
                "java.nio.file.WatchService", "java.nio.file.spi.FileSystemProvider",
                "java.nio.channels.FileChannel", "java.nio.channels.AsynchronousFileChannel",
                "java.io.FileInputStream", "java.io.FileOutputStream", "java.io.FileReader", "java.io.FileWriter",
                "java.io.RandomAccessFile", "java.lang.ProcessBuilder", "java.lang.ProcessHandle");
        /** The members of value-like JDK types that do I/O, by owner. */
        private static final Map<String, Set<String>> IO_MEMBERS = Map.of(
                "java.lang.Runtime", Set.of("exec"),
                "java.nio.file.Path", Set.of("toRealPath", "register"),
                "java.nio.file.FileSystem", Set.of("newWatchService"),
                "java.io.File", Set.of("exists", "isDirectory", "isFile", "isHidden", "canRead", "canWrite",
                        "canExecute", "length", "lastModified", "list", "listFiles", "delete", "deleteOnExit",
                        "mkdir", "mkdirs", "createNewFile", "createTempFile", "renameTo", "setLastModified",
                        "setReadable", "setWritable", "setExecutable", "setReadOnly", "getCanonicalPath",
                        "getCanonicalFile", "getTotalSpace", "getFreeSpace", "getUsableSpace", "listRoots"));

        final Set<JavaCodeUnit> ioCode;

        DoesIo(JavaClasses classes) {
            super("the target does file-system or process I/O (a JDK file or process API, or core or gateway"
                    + " code that reaches one)");
            this.ioCode = codeUnitsDoingIo(classes);
        }

        @Override
        public boolean test(JavaAccess<?> access) {
            AccessTarget target = access.getTarget();
            return isJdkIo(target) || target.resolveMember().filter(m -> m instanceof JavaCodeUnit)
                    .map(ioCode::contains).orElse(false);
        }

        private static boolean isJdkIo(AccessTarget t) {
            String owner = t.getOwner().getName();
            return IO_TYPES.contains(owner) || IO_MEMBERS.getOrDefault(owner, Set.of()).contains(t.getName());
        }

        private static Set<JavaCodeUnit> codeUnitsDoingIo(JavaClasses classes) {
            List<JavaCodeUnit> candidates = new ArrayList<>();
            for (JavaClass c : classes) {
                if (!c.getPackageName().startsWith(UI) || !areNotGateways().test(c)) {
                    candidates.addAll(c.getCodeUnits());
                }
            }
            Set<JavaCodeUnit> io = new HashSet<>();
            boolean grew = true;
            while (grew) {
                grew = false;
                for (JavaCodeUnit u : candidates) {
                    if (!io.contains(u) && u.getAccessesFromSelf().stream().anyMatch(a -> isJdkIo(a.getTarget())
                            || a.getTarget().resolveMember().filter(io::contains).isPresent())) {
                        io.add(u);
                        grew = true;
                    }
                    if (io.contains(u) && u instanceof JavaMethod m) {
                        grew |= io.addAll(overridden(m));
                    }
                }
            }
            return io;
        }

        /**
         * The methods of the core's supertypes that {@code m} implements or overrides (not the gateway interfaces':
         * calling those is the way in).
         */
        private static List<JavaMethod> overridden(JavaMethod m) {
            String[] params = m.getRawParameterTypes().stream().map(JavaClass::getName).toArray(String[]::new);
            List<JavaMethod> out = new ArrayList<>();
            List<JavaClass> supers = new ArrayList<>(m.getOwner().getAllRawSuperclasses());
            supers.addAll(m.getOwner().getAllRawInterfaces());
            for (JavaClass s : supers) {
                if (s.getPackageName().startsWith(ROOT) && !s.getPackageName().startsWith(UI)) {
                    s.tryGetMethod(m.getName(), params).ifPresent(out::add);
                }
            }
            return out;
        }
    }

    private static DescribedPredicate<JavaClass> resideInTheRootPackage() {
        return DescribedPredicate.describe("reside in " + ROOT, c -> c.getPackageName().equals(ROOT));
    }

    /** Every package below dev.lockscope is its own slice (so dev.lockscope.ui.locks and ui.common are two). */
    private static final class EachPackage implements SliceAssignment {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            String p = javaClass.getPackageName();
            return p.startsWith(ROOT + ".") ? SliceIdentifier.of(p) : SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
            return "every package below " + ROOT;
        }
    }
}
