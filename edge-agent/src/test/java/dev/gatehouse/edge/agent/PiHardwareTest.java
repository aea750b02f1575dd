package dev.gatehouse.edge.agent;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Pi4J's mock plugin is on the agent's class path (the simulator needs it), and on a machine whose
 * real GPIO providers do not load, Pi4J's auto context picks it: relays would move in memory only.
 * This machine is such a machine (no Raspberry Pi, no GPIO chip), so the real hardware must refuse.
 */
class PiHardwareTest {
    @Test
    void theRealHardwareRefusesToRunOnPi4jsMockAndSaysWhatToDo() {
        assertThatThrownBy(PiHardware::new)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no real GPIO on this machine")
                .hasMessageContaining("'mock-digital-output'")
                .hasMessageContaining("--simulate");
    }
}
