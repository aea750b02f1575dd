package dev.gatehouse.hub.connectors.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.connectors.ConnectorSettings;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.TestHub;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Slack connector against a stand-in of Slack's Web API: the pre-flight finds a channel the bot
 * cannot see, is not in, or a refused token, and enabling waits for it; the chosen events post one
 * message each (an event taken twice posts once); a 429 with Retry-After pauses the connector that
 * long; an archived channel fails the job where the API shows it; other roles than owner are refused;
 * a post whose answer was lost is found in the channel's history by its metadata instead of posted
 * again, and the pre-flight asks for the history scope that needs. The framework's storage is covered
 * on both stores by the QuickBooks test; this runs on SQLite.
 */
class SlackConnectorTest {
    private static final String PATH = "/api/v1/connectors/slack";

    static MovableClock clock;
    static SlackStandIn slack;
    static TestHub hub;

    private TestHub.Tenant tenant;
    private String channel;

    @BeforeAll
    static void start() {
        clock = MovableClock.standingStill();
        clock.moveTo(Instant.parse("2027-03-10T08:00:00Z"));
        slack = new SlackStandIn(clock);
        hub = TestHub.start(
                StoreKind.SQLITE,
                clock,
                Optional.empty(),
                dev.gatehouse.hub.mqtt.MqttSettings.disabled(),
                config -> config.withConnectors(
                        ConnectorSettings.defaults().withBase(ConnectorSettings.SLACK, slack.base())));
    }

    @AfterAll
    static void stop() {
        hub.close();
        slack.close();
    }

    private static int channels;

    @BeforeEach
    void newTenantAndChannel() {
        tenant = hub.newTenant("slack");
        channel = "C0FRONT" + (++channels);
        slack.channel(channel, "front-desk-" + channels, true, false);
    }

    private Api api() {
        return hub.api();
    }

    private void enable() {
        Api.Response put = api().put(
                        PATH,
                        tenant.token(),
                        "{\"channel\":\"" + channel + "\",\"botToken\":\"" + SlackStandIn.TOKEN + "\"}");
        assertThat(put.status()).as(put.toString()).isEqualTo(200);
        Api.Response enabled = api().post(PATH + "/enable", tenant.token(), "");
        assertThat(enabled.status()).as(enabled.toString()).isEqualTo(200);
    }

    private String member(String name) {
        return hub.create(
                "/api/v1/members",
                tenant.token(),
                "{\"email\":\"" + name + "@" + tenant.slug() + ".example\",\"fullName\":\"" + name + "\"}");
    }

    private List<JsonNode> jobs(String status) {
        List<JsonNode> items = new ArrayList<>();
        api().get(PATH + "/jobs" + (status.isEmpty() ? "" : "?status=" + status), tenant.token())
                .json()
                .get("items")
                .forEach(items::add);
        return items;
    }

    @Test
    void onlyOwnersSeeOrChangeConnectors() {
        enable();
        for (String role : List.of("site-manager", "finance", "front-desk")) {
            Api.Response made = api().post(
                            "/api/v1/tokens",
                            tenant.token(),
                            "{\"name\":\"" + role + "\",\"role\":\"" + role + "\",\"sites\":[]}");
            assertThat(made.status()).as(made.toString()).isEqualTo(201);
            String token = made.json().get("token").asText();
            assertThat(api().get("/api/v1/connectors", token).status()).as(role).isEqualTo(403);
            assertThat(api().put(PATH, token, "{\"channel\":\"C0OTHER\"}").status())
                    .as(role)
                    .isEqualTo(403);
            assertThat(api().post(PATH + "/disable", token, "").status())
                    .as(role)
                    .isEqualTo(403);
        }
        JsonNode shown = api().get(PATH, tenant.token()).json();
        assertThat(shown.get("enabled").asBoolean()).isTrue();
        assertThat(shown.at("/settings/channel").asText()).isEqualTo(channel);
    }

