package dev.gatehouse.hub.connectors.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.connectors.Connector;
import dev.gatehouse.hub.connectors.ConnectorException;
import dev.gatehouse.hub.connectors.ConnectorSettings;
import dev.gatehouse.hub.connectors.Credentials;
import dev.gatehouse.hub.connectors.Job;
import dev.gatehouse.hub.connectors.RemoteApi;
import dev.gatehouse.hub.connectors.Session;
import dev.gatehouse.hub.outbox.EventType;
import dev.gatehouse.hub.outbox.OutboxEvent;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Slack: the tenant's chosen events as messages in one channel ({@code chat.postMessage} with a bot
 * token, which does not expire). Each event is one message, mapped to its {@code ts}, so an event taken
 * twice is posted once. Slack answers HTTP 200 with {@code "ok": false} for its errors, and 429 with
 * {@code Retry-After} when rate limited (about one message per second per channel).
 *
 * <p>At most once per event, although {@code chat.postMessage} takes no idempotency key: each message
 * carries the event's id in its metadata ({@code event_type} {@value #EVENT_TYPE}, {@code
 * event_payload.event_id}), and before posting again for a job whose earlier attempt may have been
 * carried out without the answer reaching the hub ({@link Job#unsureSince}: a timeout, a broken
 * connection, a 5xx, Slack's own {@code internal_error}/{@code fatal_error}, the hub stopped during
 * the call) it reads the channel's history from then (less {@link #MARGIN}) with {@code
 * include_all_metadata} and takes a message carrying that event id as the one posted (its {@code ts}).
 * A definite failure (a refusal, a 429) is tried again without looking. That needs the bot's {@code
 * channels:history} scope ({@code groups:history} for a private channel), which the pre-flight checks.
 *
 * <p>Settings: {@code channel} (a channel id such as {@code C0123ABCD}), {@code eventTypes} (wire names;
 * member, booking, door and payment events unless set). Secret: {@code botToken} ({@code xoxb-…}).
 */
public final class SlackConnector implements Connector {
    static final String BOT_TOKEN = "botToken";
    static final String MESSAGE = "message";
    /** The metadata event type of Gatehouse's messages. */
    static final String EVENT_TYPE = "gatehouse_event";
    /** How far before the first unsure attempt to look: Slack's clock against the hub's. */
    static final java.time.Duration MARGIN = java.time.Duration.ofMinutes(5);
    /** Messages per page of history; Slack recommends no more than 200. */
    static final int PAGE = 200;
    /** Pages of history read at most when looking for a message (a busy channel's day at 200 a page). */
    static final int MAX_PAGES = 50;

    /** What a channel hears when the settings name no event types. */
    static final Set<EventType> DEFAULT_TYPES = EnumSet.of(
            EventType.MEMBER_CREATED,
            EventType.MEMBER_CANCELLED,
            EventType.BOOKING_CREATED,
            EventType.DOOR_FORCED_OPEN,
            EventType.DOOR_HELD_OPEN,
            EventType.DEVICE_OFFLINE,
            EventType.PAYMENT_RECORDED);

    @Override
    public String name() {
        return ConnectorSettings.SLACK;
    }

    @Override
    public String title() {
        return "Slack";
    }

    @Override
    public List<String> settingFields() {
        return List.of("channel", "eventTypes");
    }

    @Override
    public Set<String> secretFields() {
        return Set.of(BOT_TOKEN);
    }

    @Override
    public Optional<String> oauthScopes() {
        return Optional.empty();
    }

    @Override
    public Optional<String> staticToken(Credentials credentials) {
        return credentials.get(BOT_TOKEN);
    }

