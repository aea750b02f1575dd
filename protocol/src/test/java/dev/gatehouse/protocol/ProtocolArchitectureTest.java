package dev.gatehouse.protocol;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The protocol's architecture rules (docs/architecture.md), checked with ArchUnit on the compiled
 * main classes. Each rule fails with a sentence that names the rule and lists the offending code.
 */
class ProtocolArchitectureTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.gatehouse.protocol");

    private static final List<String> FORBIDDEN_CLASS_PREFIXES = List.of(
            "java.io.File",
            "java.io.RandomAccessFile",
            "java.nio.file.",
            "java.nio.channels.",
            "java.net.",
            "java.util.concurrent.Executor",
            "java.util.concurrent.ForkJoinPool",
            "java.util.Timer",
            "java.lang.ProcessBuilder");
    private static final Set<String> FORBIDDEN_CLASSES =
            Set.of("java.lang.Thread", "java.lang.Runtime", "java.time.Clock");
    private static final Set<String> FORBIDDEN_MEMBERS = Set.of(
            "java.lang.System.currentTimeMillis",
            "java.lang.System.nanoTime",
            "java.lang.System.out",
            "java.lang.System.err",
            "java.lang.System.in",
            "java.lang.System.exit",
            "java.lang.System.getenv",
            "java.lang.System.getProperty",
            "java.time.Instant.now",
            "java.time.LocalDate.now",
            "java.time.LocalDateTime.now",
            "java.time.LocalTime.now",
            "java.time.ZonedDateTime.now",
            "java.time.OffsetDateTime.now");

    private static final DescribedPredicate<JavaClass> FILES_SOCKETS_THREADS_OR_CLOCKS = DescribedPredicate.describe(
            "files, sockets, channels, threads, executors, timers, processes or clocks",
            type -> FORBIDDEN_CLASSES.contains(type.getName())
                    || FORBIDDEN_CLASS_PREFIXES.stream().anyMatch(type.getName()::startsWith));

    private static final DescribedPredicate<JavaAccess<?>> CLOCK_CONSOLE_OR_ENVIRONMENT = DescribedPredicate.describe(
            "the clock, the console, the environment or System.exit",
            access -> FORBIDDEN_MEMBERS.contains(access.getTargetOwner().getName() + "." + access.getName()));

    /** The command-line tool ({@code protocol.cli}) is the one part allowed to read files and the clock. */
    static final ArchRule CORE_IS_PURE = noClasses()
            .that()
            .resideInAPackage("dev.gatehouse.protocol..")
            .and()
            .resideOutsideOfPackage("dev.gatehouse.protocol.cli..")
            .should()
            .dependOnClassesThat(FILES_SOCKETS_THREADS_OR_CLOCKS)
            .orShould()
            .accessTargetWhere(CLOCK_CONSOLE_OR_ENVIRONMENT)
            .as("the protocol core (all but protocol.cli) does no I/O, starts no threads and reads no clock")
            .because("edge and hub must reach the same decision for the same inputs, and time is passed in so"
                    + " that tests can move it");

    static final ArchRule DEPENDS_ON_NO_OTHER_MODULE = noClasses()
            .that()
            .resideInAPackage("dev.gatehouse.protocol..")
            .should()
            .dependOnClassesThat(
                    resideInAPackage("dev.gatehouse..").and(resideOutsideOfPackage("dev.gatehouse.protocol..")))
            .as("protocol depends on no other Gatehouse module")
            .because("it is the contract that edge and hub both build on");

    static final ArchRule IMPORTS_NO_ADAPTER_LIBRARY = noClasses()
            .that()
            .resideInAPackage("dev.gatehouse.protocol..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "com.pi4j..",
                    "com.fazecast..",
                    "org.eclipse.paho..",
                    "org.eclipse.milo..",
                    "org.sqlite..",
                    "java.sql..",
                    "com.hivemq..",
                    "com.google.zxing..",
                    "io.helidon..")
            .as("protocol imports no adapter library (GPIO, serial, MQTT, OPC UA, SQL, broker, QR imaging, web)")
            .because("the contract is plain records, JSON and signatures; adapters live in edge and hub");

    static final ArchRule NO_PACKAGE_CYCLES = slices().matching("dev.gatehouse.(**)")
            .should()
            .beFreeOfCycles()
            .as("protocol packages are free of cycles (each package, the root included, is a slice)")
            .because("a cycle makes two packages one, and the layering message -> model, policy -> model"
                    + " must stay readable");

    @Test
    void theCoreDoesNoIoStartsNoThreadsAndReadsNoClock() {
        assertThat(MAIN.that(resideOutsideOfPackage("dev.gatehouse.protocol.cli..")))
                .as("classes checked")
                .hasSizeGreaterThan(30);
        CORE_IS_PURE.check(MAIN);
    }

    @Test
    void thePurityRuleSeesFilesAndAClockReadWhenThereAreSome() {
        // Guards the guard: the CLI reads files, the clock and stdin, and the rule must notice.
        EvaluationResult cli = noClasses()
                .should()
                .dependOnClassesThat(FILES_SOCKETS_THREADS_OR_CLOCKS)
                .orShould()
                .accessTargetWhere(CLOCK_CONSOLE_OR_ENVIRONMENT)
                .evaluate(MAIN.that(resideInAPackage("dev.gatehouse.protocol.cli..")));
        assertThat(cli.getFailureReport().getDetails())
                .anySatisfy(line -> assertThat(line).contains("ProtocolTool").contains("java.time.Instant.now()"))
                .anySatisfy(line -> assertThat(line).contains("ProtocolTool").contains("java.lang.System.in"))
                .anySatisfy(line -> assertThat(line).contains("ProtocolTool").contains("java.nio.file."));
    }

    @Test
    void protocolDependsOnNoOtherModule() {
        DEPENDS_ON_NO_OTHER_MODULE.check(MAIN);
    }

    @Test
    void protocolImportsNoAdapterLibrary() {
        IMPORTS_NO_ADAPTER_LIBRARY.check(MAIN);
    }

    @Test
    void noPackageCycles() {
        NO_PACKAGE_CYCLES.check(MAIN);
    }
}