    @Test
    void badSettingsAreRefusedWithWhatToFix() {
        Api.Response refused = api().put(
                        PATH,
                        tenant.token(),
                        "{\"channel\":\"#general\",\"eventTypes\":[\"member.created\",\"lunch\"]}");
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.text()).contains("channel id", "eventTypes[1]");
        assertThat(api().get(PATH, tenant.token()).json().get("configured").asBoolean())
                .isFalse();
    }

    @Test
    void preflightFindsTheChannelTheBotAndTheTokenAndEnablingWaitsForThem() {
        api().put(PATH, tenant.token(), "{\"channel\":\"C0NOWHERE\",\"botToken\":\"xoxb-wrong\"}");
        JsonNode wrongToken = api().get(PATH + "/preflight", tenant.token()).json();
        assertThat(wrongToken.get("mismatches").findValuesAsText("code")).containsExactly("token");
        assertThat(wrongToken.toString()).contains("invalid_auth");

        api().put(PATH, tenant.token(), "{\"botToken\":\"" + SlackStandIn.TOKEN + "\"}");
        assertThat(api().get(PATH + "/preflight", tenant.token())
                        .json()
                        .get("mismatches")
                        .findValuesAsText("code"))
                .containsExactly("channel-not-found");

        String outside = channel + "X";
        slack.channel(outside, "members-lounge", false, false);
        api().put(PATH, tenant.token(), "{\"channel\":\"" + outside + "\"}");
        Api.Response refused = api().post(PATH + "/enable", tenant.token(), "");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("mismatches").findValuesAsText("code")).containsExactly("bot-not-in-channel");
        assertThat(refused.text()).contains("#members-lounge", "/invite");

        slack.channel(outside, "members-lounge", true, false);
        assertThat(api().post(PATH + "/enable", tenant.token(), "").status()).isEqualTo(200);
        // The bot token is sealed and never shown.
        String shown = api().get(PATH, tenant.token()).text()
                + api().get("/api/v1/audit", tenant.token()).text();
        assertThat(shown).contains("botToken").doesNotContain(SlackStandIn.TOKEN);
    }

    @Test
    void theChosenEventsPostOneMessageEachEvenWhenTakenTwice() {
        enable();
        String ada = member("Ada");
        await().atMost(Duration.ofSeconds(20)).until(() -> slack.posted(channel).size() == 1);
        assertThat(slack.posted(channel).getFirst().text())
                .isEqualTo("New member: Ada (ada@" + tenant.slug() + ".example)");
        // member.updated is not among the default types: no message.
        api().patch("/api/v1/members/" + ada, tenant.token(), "{\"fullName\":\"Ada L\"}");
        api().patch("/api/v1/members/" + ada, tenant.token(), "{\"status\":\"cancelled\"}");
        await().atMost(Duration.ofSeconds(20)).until(() -> slack.posted(channel).size() == 2);
        assertThat(slack.posted(channel).get(1).text()).isEqualTo("Member cancelled: Ada L");
        await().atMost(Duration.ofSeconds(10)).until(() -> jobs("pending").isEmpty());
        assertThat(jobs("done")).extracting(j -> j.get("result").asText()).allMatch(r -> r.startsWith("applied as "));

        // The events read again after the cursor went back: no new job, no second message.
        hub.hub()
                .database()
                .run(c -> Sql.update(
                        c,
                        "UPDATE outbox_cursors SET seq = 1 WHERE consumer = 'connector-slack' AND tenant_id = ?",
                        tenant.id()));
        hub.hub().connectors().pass();
        assertThat(jobs("")).hasSize(2);
        assertThat(slack.posted(channel)).hasSize(2);
    }

    @Test
    void aRateLimitedPostWaitsAsLongAsRetryAfterSays() {
        enable();
        slack.rateLimitNext(1, 30);
        member("Grace");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> api().get(PATH, tenant.token()).json().hasNonNull("pausedUntil"));
        JsonNode shown = api().get(PATH, tenant.token()).json();
        assertThat(Instant.parse(shown.get("pausedUntil").asText()))
                .isEqualTo(clock.instant().plusSeconds(30));
        assertThat(shown.get("lastError").asText()).contains("429", "30 s");
        hub.hub().connectors().pass();
        assertThat(slack.posted(channel)).isEmpty();

        clock.advance(Duration.ofSeconds(30));
        hub.hub().connectors().wake();
        await().atMost(Duration.ofSeconds(20)).until(() -> slack.posted(channel).size() == 1);
        // A 429 is an answer that nothing was posted: tried again without looking in the history.
        assertThat(historyReads()).isEmpty();
    }

    private List<SlackStandIn.Request> historyReads() {
        return slack.requests("GET", "/conversations.history").stream()
                .filter(r -> channel.equals(r.query().get("channel")))
                // the pre-flight reads one message to check the scope; these look for a lost post
                .filter(r -> r.query().containsKey("include_all_metadata"))
                .toList();
    }

    @Test
    void aPostWhoseAnswerWasLostIsFoundByItsMetadataAndNotPostedAgain() {
        // chat.postMessage takes no idempotency key: Slack posted, the connection broke before the answer.
        enable();
        slack.loseNextAnswers(1, r -> r.path().endsWith("/chat.postMessage"));
        member("Hedy");
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        !jobs("pending").isEmpty() && jobs("pending").getFirst().hasNonNull("lastError"));
        assertThat(slack.posted(channel)).hasSize(1);
        SlackStandIn.Posted first = slack.posted(channel).getFirst();
        assertThat(first.metadata().path("event_type").asText()).isEqualTo("gatehouse_event");
        String eventId = first.metadata().at("/event_payload/event_id").asText();
        assertThat(eventId).isNotBlank();

        clock.advance(
                dev.gatehouse.hub.connectors.ConnectorStore.BACKOFF.getFirst().plusSeconds(1));
        hub.hub().connectors().wake();
        await().atMost(Duration.ofSeconds(20)).until(() -> jobs("pending").isEmpty());

        // Exactly one message, and the job took its ts from the history instead of posting again.
        assertThat(slack.posted(channel)).hasSize(1);
        assertThat(jobs("done")).extracting(j -> j.get("result").asText()).containsExactly("applied as " + first.ts());
        List<SlackStandIn.Request> reads = historyReads();
        assertThat(reads).hasSize(1);
        assertThat(reads.getFirst().query())
                .containsEntry("include_all_metadata", "true")
                .containsKey("oldest")
                .containsKey("limit");
        // From before the first attempt (less the margin), so the lost post is inside the window.
        assertThat(new java.math.BigDecimal(reads.getFirst().query().get("oldest")))
                .isLessThan(new java.math.BigDecimal(first.ts()));
    }

    @Test
    void aLostAnswerWhoseMessageNeverArrivedIsPostedOnceOnTheRetry() {
        // A 5xx where Slack did not post: the history has no such message, so the retry posts it.
        enable();
        slack.failNextPosts(1);
        member("Katherine");
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        !jobs("pending").isEmpty() && jobs("pending").getFirst().hasNonNull("lastError"));
        assertThat(slack.posted(channel)).isEmpty();

        clock.advance(
                dev.gatehouse.hub.connectors.ConnectorStore.BACKOFF.getFirst().plusSeconds(1));
        hub.hub().connectors().wake();
        await().atMost(Duration.ofSeconds(20)).until(() -> jobs("pending").isEmpty());
        assertThat(slack.posted(channel)).hasSize(1);
        assertThat(historyReads()).hasSize(1);
    }

    @Test
    void preflightAsksForTheHistoryScopeThatFindsALostPost() {
        slack.withoutScope("channels:history");
        try {
            api().put(
                            PATH,
                            tenant.token(),
                            "{\"channel\":\"" + channel + "\",\"botToken\":\"" + SlackStandIn.TOKEN + "\"}");
            Api.Response refused = api().post(PATH + "/enable", tenant.token(), "");
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.json().get("mismatches").findValuesAsText("code"))
                    .containsExactly("scope-missing");
            assertThat(refused.text()).contains("channels:history", "Bot Token Scopes", "reinstall");
        } finally {
            slack.withScope("channels:history");
        }
        assertThat(api().post(PATH + "/enable", tenant.token(), "").status()).isEqualTo(200);
    }

    @Test
    void anArchivedChannelFailsTheJobWhereTheApiShowsIt() {
        enable();
        slack.channel(channel, "front-desk-old", true, true);
        member("Linus");
        await().atMost(Duration.ofSeconds(20)).until(() -> jobs("failed").size() == 1);
        assertThat(jobs("failed").getFirst().get("lastError").asText()).contains("is_archived");
        assertThat(api().get(PATH, tenant.token()).json().at("/jobs/failed").asInt())
                .isEqualTo(1);
        assertThat(api().get(PATH + "/preflight", tenant.token())
                        .json()
                        .get("mismatches")
                        .findValuesAsText("code"))
                .containsExactly("channel-archived");
    }
}
