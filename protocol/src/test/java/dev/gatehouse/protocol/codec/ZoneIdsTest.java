package dev.gatehouse.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.message.SyncBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A site's zone must be an IANA region: a fixed offset such as {@code +01:00} silently ignores
 * daylight saving time and would shift every schedule by an hour for half the year.
 */
class ZoneIdsTest {
    private static String batchWithZone(String zone) throws IOException {
        return Files.readString(Path.of("src/test/resources/golden/sync.batch.json"))
                .replace("\"Europe/Berlin\"", "\"" + zone + "\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"GMT+1", "+01:00", "UTC+01:00", "Z", "CET+", "Europe/Atlantis", "europe/berlin"})
    void fixedOffsetsAndUnknownNamesAreRefused(String zone) {
        assertThatThrownBy(() -> MessageCodec.decode(batchWithZone(zone)))
                .isInstanceOfSatisfying(
                        ProtocolException.class, e -> assertThat(e.error()).isEqualTo(ProtocolError.BAD_VALUE))
                .hasMessageContaining("zone")
                .hasMessageContaining("IANA");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC"})
    void ianaRegionsAreAccepted(String zone) throws IOException {
        assertThat(MessageCodec.decode(batchWithZone(zone)).payload()).isInstanceOf(SyncBatch.class);
    }
}
