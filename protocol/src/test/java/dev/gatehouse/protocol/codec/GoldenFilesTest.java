package dev.gatehouse.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import dev.gatehouse.protocol.message.AccessEvent;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.Command;
import dev.gatehouse.protocol.message.CommandAction;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.MessageType;
import dev.gatehouse.protocol.message.SyncBatch;
import dev.gatehouse.protocol.model.Credential;
import dev.gatehouse.protocol.model.CredentialType;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.SigningKey;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The golden files are the wire format: the spec shows them and every implementation (edge, hub,
 * another language) must read and write exactly them. These tests pin the codec to the files, so
 * a change to the codec that changes the wire shows up as a failing golden file, not as an edge
 * that silently stops understanding its hub.
 */
class GoldenFilesTest {

    /** Every golden file and the message type it shows; more than one file may show a type. */
    private static final Map<String, MessageType> FILES = files();

    private static Map<String, MessageType> files() {
        Map<String, MessageType> files = new LinkedHashMap<>();
        files.put("sync.batch.json", MessageType.SYNC_BATCH);
        files.put("sync.batch.door-policy.json", MessageType.SYNC_BATCH);
        files.put("sync.batch.bookings-v2.json", MessageType.SYNC_BATCH);
        files.put("sync.batch.room-config.json", MessageType.SYNC_BATCH);
        files.put("sync.batch.entry-passes.json", MessageType.SYNC_BATCH);
        files.put("sync.batch.visitor-passes.json", MessageType.SYNC_BATCH);
        files.put("sync.batch.kiosk-supplies.json", MessageType.SYNC_BATCH);
        files.put("sync.batch.member-names.json", MessageType.SYNC_BATCH);
        files.put("sync.request.json", MessageType.SYNC_REQUEST);
        files.put("sync.snapshot.json", MessageType.SNAPSHOT_CHUNK);
        files.put("event.access.json", MessageType.ACCESS_EVENT);
        files.put("event.access.denied.json", MessageType.ACCESS_EVENT);
        files.put("event.access.pass-day.json", MessageType.ACCESS_EVENT);
        files.put("event.access.visitor-pin.json", MessageType.ACCESS_EVENT);
        files.put("event.door.json", MessageType.DOOR_EVENT);
        files.put("event.booking.json", MessageType.BOOKING_EVENT);
        files.put("event.booking.released.json", MessageType.BOOKING_EVENT);
        files.put("event.kiosk.json", MessageType.KIOSK_EVENT);
        files.put("event.kiosk.walk-in.json", MessageType.KIOSK_EVENT);
        files.put("event.kiosk.member.json", MessageType.KIOSK_EVENT);
        files.put("event.kiosk.signed.json", MessageType.KIOSK_EVENT);
        files.put("device.state.json", MessageType.DEVICE_STATE);
        files.put("device.state.features.json", MessageType.DEVICE_STATE);
        files.put("device.state.rooms.json", MessageType.DEVICE_STATE);
        files.put("command.json", MessageType.COMMAND);
        files.put("command.lockdown.json", MessageType.COMMAND);
        files.put("command.ack.json", MessageType.COMMAND_ACK);
        files.put("event.ack.json", MessageType.EVENT_ACK);
        files.put("hub.time.json", MessageType.HUB_TIME);
        files.put("hub.time.reads.json", MessageType.HUB_TIME);
        return Map.copyOf(files);
    }

    static Stream<Arguments> goldenFiles() {
        return FILES.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(entry -> arguments(entry.getKey(), entry.getValue()));
    }

    private static Envelope decode(String file) {
        return MessageCodec.decode(Golden.bytes(file));
    }

