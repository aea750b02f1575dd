package dev.gatehouse.edge.kiosk;

import static dev.gatehouse.edge.agent.DemoSite.DOOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.edge.agent.EdgeAgent;
import dev.gatehouse.edge.console.KioskPairing;
import dev.gatehouse.edge.testing.MutableClock;
import dev.gatehouse.protocol.message.AccessEvent;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.KioskEvent;
import dev.gatehouse.protocol.message.KioskSignature;
import dev.gatehouse.protocol.model.Agreement;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.model.WifiVoucher;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * A visitor's sign-in at the kiosk with the site's visitor agreement and Wi-Fi vouchers (issue 17):
 * a real agent on simulated hardware, its real SQLite cache fed by signed sync batches, the kiosk over
 * real HTTP. The agreement is signed before anything is recorded, its signature and a voucher commit
 * with the sign-in (and a PIN's with the access event, before the door opens), and bad input changes
 * nothing. The hub is unreachable throughout: all of it works offline.
 */
class KioskSignInExtrasTest {
    private static final String BODY =
            "I, {visitorName}, visiting {hostName} at {siteName} on {date}," + " keep what I see here to myself.";

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private KioskFixture site;
    private EdgeAgent agent;
    private Kiosk kiosk;
    private String base;
    private String cookie;
    private String csrf;
    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @BeforeEach
    void start(TestInfo test) throws Exception {
        // The test of a PIN the door does not take in time waits less than a tablet does.
        Duration pinWait = test.getTags().contains("short-pin-wait") ? Duration.ofMillis(300) : Kiosk.PIN_WAIT;
        site = new KioskFixture(dir, clock, pinWait);
        agent = site.agent;
        kiosk = site.kiosk;
        base = site.base();
        pair();
    }

    @AfterEach
    void stop() {
        site.close();
    }

    // --- the agreement ----------------------------------------------------------------------------

    @Test
    void aWalkInReadsAndSignsTheAgreementBeforeAnythingIsRecorded() throws Exception {
        Agreement v1 = publish(1);
        voucher("wv-1", "pi-1");

        HttpResponse<String> shown = walkIn("Grace Hopper");

        // The text as she signs it: her name, her host's, the site's and today's date filled in.
        assertThat(shown.statusCode()).isEqualTo(200);
        assertThat(shown.body())
                .contains("agreement-form")
                .contains("I, Grace Hopper, visiting Ada Lovelace at HQ Berlin on")
                .contains("version 1");
        assertThat(kioskEvents()).isEmpty();
        String ticket = ticket(shown.body());

        HttpResponse<String> signed =
                post("kiosk/agreement", form("ticket", ticket, "signer", "Grace Hopper", "agree", "yes"));

        assertThat(signed.statusCode()).isEqualTo(200);
        assertThat(signed.body()).contains("Welcome, Grace Hopper!");
        KioskEvent event = kioskEvents().getFirst();
        KioskSignature signature = event.signature().orElseThrow();
        assertThat(signature.agreement()).isEqualTo(v1.id());
        assertThat(signature.version()).isEqualTo(1);
        assertThat(signature.sha256()).isEqualTo(v1.sha256());
        assertThat(signature.signer()).isEqualTo("Grace Hopper");
        // The hash is of exactly the text shown, which anyone can render again from the variables.
        String rendered = v1.render(signature.variables());
        assertThat(shown.body())
                .contains(html(rendered.lines().skip(2).findFirst().orElseThrow()));
        assertThat(signature.renderedSha256()).isEqualTo(Agreement.renderedSha256(rendered));
        // The voucher was taken in the same transaction and is shown on the welcome screen.
        assertThat(event.voucher()).contains("wv-1");
        assertThat(signed.body()).contains("HQ Guest").contains("CODE-wv-1").contains("Valid until");
        assertThat(agent.cache().vouchersLeft("pi-1", clock.instant())).isZero();

        // The ticket was spent with the sign-in: the form sent again records nothing more.
        HttpResponse<String> again =
                post("kiosk/agreement", form("ticket", ticket, "signer", "Grace Hopper", "agree", "yes"));
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.body()).contains("start again");
        assertThat(kioskEvents()).hasSize(1);
    }

    @Test
    void aMissingNameOrAnUntickedBoxIsRefusedAndRecordsNothing() throws Exception {
        publish(1);
        voucher("wv-1", "pi-1");
        String ticket = ticket(walkIn("Grace Hopper").body());

        HttpResponse<String> unticked = post("kiosk/agreement", form("ticket", ticket, "signer", "Grace Hopper"));
        HttpResponse<String> nameless = post("kiosk/agreement", form("ticket", ticket, "signer", "  ", "agree", "yes"));
        HttpResponse<String> neither = post("kiosk/agreement", form("ticket", ticket));

        assertThat(unticked.statusCode()).isEqualTo(422);
        assertThat(unticked.body()).contains("tick the box").doesNotContain("type your full name");
        // What was typed is kept, so only the box is left to tick.
        assertThat(unticked.body()).contains("value=\"Grace Hopper\"");
        assertThat(nameless.statusCode()).isEqualTo(422);
        assertThat(nameless.body()).contains("type your full name").doesNotContain("tick the box");
        assertThat(neither.body()).contains("type your full name").contains("tick the box");
        assertThat(kioskEvents()).isEmpty();
        assertThat(agent.cache().vouchersLeft("pi-1", clock.instant())).isEqualTo(1);

        // The same ticket still signs once it is filled in properly.
        assertThat(post("kiosk/agreement", form("ticket", ticket, "signer", "Grace Hopper", "agree", "yes"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(kioskEvents()).hasSize(1);
    }

    @Test
    void aPassSignsOnceAndAgainWhenANewVersionIsPublished() throws Exception {
        // A pass for a week of visits: the visitor comes back, and signs only what is new.
        invite("vp-week", "482913", false);
        publish(1);

        HttpResponse<String> first = pin("482913");
        assertThat(first.body()).contains("agreement-form").contains("version 1");
        // The kiosk does not know a pass visitor's name: the text shows a blank where it goes.
        assertThat(first.body()).contains("I, …………………………, visiting Ada Lovelace");
        assertThat(accessEvents()).isEmpty();
        HttpResponse<String> signed =
                post("kiosk/agreement", form("ticket", ticket(first.body()), "signer", "Alan Turing", "agree", "yes"));
        assertThat(signed.body()).contains("the door is open");
        assertThat(kioskEvents()).singleElement().satisfies(e -> {
            assertThat(e.pass()).contains(PassId.of("vp-week"));
            assertThat(e.signature().orElseThrow().version()).isEqualTo(1);
            assertThat(e.signature().orElseThrow().variables()).containsEntry("visitorName", "Alan Turing");
        });
        assertThat(accessEvents()).singleElement().satisfies(a -> assertThat(a.granted())
                .isTrue());

        HttpResponse<String> back = pin("482913");
        assertThat(back.body()).contains("the door is open").doesNotContain("agreement-form");
        assertThat(kioskEvents()).hasSize(2);
        assertThat(kioskEvents().getLast().signature()).isEmpty();

        publish(2);
        HttpResponse<String> newVersion = pin("482913");
        assertThat(newVersion.body()).contains("agreement-form").contains("version 2");
        assertThat(kioskEvents()).hasSize(2);
        post("kiosk/agreement", form("ticket", ticket(newVersion.body()), "signer", "Alan Turing", "agree", "yes"));
        assertThat(kioskEvents()).hasSize(3);
        assertThat(kioskEvents().getLast().signature().orElseThrow().version()).isEqualTo(2);
    }

    @Test
    void aPassThatCannotOpenTheDoorIsRefusedWithoutBeingAskedToSign() throws Exception {
        // Signing first and hearing "used" afterwards would waste the visitor's time and a signature.
        invite("vp-once", "271828", true);
        assertThat(pin("271828").body()).contains("the door is open");
        publish(1);

        HttpResponse<String> again = pin("271828");

        assertThat(again.statusCode()).isEqualTo(422);
        assertThat(again.body()).contains("already used").doesNotContain("agreement-form");
        assertThat(kioskEvents()).hasSize(1);
    }

    @Test
    void aWalkInSignsEveryTimeAndWithoutAnAgreementSignsNothing() throws Exception {
        // A walk-in has no identity the kiosk could recognise again.
        publish(1);
        assertThat(walkIn("Grace Hopper").body()).contains("agreement-form");
        assertThat(walkIn("Grace Hopper").body()).contains("agreement-form");
        assertThat(kioskEvents()).isEmpty();

        sync(List.of(new Change.Remove(EntityKind.AGREEMENT, "agr-hq")));
        HttpResponse<String> plain = walkIn("Grace Hopper");

        assertThat(plain.body()).contains("Welcome, Grace Hopper!").doesNotContain("id=\"wifi\"");
        assertThat(kioskEvents()).singleElement().satisfies(e -> {
            assertThat(e.signature()).isEmpty();
            assertThat(e.voucher()).isEmpty();
        });
    }

    // --- vouchers ---------------------------------------------------------------------------------

    @Test
    void vouchersRunOutAndSignInGoesOnWithoutOne() throws Exception {
        // One code in this edge's slice, one in another edge's: that one is never this kiosk's to give.
        voucher("wv-mine", "pi-1");
        voucher("wv-theirs", "pi-2");

        HttpResponse<String> first = walkIn("Grace Hopper");
        HttpResponse<String> second = walkIn("Katherine Johnson");

        assertThat(first.body()).contains("id=\"wifi\"").contains("CODE-wv-mine");
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.body()).contains("Welcome, Katherine Johnson!").doesNotContain("id=\"wifi\"");
        assertThat(kioskEvents())
                .extracting(KioskEvent::voucher)
                .containsExactly(Optional.of("wv-mine"), Optional.empty());
        assertThat(agent.cache().vouchersLeft("pi-2", clock.instant())).isEqualTo(1);
    }

    // --- review fixes -----------------------------------------------------------------------------

    @Test
    void aKiosksIdIsRandomAndNotPartOfItsToken() {
        // The id is logged and shown in the console; a prefix of the bearer token there would leak it.
        String id = kiosk.paired().getFirst().id();
        String token = cookie.substring(cookie.indexOf('=') + 1);

        assertThat(id).matches("k-[0-9a-f]{16}");
        assertThat(token.toLowerCase(java.util.Locale.ROOT)).doesNotContain(id.substring(2, 8));
    }

    @Test
    void aPinsSignInCommitsWithItsAccessEventBeforeTheDoorOpens() throws Exception {
        invite("vp-1", "112358", true);
        voucher("wv-1", "pi-1");
        List<Boolean> signInOnRecordWhenDecided = new ArrayList<>();
        // The decision's listeners run on the door's queue right after the relay is driven, before the
        // kiosk hears the answer: the sign-in is on record by then, since it committed with the access event.
        try (AutoCloseable watching = agent.onDecision(decided -> signInOnRecordWhenDecided.add(
                kioskEvents().stream().anyMatch(e -> e.pass().equals(Optional.of(PassId.of("vp-1"))))))) {
            HttpResponse<String> welcome = pin("112358");
            assertThat(welcome.body()).contains("the door is open").contains("CODE-wv-1");
        }

        assertThat(signInOnRecordWhenDecided).containsExactly(true);
        assertThat(accessEvents()).singleElement().satisfies(a -> assertThat(a.pass())
                .contains(PassId.of("vp-1")));
        assertThat(kioskEvents()).singleElement().satisfies(e -> assertThat(e.voucher())
                .contains("wv-1"));
    }

    @Test
    @Tag("short-pin-wait")
    void aPinTheDoorDoesNotTakeInTimeNeverOpensItAfterwards() throws Exception {
        invite("vp-late", "314159", true);
        int transitions = site.hardware.site().relay(DOOR).transitions().size();
        CountDownLatch release = new CountDownLatch(1);
        // The door's queue is busy (a slow relay test, say) for longer than the kiosk waits.
        var busy = agent.door(DOOR).orElseThrow().onQueue(() -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });

        HttpResponse<String> answer = pin("314159");
        release.countDown();
        busy.get(10, TimeUnit.SECONDS);
        agent.door(DOOR).orElseThrow().onQueue(() -> null).get(10, TimeUnit.SECONDS); // the PIN's turn has passed

        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.body()).contains("could not be checked");
        assertThat(accessEvents()).isEmpty();
        assertThat(kioskEvents()).isEmpty();
        assertThat(site.hardware.site().relay(DOOR).transitions()).hasSize(transitions);
        // Nothing was spent: the same PIN works when the door is free.
        assertThat(pin("314159").body()).contains("the door is open");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> site.hardware.site().relay(DOOR).transitions().size() > transitions);
    }

    // --- helpers ----------------------------------------------------------------------------------

    private Agreement publish(int version) {
        String title = "Visitor agreement";
        String body = BODY + (version > 1 ? " (version " + version + ")" : "");
        Agreement agreement = new Agreement("agr-hq", version, title, body, "HQ Berlin", Agreement.sha256(title, body));
        sync(List.of(new Change.Upsert(agreement)));
        return agreement;
    }

    private void voucher(String id, String device) {
        sync(List.of(new Change.Upsert(
                new WifiVoucher(id, device, "CODE-" + id, Optional.of(Duration.ofHours(8)), Optional.empty()))));
    }

    private void pair() throws Exception {
        HttpResponse<String> page = http.send(
                HttpRequest.newBuilder(URI.create(base + "kiosk/")).build(), HttpResponse.BodyHandlers.ofString());
        String pre = page.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith(Kiosk.PAIR_COOKIE + "="))
                .findFirst()
                .orElseThrow()
                .split(";")[0];
        KioskPairing.Code code = kiosk.newCode("Lobby tablet", DOOR);
        HttpResponse<String> paired = http.send(
                HttpRequest.newBuilder(URI.create(base + "kiosk/pair"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("Cookie", pre)
                        .POST(HttpRequest.BodyPublishers.ofString(
                                form("_csrf", pre.substring(pre.indexOf('=') + 1), "code", code.code())))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        cookie = paired.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith(Kiosk.COOKIE + "="))
                .findFirst()
                .orElseThrow()
                .split(";")[0];
        Matcher token = Pattern.compile("name=\"_csrf\" value=\"([0-9a-f]{64})\"")
                .matcher(get("kiosk/walk-in").body());
        assertThat(token.find()).isTrue();
        csrf = token.group(1);
    }

    private HttpResponse<String> walkIn(String name) throws Exception {
        return post("kiosk/walk-in", form("name", name, "host", "ada", "action", "sign-in"));
    }

    private HttpResponse<String> pin(String pin) throws Exception {
        return post("kiosk/pin", form("pin", pin));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Cookie", cookie)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("Cookie", cookie)
                        .POST(HttpRequest.BodyPublishers.ofString((csrf == null ? "" : "_csrf=" + csrf + "&") + body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String form(String... pairs) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            values.put(pairs[i], pairs[i + 1]);
        }
        return values.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private static String ticket(String page) {
        Matcher ticket = Pattern.compile("name=\"ticket\" value=\"([^\"]+)\"").matcher(page);
        assertThat(ticket.find()).as("an agreement form with its ticket").isTrue();
        return ticket.group(1);
    }

    private static String html(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&#34;");
    }

    private List<KioskEvent> kioskEvents() {
        return site.kioskEvents();
    }

    private void sync(List<Change> changes) {
        site.sync(changes);
    }

    private void invite(String passId, String pin, boolean singleUse) {
        site.invite(passId, pin, singleUse, Duration.ofDays(7));
    }

    private List<AccessEvent> accessEvents() {
        return agent.cache().outbox().peek(1000).stream()
                .filter(e -> e.payload() instanceof AccessEvent)
                .map(e -> e.payloadAs(AccessEvent.class))
                .filter(a -> a.pass().isPresent())
                .toList();
    }
}