    @Override
    public ObjectNode settings(Input input, ObjectNode current) {
        if (input.has("channel")) {
            String channel = input.optionalText("channel", 40).orElse("");
            if (!channel.matches("[CGD][A-Z0-9]{2,39}")) {
                input.error(
                        "channel",
                        "'" + channel + "' is not a Slack channel id; copy it from the channel's details"
                                + " (it starts with C, G or D: C0123ABCD)");
            } else {
                current.put("channel", channel);
            }
        }
        if (input.has("eventTypes")) {
            List<JsonNode> items = input.array("eventTypes", EventType.values().length);
            ArrayNode types = Json.MAPPER.createArrayNode();
            for (int i = 0; i < items.size(); i++) {
                Optional<EventType> type =
                        items.get(i).isTextual() ? EventType.parse(items.get(i).asText()) : Optional.empty();
                if (type.isEmpty()) {
                    input.error(
                            "eventTypes[" + i + "]",
                            "'" + items.get(i).asText()
                                    + "' is not an event type (see GET /api/v1/webhook-event-types)");
                } else {
                    types.add(type.get().wire());
                }
            }
            current.set("eventTypes", types);
        }
        return current;
    }

    private static Set<EventType> types(JsonNode settings) {
        if (!settings.path("eventTypes").isArray() || settings.get("eventTypes").isEmpty()) {
            return DEFAULT_TYPES;
        }
        Set<EventType> types = EnumSet.noneOf(EventType.class);
        settings.get("eventTypes").forEach(t -> EventType.parse(t.asText()).ifPresent(types::add));
        return types;
    }

    @Override
    public Optional<Work> work(OutboxEvent event, JsonNode settings) {
        return EventType.parse(event.type())
                .filter(types(settings)::contains)
                .map(type -> new Work(MESSAGE, event.id(), OptionalLong.empty()));
    }