    @Nested
    class EveryGoldenFile {
        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.gatehouse.protocol.codec.GoldenFilesTest#goldenFiles")
        void decodesToTheMessageTypeItShows(String file, MessageType type) {
            // The type decides the topic and the handler; a golden file decoding as another type
            // would route a real message to the wrong place.
            Envelope envelope = decode(file);

            assertThat(envelope.type()).isEqualTo(type);
            assertThat(envelope.payload().type()).isEqualTo(type);
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.gatehouse.protocol.codec.GoldenFilesTest#goldenFiles")
        void reEncodesToTheSameJsonTree(String file, MessageType type) throws Exception {
            // Encoding must write exactly what the spec shows: same fields, same values, sets in the
            // documented (sorted) order. Whitespace and field order are free, hence tree equality.
            JsonNode expected = Golden.PLAIN.readTree(Golden.bytes(file));

            JsonNode actual = Golden.PLAIN.readTree(MessageCodec.encode(decode(file)));

            assertThat(actual).isEqualTo(expected);
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.gatehouse.protocol.codec.GoldenFilesTest#goldenFiles")
        void decodesToAnEqualEnvelopeAfterAnEncodeRoundTrip(String file, MessageType type) {
            // What the hub writes the edge must read back as the same value: nothing lost or
            // changed in a relay, a retry or an outbox.
            Envelope once = decode(file);

            Envelope twice = MessageCodec.decode(MessageCodec.encode(once));

            assertThat(twice).isEqualTo(once);
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.gatehouse.protocol.codec.GoldenFilesTest#goldenFiles")
        void decodesTheSameFromTextAsFromBytes(String file, MessageType type) {
            // Paho hands over bytes and the web console text; both paths must agree.
            Envelope fromText = MessageCodec.decode(Golden.text(file));

            assertThat(fromText).isEqualTo(decode(file));
            assertThat(MessageCodec.encodeToString(fromText))
                    .isEqualTo(new String(MessageCodec.encode(fromText), StandardCharsets.UTF_8));
        }
    }

    @Nested
    class Coverage {
        @ParameterizedTest
        @EnumSource(MessageType.class)
        void everyMessageTypeHasAGoldenFileNamedAfterItsWireName(MessageType type) {
            // A message type without a golden file has no pinned wire format: add
            // src/test/resources/golden/<wire name>.json when adding a type.
            String file = type.wireName() + ".json";

            assertThat(Golden.exists(file))
                    .as("golden file %s for %s", file, type)
                    .isTrue();
            assertThat(decode(file).type()).isEqualTo(type);
        }

        @Test
        void everyFileInTheGoldenDirectoryIsCheckedByTheseTests() {
            // A golden file nobody decodes is a spec example that may have rotted.
            assertThat(Golden.fileNames()).containsExactlyInAnyOrderElementsOf(FILES.keySet());
        }
    }

    @Nested
    class Contents {
        @Test
        void syncBatchUpsertsEveryEntityKindAndRemovesOne() {
            // The batch goldens are the reference for every entity's JSON: the first version's kinds
            // in sync.batch.json, a kind that a feature brought in its own. A kind missing from all of
            // them has no pinned wire format.
            SyncBatch batch = decode("sync.batch.json").payloadAs(SyncBatch.class);
            Set<EntityKind> upserted = EnumSet.noneOf(EntityKind.class);
            for (String file : FILES.keySet()) {
                if (file.startsWith("sync.batch")) {
                    decode(file).payloadAs(SyncBatch.class).changes().stream()
                            .filter(change -> change instanceof Change.Upsert)
                            .map(Change::kind)
                            .forEach(upserted::add);
                }
            }
            assertThat(upserted).containsExactlyInAnyOrder(EntityKind.values());
            assertThat(decode("sync.batch.room-config.json")
                            .payloadAs(SyncBatch.class)
                            .changes())
                    .anyMatch(change -> change instanceof Change.Upsert && change.kind() == EntityKind.ROOM);
            assertThat(batch.changes()).anyMatch(change -> change instanceof Change.Remove);
            assertThat(batch.toSeq() - batch.fromSeq() + 1)
                    .isEqualTo(batch.changes().size());
        }

        @Test
        void syncBatchCarriesBothCredentialTypes() {
            // NFC cards carry a hash and QR credentials must not: both shapes need an example.
            SyncBatch batch = decode("sync.batch.json").payloadAs(SyncBatch.class);

            Map<CredentialType, Integer> types = new HashMap<>();
            batch.changes().stream()
                    .filter(change -> change instanceof Change.Upsert upsert && upsert.entity() instanceof Credential)
                    .map(change -> (Credential) ((Change.Upsert) change).entity())
                    .forEach(credential -> types.merge(credential.type(), 1, Integer::sum));

            assertThat(types).containsOnlyKeys(CredentialType.values());
        }

        @Test
        void signingKeyIsAUsableP256PublicKey() throws Exception {
            // Edges verify QR codes and commands with this key; an example key that is not a point
            // on the curve would teach implementers a format that cannot work.
            SigningKey key = decode("sync.batch.json").payloadAs(SyncBatch.class).changes().stream()
                    .filter(change -> change instanceof Change.Upsert upsert && upsert.entity() instanceof SigningKey)
                    .map(change -> (SigningKey) ((Change.Upsert) change).entity())
                    .findFirst()
                    .orElseThrow();

            ECKey jwk = JWK.parse(Map.<String, Object>copyOf(key.jwk())).toECKey();

            assertThat(jwk.getCurve()).isEqualTo(Curve.P_256);
            assertThat(jwk.isPrivate()).isFalse();
            assertThat(jwk.getKeyID()).isEqualTo(key.kid());
            assertThat(jwk.getX().toString()).hasSize(43);
            assertThat(jwk.getY().toString()).hasSize(43);
            assertThat(jwk.toECPublicKey().getW().getAffineX().signum()).isPositive();
        }

        @Test
        void accessEventGoldensShowOneGrantAndOneDenial() {
            // Exactly one of basis and reason is present; the two files show each side.
            AccessEvent granted = decode("event.access.json").payloadAs(AccessEvent.class);
            AccessEvent denied = decode("event.access.denied.json").payloadAs(AccessEvent.class);

            assertThat(granted.granted()).isTrue();
            assertThat(granted.basis()).isPresent();
            assertThat(denied.granted()).isFalse();
            assertThat(denied.reason()).isPresent();
        }

        @Test
        void commandGoldensShowAnUnlockOnceAndALockdown() {
            // command.json is the remote "buzz in", command.lockdown.json the action with sets.
            assertThat(decode("command.json").payloadAs(Command.class).action())
                    .isInstanceOf(CommandAction.UnlockOnce.class);
            assertThat(decode("command.lockdown.json").payloadAs(Command.class).action())
                    .isInstanceOf(CommandAction.Lockdown.class);
        }
    }
}
