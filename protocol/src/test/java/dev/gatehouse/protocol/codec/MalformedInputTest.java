package dev.gatehouse.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.message.Envelope;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Everything that reaches the codec comes from the network: a buggy edge, a hub of another version,
 * a stranger on the broker. Whatever arrives must end in a {@link ProtocolException} with a code
 * the caller can act on and a message that names the field, never in another exception that would
 * kill a Paho callback thread or an HTTP handler.
 */
class MalformedInputTest {

    // Where each entity sits in sync.batch.json, so that a case can name the one it breaks.
    private static final String SITE = "/payload/changes/0/entity";
    private static final String MEMBER = "/payload/changes/1/entity";
    private static final String CARD = "/payload/changes/2/entity";
    private static final String QR = "/payload/changes/3/entity";
    private static final String DOOR = "/payload/changes/4/entity";
    private static final String GROUP = "/payload/changes/5/entity";
    private static final String SCHEDULE = "/payload/changes/6/entity";
    private static final String GRANT = "/payload/changes/7/entity";
    private static final String BOOKING = "/payload/changes/8/entity";
    private static final String PASS = "/payload/changes/9/entity";
    private static final String KEY = "/payload/changes/10/entity";
    private static final String REMOVE = "/payload/changes/11";

    private static final String BATCH = "sync.batch.json";
    private static final String REQUEST = "sync.request.json";
    private static final String SNAPSHOT = "sync.snapshot.json";
    private static final String GRANTED = "event.access.json";
    private static final String DENIED = "event.access.denied.json";
    private static final String DOOR_EVENT = "event.door.json";
    private static final String STATE = "device.state.json";
    private static final String UNLOCK = "command.json";
    private static final String LOCKDOWN = "command.lockdown.json";
    private static final String COMMAND_ACK = "command.ack.json";
    private static final String EVENT_ACK = "event.ack.json";

    private static final List<String> GOLDEN = List.of(
            BATCH, REQUEST, SNAPSHOT, GRANTED, DENIED, DOOR_EVENT, STATE, UNLOCK, LOCKDOWN, COMMAND_ACK, EVENT_ACK);

    /** One malformed input, the code it must fail with and the text its message must contain. */
    record Case(String name, byte[] input, ProtocolError error, List<String> mentions) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case replaced(String file, String pointer, String json, ProtocolError error, String... mentions) {
        return new Case(
                file + " " + pointer + " = " + json, Golden.with(file, pointer, json), error, List.of(mentions));
    }

    private static Case removed(String file, String pointer, ProtocolError error, String... mentions) {
        return new Case(file + " without " + pointer, Golden.without(file, pointer), error, List.of(mentions));
    }

    private static Case raw(String name, byte[] input, ProtocolError error, String... mentions) {
        return new Case(name, input, error, List.of(mentions));
    }

    private static Case raw(String name, String input, ProtocolError error, String... mentions) {
        return raw(name, input.getBytes(StandardCharsets.UTF_8), error, mentions);
    }

    /** A JSON string literal. */
    private static String quoted(String text) {
        return Golden.PLAIN.getNodeFactory().textNode(text).toString();
    }

    static void assertRejected(Case example) {
        assertRejected(example.input(), example.error(), example.mentions().toArray(String[]::new));
    }

