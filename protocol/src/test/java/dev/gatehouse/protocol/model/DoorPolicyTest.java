package dev.gatehouse.protocol.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.DeviceState;
import java.time.DayOfWeek;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Pushed door policy: its limits, and that edges and hubs of the first version still read each other. */
class DoorPolicyTest {
    static Door door(Optional<Duration> held, Optional<List<TimeWindow>> hours) {
        return new Door(
                DoorId.of("main"),
                "Main",
                Duration.ofSeconds(5),
                DegradedMode.KEEP_GRANTING,
                DegradedMode.KEEP_GRANTING,
                Duration.ZERO,
                held,
                hours);
    }

    @Test
    void aDoorWithoutPushedPolicyIsTheFirstVersionsDoor() {
        Door standard = Door.standard("main", "Main");
        assertThat(standard.pushesPolicy()).isFalse();
        assertThat(door(Optional.empty(), Optional.of(List.of())).pushesPolicy())
                .isTrue();
    }

    @Test
    void theHeldOpenThresholdAndTheWindowsHaveLimits() {
        assertThatThrownBy(() -> door(Optional.of(Duration.ofSeconds(4)), Optional.empty()))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("heldOpenAfter");
        assertThatThrownBy(() -> door(Optional.of(Duration.ofHours(2)), Optional.empty()))
                .hasMessageContaining("heldOpenAfter");
        List<TimeWindow> many = Collections.nCopies(29, TimeWindow.of(DayOfWeek.MONDAY, "08:00", "09:00"));
        assertThatThrownBy(() -> door(Optional.empty(), Optional.of(many))).hasMessageContaining("limit is 28");
    }

    @Test
    void aDeviceStateWithoutFeaturesReadsAsNoneAndNoneIsNotWritten() {
        DeviceState state = new DeviceState(
                "site-1",
                "dev-1",
                3,
                ClockStatus.TRUSTED,
                0,
                dev.gatehouse.protocol.message.Health.OK,
                List.of(),
                "0.1.0");
        assertThat(state.features()).isEmpty();
        String json = MessageCodec.encodeToString(
                new dev.gatehouse.protocol.message.Envelope("ds-1", java.time.Instant.EPOCH, state));
        assertThat(json).doesNotContain("features");
        // and an entity without the pushed fields is encoded as the first version's
        assertThat(MessageCodec.encodeEntity(Door.standard("main", "Main")))
                .doesNotContain("heldOpenAfter")
                .doesNotContain("officeHours");
        assertThat(MessageCodec.encodeEntity(door(Optional.empty(), Optional.of(List.of()))))
                .contains("\"officeHours\":[]");
    }
}
