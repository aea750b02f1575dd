package dev.gatehouse.edge;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackages;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The edge agent's architecture rules (docs/architecture.md), checked with ArchUnit on the
 * compiled main classes. Each rule fails with a sentence that names the rule and lists the
 * offending code.
 */
class EdgeArchitectureTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.gatehouse.edge");

    /** The libraries that talk to the world outside the JVM: GPIO, serial, MQTT, OPC UA, SQL, QR imaging. */
    private static final String[] ADAPTER_LIBRARIES = {
        "com.pi4j..",
        "com.fazecast..",
        "org.eclipse.paho..",
        "org.eclipse.milo..",
        "org.sqlite..",
        "java.sql..",
        "com.hivemq..",
        "com.google.zxing..",
        "io.helidon.."
    };

    @Test
    void noPackageCycles() {
        slices().matching("dev.gatehouse.(**)")
                .should()
                .beFreeOfCycles()
                .as("edge packages are free of cycles (each package, the root included, is a slice)")
                .because("a cycle makes two packages one: features depend on the door and cache ports, the"
                        + " agent wires them, never the other way round")
                .check(MAIN);
    }

    @Test
    void theEdgeNeverDependsOnTheHub() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.gatehouse.hub..")
                .as("the edge agent never depends on cloud-hub code")
                .because("an edge speaks to the hub only through the protocol, over MQTT")
                .check(MAIN);
    }

    @Test
    void onlyTheAgentWiringUsesTheHardwareSimulator() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.gatehouse.edge.agent..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.gatehouse.sim..")
                .as("only edge.agent (simulate mode) uses hardware-sim")
                .because("the agent's adapters must run unchanged on the simulator and on a Raspberry Pi")
                .check(MAIN);
    }

    @Test
    void theDecisionAndDoorCoreImportsNoAdapterLibrary() {
        noClasses()
                .that()
                .resideInAnyPackage("dev.gatehouse.edge.door..", "dev.gatehouse.edge.access..")
                .should()
                .dependOnClassesThat(resideInAnyPackage(ADAPTER_LIBRARIES))
                .as("the core (edge.door, edge.access) imports no adapter library")
                .because("the door controller knows Relay and BinaryInput, not Pi4J, and decisions know the"
                        + " protocol's Entitlements, not SQLite")
                .check(MAIN);
    }

    @ParameterizedTest(name = "{0}: {3}")
    @CsvSource(
            delimiter = ';',
            value = {
                "Pi4J        ; com.pi4j..         ; Pi4j[^.]*|[^.]*Hardware ; Pi4j*, or the *Hardware seam of edge.agent",
                "jSerialComm ; com.fazecast..     ; [^.]*Serial[^.]*        ; *Serial*",
                "Paho        ; org.eclipse.paho.. ; Paho[^.]*               ; Paho*",
                "SQLite JDBC ; org.sqlite..       ; Sqlite[^.]*             ; Sqlite*",
                "Milo        ; org.eclipse.milo.. ; Milo[^.]*               ; Milo*",
                "ZXing       ; com.google.zxing.. ; Qr[^.]*                 ; Qr*",
                "JNA         ; com.sun.jna..      ; Systemd[^.]*            ; Systemd*",
            })
    void adaptersAreNamedAfterTheirTechnology(String library, String packages, String simpleName, String pattern) {
        noClasses()
                .that()
                .haveNameNotMatching(".*\\.(" + simpleName + ")")
                .should()
                .dependOnClassesThat()
                .resideInAPackage(packages)
                .as("only classes named " + pattern + " use " + library)
                .because("adapters are named after their technology, so the core's imports tell what it" + " touches")
                .check(MAIN);
    }

    @Test
    void sqlStaysInTheCacheAndMqttInSync() {
        noClasses()
                .that(resideOutsideOfPackages("dev.gatehouse.edge.cache.."))
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("java.sql..", "org.sqlite..")
                .as("only edge.cache uses JDBC and SQLite")
                .because("the entitlement cache and the outbox are the edge's only database")
                .check(MAIN);
        noClasses()
                .that(resideOutsideOfPackages("dev.gatehouse.edge.sync.."))
                .should()
                .dependOnClassesThat()
                .resideInAPackage("org.eclipse.paho..")
                .as("only edge.sync uses Paho")
                .because("the sync client is the edge's one MQTT connection to the hub")
                .check(MAIN);
    }

    @Test
    void onlyTheTechniciansConsoleServesWebPages() {
        noClasses()
                .that(resideOutsideOfPackages("dev.gatehouse.edge.console..", "dev.gatehouse.edge.kiosk.."))
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("com.sun.net.httpserver..", "gg.jte..", "com.password4j..")
                .as("only edge.console and the kiosk it serves use the HTTP server, the page templates and"
                        + " password hashing")
                .because("the console is an adapter over the agent: it reads the agent's status and calls its"
                        + " relay test, and nothing in the agent knows it is there")
                .check(MAIN);
        noClasses()
                .that()
                .resideInAnyPackage(
                        "dev.gatehouse.edge.agent..", "dev.gatehouse.edge.door..", "dev.gatehouse.edge.access..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.gatehouse.edge.console..", "dev.gatehouse.edge.kiosk..")
                .as("the agent, the doors and the decisions never depend on the technician's console or the kiosk")
                .because("the doors must run the same with the console off, broken or absent")
                .check(MAIN);
    }
}