    @Override
    public Result apply(Session session, Job job) {
        if (job.unsureSince().isPresent()) {
            Optional<String> posted =
                    posted(session, job.eventId(), job.unsureSince().get().minus(MARGIN));
            if (posted.isPresent()) {
                return new Applied(posted.get(), Optional.empty());
            }
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("channel", session.settings().path("channel").asText());
        body.put("text", Messages.text(job.eventType(), job.data()));
        body.put("unfurl_links", false);
        ObjectNode metadata = body.putObject("metadata");
        metadata.put("event_type", EVENT_TYPE);
        metadata.putObject("event_payload").put("event_id", job.eventId());
        JsonNode answer = call(session, session.api().post(uri(session, "chat.postMessage"), body));
        return new Applied(answer.path("ts").asText(), Optional.empty());
    }

    /**
     * The {@code ts} of the channel's message carrying {@code eventId} in its metadata, posted since
     * {@code since}; empty when there is none. Reads {@code conversations.history} newest first, a page
     * at a time, at most {@link #MAX_PAGES} pages (then the job fails: someone looks in the channel).
     */
    static Optional<String> posted(Session session, String eventId, java.time.Instant since) {
        String channel = session.settings().path("channel").asText();
        String oldest = since.getEpochSecond() + "." + String.format("%06d", since.getNano() / 1000);
        String cursor = "";
        for (int page = 0; page < MAX_PAGES; page++) {
            JsonNode answer = call(
                    session,
                    session.api()
                            .get(uri(
                                    session,
                                    "conversations.history?channel=" + encode(channel) + "&oldest=" + oldest
                                            + "&include_all_metadata=true&limit=" + PAGE
                                            + (cursor.isEmpty() ? "" : "&cursor=" + encode(cursor)))));
            for (JsonNode message : answer.path("messages")) {
                JsonNode metadata = message.path("metadata");
                if (EVENT_TYPE.equals(metadata.path("event_type").asText())
                        && eventId.equals(
                                metadata.path("event_payload").path("event_id").asText())
                        && message.path("ts").isTextual()) {
                    return Optional.of(message.get("ts").asText());
                }
            }
            cursor = answer.path("response_metadata").path("next_cursor").asText("");
            if (!answer.path("has_more").asBoolean(false) || cursor.isEmpty()) {
                return Optional.empty();
            }
        }
        throw new ConnectorException(
                ConnectorException.Kind.REJECTED,
                "could not tell whether the message for event " + eventId + " was posted: more than "
                        + MAX_PAGES * PAGE + " messages in the channel since its first attempt; look in the"
                        + " channel, then retry the job (it looks again) or leave it");
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static URI uri(Session session, String method) {
        return URI.create(session.endpoints().api() + "/" + method);
    }

    /** Slack's answer when {@code ok}, else its {@code error} as the failure it means. */
    private static JsonNode call(Session session, RemoteApi.Response response) {
        JsonNode body = response.body();
        if (response.ok() && body.path("ok").asBoolean(false)) {
            return body;
        }
        String error = body.path("error").asText("HTTP " + response.status());
        ConnectorException.Kind kind =
                switch (error) {
                    case "invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive" ->
                        ConnectorException.Kind.UNAUTHORIZED;
                    case "internal_error", "fatal_error", "service_unavailable", "request_timeout" ->
                        ConnectorException.Kind.UNAVAILABLE;
                    default -> ConnectorException.Kind.REJECTED;
                };
        String channel = session.settings().path("channel").asText();
        String message =
                switch (error) {
                    case "channel_not_found" ->
                        "Slack has no channel " + channel + " the bot can see (channel_not_found)";
                    case "not_in_channel" ->
                        "the bot is not in channel " + channel + ": invite it with /invite @your-bot (not_in_channel)";
                    case "missing_scope" ->
                        "the Slack app lacks the " + body.path("needed").asText("?") + " scope: add it under"
                                + " OAuth & Permissions, Bot Token Scopes, reinstall the app and give its new bot"
                                + " token (missing_scope)";
                    default -> "Slack refused the message (" + error + ")";
                };
        throw new ConnectorException(kind, message);
    }

    @Override
    public List<Mismatch> preflight(Session session) {
        List<Mismatch> problems = new ArrayList<>();
        if (!session.settings().path("channel").isTextual()) {
            problems.add(new Mismatch("channel-missing", "channel", "no channel: set channel to a channel id"));
            return problems;
        }
        String channel = session.settings().get("channel").asText();
        try {
            call(session, session.api().post(uri(session, "auth.test"), Json.MAPPER.createObjectNode()));
        } catch (ConnectorException e) {
            problems.add(new Mismatch("token", BOT_TOKEN, "Slack refused the bot token: " + e.getMessage()));
            return problems;
        }
        RemoteApi.Response info = session.api()
                .get(uri(session, "conversations.info?channel=" + URLEncoder.encode(channel, StandardCharsets.UTF_8)));
        JsonNode body = info.body();
        if (!body.path("ok").asBoolean(false)) {
            String error = body.path("error").asText("HTTP " + info.status());
            problems.add(new Mismatch(
                    error.equals("channel_not_found") ? "channel-not-found" : "channel",
                    "channel",
                    error.equals("channel_not_found")
                            ? "Slack has no channel " + channel + " the bot can see"
                            : "Slack could not show channel " + channel + " (" + error + ")"));
            return problems;
        }
        JsonNode found = body.path("channel");
        if (found.path("is_archived").asBoolean(false)) {
            problems.add(new Mismatch(
                    "channel-archived",
                    "channel",
                    "channel #" + found.path("name").asText() + " is archived"));
        }
        if (!found.path("is_member").asBoolean(false)) {
            problems.add(new Mismatch(
                    "bot-not-in-channel",
                    "channel",
                    "the bot is not in #" + found.path("name").asText() + ": invite it with /invite @your-bot"));
            return problems;
        }
        // Reading the history is how a post whose answer was lost is found instead of posted twice.
        RemoteApi.Response history =
                session.api().get(uri(session, "conversations.history?channel=" + encode(channel) + "&limit=1"));
        String error = history.body().path("ok").asBoolean(false)
                ? ""
                : history.body().path("error").asText("HTTP " + history.status());
        if (error.equals("missing_scope")) {
            String needed = history.body()
                    .path("needed")
                    .asText(found.path("is_private").asBoolean(false) ? "groups:history" : "channels:history");
            problems.add(new Mismatch(
                    "scope-missing",
                    BOT_TOKEN,
                    "the bot token lacks the " + needed + " scope, which the connector needs to find a message"
                            + " whose answer was lost instead of posting it twice: add " + needed + " under"
                            + " OAuth & Permissions, Bot Token Scopes, reinstall the app to the workspace and give"
                            + " the new bot token"));
        } else if (!error.isEmpty()) {
            problems.add(new Mismatch(
                    "history",
                    "channel",
                    "Slack would not show the history of #" + found.path("name").asText() + " (" + error + ")"));
        }
        return problems;
    }
}