    static void assertRejected(byte[] input, ProtocolError error, String... mentions) {
        assertThatThrownBy(() -> MessageCodec.decode(input))
                .as("decoding %s", Golden.describe(input))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.error()).as("error of %s", e).isEqualTo(error);
                    assertThat(e.getMessage()).contains(mentions);
                });
    }

    /**
     * Decodes {@code input} and fails the test, printing the input, if anything but a successful
     * decode or a {@link ProtocolException} comes out. Whatever decodes must also survive an encode
     * round trip: the codec may not accept a message it cannot write back.
     */
    static Optional<ProtocolException> decodeOrProtocolException(byte[] input, String context) {
        Envelope envelope;
        try {
            envelope = MessageCodec.decode(input);
        } catch (ProtocolException e) {
            String message = e.getMessage();
            // The codec's last-resort nets turn unforeseen exceptions into a ProtocolException
            // whose message cannot name the field; reaching them means a check is missing.
            if (message == null
                    || message.isBlank()
                    || message.startsWith("the message has an invalid value")
                    || message.endsWith("could not be parsed")) {
                throw new AssertionError(
                        "%s: %s came through a last-resort net or has no message; input %s"
                                .formatted(context, e, Golden.describe(input)),
                        e);
            }
            return Optional.of(e);
        } catch (Throwable e) {
            throw new AssertionError(
                    "%s: decoding threw %s instead of a ProtocolException; input %s"
                            .formatted(context, e, Golden.describe(input)),
                    e);
        }
        Envelope again;
        try {
            again = MessageCodec.decode(MessageCodec.encode(envelope));
        } catch (Throwable e) {
            throw new AssertionError(
                    "%s: an accepted message did not survive an encode round trip: %s; input %s"
                            .formatted(context, e, Golden.describe(input)),
                    e);
        }
        if (!again.equals(envelope)) {
            throw new AssertionError("%s: an accepted message changed in an encode round trip: %s became %s; input %s"
                    .formatted(context, envelope, again, Golden.describe(input)));
        }
        return Optional.empty();
    }

    @Nested
    class Envelopes {
        @ParameterizedTest
        @ValueSource(strings = {"sync.everything", "Sync.Batch", "sync_batch", "event", "", "command "})
        void anUnknownTypeIsRejectedNamingTheType(String type) {
            // A newer hub may invent types; an older edge must say which one it did not know.
            assertRejected(Golden.with(UNLOCK, "/type", quoted(type)), ProtocolError.UNKNOWN_TYPE, "'" + type + "'");
        }

        @ParameterizedTest
        @ValueSource(ints = {2, 0, -1, 100})
        void anotherProtocolVersionIsRejectedNamingIt(int version) {
            // v2 may mean the same field names with other meanings: never guess.
            assertRejected(
                    Golden.with(UNLOCK, "/v", String.valueOf(version)),
                    ProtocolError.UNSUPPORTED_VERSION,
                    "v is " + version);
        }

        @Test
        void theVersionIsCheckedBeforeTheType() {
            // A v2 message with a v2-only type must say "version", which tells the operator to
            // upgrade, rather than "unknown type", which sounds like a bug.
            byte[] input = Golden.with(EVENT_ACK, "/v", "2", "/type", "\"event.batch\"");

            assertRejected(input, ProtocolError.UNSUPPORTED_VERSION, "v is 2");
        }

        @Test
        void anIdOfSixtyFourCharactersIsAccepted() {
            // The limit is 64 characters; the boundary itself must still decode.
            String id = "ev-" + "0".repeat(61);

            assertThat(MessageCodec.decode(Golden.with(EVENT_ACK, "/id", quoted(id)))
                            .id())
                    .isEqualTo(id);
        }
    }

    @Nested
    class MissingFields {
        static Stream<Case> cases() {
            return Stream.of(
                            removed(UNLOCK, "/v", ProtocolError.MISSING_FIELD),
                            removed(UNLOCK, "/type", ProtocolError.MISSING_FIELD),
                            removed(UNLOCK, "/id", ProtocolError.MISSING_FIELD),
                            removed(UNLOCK, "/time", ProtocolError.MISSING_FIELD),
                            removed(UNLOCK, "/payload", ProtocolError.MISSING_FIELD),
                            removed(BATCH, "/payload/site", ProtocolError.MISSING_FIELD),
                            removed(BATCH, "/payload/fromSeq", ProtocolError.MISSING_FIELD),
                            removed(BATCH, "/payload/toSeq", ProtocolError.MISSING_FIELD),
                            removed(BATCH, "/payload/changes", ProtocolError.MISSING_FIELD),
                            removed(BATCH, "/payload/changes/0/op", ProtocolError.MISSING_FIELD),
                            removed(BATCH, "/payload/changes/0/entity", ProtocolError.MISSING_FIELD),
                            removed(BATCH, REMOVE + "/kind", ProtocolError.MISSING_FIELD),
                            removed(BATCH, REMOVE + "/id", ProtocolError.MISSING_FIELD),
                            removed(BATCH, MEMBER + "/kind", ProtocolError.MISSING_FIELD),
                            removed(BATCH, SITE + "/zone", ProtocolError.MISSING_FIELD),
                            removed(BATCH, SITE + "/holidays", ProtocolError.MISSING_FIELD),
                            removed(BATCH, MEMBER + "/roles", ProtocolError.MISSING_FIELD),
                            removed(BATCH, CARD + "/type", ProtocolError.MISSING_FIELD),
                            removed(BATCH, QR + "/member", ProtocolError.MISSING_FIELD),
                            removed(BATCH, DOOR + "/offlineAfter", ProtocolError.MISSING_FIELD),
                            removed(BATCH, GROUP + "/doors", ProtocolError.MISSING_FIELD),
                            removed(BATCH, SCHEDULE + "/windows/0/end", ProtocolError.MISSING_FIELD),
                            removed(BATCH, SCHEDULE + "/holidays", ProtocolError.MISSING_FIELD),
                            removed(BATCH, GRANT + "/member", ProtocolError.MISSING_FIELD),
                            removed(BATCH, BOOKING + "/bufferAfter", ProtocolError.MISSING_FIELD),
                            removed(BATCH, PASS + "/singleUse", ProtocolError.MISSING_FIELD),
                            removed(BATCH, KEY + "/jwk", ProtocolError.MISSING_FIELD),
                            removed(REQUEST, "/payload/haveSeq", ProtocolError.MISSING_FIELD),
                            removed(SNAPSHOT, "/payload/snapshotId", ProtocolError.MISSING_FIELD),
                            removed(SNAPSHOT, "/payload/index", ProtocolError.MISSING_FIELD),
                            removed(SNAPSHOT, "/payload/entities/1/name", ProtocolError.MISSING_FIELD),
                            removed(GRANTED, "/payload/presented", ProtocolError.MISSING_FIELD),
                            removed(GRANTED, "/payload/granted", ProtocolError.MISSING_FIELD),
                            removed(DENIED, "/payload/clock", ProtocolError.MISSING_FIELD),
                            removed(DOOR_EVENT, "/payload/kind", ProtocolError.MISSING_FIELD),
                            removed(STATE, "/payload/agentVersion", ProtocolError.MISSING_FIELD),
                            removed(STATE, "/payload/problems", ProtocolError.MISSING_FIELD),
                            removed(UNLOCK, "/payload/expiresAt", ProtocolError.MISSING_FIELD),
                            removed(UNLOCK, "/payload/action/unlockFor", ProtocolError.MISSING_FIELD),
                            removed(LOCKDOWN, "/payload/action/allowedRoles", ProtocolError.MISSING_FIELD),
                            removed(LOCKDOWN, "/payload/action/type", ProtocolError.MISSING_FIELD),
                            removed(COMMAND_ACK, "/payload/status", ProtocolError.MISSING_FIELD),
                            removed(EVENT_ACK, "/payload/eventIds", ProtocolError.MISSING_FIELD))
                    .map(MissingFields::namingThePath);
        }

        /** The message must say "{path} is missing", with the JSON path of the absent field. */
        private static Case namingThePath(Case example) {
            String pointer = example.name().substring(example.name().indexOf(" without ") + 9);
            return new Case(example.name(), example.input(), example.error(), List.of(path(pointer) + " is missing"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("cases")
        void aMissingRequiredFieldIsRejectedNamingItsPath(Case example) {
            // "payload.changes[4].entity.offlineAfter is missing" lets a hub developer find the
            // field at once; "bad message" does not.
            assertRejected(example);
        }

        @Test
        void optionalFieldsMayBeLeftOut() {
            // The other side of strictness: an optional field's absence is not an error.
            byte[] input = Golden.without(DOOR_EVENT, "/payload/detail");

            assertThat(MessageCodec.decode(input).type().wireName()).isEqualTo("event.door");
        }
    }

    /** "/payload/changes/4/entity/unlockFor" as the codec names it: "payload.changes[4].entity.unlockFor". */
    static String path(String pointer) {
        return pointer.substring(1).replaceAll("/(\\d+)(?=/|$)", "[$1]").replace('/', '.');
    }

    @Nested
    class UnknownFields {
        static Stream<Case> cases() {
            return Stream.of(
                    replaced(UNLOCK, "/priority", "1", ProtocolError.UNKNOWN_FIELD, "priority is not a field"),
                    replaced(BATCH, "/payload/FromSeq", "1201", ProtocolError.UNKNOWN_FIELD, "payload.FromSeq"),
                    replaced(REQUEST, "/payload/device", "\"edge-01\"", ProtocolError.UNKNOWN_FIELD, "payload.device"),
                    replaced(GRANTED, "/payload/uid", "\"04A224B2C35E80\"", ProtocolError.UNKNOWN_FIELD, "payload.uid"),
                    replaced(
                            DOOR_EVENT,
                            "/payload/severity",
                            "\"high\"",
                            ProtocolError.UNKNOWN_FIELD,
                            "payload.severity"),
                    replaced(STATE, "/payload/cpuTemp", "61.5", ProtocolError.UNKNOWN_FIELD, "payload.cpuTemp"),
                    replaced(
                            UNLOCK,
                            "/payload/action/force",
                            "true",
                            ProtocolError.UNKNOWN_FIELD,
                            "payload.action.force"),
                    replaced(
                            COMMAND_ACK,
                            "/payload/at",
                            "\"2026-03-02T09:31:08Z\"",
                            ProtocolError.UNKNOWN_FIELD,
                            "payload.at"),
                    replaced(EVENT_ACK, "/payload/count", "3", ProtocolError.UNKNOWN_FIELD, "payload.count"),
                    replaced(
                            BATCH,
                            "/payload/changes/0/seq",
                            "1201",
                            ProtocolError.UNKNOWN_FIELD,
                            "payload.changes[0].seq"),
                    replaced(
                            BATCH,
                            DOOR + "/colour",
                            "\"red\"",
                            ProtocolError.UNKNOWN_FIELD,
                            "payload.changes[4].entity.colour"),
                    replaced(
                            BATCH,
                            SCHEDULE + "/windows/0/tz",
                            "\"UTC\"",
                            ProtocolError.UNKNOWN_FIELD,
                            "payload.changes[6].entity.windows[0].tz"),
                    replaced(
                            BATCH,
                            KEY + "/id",
                            "\"hub-2026-01\"",
                            ProtocolError.UNKNOWN_FIELD,
                            "payload.changes[10].entity.id"),
                    replaced(
                            BATCH, REMOVE + "/entity", "{}", ProtocolError.UNKNOWN_FIELD, "payload.changes[11].entity"),
                    replaced(
                            SNAPSHOT,
                            "/payload/entities/0/name",
                            "\"HQ\"",
                            ProtocolError.UNKNOWN_FIELD,
                            "payload.entities[0].name"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("cases")
        void aFieldTheSchemaDoesNotDefineIsRejectedNamingItsPath(Case example) {
            // A misspelt optional field ("validUntill") would otherwise be silently ignored and a
            // card would never expire. Strictness turns the typo into an error.
            assertRejected(example);
        }
    }

    @Nested
    class WrongTypes {
        static Stream<Case> cases() {
            return Stream.of(
                    // a string where a number belongs
                    replaced(BATCH, "/payload/fromSeq", "\"1201\"", ProtocolError.WRONG_TYPE, "payload.fromSeq"),
                    replaced(UNLOCK, "/v", "\"1\"", ProtocolError.WRONG_TYPE, "v must be an integer"),
                    replaced(REQUEST, "/payload/haveSeq", "\"1200\"", ProtocolError.WRONG_TYPE, "payload.haveSeq"),
                    // a number where a string belongs
                    replaced(BATCH, "/payload/site", "42", ProtocolError.WRONG_TYPE, "payload.site"),
                    replaced(GRANTED, "/id", "913", ProtocolError.WRONG_TYPE, "id must be a string"),
                    replaced(UNLOCK, "/time", "1772439067", ProtocolError.WRONG_TYPE, "time must be a string"),
                    replaced(
                            BATCH,
                            DOOR + "/unlockFor",
                            "5",
                            ProtocolError.WRONG_TYPE,
                            "payload.changes[4].entity.unlockFor"),
                    replaced(
                            BATCH,
                            MEMBER + "/roles/0",
                            "7",
                            ProtocolError.WRONG_TYPE,
                            "payload.changes[1].entity.roles[0]"),
                    replaced(
                            BATCH, KEY + "/jwk/x", "123", ProtocolError.WRONG_TYPE, "payload.changes[10].entity.jwk.x"),
                    // a float where an integer belongs
                    replaced(BATCH, "/payload/fromSeq", "1201.0", ProtocolError.WRONG_TYPE, "payload.fromSeq"),
                    replaced(UNLOCK, "/v", "1.0", ProtocolError.WRONG_TYPE, "v must be an integer"),
                    replaced(SNAPSHOT, "/payload/index", "0.5", ProtocolError.WRONG_TYPE, "payload.index"),
                    replaced(STATE, "/payload/outboxDepth", "3e0", ProtocolError.WRONG_TYPE, "payload.outboxDepth"),
                    // an object where an array belongs, and the other way round
                    replaced(
                            BATCH,
                            "/payload/changes",
                            "{}",
                            ProtocolError.WRONG_TYPE,
                            "payload.changes must be an array"),
                    replaced(
                            EVENT_ACK,
                            "/payload/eventIds",
                            "{\"0\":\"ev-1\"}",
                            ProtocolError.WRONG_TYPE,
                            "payload.eventIds must be an array"),
                    replaced(
                            BATCH,
                            SITE + "/holidays",
                            "{}",
                            ProtocolError.WRONG_TYPE,
                            "payload.changes[0].entity.holidays must be an array"),
                    replaced(UNLOCK, "/payload", "[]", ProtocolError.WRONG_TYPE, "payload must be an object"),
                    replaced(
                            UNLOCK,
                            "/payload/action",
                            "[]",
                            ProtocolError.WRONG_TYPE,
                            "payload.action must be an object"),
                    replaced(
                            BATCH,
                            KEY + "/jwk",
                            "[]",
                            ProtocolError.WRONG_TYPE,
                            "payload.changes[10].entity.jwk must be an object"),
                    replaced(
                            BATCH,
                            "/payload/changes/0/entity",
                            "\"site\"",
                            ProtocolError.WRONG_TYPE,
                            "payload.changes[0].entity must be an object"),
                    // null where a value is required
                    replaced(BATCH, "/payload/site", "null", ProtocolError.WRONG_TYPE, "payload.site must not be null"),
                    replaced(
                            GRANTED,
                            "/payload/granted",
                            "null",
                            ProtocolError.WRONG_TYPE,
                            "payload.granted must not be null"),
                    replaced(
                            UNLOCK,
                            "/payload/action",
                            "null",
                            ProtocolError.WRONG_TYPE,
                            "payload.action must not be null"),
                    replaced(
                            BATCH,
                            "/payload/changes/0",
                            "null",
                            ProtocolError.WRONG_TYPE,
                            "payload.changes[0] must not be null"),
                    replaced(
                            BATCH,
                            "/payload/changes/0/entity",
                            "null",
                            ProtocolError.WRONG_TYPE,
                            "payload.changes[0].entity"),
                    replaced(
                            EVENT_ACK,
                            "/payload/eventIds/0",
                            "null",
                            ProtocolError.WRONG_TYPE,
                            "payload.eventIds[0] must not be null"),
                    // booleans are true or false, not strings or numbers
                    replaced(GRANTED, "/payload/granted", "\"true\"", ProtocolError.WRONG_TYPE, "payload.granted"),
                    replaced(
                            BATCH,
                            PASS + "/singleUse",
                            "1",
                            ProtocolError.WRONG_TYPE,
                            "payload.changes[9].entity.singleUse"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("cases")
        void aFieldOfTheWrongJsonTypeIsRejectedNamingItsPath(Case example) {
            // Coercing "1201" to 1201 or 1201.7 to 1201 hides bugs in the sender; say what is wrong.
            assertRejected(example);
        }
    }

    @Nested
    class BadValues {
        static Stream<Case> enums() {
            return Stream.of(
                    replaced(
                            GRANTED,
                            "/payload/presented",
                            "\"magstripe\"",
                            ProtocolError.BAD_VALUE,
                            "payload.presented 'magstripe'",
                            "nfc-card, member-qr, visitor-qr, visitor-pin, unrecognised-qr"),
                    replaced(
                            BATCH,
                            MEMBER + "/kind",
                            "\"spaceship\"",
                            ProtocolError.BAD_VALUE,
                            "payload.changes[1].entity.kind",
                            "site, member, credential, door, door-group, schedule, grant, booking, visitor-pass, signing-key"),
                    replaced(
                            BATCH,
                            DOOR + "/untrustedClock",
                            "\"STAFF_ONLY\"",
                            ProtocolError.BAD_VALUE,
                            "payload.changes[4].entity.untrustedClock",
                            "keep-granting, staff-only, deny"),
                    replaced(
                            BATCH,
                            SCHEDULE + "/windows/0/day",
                            "\"mon\"",
                            ProtocolError.BAD_VALUE,
                            "payload.changes[6].entity.windows[0].day",
                            "monday, tuesday, wednesday, thursday, friday, saturday, sunday"),
                    replaced(
                            BATCH,
                            SCHEDULE + "/holidays",
                            "\"open\"",
                            ProtocolError.BAD_VALUE,
                            "payload.changes[6].entity.holidays",
                            "closed, ignored"),
                    replaced(
                            BATCH,
                            "/payload/changes/0/op",
                            "\"insert\"",
                            ProtocolError.BAD_VALUE,
                            "payload.changes[0].op 'insert'",
                            "upsert, remove"),
                    replaced(
                            BATCH,
                            REMOVE + "/kind",
                            "\"credentials\"",
                            ProtocolError.BAD_VALUE,
                            "payload.changes[11].kind"),
                    replaced(
                            STATE,
                            "/payload/health",
                            "\"unwell\"",
                            ProtocolError.BAD_VALUE,
                            "payload.health",
                            "ok, degraded, fault, offline"),
                    replaced(
                            COMMAND_ACK,
                            "/payload/status",
                            "\"DONE\"",
                            ProtocolError.BAD_VALUE,
                            "payload.status",
                            "done, rejected, expired"),
                    replaced(
                            DOOR_EVENT,
                            "/payload/kind",
                            "\"smoke\"",
                            ProtocolError.BAD_VALUE,
                            "payload.kind",
                            "held-open, forced-open, rex, tamper, reader-fault, restored"),
                    replaced(
                            DENIED,
                            "/payload/reason",
                            "\"bad-luck\"",
                            ProtocolError.BAD_VALUE,
                            "payload.reason",
                            "unknown-credential"),
                    replaced(
                            UNLOCK,
                            "/payload/action/type",
                            "\"self-destruct\"",
                            ProtocolError.BAD_VALUE,
                            "payload.action.type",
                            "unlock-once, lockdown, emergency-release, release, set-config"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("enums")
        void anUnknownEnumValueIsRejectedListingTheAllowedOnes(Case example) {
            // The allowed values in the message are the fix: no need to open the spec.
            assertRejected(example);
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "2026-03-02 09:31:07Z",
                    "2026-03-02T09:31:07",
                    "2026-03-02T09:31:07+01:00",
                    "2026-03-02T10:31:07+0100",
                    "2026-03-02T09:31Z",
                    "2026-03-02t09:31:07z",
                    "20260302T093107Z",
                    "2026-02-30T09:31:07Z",
                    "2026-03-02T25:00:00Z",
                    "2026-03-02T09:31:07.1234567890Z",
                    "+2026-03-02T09:31:07Z",
                    "\u0662\u0660\u0662\u0666-03-02T09:31:07Z",
                    "1772443867",
                    ""
                })
        void anInstantNotInUtcIsoFormIsRejectedNamingTheField(String instant) {
            // One form only, with Z: an offset or a missing zone is how an hour silently shifts
            // and a booking opens a door at the wrong time.
            assertRejected(Golden.with(UNLOCK, "/time", quoted(instant)), ProtocolError.BAD_VALUE, "time '");
            assertRejected(
                    Golden.with(UNLOCK, "/payload/expiresAt", quoted(instant)),
                    ProtocolError.BAD_VALUE,
                    "payload.expiresAt");
            assertRejected(
                    Golden.with(BATCH, BOOKING + "/start", quoted(instant)),
                    ProtocolError.BAD_VALUE,
                    "payload.changes[8].entity.start");
            assertRejected(
                    Golden.with(BATCH, CARD + "/validUntil", quoted(instant)),
                    ProtocolError.BAD_VALUE,
                    "payload.changes[2].entity.validUntil");
        }

        static Stream<String> badIds() {
            return Stream.of(
                    "ev 913",
                    "ev/913",
                    "ev+913",
                    "ev#913",
                    "ev.913",
                    "ev:913",
                    "évènement",
                    "ev-913\n",
                    "🚪",
                    "",
                    "ev-" + "0".repeat(62));
        }

        @ParameterizedTest
        @MethodSource("badIds")
        void anIdWithCharactersOutsideTheIdAlphabetIsRejectedNamingTheField(String id) {
            // Ids become topic levels and file names: '/', '+', '#' or a space in one would
            // address the wrong topic or escape a directory.
            assertRejected(
                    Golden.with(GRANTED, "/id", quoted(id)), ProtocolError.BAD_VALUE, "id '", "is not a valid id");
            assertRejected(
                    Golden.with(GRANTED, "/payload/door", quoted(id)),
                    ProtocolError.BAD_VALUE,
                    "payload.door",
                    "is not a valid id");
            assertRejected(
                    Golden.with(BATCH, MEMBER + "/id", quoted(id)),
                    ProtocolError.BAD_VALUE,
                    "payload.changes[1].entity.id",
                    "is not a valid id");
            assertRejected(
                    Golden.with(BATCH, GROUP + "/doors/0", quoted(id)),
                    ProtocolError.BAD_VALUE,
                    "payload.changes[5].entity.doors[0]",
                    "is not a valid id");
            assertRejected(
                    Golden.with(BATCH, REMOVE + "/id", quoted(id)),
                    ProtocolError.BAD_VALUE,
                    "payload.changes[11].id",
                    "is not a valid id");
        }

        static Stream<Case> otherValues() {
            return Stream.of(
                    replaced(
                            UNLOCK,
                            "/payload/action/unlockFor",
                            "\"5s\"",
                            ProtocolError.BAD_VALUE,
                            "payload.action.unlockFor '5s'",
                            "ISO-8601 duration"),
                    replaced(
                            UNLOCK,
                            "/payload/action/unlockFor",
                            "\"-PT5S\"",
                            ProtocolError.BAD_VALUE,
                            "payload.action.unlockFor",
                            "negative"),
                    replaced(
                            BATCH,
                            BOOKING + "/bufferBefore",
                            "\"PT-10M\"",
                            ProtocolError.BAD_VALUE,
                            "payload.changes[8].entity.bufferBefore",
                            "negative"),
                    replaced(
                            BATCH,
                            SITE + "/zone",
                            "\"Mars/Olympus_Mons\"",
                            ProtocolError.BAD_VALUE,
                            "payload.changes[0].entity.zone",
                            "Europe/Berlin"),
                    replaced(BATCH, SITE + "/zone", "\"\"", ProtocolError.BAD_VALUE, "payload.changes[0].entity.zone"),
                    replaced(
                            BATCH,
                            SITE + "/holidays/0",
                            "\"03.04.2026\"",
                            ProtocolError.BAD_VALUE,
                            "payload.changes[0].entity.holidays[0]",
                            "YYYY-MM-DD"),
                    replaced(
                            BATCH,
                            SITE + "/holidays/0",
                            "\"2026-02-29\"",
                            ProtocolError.BAD_VALUE,
                            "payload.changes[0].entity.holidays[0]",
                            "calendar date"),
                    replaced(
                            BATCH,
                            SCHEDULE + "/windows/0/start",
                            "\"7:00\"",
                            ProtocolError.BAD_VALUE,
                            "payload.changes[6].entity.windows[0].start",
                            "HH:MM"),
                    replaced(
                            BATCH,
                            SCHEDULE + "/windows/0/start",
                            "\"07:60\"",
                            ProtocolError.BAD_VALUE,
                            "payload.changes[6].entity.windows[0].start"),
                    replaced(
                            BATCH,
                            SCHEDULE + "/windows/0/end",
                            "\"24:30\"",
                            ProtocolError.BAD_VALUE,
                            "payload.changes[6].entity.windows[0].end"),
                    replaced(
                            BATCH,
                            SCHEDULE + "/windows/0/start",
                            "\"+7:00\"",
                            ProtocolError.BAD_VALUE,
                            "payload.changes[6].entity.windows[0].start"),
                    replaced(
                            BATCH,
                            "/payload/fromSeq",
                            "99999999999999999999",
                            ProtocolError.BAD_VALUE,
                            "payload.fromSeq",
                            "64-bit"),
                    replaced(
                            SNAPSHOT,
                            "/payload/count",
                            "3000000000",
                            ProtocolError.BAD_VALUE,
                            "payload.count",
                            "32-bit"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("otherValues")
        void aValueOfTheRightTypeButAnInvalidFormIsRejectedNamingTheField(Case example) {
            // Durations, zones, dates and wall-clock times each have one documented form.
            assertRejected(example);
        }
    }

    @Nested
    class RecordInvariants {
        static Stream<Case> cases() {
            String h1 = "c0d44a6eda32bbc33538107ae3951ce2747f419ef73d94b44b85394879a377dd";
            String twentyOneProblems = IntStream.range(0, 21)
                    .mapToObj(i -> quoted("problem " + i))
                    .reduce((a, b) -> a + "," + b)
                    .map(list -> "[" + list + "]")
                    .orElseThrow();
            String manyIds = IntStream.range(0, 501)
                    .mapToObj(i -> quoted("ev-" + i))
                    .reduce((a, b) -> a + "," + b)
                    .map(list -> "[" + list + "]")
                    .orElseThrow();
            return Stream.of(
                    // sync batches: one change per seq, in range
                    replaced(
                            BATCH,
                            "/payload/toSeq",
                            "1200",
                            ProtocolError.BAD_VALUE,
                            "toSeq 1200 is before fromSeq 1201"),
                    replaced(
                            BATCH,
                            "/payload/toSeq",
                            "1214",
                            ProtocolError.BAD_VALUE,
                            "must carry 14 changes",
                            "carries 13"),
                    removed(BATCH, REMOVE, ProtocolError.BAD_VALUE, "must carry 13 changes", "carries 12"),
                    replaced(BATCH, "/payload/fromSeq", "0", ProtocolError.BAD_VALUE, "fromSeq is 0"),
                    // doors and commands: unlock between 1 s and 5 min
                    replaced(BATCH, DOOR + "/unlockFor", "\"PT0S\"", ProtocolError.BAD_VALUE, "unlockFor"),
                    replaced(BATCH, DOOR + "/unlockFor", "\"PT6M\"", ProtocolError.BAD_VALUE, "unlockFor"),
                    replaced(
                            BATCH,
                            DOOR + "/unlockFor",
                            "\"PT2562047788015215H\"",
                            ProtocolError.BAD_VALUE,
                            "main-entrance unlockFor"),
                    replaced(
                            BATCH,
                            DOOR + "/name",
                            quoted("Main\u0007entrance"),
                            ProtocolError.BAD_VALUE,
                            "control character"),
                    replaced(
                            UNLOCK,
                            "/payload/action/unlockFor",
                            "\"PT0S\"",
                            ProtocolError.BAD_VALUE,
                            "unlock-once unlockFor"),
                    replaced(
                            UNLOCK,
                            "/payload/action/unlockFor",
                            "\"P1D\"",
                            ProtocolError.BAD_VALUE,
                            "unlock-once unlockFor"),
                    // bookings end after they start, with bounded buffers
                    replaced(
                            BATCH,
                            BOOKING + "/end",
                            "\"2026-03-02T09:00:00Z\"",
                            ProtocolError.BAD_VALUE,
                            "ends at 2026-03-02T09:00:00Z"),
                    replaced(BATCH, BOOKING + "/end", "\"2026-03-02T09:30:00Z\"", ProtocolError.BAD_VALUE, "ends at"),
                    replaced(BATCH, BOOKING + "/bufferBefore", "\"PT3H\"", ProtocolError.BAD_VALUE, "bufferBefore"),
                    // access events: exactly one of basis and reason
                    removed(GRANTED, "/payload/basis", ProtocolError.BAD_VALUE, "granted access event needs a basis"),
                    replaced(
                            GRANTED,
                            "/payload/reason",
                            "\"lockdown\"",
                            ProtocolError.BAD_VALUE,
                            "granted access event needs a basis and no reason"),
                    removed(DENIED, "/payload/reason", ProtocolError.BAD_VALUE, "denied access event needs a reason"),
                    replaced(
                            DENIED,
                            "/payload/basis",
                            "\"member-grant\"",
                            ProtocolError.BAD_VALUE,
                            "denied access event needs a reason and no basis"),
                    replaced(
                            GRANTED,
                            "/payload/cardHash",
                            "\"04A224B2C35E80\"",
                            ProtocolError.BAD_VALUE,
                            "cardHash must be 64 lowercase hex digits"),
                    replaced(
                            GRANTED,
                            "/payload/cardHash",
                            quoted(h1.toUpperCase()),
                            ProtocolError.BAD_VALUE,
                            "cardHash must be 64 lowercase hex digits"),
                    // credentials: an NFC card is known by a 64-hex hash only
                    replaced(
                            BATCH,
                            CARD + "/cardHash",
                            "\"04A224B2C35E80\"",
                            ProtocolError.BAD_VALUE,
                            "c-7781 cardHash must be 64 lowercase hex digits"),
                    replaced(
                            BATCH,
                            CARD + "/cardHash",
                            quoted(h1.substring(1)),
                            ProtocolError.BAD_VALUE,
                            "c-7781 cardHash must be 64 lowercase hex digits"),
                    replaced(
                            BATCH,
                            CARD + "/cardHash",
                            quoted(h1 + "0"),
                            ProtocolError.BAD_VALUE,
                            "c-7781 cardHash must be 64 lowercase hex digits"),
                    replaced(
                            BATCH,
                            CARD + "/cardHash",
                            quoted(h1.replace('c', 'g')),
                            ProtocolError.BAD_VALUE,
                            "c-7781 cardHash must be 64 lowercase hex digits"),
                    removed(
                            BATCH,
                            CARD + "/cardHash",
                            ProtocolError.BAD_VALUE,
                            "c-7781 is an NFC card but has no cardHash"),
                    replaced(
                            BATCH,
                            QR + "/cardHash",
                            quoted(h1),
                            ProtocolError.BAD_VALUE,
                            "c-7782 is a member QR credential and must not carry a cardHash"),
                    replaced(
                            BATCH,
                            CARD + "/validUntil",
                            "\"2026-01-14T00:00:00Z\"",
                            ProtocolError.BAD_VALUE,
                            "credential c-7781 is valid until"),
                    // grants and passes open at least one door
                    raw(
                            "grant without doors and door groups",
                            Golden.with(BATCH, GRANT + "/doors", "[]", GRANT + "/doorGroups", "[]"),
                            ProtocolError.BAD_VALUE,
                            "g-5531 names no door and no door group"),
                    raw(
                            "visitor pass without doors and door groups",
                            Golden.with(BATCH, PASS + "/doors", "[]", PASS + "/doorGroups", "[]"),
                            ProtocolError.BAD_VALUE,
                            "vp-3307 names no door and no door group"),
                    replaced(
                            BATCH, BOOKING + "/doors", "[]", ProtocolError.BAD_VALUE, "bk-20260302-0930 names no door"),
                    replaced(
                            BATCH,
                            PASS + "/validUntil",
                            "\"2026-03-02T08:00:00Z\"",
                            ProtocolError.BAD_VALUE,
                            "visitor pass vp-3307 is valid until"),
                    replaced(BATCH, MEMBER + "/roles/1", "\"Staff\"", ProtocolError.BAD_VALUE, "role 'Staff'"),
                    replaced(
                            LOCKDOWN,
                            "/payload/action/allowedRoles/0",
                            "\"Security Team\"",
                            ProtocolError.BAD_VALUE,
                            "role 'Security Team'"),
                    replaced(
                            BATCH,
                            SCHEDULE + "/windows/0/end",
                            "\"06:00\"",
                            ProtocolError.BAD_VALUE,
                            "must end after it starts"),
                    // signing keys are public P-256 keys whose kid matches
                    replaced(BATCH, KEY + "/jwk/d", "\"ZGVjb3k\"", ProtocolError.BAD_VALUE, "private key part 'd'"),
                    replaced(BATCH, KEY + "/jwk/kid", "\"hub-2025-12\"", ProtocolError.BAD_VALUE, "whose kid is"),
                    replaced(BATCH, KEY + "/jwk/crv", "\"P-384\"", ProtocolError.BAD_VALUE, "EC P-256"),
                    replaced(BATCH, KEY + "/jwk/n", "\"AQAB\"", ProtocolError.BAD_VALUE, "jwk has field 'n'"),
                    // snapshots, state, acks
                    replaced(SNAPSHOT, "/payload/index", "3", ProtocolError.BAD_VALUE, "index 3 is outside 0..2"),
                    replaced(SNAPSHOT, "/payload/count", "0", ProtocolError.BAD_VALUE, "count is 0"),
                    replaced(REQUEST, "/payload/haveSeq", "-1", ProtocolError.BAD_VALUE, "haveSeq is -1"),
                    replaced(STATE, "/payload/cacheSeq", "-1", ProtocolError.BAD_VALUE, "cacheSeq is -1"),
                    replaced(STATE, "/payload/problems", twentyOneProblems, ProtocolError.BAD_VALUE, "21 problems"),
                    replaced(
                            STATE,
                            "/payload/agentVersion",
                            quoted("0.1.0-" + "x".repeat(35)),
                            ProtocolError.BAD_VALUE,
                            "agentVersion is 41 characters"),
                    replaced(
                            DOOR_EVENT,
                            "/payload/detail",
                            quoted("line one\nline two"),
                            ProtocolError.BAD_VALUE,
                            "door event detail contains a control character"),
                    replaced(
                            COMMAND_ACK,
                            "/payload/detail",
                            quoted("x".repeat(201)),
                            ProtocolError.BAD_VALUE,
                            "command ack detail is 201 characters"),
                    replaced(EVENT_ACK, "/payload/eventIds", "[]", ProtocolError.BAD_VALUE, "1 to 500 ids, not 0"),
                    replaced(EVENT_ACK, "/payload/eventIds", manyIds, ProtocolError.BAD_VALUE, "1 to 500 ids, not 501"),
                    replaced(
                            EVENT_ACK,
                            "/payload/eventIds/1",
                            "\"ev.914\"",
                            ProtocolError.BAD_VALUE,
                            "event ack id 'ev.914'"),
                    replaced(
                            UNLOCK,
                            "/payload/action",
                            "{\"type\":\"set-config\",\"settings\":{}}",
                            ProtocolError.BAD_VALUE,
                            "1 to 50 settings"),
                    replaced(
                            UNLOCK,
                            "/payload/action",
                            "{\"type\":\"set-config\",\"settings\":{\"Relay_Pin\":\"17\"}}",
                            ProtocolError.BAD_VALUE,
                            "set-config key 'Relay_Pin'"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("cases")
        void aWellFormedMessageBreakingARecordRuleIsRejectedSayingWhichRule(Case example) {
            // The records validate themselves; decoding must surface their verdict as a protocol
            // error (BAD_VALUE) rather than let an impossible batch or a raw card UID into the cache.
            assertRejected(example);
        }
    }

    @Nested
    class Limits {
        private byte[] paddedTo(String file, int size) {
            byte[] golden = Golden.bytes(file);
            byte[] padded = Arrays.copyOf(golden, size);
            Arrays.fill(padded, golden.length, size, (byte) ' ');
            return padded;
        }

        @Test
        void aMessageOfExactlyTheLimitIsAccepted() {
            // The limit is inclusive; a hub that fills a batch up to it must not be refused.
            byte[] input = paddedTo(EVENT_ACK, MessageCodec.MAX_BYTES);

            assertThat(MessageCodec.decode(input).type().wireName()).isEqualTo("event.ack");
        }

        @Test
        void aMessageOneByteOverTheLimitIsTooLarge() {
            // The size check comes first, before any parsing work is spent on the input.
            assertRejected(
                    paddedTo(EVENT_ACK, MessageCodec.MAX_BYTES + 1),
                    ProtocolError.TOO_LARGE,
                    String.valueOf(MessageCodec.MAX_BYTES + 1),
                    String.valueOf(MessageCodec.MAX_BYTES));
        }

        @Test
        void aHugeStringValueIsTooLarge() {
            byte[] input = Golden.with(DOOR_EVENT, "/payload/detail", quoted("x".repeat(MessageCodec.MAX_BYTES)));

            assertRejected(input, ProtocolError.TOO_LARGE, "the limit is " + MessageCodec.MAX_BYTES + " bytes");
        }

        @Test
        void textUnderTheLimitInCharactersButOverItInUtf8BytesIsTooLarge() {
            // The limit is in bytes on the wire, not in Java chars: 100,000 euro signs are 300,000 bytes.
            String text = Golden.text(DOOR_EVENT).replace("Tür", "€".repeat(100_000));

            assertThatThrownBy(() -> MessageCodec.decode(text))
                    .isInstanceOfSatisfying(
                            ProtocolException.class, e -> assertThat(e.error()).isEqualTo(ProtocolError.TOO_LARGE));
        }

        @ParameterizedTest
        @ValueSource(strings = {"C3 28", "FF", "FE", "80", "C0 BC", "E0 80 BC", "ED A0 80", "F4 90 80 80", "C3"})
        void invalidUtf8IsRejected(String replacement) {
            // "ü" (C3 BC) in the door event detail, replaced by a broken sequence: lone bytes,
            // overlong forms, an encoded surrogate, a code point past U+10FFFF, a cut-off sequence.
            byte[] golden = Golden.bytes(DOOR_EVENT);
            byte[] broken = replace(
                    golden,
                    HexFormat.ofDelimiter(" ").parseHex("C3 BC"),
                    HexFormat.ofDelimiter(" ").parseHex(replacement));

            assertRejected(broken, ProtocolError.INVALID_UTF8, "UTF-8");
        }

        @Test
        void aMultiByteSequenceCutOffAtTheEndIsInvalidUtf8() {
            byte[] golden = Golden.bytes(EVENT_ACK);
            byte[] input = Arrays.copyOf(golden, golden.length + 2);
            input[golden.length] = (byte) 0xE2;
            input[golden.length + 1] = (byte) 0x82;

            assertRejected(input, ProtocolError.INVALID_UTF8, "UTF-8");
        }

        /** event.ack with an unknown field holding arrays nested so that the document is {@code depth} deep. */
        private byte[] nestedTo(int depth) {
            int arrays = depth - 2; // the envelope object and the payload object are the first two levels
            String nested = "[".repeat(arrays) + "]".repeat(arrays);
            return Golden.text(EVENT_ACK)
                    .replace("\"payload\": {", "\"payload\": {\"deep\": " + nested + ",")
                    .getBytes(StandardCharsets.UTF_8);
        }

        @Test
        void nestingToExactlyTheLimitIsParsed() {
            // At the limit the JSON is parsed, so the codec reaches the schema and names the field.
            assertRejected(nestedTo(MessageCodec.MAX_DEPTH), ProtocolError.UNKNOWN_FIELD, "payload.deep");
        }

        @Test
        void nestingOneLevelDeeperThanTheLimitIsTooDeep() {
            // Depth bounds the parser's recursion: a message of ten thousand '[' must cost nothing.
            assertRejected(
                    nestedTo(MessageCodec.MAX_DEPTH + 1),
                    ProtocolError.TOO_DEEP,
                    "deeper than " + MessageCodec.MAX_DEPTH);
        }

        @Test
        void tenThousandNestedArraysAreTooDeep() {
            assertRejected(
                    ("[".repeat(10_000) + "]".repeat(10_000)).getBytes(StandardCharsets.UTF_8),
                    ProtocolError.TOO_DEEP,
                    "deeper than " + MessageCodec.MAX_DEPTH);
        }

        @Test
        void tenThousandNestedObjectsAreTooDeep() {
            assertRejected(
                    ("{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000)).getBytes(StandardCharsets.UTF_8),
                    ProtocolError.TOO_DEEP,
                    "deeper than " + MessageCodec.MAX_DEPTH);
        }
    }

    static byte[] replace(byte[] haystack, byte[] needle, byte[] replacement) {
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(haystack, 0, i);
                out.writeBytes(replacement);
                out.write(haystack, i + needle.length, haystack.length - i - needle.length);
                return out.toByteArray();
            }
        }
        throw new IllegalArgumentException("needle not found: " + HexFormat.of().formatHex(needle));
    }

    @Nested
    class MalformedJson {
        static Stream<Case> cases() {
            String ack = Golden.text(EVENT_ACK);
            return Stream.of(
                    raw(
                            "duplicate v",
                            ack.replace("\"v\": 1,", "\"v\": 1, \"v\": 1,"),
                            ProtocolError.MALFORMED_JSON,
                            "uplicate",
                            "'v'"),
                    raw(
                            "duplicate v, the second one valid",
                            ack.replace("\"v\": 1,", "\"v\": 2, \"v\": 1,"),
                            ProtocolError.MALFORMED_JSON,
                            "uplicate",
                            "'v'"),
                    raw(
                            "duplicate type",
                            ack.replace("\"type\": \"event.ack\",", "\"type\": \"command\", \"type\": \"event.ack\","),
                            ProtocolError.MALFORMED_JSON,
                            "uplicate",
                            "'type'"),
                    raw(
                            "duplicate key in the payload",
                            Golden.text(BATCH)
                                    .replace(
                                            "\"site\": \"hq-berlin\",",
                                            "\"site\": \"hq-berlin\", \"site\": \"hq-berlin\","),
                            ProtocolError.MALFORMED_JSON,
                            "uplicate",
                            "'site'"),
                    raw(
                            "duplicate key in an entity",
                            Golden.text(BATCH)
                                    .replace(
                                            "\"unlockFor\": \"PT5S\",",
                                            "\"unlockFor\": \"PT5S\", \"unlockFor\": \"PT5M\","),
                            ProtocolError.MALFORMED_JSON,
                            "uplicate",
                            "'unlockFor'"),
                    raw("trailing letter", ack + "x", ProtocolError.MALFORMED_JSON, "not well-formed JSON"),
                    raw("trailing brace", ack + "}", ProtocolError.MALFORMED_JSON, "not well-formed JSON"),
                    raw("trailing object", ack + "{}", ProtocolError.MALFORMED_JSON, "not well-formed JSON"),
                    raw("two messages", ack + ack, ProtocolError.MALFORMED_JSON, "not well-formed JSON"),
                    raw("trailing NUL", ack + "\u0000", ProtocolError.MALFORMED_JSON, "not well-formed JSON"),
                    raw("trailing comment", ack + "// end", ProtocolError.MALFORMED_JSON, "not well-formed JSON"),
                    raw("empty bytes", new byte[0], ProtocolError.MALFORMED_JSON, "empty"),
                    raw("whitespace only", " \n\t\r ", ProtocolError.MALFORMED_JSON, "the message"),
                    raw(
                            "comment",
                            ack.replace("\"payload\"", "/* acked */ \"payload\""),
                            ProtocolError.MALFORMED_JSON,
                            "not well-formed JSON"),
                    raw(
                            "single quotes",
                            ack.replace("\"v\"", "'v'"),
                            ProtocolError.MALFORMED_JSON,
                            "not well-formed JSON"),
                    raw(
                            "unquoted key",
                            ack.replace("\"v\"", "v"),
                            ProtocolError.MALFORMED_JSON,
                            "not well-formed JSON"),
                    raw(
                            "trailing comma in an array",
                            ack.replace("\"ev-edge-01-000915\"", "\"ev-edge-01-000915\","),
                            ProtocolError.MALFORMED_JSON,
                            "not well-formed JSON"),
                    raw(
                            "trailing comma in an object",
                            ack.replace("\"v\": 1,", "\"v\": 1,,"),
                            ProtocolError.MALFORMED_JSON,
                            "not well-formed JSON"),
                    raw(
                            "NaN",
                            ack.replace("\"v\": 1", "\"v\": NaN"),
                            ProtocolError.MALFORMED_JSON,
                            "not well-formed JSON"),
                    raw(
                            "leading zero",
                            ack.replace("\"v\": 1", "\"v\": 01"),
                            ProtocolError.MALFORMED_JSON,
                            "not well-formed JSON"),
                    raw(
                            "leading plus",
                            ack.replace("\"v\": 1", "\"v\": +1"),
                            ProtocolError.MALFORMED_JSON,
                            "not well-formed JSON"),
                    raw(
                            "hex number",
                            ack.replace("\"v\": 1", "\"v\": 0x1"),
                            ProtocolError.MALFORMED_JSON,
                            "not well-formed JSON"),
                    raw(
                            "raw newline in a string",
                            ack.replace("ev-edge-01-000913", "ev-edge\n-01-000913"),
                            ProtocolError.MALFORMED_JSON,
                            "not well-formed JSON"),
                    raw(
                            "bad escape",
                            ack.replace("ev-edge-01-000913", "ev-edge\\x41"),
                            ProtocolError.MALFORMED_JSON,
                            "not well-formed JSON"),
                    raw(
                            "unterminated string",
                            "{\"v\": 1, \"type\": \"event.ack",
                            ProtocolError.MALFORMED_JSON,
                            "not well-formed JSON"),
                    raw(
                            "number too long",
                            ack.replace("\"v\": 1", "\"v\": 1" + "0".repeat(100)),
                            ProtocolError.TOO_LARGE,
                            "size limit"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("cases")
        void textThatIsNotOneStrictJsonObjectIsRejected(Case example) {
            // Duplicate keys are the classic smuggling trick: one parser takes the first "v" and
            // another the last. Strict JSON leaves nothing for two readers to disagree on.
            assertRejected(example);
        }

        @ParameterizedTest
        @ValueSource(strings = {"[]", "[{\"v\":1}]", "42", "-0.5", "\"sync.batch\"", "true", "null"})
        void aTopLevelArrayOrScalarIsRejected(String json) {
            // An envelope is an object; anything else is refused before a field is read.
            assertThatThrownBy(() -> MessageCodec.decode(json.getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOfSatisfying(ProtocolException.class, e -> {
                        assertThat(e.error()).isIn(ProtocolError.MALFORMED_JSON, ProtocolError.WRONG_TYPE);
                        assertThat(e.getMessage()).startsWith("the message");
                    });
        }

        @Test
        void nullInputIsRejectedAsEmpty() {
            // A callback may hand over null for an empty MQTT payload.
            assertThatThrownBy(() -> MessageCodec.decode((byte[]) null))
                    .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.error())
                            .isEqualTo(ProtocolError.MALFORMED_JSON));
            assertThatThrownBy(() -> MessageCodec.decode((String) null))
                    .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.error())
                            .isEqualTo(ProtocolError.MALFORMED_JSON));
            assertThatThrownBy(() -> MessageCodec.decode(""))
                    .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.error())
                            .isEqualTo(ProtocolError.MALFORMED_JSON));
        }

        @Test
        void trailingWhitespaceIsAllowed() {
            // The golden files end in a newline; whitespace is not garbage.
            byte[] input = (Golden.text(EVENT_ACK) + " \n\t\r\n").getBytes(StandardCharsets.UTF_8);

            assertThat(MessageCodec.decode(input).type().wireName()).isEqualTo("event.ack");
        }
    }

    /**
     * Bounded, seeded property checks: whatever the bytes, decoding ends in an envelope or a
     * ProtocolException. A failure prints the input, and the seed makes it reproducible.
     */
    @Nested
    class AnyInput {
        private static final int ITERATIONS = 2_000;
        private static final int MUTATIONS_PER_FILE = 1_000;

        static Stream<String> goldenFiles() {
            return GOLDEN.stream();
        }

        @ParameterizedTest
        @MethodSource("goldenFiles")
        void everyTruncationOfAGoldenFileIsRejectedAsIncomplete(String file) {
            // A message cut short by a dropped connection or a full buffer must read as broken,
            // never as a shorter valid message.
            byte[] golden = Golden.bytes(file);
            int end =
                    new String(golden, StandardCharsets.UTF_8).stripTrailing().getBytes(StandardCharsets.UTF_8).length;
            for (int length = 0; length < end; length++) {
                byte[] prefix = Arrays.copyOf(golden, length);
                Optional<ProtocolException> error = decodeOrProtocolException(prefix, file + " cut at " + length);
                assertThat(error).as("%s cut at %d bytes", file, length).hasValueSatisfying(e -> assertThat(e.error())
                        .isIn(ProtocolError.MALFORMED_JSON, ProtocolError.INVALID_UTF8));
            }
        }

        @ParameterizedTest
        @MethodSource("goldenFiles")
        void randomlyMutatedGoldenFilesDecodeOrFailWithAProtocolException(String file) {
            byte[] golden = Golden.bytes(file);
            Random random = new Random(file.hashCode());
            int rejected = 0;
            for (int i = 0; i < MUTATIONS_PER_FILE; i++) {
                byte[] mutated = mutate(golden, random);
                if (decodeOrProtocolException(mutated, file + " mutation " + i).isPresent()) {
                    rejected++;
                }
            }
            // Most mutations break something; if none did, the mutator is not mutating.
            assertThat(rejected).isGreaterThan(MUTATIONS_PER_FILE / 2);
        }

        @Test
        void randomBytesFailWithAProtocolException() {
            Random random = new Random(20260302L);
            for (int i = 0; i < ITERATIONS; i++) {
                byte[] input = new byte[random.nextInt(600)];
                random.nextBytes(input);
                assertThat(decodeOrProtocolException(input, "random bytes " + i))
                        .as("random bytes are never a valid envelope")
                        .isPresent();
            }
        }

        @Test
        void randomJsonTokensFailWithAProtocolException() {
            // Random bytes rarely get past UTF-8 decoding; token soup reaches the parser and schema.
            String[] tokens = {
                "{",
                "}",
                "[",
                "]",
                ",",
                ":",
                "\"v\"",
                "1",
                "2",
                "-1",
                "1.5",
                "1e400",
                "true",
                "null",
                "\"type\"",
                "\"payload\"",
                "\"event.ack\"",
                "\"sync.batch\"",
                "\"eventIds\"",
                "\"changes\"",
                "\"id\"",
                "\"x\"",
                "\"time\"",
                "\"2026-03-02T09:00:00Z\"",
                " ",
                "\"\\u0000\"",
                "\"\\ud800\"",
                "é",
                "\uFEFF"
            };
            Random random = new Random(42L);
            for (int i = 0; i < ITERATIONS; i++) {
                StringBuilder text = new StringBuilder();
                int count = random.nextInt(80);
                for (int t = 0; t < count; t++) {
                    text.append(tokens[random.nextInt(tokens.length)]);
                }
                decodeOrProtocolException(text.toString().getBytes(StandardCharsets.UTF_8), "token soup " + i);
            }
        }

        @Test
        void deeplyNestedArraysAndObjectsFailWithAProtocolException() {
            // Recursion depth is the classic way to crash a parser with a small message.
            Random random = new Random(10_000L);
            for (int i = 0; i < ITERATIONS; i++) {
                int depth = random.nextBoolean() ? 1 + random.nextInt(40) : 1 + random.nextInt(10_000);
                byte[] input = nested(depth, random);
                Optional<ProtocolException> error = decodeOrProtocolException(input, "nesting " + depth + " #" + i);
                assertThat(error).as("nesting of depth %d", depth).isPresent();
                if (depth > MessageCodec.MAX_DEPTH) {
                    assertThat(error.orElseThrow().error())
                            .as("nesting of depth %d", depth)
                            .isEqualTo(ProtocolError.TOO_DEEP);
                }
            }
        }

        /** Random arrays and objects {@code depth} deep, closed or left open, bare or inside an envelope. */
        private byte[] nested(int depth, Random random) {
            StringBuilder open = new StringBuilder();
            StringBuilder closeReversed = new StringBuilder();
            boolean inEnvelope = random.nextBoolean();
            int levels = inEnvelope ? Math.max(depth - 2, 1) : depth;
            for (int level = 0; level < levels; level++) {
                if (random.nextBoolean()) {
                    open.append('[');
                    closeReversed.append(']');
                } else {
                    open.append("{\"k\":");
                    closeReversed.append('}');
                }
            }
            String close = random.nextInt(4) == 0 ? "" : closeReversed.reverse().toString();
            String value = open + "0" + close;
            String text = inEnvelope
                    ? Golden.text(EVENT_ACK).replace("\"payload\": {", "\"payload\": {\"deep\": " + value + ",")
                    : value;
            return text.getBytes(StandardCharsets.UTF_8);
        }

        /** One to four random edits: flip a bit, overwrite, insert or delete a byte, or copy a span. */
        private byte[] mutate(byte[] input, Random random) {
            byte[] out = input;
            int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits; e++) {
                int at = out.length == 0 ? 0 : random.nextInt(out.length);
                out = switch (random.nextInt(5)) {
                    case 0 -> {
                        byte[] copy = out.clone();
                        if (copy.length > 0) {
                            copy[at] ^= (byte) (1 << random.nextInt(8));
                        }
                        yield copy;
                    }
                    case 1 -> {
                        byte[] copy = out.clone();
                        if (copy.length > 0) {
                            copy[at] = (byte) random.nextInt(256);
                        }
                        yield copy;
                    }
                    case 2 -> {
                        byte[] interesting = {'"', '{', '}', '[', ']', ',', ':', '\\', '0', '-', ' ', (byte) 0xC3};
                        byte inserted = random.nextBoolean()
                                ? interesting[random.nextInt(interesting.length)]
                                : (byte) random.nextInt(256);
                        byte[] copy = new byte[out.length + 1];
                        System.arraycopy(out, 0, copy, 0, at);
                        copy[at] = inserted;
                        System.arraycopy(out, at, copy, at + 1, out.length - at);
                        yield copy;
                    }
                    case 3 -> {
                        if (out.length == 0) {
                            yield out;
                        }
                        int length = 1 + random.nextInt(Math.min(8, out.length - at));
                        byte[] copy = new byte[out.length - length];
                        System.arraycopy(out, 0, copy, 0, at);
                        System.arraycopy(out, at + length, copy, at, out.length - at - length);
                        yield copy;
                    }
                    default -> {
                        if (out.length == 0) {
                            yield out;
                        }
                        int from = random.nextInt(out.length);
                        int length = 1 + random.nextInt(Math.min(40, out.length - from));
                        byte[] copy = new byte[out.length + length];
                        System.arraycopy(out, 0, copy, 0, at);
                        System.arraycopy(out, from, copy, at, length);
                        System.arraycopy(out, at, copy, at + length, out.length - at);
                        yield copy;
                    }
                };
            }
            return out;
        }
    }
}
