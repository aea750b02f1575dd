package dev.gatehouse.hub.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.Command;
import dev.gatehouse.protocol.message.CommandAction;
import dev.gatehouse.protocol.message.Envelope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A command action in its protocol JSON form ({@code {"type":"unlock-once","door":…,"unlockFor":"PT5S"}}),
 * read and written by the protocol's own codec (through a command envelope), so the API accepts
 * exactly what an edge would.
 */
final class CommandActions {
    private static final Instant SOME_TIME = Instant.parse("2026-01-01T00:00:00Z");

    private CommandActions() {}

    /** Reads an action; a {@link ProtocolException} says what is wrong with it. */
    static CommandAction read(JsonNode action) {
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        payload.put("tenant", "t")
                .put("site", "s")
                .put("expiresAt", SOME_TIME.plusSeconds(60).toString());
        payload.set("action", action);
        ObjectNode envelope = JsonNodeFactory.instance.objectNode();
        envelope.put("v", Envelope.VERSION)
                .put("type", "command")
                .put("id", "cmd")
                .put("time", SOME_TIME.toString());
        envelope.set("payload", payload);
        return MessageCodec.decode(envelope.toString().getBytes(StandardCharsets.UTF_8))
                .payloadAs(Command.class)
                .action();
    }

    /** The action's protocol JSON, as text. */
    static String write(CommandAction action) {
        return node(action).toString();
    }

    static JsonNode node(CommandAction action) {
        String envelope = MessageCodec.encodeToString(
                new Envelope("cmd", SOME_TIME, new Command("t", "s", SOME_TIME.plusSeconds(60), action)));
        try {
            return Json.MAPPER.readTree(envelope).at("/payload/action");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("stored command action is not JSON", e);
        }
    }
}
