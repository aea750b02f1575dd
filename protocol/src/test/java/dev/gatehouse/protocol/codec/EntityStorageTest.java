package dev.gatehouse.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.SyncBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The edge stores entities as they arrived; what it reads back must be exactly what it stored. */
class EntityStorageTest {
    @Test
    void everyEntityOfTheGoldenBatchSurvivesStorage() throws IOException {
        SyncBatch batch = MessageCodec.decode(Files.readString(Path.of("src/test/resources/golden/sync.batch.json")))
                .payloadAs(SyncBatch.class);
        int upserts = 0;
        for (Change change : batch.changes()) {
            if (change instanceof Change.Upsert upsert) {
                assertThat(MessageCodec.decodeEntity(MessageCodec.encodeEntity(upsert.entity())))
                        .isEqualTo(upsert.entity());
                upserts++;
            }
        }
        assertThat(upserts).isGreaterThanOrEqualTo(10);
    }

    @Test
    void aStoredEntityThatWasTamperedWithIsRefused() {
        assertThatThrownBy(() -> MessageCodec.decodeEntity(
                        "{\"kind\":\"member\",\"id\":\"m-1\",\"status\":\"vip\",\"roles\":[]}"))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("status");
        assertThatThrownBy(() -> MessageCodec.decodeEntity(null)).isInstanceOf(ProtocolException.class);
    }
}
