package dev.gatehouse.hub.connectors.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.connectors.StandIn;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Slack's Web API as documented for a bot token: {@code auth.test}, {@code conversations.info},
 * {@code chat.postMessage} (with optional message {@code metadata}: {@code event_type} and {@code
 * event_payload}) and {@code conversations.history} under {@code /api/}. Errors are HTTP 200 with
 * {@code {"ok": false, "error"}} ({@code invalid_auth}, {@code channel_not_found}, {@code not_in_channel},
 * {@code is_archived}, {@code missing_scope} with {@code needed} and {@code provided}); rate limiting is
 * HTTP 429 with {@code Retry-After} in seconds and {@code {"ok": false, "error": "ratelimited"}}.
 *
 * <p>{@code conversations.history} as documented: the bot token needs {@code channels:history} ({@code
 * groups:history} for a G channel) and the bot must be in the channel; messages newest first, only those
 * after {@code oldest} (a Unix time with microseconds, exclusive unless {@code inclusive}), at most
 * {@code limit} (default 100, at most 999) per page with {@code has_more} and {@code
 * response_metadata.next_cursor} for the next, each message's {@code metadata} only with {@code
 * include_all_metadata=true}. A test drops an answer after the post was made with {@link #loseNextAnswers}.
 */
public final class SlackStandIn extends StandIn {
    public static final String TOKEN = "xoxb-1111-2222-gatehouse-test";

    /** A channel: its name, whether the bot is in it, whether it is archived. */
    private record Channel(String name, boolean member, boolean archived) {}

    /** A posted message, with its metadata (a missing node when it had none). */
    public record Posted(String channel, String text, String ts, JsonNode metadata) {}

    /** The scopes of {@link #TOKEN}'s app (what {@code missing_scope} reports as {@code provided}). */
    private final java.util.Set<String> scopes = new java.util.TreeSet<>(
            List.of("chat:write", "channels:read", "groups:read", "channels:history", "groups:history"));

    private final Map<String, Channel> channels = new LinkedHashMap<>();
    private final List<Posted> posted = new ArrayList<>();
    private int limited;
    private int failing;
    private int retryAfter;
    /** Slack's clock: a message's {@code ts} is its time, in microseconds, unique in the stand-in. */
    private final java.time.Clock clock;

    private long lastMicros;

    public SlackStandIn() {
        this(java.time.Clock.systemUTC());
    }

    public SlackStandIn(java.time.Clock clock) {
        this.clock = clock;
    }

    private String stamp() {
        java.time.Instant now = clock.instant();
        lastMicros = Math.max(now.getEpochSecond() * 1_000_000 + now.getNano() / 1000, lastMicros + 1);
        return lastMicros / 1_000_000 + "." + String.format("%06d", lastMicros % 1_000_000);
    }

    public synchronized void channel(String id, String name, boolean botIsMember, boolean archived) {
        channels.put(id, new Channel(name, botIsMember, archived));
    }

    /** The next {@code calls} calls answer 429 with {@code Retry-After: seconds}. */
    public synchronized void rateLimitNext(int calls, int seconds) {
        limited = calls;
        retryAfter = seconds;
    }

    /** The next {@code posts} posts fail with HTTP 503 before anything is posted. */
    public synchronized void failNextPosts(int posts) {
        failing = posts;
    }

    /** Takes a scope away from the bot token's app (as if the app was installed without it). */
    public synchronized void withoutScope(String scope) {
        scopes.remove(scope);
    }

    public synchronized void withScope(String scope) {
        scopes.add(scope);
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
            case "/api/conversations.history" -> history(request.query());
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
        if (failing > 0) {
            failing--;
            return Answer.json(503, Map.of("ok", false, "error", "service_unavailable"));
        }
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
        JsonNode metadata = body.path("metadata");
        if (!metadata.isMissingNode()
                && (!metadata.path("event_type").isTextual()
                        || !metadata.path("event_payload").isObject())) {
            return Answer.json(200, Map.of("ok", false, "error", "invalid_metadata_format"));
        }
        String stamp = stamp();
        posted.add(new Posted(id, body.get("text").asText(), stamp, metadata));
        ObjectNode answer =
                JSON.createObjectNode().put("ok", true).put("channel", id).put("ts", stamp);
        answer.putObject("message").put("text", body.get("text").asText()).put("type", "message");
        return Answer.json(200, answer);
    }

    private Answer history(Map<String, String> query) {
        String id = query.getOrDefault("channel", "");
        String needed = id.startsWith("G") ? "groups:history" : "channels:history";
        if (!scopes.contains(needed)) {
            ObjectNode answer = JSON.createObjectNode()
                    .put("ok", false)
                    .put("error", "missing_scope")
                    .put("needed", needed)
                    .put("provided", String.join(",", scopes));
            return Answer.json(200, answer);
        }
        Channel channel = channels.get(id);
        if (channel == null) {
            return Answer.json(200, Map.of("ok", false, "error", "channel_not_found"));
        }
        if (!channel.member()) {
            return Answer.json(200, Map.of("ok", false, "error", "not_in_channel"));
        }
        boolean inclusive = "true".equals(query.get("inclusive")) || "1".equals(query.get("inclusive"));
        java.math.BigDecimal oldest = new java.math.BigDecimal(query.getOrDefault("oldest", "0"));
        int limit = Math.min(999, Math.max(1, Integer.parseInt(query.getOrDefault("limit", "100"))));
        boolean metadata = "true".equals(query.get("include_all_metadata"));
        List<Posted> newestFirst = new ArrayList<>();
        for (Posted message : posted) {
            int order = new java.math.BigDecimal(message.ts()).compareTo(oldest);
            if (message.channel().equals(id) && (order > 0 || (inclusive && order == 0))) {
                newestFirst.addFirst(message);
            }
        }
        int from = query.containsKey("cursor")
                ? Integer.parseInt(new String(
                                java.util.Base64.getDecoder().decode(query.get("cursor")),
                                java.nio.charset.StandardCharsets.UTF_8)
                        .substring("next:".length()))
                : 0;
        int to = Math.min(newestFirst.size(), from + limit);
        ObjectNode answer = JSON.createObjectNode().put("ok", true);
        var messages = answer.putArray("messages");
        for (Posted message : newestFirst.subList(Math.min(from, to), to)) {
            ObjectNode item = messages.addObject()
                    .put("type", "message")
                    .put("subtype", "bot_message")
                    .put("text", message.text())
                    .put("ts", message.ts())
                    .put("bot_id", "B0TEST");
            if (metadata && !message.metadata().isMissingNode()) {
                item.set("metadata", message.metadata());
            }
        }
        boolean more = to < newestFirst.size();
        answer.put("has_more", more).put("pin_count", 0);
        answer.putObject("response_metadata")
                .put(
                        "next_cursor",
                        more
                                ? java.util.Base64.getEncoder()
                                        .encodeToString(
                                                ("next:" + to).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                                : "");
        return Answer.json(200, answer);
    }
}
