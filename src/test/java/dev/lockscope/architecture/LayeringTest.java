package dev.lockscope.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
 * no cycles; no JavaFX below ui; the inspector reaches the file-system side of the core through its gateways.
 * A fast unit test (Surefire), so CI holds it.
 */
class LayeringTest {
    private static final String ROOT = "dev.lockscope";
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
     * The inspector touches lock files, record files and directories only through its gateway interfaces
     * (LockActions, DirectorySource, RecordFileGateway) and their implementations; view models and views get
     * a gateway injected. The demo package, which creates the demo's lock directory, is the other exception.
     */
    @Test
    void theUiReachesTheFileSystemSideOfTheCoreOnlyThroughItsGateways() {
        noClasses().that().resideInAPackage("dev.lockscope.ui..")
                .and().resideOutsideOfPackage("dev.lockscope.ui.demo..")
                .and(isNoneOf("dev.lockscope.ui.locks.LockActions", "dev.lockscope.ui.locks.DirectorySource",
                        "dev.lockscope.ui.records.RecordFileGateway", "dev.lockscope.ui.records.StoreRecordFileGateway"))
                .should().dependOnClassesThat().haveFullyQualifiedName("dev.lockscope.lock.LinkLock")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.lockscope.lock.LockHandle")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.lockscope.lock.LockBreaker")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.lockscope.record.RecordStore")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.lockscope.scan.DirectoryWatcher")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.lockscope.scan.DirectoryScanner")
                .check(classes);
    }

    /** The class itself or one nested in it (anonymous and lambda-holding classes included). */
    private static DescribedPredicate<JavaClass> isNoneOf(String... names) {
        return DescribedPredicate.describe("are not one of the gateways", c -> {
            String top = c.getName().replaceFirst("\\$.*", "");
            for (String n : names) {
                if (top.equals(n)) {
                    return false;
                }
            }
            return true;
        });
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
