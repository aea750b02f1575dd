package dev.gatehouse.hub.connectors.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.connectors.StandIn;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Slack's Web API as documented for a bot token: {@code auth.test}, {@code conversations.info} and
 * {@code chat.postMessage} under {@code /api/}. Errors are HTTP 200 with {@code {"ok": false, "error"}}
 * ({@code invalid_auth}, {@code channel_not_found}, {@code not_in_channel}, {@code is_archived}); rate
 * limiting is HTTP 429 with {@code Retry-After} in seconds and {@code {"ok": false, "error": "ratelimited"}}.
 */
public final class SlackStandIn extends StandIn {
    public static final String TOKEN = "xoxb-1111-2222-gatehouse-test";

    /** A channel: its name, whether the bot is in it, whether it is archived. */
    private record Channel(String name, boolean member, boolean archived) {}

    /** A posted message. */
    public record Posted(String channel, String text, String ts) {}

    private final Map<String, Channel> channels = new LinkedHashMap<>();
    private final List<Posted> posted = new ArrayList<>();
    private int limited;
    private int retryAfter;
    private long ts = 1_700_000_000L;

    public synchronized void channel(String id, String name, boolean botIsMember, boolean archived) {
        channels.put(id, new Channel(name, botIsMember, archived));
    }

    /** The next {@code calls} calls answer 429 with {@code Retry-After: seconds}. */
    public synchronized void rateLimitNext(int calls, int seconds) {
        limited = calls;
        retryAfter = seconds;
    }

    public synchronized List<Posted> posted(String channel) {
        return posted.stream().filter(p -> p.channel().equals(channel)).toList();
    }

    @Override
    protected synchronized Answer answer(Request request, String authorization) {
        if (limited > 0) {
            limited--;
            return new Answer(
                    429,
                    Map.of("content-type", "application/json", "retry-after", Integer.toString(retryAfter)),
                    "{\"ok\":false,\"error\":\"ratelimited\"}");
        }
        if (!request.bearer().equals(TOKEN)) {
            return Answer.json(200, Map.of("ok", false, "error", "invalid_auth"));
        }
        return switch (request.path()) {
            case "/api/auth.test" ->
                Answer.json(200, Map.of("ok", true, "team", "Gatehouse test", "user", "gatehouse", "bot_id", "B0TEST"));
            case "/api/conversations.info" -> info(request.query().getOrDefault("channel", ""));
            case "/api/chat.postMessage" -> post(request.json());
            default -> Answer.json(404, Map.of("ok", false, "error", "unknown_method"));
        };
    }

    private Answer info(String id) {
        Channel channel = channels.get(id);
        if (channel == null) {
            return Answer.json(200, Map.of("ok", false, "error", "channel_not_found"));
        }
        ObjectNode answer = JSON.createObjectNode().put("ok", true);
        answer.putObject("channel")
                .put("id", id)
                .put("name", channel.name())
                .put("is_channel", true)
                .put("is_archived", channel.archived())
                .put("is_member", channel.member());
        return Answer.json(200, answer);
    }

    private Answer post(JsonNode body) {
        String id = body.path("channel").asText();
        Channel channel = channels.get(id);
        if (channel == null) {
            return Answer.json(200, Map.of("ok", false, "error", "channel_not_found"));
        }
        if (channel.archived()) {
            return Answer.json(200, Map.of("ok", false, "error", "is_archived"));
        }
        if (!channel.member()) {
            return Answer.json(200, Map.of("ok", false, "error", "not_in_channel"));
        }
        if (body.path("text").asText().isEmpty()) {
            return Answer.json(200, Map.of("ok", false, "error", "no_text"));
        }
        String stamp = (ts++) + ".000100";
        posted.add(new Posted(id, body.get("text").asText(), stamp));
        ObjectNode answer =
                JSON.createObjectNode().put("ok", true).put("channel", id).put("ts", stamp);
        answer.putObject("message").put("text", body.get("text").asText()).put("type", "message");
        return Answer.json(200, answer);
    }
}
