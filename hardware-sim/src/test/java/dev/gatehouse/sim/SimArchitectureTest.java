package dev.gatehouse.sim;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
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
 * The hardware simulator's architecture rules (docs/architecture.md), checked with ArchUnit on the
 * compiled main classes. Each rule fails with a sentence that names the rule and lists the
 * offending code.
 */
class SimArchitectureTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.gatehouse.sim");

    @Test
    void noPackageCycles() {
        slices().matching("dev.gatehouse.(**)")
                .should()
                .beFreeOfCycles()
                .as("hardware-sim packages are free of cycles (each package is a slice)")
                .because("each simulated device stands alone; sim.site assembles them")
                .check(MAIN);
    }

    @Test
    void theSimulatorDependsOnTheProtocolOnly() {
        noClasses()
                .should()
                .dependOnClassesThat(resideInAPackage("dev.gatehouse..")
                        .and(resideOutsideOfPackages("dev.gatehouse.sim..", "dev.gatehouse.protocol..")))
                .as("hardware-sim depends on no Gatehouse module but protocol")
                .because("it stands in for devices at the real device boundary, so the edge's adapters run on"
                        + " it unchanged; it must not know the edge")
                .check(MAIN);
    }

    @ParameterizedTest(name = "{0} only in {2}")
    @CsvSource(
            delimiter = ';',
            value = {
                "Pi4J (the GPIO header)        ; com.pi4j..         ; dev.gatehouse.sim.gpio..   ; dev.gatehouse.sim.site..",
                "JNA (pseudo-terminals)        ; com.sun.jna..      ; dev.gatehouse.sim.serial.. ; dev.gatehouse.sim.serial..",
                "ZXing (QR images)             ; com.google.zxing.. ; dev.gatehouse.sim.camera.. ; dev.gatehouse.sim.camera..",
                "Milo (OPC UA room controller) ; org.eclipse.milo.. ; dev.gatehouse.sim.av..     ; dev.gatehouse.sim.av..",
            })
    void eachDeviceLibraryStaysWithItsDevice(String library, String packages, String home, String assembler) {
        noClasses()
                .that(resideOutsideOfPackages(home, assembler))
                .should()
                .dependOnClassesThat()
                .resideInAPackage(packages)
                .as("only " + home + (home.equals(assembler) ? "" : " and " + assembler) + " use " + library)
                .because("each simulated device keeps its library to itself, as the edge's adapters do")
                .check(MAIN);
    }
}
