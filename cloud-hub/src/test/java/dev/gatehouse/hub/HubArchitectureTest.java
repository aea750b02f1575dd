package dev.gatehouse.hub;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The hub's architecture rules (docs/architecture.md), checked with ArchUnit on the compiled main
 * classes. Each rule fails with a sentence that names the rule and lists the offending code.
 */
class HubArchitectureTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.gatehouse.hub");

    private static final ArchRule NEVER_ON_EDGE_CODE = noClasses()
            .that()
            .resideInAPackage("dev.gatehouse.hub..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.gatehouse.edge..", "dev.gatehouse.sim..")
            .as("the hub's main code never depends on edge-agent or hardware-sim code (its tests may)")
            .because("the hub speaks to edges only through the protocol, over MQTT; the edge is on the"
                    + " hub's class path for the end-to-end tests and the sync benchmark only");

    @Test
    void noPackageCycles() {
        slices().matching("dev.gatehouse.(**)")
                .should()
                .beFreeOfCycles()
                .as("hub packages are free of cycles (each package, the root included, is a slice)")
                .because("features are packages that the root package wires together; a cycle makes them one")
                .check(MAIN);
    }

    @Test
    void theRootPackageOnlyWires() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.gatehouse.hub")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.gatehouse.hub")
                .as("no feature package depends on the root package dev.gatehouse.hub (Hub, HubConfig, HubMain)")
                .because("the root package wires the features together and is for wiring only")
                .check(MAIN);
    }

    @Test
    void theHubNeverDependsOnEdgeMainCode() {
        NEVER_ON_EDGE_CODE.check(MAIN);
    }

    @Test
    void theEdgeRuleSeesTheTestsThatUseTheEdge() {
        // Guards the guard: the end-to-end tests do use the edge agent, and the rule must notice.
        JavaClasses tests = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS)
                .importPackages("dev.gatehouse.hub.e2e");
        assertThat(NEVER_ON_EDGE_CODE.evaluate(tests).getFailureReport().getDetails())
                .anySatisfy(line -> assertThat(line).contains("dev.gatehouse.edge.agent.EdgeAgent"));
    }

    @ParameterizedTest(name = "{0}: {3}")
    @CsvSource(
            delimiter = ';',
            value = {
                "Paho        ; org.eclipse.paho.. ; Paho[^.]*                   ; Paho*",
                "HiveMQ      ; com.hivemq..       ; HiveMq[^.]*|EmbeddedBroker[^.]* ; HiveMq* or EmbeddedBroker",
                "SQLite JDBC ; org.sqlite..       ; Sqlite[^.]*                 ; Sqlite*",
                "Pi4J        ; com.pi4j..         ; Pi4j[^.]*                   ; Pi4j*",
                "jSerialComm ; com.fazecast..     ; [^.]*Serial[^.]*            ; *Serial*",
                "Milo        ; org.eclipse.milo.. ; Milo[^.]*                   ; Milo*",
                "ZXing       ; com.google.zxing.. ; Qr[^.]*                     ; Qr*",
                "stripe-java ; com.stripe..       ; Stripe[^.]*                 ; Stripe*",
            })
    void adaptersAreNamedAfterTheirTechnology(String library, String packages, String simpleName, String pattern) {
        noClasses()
                .that()
                .haveNameNotMatching(".*\\.(" + simpleName + ")")
                .should()
                .dependOnClassesThat()
                .resideInAPackage(packages)
                .as("only classes named " + pattern + " use " + library)
                .because("adapters are named after their technology, so a feature's imports tell what it" + " touches")
                .check(MAIN);
    }
}
