package dev.gatehouse.protocol.codec;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.message.AccessEvent;
import dev.gatehouse.protocol.message.BookingEvent;
import dev.gatehouse.protocol.message.BookingEventKind;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.Command;
import dev.gatehouse.protocol.message.CommandAck;
import dev.gatehouse.protocol.message.CommandAction;
import dev.gatehouse.protocol.message.CommandStatus;
import dev.gatehouse.protocol.message.DeviceState;
import dev.gatehouse.protocol.message.DoorEvent;
import dev.gatehouse.protocol.message.DoorEventKind;
import dev.gatehouse.protocol.message.DoorSelection;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.EventAck;
import dev.gatehouse.protocol.message.Health;
import dev.gatehouse.protocol.message.HubTime;
import dev.gatehouse.protocol.message.KioskEvent;
import dev.gatehouse.protocol.message.KioskEventKind;
import dev.gatehouse.protocol.message.KioskSignature;
import dev.gatehouse.protocol.message.Message;
import dev.gatehouse.protocol.message.MessageType;
import dev.gatehouse.protocol.message.RoomState;
import dev.gatehouse.protocol.message.SnapshotChunk;
import dev.gatehouse.protocol.message.SyncBatch;
import dev.gatehouse.protocol.message.SyncRequest;
import dev.gatehouse.protocol.model.BookingId;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.GrantBasis;
import dev.gatehouse.protocol.model.GrantId;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.model.PresentedKind;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The strict JSON codec for {@link Envelope}s. Decoding accepts exactly the documented schema and
 * throws {@link ProtocolException} for anything else — never another exception type: oversized
 * input, invalid UTF-8, malformed or duplicate-key JSON, nesting deeper than {@link #MAX_DEPTH},
 * unknown versions and types, missing, unknown or mistyped fields, and invalid values.
 */
public final class MessageCodec {
    /** Largest encoded message accepted, in bytes (256 KiB); the hub splits batches and snapshots to fit. */
    public static final int MAX_BYTES = 256 * 1024;

    /** Deepest nesting of objects and arrays accepted. The schema needs 6. */
    public static final int MAX_DEPTH = 16;

    private static final ObjectMapper MAPPER = mapper();

    private MessageCodec() {}

    private static ObjectMapper mapper() {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_DEPTH)
                        .maxDocumentLength(MAX_BYTES)
                        .maxNumberLength(40)
                        .maxStringLength(MAX_BYTES)
                        .build())
                .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        return new ObjectMapper(factory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
                .disable(SerializationFeature.INDENT_OUTPUT)
                .configure(JsonParser.Feature.ALLOW_COMMENTS, false);
    }

    /** Encodes to compact UTF-8 JSON. */
    public static byte[] encode(Envelope envelope) {
        return encodeToString(envelope).getBytes(StandardCharsets.UTF_8);
    }

    public static String encodeToString(Envelope envelope) {
        JsonOut out = new JsonOut()
                .put("v", Envelope.VERSION)
                .put("type", envelope.type().wireName())
                .put("id", envelope.id())
                .put("time", envelope.time())
                .put("payload", writePayload(envelope.payload()));
        return out.node().toString();
    }

    /** Encodes one entity as compact JSON ({@code {"kind":…,…}}), as inside a batch's upserts; for storage. */
    public static String encodeEntity(Entity entity) {
        return EntityJson.write(entity).node().toString();
    }

    /** Decodes one entity written by {@link #encodeEntity}, with the same strictness as a message. */
    public static Entity decodeEntity(String json) {
        JsonNode root = parse(json == null ? null : json.getBytes(StandardCharsets.UTF_8), "the entity");
        try {
            return EntityJson.read(root, "");
        } catch (ProtocolException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ProtocolException(
                    ProtocolError.BAD_VALUE, "the entity has an invalid value: " + e.getMessage(), e);
        }
    }

    /** Decodes a message received as text. */
    public static Envelope decode(String json) {
        if (json == null) {
            throw new ProtocolException(ProtocolError.MALFORMED_JSON, "the message is empty");
        }
        if (json.length() > MAX_BYTES) {
            throw tooLarge(json.length());
        }
        return decode(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Decodes a message received as bytes. */
    public static Envelope decode(byte[] bytes) {
        JsonNode root = parse(bytes, "the message");
        try {
            return readEnvelope(root);
        } catch (ProtocolException e) {
            throw e;
        } catch (RuntimeException e) {
            // A record constructor or JDK parser refused a value in a way not anticipated above:
            // still a bad message, never a crash.
            throw new ProtocolException(
                    ProtocolError.BAD_VALUE, "the message has an invalid value: " + e.getMessage(), e);
        }
    }

    /**
     * Parses bytes into a JSON tree under the codec's limits; shared with the token verifiers so that
     * every piece of JSON from outside meets the same rules.
     */
    public static JsonNode parse(byte[] bytes, String what) {
        if (bytes == null || bytes.length == 0) {
            throw new ProtocolException(ProtocolError.MALFORMED_JSON, what + " is empty");
        }
        if (bytes.length > MAX_BYTES) {
            throw tooLarge(bytes.length);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException(
                    ProtocolError.INVALID_UTF8, what + " is not valid UTF-8; encode text as UTF-8", e);
        }
        try {
            JsonNode root = MAPPER.readTree(text);
            if (root == null || root.isMissingNode()) {
                throw new ProtocolException(ProtocolError.MALFORMED_JSON, what + " holds no JSON value");
            }
            return root;
        } catch (StreamConstraintsException e) {
            if (e.getMessage() != null && e.getMessage().contains("nesting depth")) {
                throw new ProtocolException(
                        ProtocolError.TOO_DEEP, what + " is nested deeper than " + MAX_DEPTH + " levels", e);
            }
            throw new ProtocolException(ProtocolError.TOO_LARGE, what + " exceeds a size limit: " + firstLine(e), e);
        } catch (JacksonException e) {
            throw new ProtocolException(
                    ProtocolError.MALFORMED_JSON, what + " is not well-formed JSON: " + firstLine(e), e);
        } catch (StackOverflowError | RuntimeException e) {
            throw new ProtocolException(ProtocolError.MALFORMED_JSON, what + " could not be parsed", e);
        }
    }

    private static String firstLine(Exception e) {
        String message = String.valueOf(e.getMessage());
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }

    private static ProtocolException tooLarge(int size) {
        return new ProtocolException(
                ProtocolError.TOO_LARGE, "the message is " + size + " bytes; the limit is " + MAX_BYTES + " bytes");
    }

    private static Envelope readEnvelope(JsonNode root) {
        JsonIn in = new JsonIn(root, "");
        long version = in.longValue("v");
        if (version != Envelope.VERSION) {
            throw new ProtocolException(
                    ProtocolError.UNSUPPORTED_VERSION,
                    "v is " + version + "; this side speaks protocol version " + Envelope.VERSION);
        }
        String typeName = in.string("type");
        MessageType type = MessageType.fromWireName(typeName)
                .orElseThrow(() -> new ProtocolException(
                        ProtocolError.UNKNOWN_TYPE,
                        "type '" + Ids.printable(typeName) + "' is not a known message type"));
        String id = in.id("id");
        var time = in.instant("time");
        Message payload = readPayload(type, in.object("payload"));
        in.end();
        return new Envelope(id, time, payload);
    }

    private static Message readPayload(MessageType type, JsonIn in) {
        Message message =
                switch (type) {
                    case SYNC_BATCH ->
                        new SyncBatch(
                                in.id("tenant"),
                                in.id("site"),
                                in.longValue("fromSeq"),
                                in.longValue("toSeq"),
                                in.list("changes", MessageCodec::readChange));
                    case SYNC_REQUEST -> new SyncRequest(in.id("site"), in.longValue("haveSeq"));
                    case HUB_TIME ->
                        new HubTime(
                                in.id("tenant"),
                                in.id("site"),
                                in.id("device"),
                                in.id("inReplyTo"),
                                in.has("reads") ? in.stringList("reads") : java.util.List.of());
                    case SNAPSHOT_CHUNK ->
                        new SnapshotChunk(
                                in.id("tenant"),
                                in.id("site"),
                                in.id("snapshotId"),
                                in.longValue("seq"),
                                in.intValue("index"),
                                in.intValue("count"),
                                EntityJson.readAll(in, "entities"));
                    case ACCESS_EVENT ->
                        new AccessEvent(
                                in.id("site"),
                                in.id("door", DoorId::new),
                                in.enumValue("presented", PresentedKind.class),
                                in.optString("cardHash"),
                                in.optId("credential", CredentialId::new),
                                in.optId("member", MemberId::new),
                                in.optId("pass", PassId::new),
                                in.bool("granted"),
                                in.optEnum("basis", GrantBasis.class),
                                in.optEnum("reason", DenyReason.class),
                                in.enumValue("clock", ClockStatus.class),
                                in.optId("grant", GrantId::new));
                    case DOOR_EVENT ->
                        new DoorEvent(
                                in.id("site"),
                                in.id("door", DoorId::new),
                                in.enumValue("kind", DoorEventKind.class),
                                in.optString("detail"));
                    case BOOKING_EVENT ->
                        new BookingEvent(
                                in.id("site"),
                                in.id("booking", BookingId::new),
                                in.enumValue("kind", BookingEventKind.class),
                                in.optId("member", MemberId::new),
                                in.optId("door", DoorId::new));
                    case KIOSK_EVENT ->
                        new KioskEvent(
                                in.id("site"),
                                in.id("kiosk"),
                                in.enumValue("kind", KioskEventKind.class),
                                in.optId("pass", PassId::new),
                                in.optId("member", MemberId::new),
                                in.optId("host", MemberId::new),
                                in.optString("name"),
                                in.optString("email"),
                                in.has("signature")
                                        ? Optional.of(readSignature(in.object("signature")))
                                        : Optional.empty(),
                                in.optString("voucher"),
                                in.bool("offline"));
                    case DEVICE_STATE ->
                        new DeviceState(
                                in.id("site"),
                                in.id("device"),
                                in.longValue("cacheSeq"),
                                in.enumValue("clock", ClockStatus.class),
                                in.longValue("outboxDepth"),
                                in.enumValue("health", Health.class),
                                in.stringList("problems"),
                                in.string("agentVersion"),
                                in.has("features") ? in.stringList("features") : java.util.List.of(),
                                in.has("rooms") ? in.list("rooms", MessageCodec::readRoom) : java.util.List.of());
                    case COMMAND ->
                        new Command(
                                in.id("tenant"),
                                in.id("site"),
                                in.instant("expiresAt"),
                                readAction(in.object("action")));
                    case COMMAND_ACK ->
                        new CommandAck(
                                in.id("commandId"),
                                in.enumValue("status", CommandStatus.class),
                                in.optString("detail"));
                    case EVENT_ACK -> new EventAck(in.stringList("eventIds"));
                };
        in.end();
        return message;
    }

    private static KioskSignature readSignature(JsonIn in) {
        KioskSignature signature = new KioskSignature(
                in.id("agreement"),
                in.intValue("version"),
                in.string("sha256"),
                in.string("renderedSha256"),
                in.string("signer"),
                in.stringMap("variables"));
        in.end();
        return signature;
    }

    private static JsonOut writeSignature(KioskSignature signature) {
        return new JsonOut()
                .put("agreement", signature.agreement())
                .put("version", signature.version())
                .put("sha256", signature.sha256())
                .put("renderedSha256", signature.renderedSha256())
                .put("signer", signature.signer())
                .map("variables", signature.variables());
    }

    private static RoomState readRoom(JsonNode node, String path) {
        JsonIn in = new JsonIn(node, path);
        RoomState room = new RoomState(
                in.id("room"),
                in.has("doors") ? in.stringSet("doors") : java.util.Set.of(),
                in.enumValue("mode", RoomState.Mode.class),
                in.optId("booking", id -> id),
                in.enumValue("presence", RoomState.Presence.class),
                in.stringMap("values"),
                in.stringSet("pending"),
                in.stringSet("overridden"),
                in.stringMap("faults"));
        in.end();
        return room;
    }

    private static Change readChange(JsonNode node, String path) {
        JsonIn in = new JsonIn(node, path);
        String op = in.string("op");
        Change change =
                switch (op) {
                    case "upsert" -> new Change.Upsert(EntityJson.read(nodeOf(in, node), in.field("entity")));
                    case "remove" -> new Change.Remove(in.enumValue("kind", EntityKind.class), in.id("id"));
                    default ->
                        throw JsonIn.bad(in.field("op") + " '" + Ids.printable(op) + "' is not one of: upsert, remove");
                };
        in.end();
        return change;
    }

    private static JsonNode nodeOf(JsonIn in, JsonNode parent) {
        in.object("entity"); // marks the field read and checks it is present, not null and an object
        return parent.get("entity");
    }

    private static CommandAction readAction(JsonIn in) {
        String type = in.string("type");
        CommandAction action =
                switch (type) {
                    case "unlock-once" ->
                        new CommandAction.UnlockOnce(in.id("door", DoorId::new), in.duration("unlockFor"));
                    case "lockdown" -> new CommandAction.Lockdown(readDoors(in), in.stringSet("allowedRoles"));
                    case "emergency-release" -> new CommandAction.EmergencyRelease(readDoors(in));
                    case "release" -> new CommandAction.Release(readDoors(in));
                    case "set-config" -> new CommandAction.SetConfig(in.stringMap("settings"));
                    default ->
                        throw JsonIn.bad(in.field("type") + " '" + Ids.printable(type)
                                + "' is not one of: unlock-once, lockdown, emergency-release, release, set-config");
                };
        in.end();
        return action;
    }

    private static DoorSelection readDoors(JsonIn in) {
        return new DoorSelection(in.bool("allDoors"), in.idSet("doors", DoorId::new));
    }

    private static JsonOut writePayload(Message message) {
        return switch (message) {
            case SyncBatch batch ->
                new JsonOut()
                        .put("tenant", batch.tenant())
                        .put("site", batch.site())
                        .put("fromSeq", batch.fromSeq())
                        .put("toSeq", batch.toSeq())
                        .objects(
                                "changes",
                                batch.changes().stream()
                                        .map(MessageCodec::writeChange)
                                        .toList());
            case SyncRequest request ->
                new JsonOut().put("site", request.site()).put("haveSeq", request.haveSeq());
            case HubTime time ->
                new JsonOut()
                        .put("tenant", time.tenant())
                        .put("site", time.site())
                        .put("device", time.device())
                        .put("inReplyTo", time.inReplyTo())
                        .optStrings("reads", time.reads());
            case SnapshotChunk chunk ->
                new JsonOut()
                        .put("tenant", chunk.tenant())
                        .put("site", chunk.site())
                        .put("snapshotId", chunk.snapshotId())
                        .put("seq", chunk.seq())
                        .put("index", chunk.index())
                        .put("count", chunk.count())
                        .objects(
                                "entities",
                                chunk.entities().stream().map(EntityJson::write).toList());
            case AccessEvent event ->
                new JsonOut()
                        .put("site", event.site())
                        .put("door", event.door())
                        .put("presented", event.presented())
                        .opt("cardHash", event.cardHash())
                        .opt("credential", event.credential())
                        .opt("member", event.member())
                        .opt("pass", event.pass())
                        .put("granted", event.granted())
                        .opt("basis", event.basis())
                        .opt("reason", event.reason())
                        .put("clock", event.clock())
                        .opt("grant", event.grant());
            case DoorEvent event ->
                new JsonOut()
                        .put("site", event.site())
                        .put("door", event.door())
                        .put("kind", event.kind())
                        .opt("detail", event.detail());
            case BookingEvent event ->
                new JsonOut()
                        .put("site", event.site())
                        .put("booking", event.booking())
                        .put("kind", event.kind())
                        .opt("member", event.member())
                        .opt("door", event.door());
            case KioskEvent event ->
                new JsonOut()
                        .put("site", event.site())
                        .put("kiosk", event.kiosk())
                        .put("kind", event.kind())
                        .opt("pass", event.pass())
                        .opt("member", event.member())
                        .opt("host", event.host())
                        .opt("name", event.name())
                        .opt("email", event.email())
                        .optChild("signature", event.signature().map(MessageCodec::writeSignature))
                        .opt("voucher", event.voucher())
                        .put("offline", event.offline());
            case DeviceState state -> deviceState(state);
            case Command command ->
                new JsonOut()
                        .put("tenant", command.tenant())
                        .put("site", command.site())
                        .put("expiresAt", command.expiresAt())
                        .put("action", writeAction(command.action()));
            case CommandAck ack ->
                new JsonOut()
                        .put("commandId", ack.commandId())
                        .put("status", ack.status())
                        .opt("detail", ack.detail());
            case EventAck ack -> new JsonOut().strings("eventIds", ack.eventIds());
        };
    }

    private static JsonOut writeChange(Change change) {
        return switch (change) {
            case Change.Upsert upsert ->
                new JsonOut().put("op", "upsert").put("entity", EntityJson.write(upsert.entity()));
            case Change.Remove remove ->
                new JsonOut().put("op", "remove").put("kind", remove.kind()).put("id", remove.key());
        };
    }

    private static JsonOut writeAction(CommandAction action) {
        return switch (action) {
            case CommandAction.UnlockOnce unlock ->
                new JsonOut()
                        .put("type", "unlock-once")
                        .put("door", unlock.door())
                        .put("unlockFor", unlock.unlockFor());
            case CommandAction.Lockdown lockdown ->
                new JsonOut()
                        .put("type", "lockdown")
                        .put("allDoors", lockdown.doors().allDoors())
                        .sorted("doors", lockdown.doors().doors())
                        .sorted("allowedRoles", lockdown.allowedRoles());
            case CommandAction.EmergencyRelease release ->
                new JsonOut()
                        .put("type", "emergency-release")
                        .put("allDoors", release.doors().allDoors())
                        .sorted("doors", release.doors().doors());
            case CommandAction.Release release ->
                new JsonOut()
                        .put("type", "release")
                        .put("allDoors", release.doors().allDoors())
                        .sorted("doors", release.doors().doors());
            case CommandAction.SetConfig config ->
                new JsonOut().put("type", "set-config").map("settings", config.settings());
        };
    }

    private static JsonOut deviceState(DeviceState state) {
        JsonOut out = new JsonOut()
                .put("site", state.site())
                .put("device", state.device())
                .put("cacheSeq", state.cacheSeq())
                .put("clock", state.clock())
                .put("outboxDepth", state.outboxDepth())
                .put("health", state.health())
                .strings("problems", state.problems())
                .put("agentVersion", state.agentVersion());
        // Written only when there are some, so a hub that predates features still reads the rest.
        out.optStrings("features", state.features());
        // Likewise rooms: an edge sends them only to a hub whose hub.time reads them.
        if (!state.rooms().isEmpty()) {
            out.objects("rooms", state.rooms().stream().map(MessageCodec::room).toList());
        }
        return out;
    }

    private static JsonOut room(RoomState room) {
        return new JsonOut()
                .put("room", room.room())
                .sorted("doors", room.doors())
                .put("mode", room.mode())
                .opt("booking", room.booking())
                .put("presence", room.presence())
                .map("values", room.values())
                .sorted("pending", room.pending())
                .sorted("overridden", room.overridden())
                .map("faults", room.faults());
    }
}
