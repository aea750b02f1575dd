package dev.gatehouse.edge.door;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.edge.door.LockOutput.Phase;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every lock type × relay board × phase, written out by hand from the physics (a strike opens when
 * powered, a maglock holds when powered; an active-low board powers its coil on LOW), so a slip in
 * {@link LockOutput} cannot agree with itself.
 */
class LockOutputTest {
    @ParameterizedTest(name = "{0}, {1} board, {2}: locked {3}, coil {4}, pin {5}")
    @CsvSource({
        // lock      , board, phase   , locked, coil on, pin
        "FAIL_SECURE , high , START   , true  , false  , LOW",
        "FAIL_SECURE , high , REST    , true  , false  , LOW",
        "FAIL_SECURE , high , GRANT   , false , true   , HIGH",
        "FAIL_SECURE , high , SHUTDOWN, true  , false  , LOW",
        "FAIL_SECURE , low  , START   , true  , false  , HIGH",
        "FAIL_SECURE , low  , REST    , true  , false  , HIGH",
        "FAIL_SECURE , low  , GRANT   , false , true   , LOW",
        "FAIL_SECURE , low  , SHUTDOWN, true  , false  , HIGH",
        "FAIL_SAFE   , high , START   , true  , true   , HIGH",
        "FAIL_SAFE   , high , REST    , true  , true   , HIGH",
        "FAIL_SAFE   , high , GRANT   , false , false  , LOW",
        "FAIL_SAFE   , high , SHUTDOWN, true  , true   , HIGH",
        "FAIL_SAFE   , low  , START   , true  , true   , LOW",
        "FAIL_SAFE   , low  , REST    , true  , true   , LOW",
        "FAIL_SAFE   , low  , GRANT   , false , false  , HIGH",
        "FAIL_SAFE   , low  , SHUTDOWN, true  , true   , LOW",
    })
    void everyCombination(LockType lock, String board, Phase phase, boolean locked, boolean coil, String pin) {
        LockOutput output = new LockOutput(lock, board.equals("low"));

        assertThat(output.locked(phase)).isEqualTo(locked);
        assertThat(output.energised(phase)).isEqualTo(coil);
        assertThat(output.pinHigh(phase)).isEqualTo(pin.equals("HIGH"));
    }

    @Test
    void theTableListsEveryCombinationOnce() throws Exception {
        // Written out rather than generated; this keeps it whole when a phase or a lock type is added.
        String[] rows = LockOutputTest.class
                .getDeclaredMethod(
                        "everyCombination",
                        LockType.class,
                        String.class,
                        Phase.class,
                        boolean.class,
                        boolean.class,
                        String.class)
                .getAnnotation(CsvSource.class)
                .value();
        Set<String> listed = new HashSet<>();
        for (String row : rows) {
            String[] cells = row.split(",");
            listed.add(cells[0].strip() + "/" + cells[1].strip() + "/" + cells[2].strip());
        }
        Set<String> all = new HashSet<>();
        for (LockType lock : LockType.values()) {
            for (String board : new String[] {"high", "low"}) {
                for (Phase phase : EnumSet.allOf(Phase.class)) {
                    all.add(lock + "/" + board + "/" + phase);
                }
            }
        }
        assertThat(rows).hasSameSizeAs(all);
        assertThat(listed).isEqualTo(all);
    }
}
