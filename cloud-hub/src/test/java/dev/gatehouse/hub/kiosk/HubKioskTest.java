package dev.gatehouse.hub.kiosk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.gatehouse.hub.accounts.Sessions;
import dev.gatehouse.hub.billing.StripeStandIn;
import dev.gatehouse.hub.mqtt.MqttSettings;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.QrImages;
import dev.gatehouse.hub.testing.SmtpSettings;
import dev.gatehouse.hub.testing.TestHub;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The kiosk the hub serves for a site without an edge, over real HTTP on both stores, with real SMTP
 * (GreenMail) and a Stripe stand-in: a tablet paired with a one-time code from the console; a
 * visitor's PIN signs in once (agreement signed with its hash, Wi-Fi code handed out, host mailed,
 * {@code visitor.signed-in} in the outbox) and is refused the second time; wrong PINs pause the
 * tablet; a walk-in finds only the site's active members, by name; forged forms, unpaired tablets,
 * other tenants' sites and sites with an edge are refused; a day pass hands over to the public
 * purchase page with the site chosen.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class HubKioskTest {
    private static final Pattern CODE = Pattern.compile("id=\"pairing-code-value\">([0-9A-Z-]+)<");
    private static final Pattern WIFI = Pattern.compile("id=\"wifi-code\">([^<]+)<");

    static TestHub hub;
    static GreenMail smtp;
    static StripeStandIn stripe;
    static TestHub.Tenant acme;
    static TestHub.Tenant rival;
    static String lobby;
    static String edgeSite;
    static String ada;
    static String bob;
    static String plan;
    static Sessions.Opened owner;

    @Parameter
    StoreKind store;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        stripe = StripeStandIn.start(Clock.systemUTC());
        int port = smtp.getSmtp().getPort();
        hub = TestHub.start(
                kind, Clock.systemUTC(), Optional.empty(), MqttSettings.disabled(), config -> config.withMail(
                                SmtpSettings.local(port, "desk@gatehouse.example", Path.of("target", "hub-kiosk-mail")))
                        .withStripeApiBase(stripe.apiBase()));
        acme = hub.newTenant("hubkiosk");
        rival = hub.newTenant("rival");
        lobby = site(acme, "Lobby House");
        plan = plan(acme, lobby);
        ada = member(acme, "ada@acme.example", "Ada Host", plan);
        bob = member(acme, "bob@acme.example", "Adam Elsewhere", null);
        member(rival, "adrian@rival.example", "Adrian Rival", plan(rival, site(rival, "Rival House")));
        // A site with an edge: a device made active (as provisioning would).
        edgeSite = site(acme, "Pi House");
        String device = hub.create("/api/v1/sites/" + edgeSite + "/devices", acme.token(), "{\"name\":\"pi\"}");
        hub.hub().database().run(c -> Sql.update(c, "UPDATE devices SET status = 'active' WHERE id = ?", device));
        owner = hub.operator(acme, "owner", "[]");
        publishAgreement(
                lobby, "Visitor agreement", "I, {visitorName}, visiting {hostName} at {siteName} on {date}, agree.");
        Api.Response vouchers = hub.api()
                .sendBytes(
                        "POST",
                        "/api/v1/sites/" + lobby + "/wifi-vouchers",
                        acme.token(),
                        "code,minutes,expires\nWIFI-ONE,480,\nWIFI-TWO,480,\nWIFI-THREE,480,\nWIFI-FOUR,480,\nWIFI-FIVE,480,\n"
                                .getBytes(StandardCharsets.UTF_8),
                        Optional.of("text/csv"));
        assertThat(vouchers.status()).as(vouchers.toString()).isEqualTo(201);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
        smtp.stop();
        stripe.close();
    }

    private static String site(TestHub.Tenant tenant, String name) {
        return hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"" + name + "\",\"address\":\"Main Street 1\",\"timeZone\":\"Europe/Berlin\"}");
    }

    /** The site's door group every pass and plan of these tests opens, by site. */
    static final Map<String, String> GROUPS = new java.util.concurrent.ConcurrentHashMap<>();

    private static String plan(TestHub.Tenant tenant, String site) {
        String door = hub.create("/api/v1/sites/" + site + "/doors", tenant.token(), "{\"name\":\"Front door\"}");
        String group = hub.create(
                "/api/v1/sites/" + site + "/door-groups",
                tenant.token(),
                "{\"name\":\"All\",\"doorIds\":[\"" + door + "\"]}");
        GROUPS.put(site, group);
        return hub.create(
                "/api/v1/plans",
                tenant.token(),
                "{\"name\":\"Desk\",\"doorGroupIds\":[\"" + group + "\"],\"schedule\":[],\"holidays\":\"ignored\"}");
    }

    private static String member(TestHub.Tenant tenant, String email, String name, String planId) {
        String id = hub.create(
                "/api/v1/members", tenant.token(), "{\"email\":\"" + email + "\",\"fullName\":\"" + name + "\"}");
        if (planId != null) {
            Api.Response assigned = hub.api().put("/api/v1/members/" + id + "/plans/" + planId, tenant.token(), "{}");
            assertThat(assigned.status()).as(assigned.toString()).isIn(200, 201);
        }
        return id;
    }

    private static JsonNode publishAgreement(String site, String title, String body) {
        Api.Response published = hub.api()
                .post(
                        "/api/v1/agreements",
                        acme.token(),
                        "{\"siteId\":\"" + site + "\",\"title\":\"" + title + "\",\"body\":\"" + body + "\"}");
        assertThat(published.status()).as(published.toString()).isEqualTo(201);
        return published.json();
    }

    /** A pass at the lobby for {@code visitor} (host Ada) and its PIN. */
    private static String[] pass(String visitor, String email, boolean singleUse) {
        return pass(lobby, visitor, email, singleUse);
    }

    private static String[] pass(String site, String visitor, String email, boolean singleUse) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Api.Response created = hub.api()
                .post(
                        "/api/v1/sites/" + site + "/visitor-passes",
                        acme.token(),
                        "{\"visitorName\":\"" + visitor + "\",\"visitorEmail\":\"" + email + "\",\"hostMemberId\":\""
                                + ada + "\",\"doorGroupIds\":[\"" + GROUPS.get(site) + "\"],\"validFrom\":\""
                                + now.minusSeconds(60)
                                + "\",\"validUntil\":\"" + now.plus(Duration.ofHours(4)) + "\",\"singleUse\":"
                                + singleUse + "}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return new String[] {
            created.json().get("id").asText(), created.json().get("pin").asText()
        };
    }

    /** A pairing code made on the console page by {@code operator}; the page as answered when none. */
    private static Api.Response codeRequest(Sessions.Opened operator, String site, String name) {
        return hub.api()
                .withCookie(
                        "POST",
                        "/console/kiosks/codes",
                        "gh_session=" + operator.cookieValue(),
                        Optional.of("_csrf=" + operator.session().csrfToken() + "&siteId=" + site + "&name="
                                + HubTablet.enc(name)));
    }

    private static String code(String site, String name) {
        Api.Response page = codeRequest(owner, site, name);
        assertThat(page.status()).as(page.text()).isEqualTo(200);
        Matcher matcher = CODE.matcher(page.text());
        assertThat(matcher.find()).as(page.text()).isTrue();
        return matcher.group(1);
    }

    private static HubTablet paired(String name) throws Exception {
        return paired(lobby, name);
    }

    private static HubTablet paired(String site, String name) throws Exception {
        HubTablet tablet = new HubTablet(hub.hub().port());
        HttpResponse<String> answer = tablet.pair(code(site, name));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(303);
        return tablet;
    }

    private static List<MimeMessage> mailsAbout(String visitor) {
        return Arrays.stream(smtp.getReceivedMessages())
                .filter(message -> {
                    try {
                        return message.getSubject().startsWith(visitor + " is here");
                    } catch (MessagingException e) {
                        throw new AssertionError(e);
                    }
                })
                .toList();
    }

    /** A walk-in's form, sent as signing in, after typing "ad" to find the host. */
    private static HttpResponse<String> walkIn(HubTablet tablet, String name, String email, String host)
            throws Exception {
        return tablet.post(
                "/kiosk/walk-in",
                "/kiosk/walk-in",
                Map.of("name", name, "email", email, "q", "ad", "host", host, "action", "sign-in"));
    }

    private static long count(String sql, Object... params) {
        return hub.hub().database().read(c -> Sql.one(c, sql, Sql.LONG, params)).orElseThrow();
    }

    // ---- a member's QR code at the desk's scanner ----------------------------------------------------

    /** A new member of the lobby's plan (or none) with a member QR credential; answers [member, credential]. */
    private static String[] qrMember(String name, String planId) {
        String member = member(
                acme,
                HubTablet.enc(name).toLowerCase(java.util.Locale.ROOT).replace("+", ".") + "." + System.nanoTime()
                        + "@acme.example",
                name,
                planId);
        String credential =
                hub.create("/api/v1/members/" + member + "/credentials", acme.token(), "{\"type\":\"member-qr\"}");
        return new String[] {member, credential};
    }

    /** A member QR token minted through the API, as the portal's pass shows it ({@code site}: bound to one). */
    private static String qrToken(TestHub.Tenant tenant, String credential, Optional<String> site) {
        Api.Response minted = hub.api()
                .post(
                        "/api/v1/credentials/" + credential + "/qr-token"
                                + site.map(s -> "?siteId=" + s).orElse(""),
                        tenant.token(),
                        "");
        assertThat(minted.status()).as(minted.toString()).isIn(200, 201);
        return minted.json().get("token").asText();
    }

    /** The code typed by the scanner into the start page's field (then Enter, which submits the form). */
    private static HttpResponse<String> scan(HubTablet tablet, String code) throws Exception {
        return tablet.post("/kiosk/", "/kiosk/member", Map.of("code", code));
    }

    /** What a check-in writes, for the member: the visitor log's rows, the access log's entries, the outbox events. */
    private static long[] written(String member) {
        return new long[] {
            count("SELECT COUNT(*) FROM kiosk_sign_ins WHERE member_id = ?", member),
            count("SELECT COUNT(*) FROM access_events WHERE member_id = ?", member),
            count(
                    "SELECT COUNT(*) FROM outbox_events WHERE type = 'member.checked-in' AND entity_id IN"
                            + " (SELECT id FROM kiosk_sign_ins WHERE member_id = ?)",
                    member)
        };
    }

    @Test
    void aMemberQrCodeChecksInOnceAsTheEdgesKioskRecordsIt() throws Exception {
        HubTablet tablet = paired("Scanner tablet");
        String[] member = qrMember("Quinn Scanner", plan);
        String token = qrToken(acme, member[1], Optional.of(lobby));
        assertThat(tablet.get("/kiosk/").body()).contains("id=\"member-code\"").contains("Member check-in");

        HttpResponse<String> greeted = scan(tablet, token + "\r\n");

        assertThat(greeted.statusCode()).as(greeted.body()).isEqualTo(200);
        assertThat(greeted.body()).contains("Welcome, Quinn Scanner! You are checked in.");
        // As an edge's kiosk check-in reaches the hub: the member's granted QR entry (which presence
        // counts), the visitor log's check-in and its member.checked-in event, all under one id.
        String eventId = hub.hub()
                .database()
                .read(c -> Sql.one(
                        c,
                        "SELECT id FROM kiosk_sign_ins WHERE member_id = ? AND kind = 'MEMBER_CHECKED_IN'"
                                + " AND device_id = 'hub' AND site_id = ? AND notice_state = 'NONE'",
                        Sql.STRING,
                        member[0],
                        lobby))
                .orElseThrow();
        assertThat(count(
                        "SELECT COUNT(*) FROM access_events WHERE id = ? AND member_id = ? AND credential_id = ?"
                                + " AND granted = ? AND presented = 'MEMBER_QR' AND device_id = 'hub' AND site_id = ?",
                        eventId,
                        member[0],
                        member[1],
                        true,
                        lobby))
                .isOne();
        assertThat(written(member[0])).containsExactly(1, 1, 1);
        assertThat(count("SELECT COUNT(*) FROM analytics_presence WHERE site_id = ? AND people > 0", lobby))
                .isPositive();
        JsonNode log = hub.api()
                .get("/api/v1/access-events?memberId=" + member[0], acme.token())
                .json();
        assertThat(log.get("items")).hasSize(1);
        assertThat(log.get("items").get(0).get("presented").asText()).isEqualTo("member-qr");

        // The scanner's double Enter, or the same code again: greeted, but one check-in.
        HttpResponse<String> again = scan(tablet, token);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).contains("You are checked in.");
        assertThat(written(member[0])).containsExactly(1, 1, 1);
        // A fresh code (the pass rotates) is the member's next check-in.
        assertThat(scan(tablet, qrToken(acme, member[1], Optional.empty())).statusCode())
                .isEqualTo(200);
        assertThat(written(member[0])).containsExactly(2, 2, 2);
    }

    @Test
    void aPassHoldersCheckInSpendsTheDayOnceAsADoorWould() throws Exception {
        HubTablet tablet = paired("Pass tablet");
        String passPlan = hub.create(
                "/api/v1/plans",
                acme.token(),
                "{\"name\":\"Pass days\",\"doorGroupIds\":[\"" + GROUPS.get(lobby)
                        + "\"],\"schedule\":[],\"holidays\":\"ignored\"}");
        String pack = hub.create(
                "/api/v1/packages",
                acme.token(),
                "{\"name\":\"2-Pass\",\"kind\":\"pass\",\"price\":4000,\"interval\":\"one-off\",\"passes\":2,"
                        + "\"passValidDays\":30,\"planId\":\"" + passPlan + "\"}");
        String[] member = qrMember("Pia Pass", null);
        Api.Response sold = hub.api()
                .post(
                        "/api/v1/members/" + member[0] + "/passes",
                        acme.token(),
                        "{\"packageId\":\"" + pack + "\",\"siteId\":\"" + lobby + "\",\"idempotencyKey\":\"sale-"
                                + member[0] + "\"}");
        assertThat(sold.status()).as(sold.toString()).isEqualTo(201);

        assertThat(scan(tablet, qrToken(acme, member[1], Optional.of(lobby))).body())
                .contains("You are checked in.");
        // The day is spent, as a door's entry spends it; the entry names the pass's grant.
        assertThat(count("SELECT COUNT(*) FROM pass_days WHERE member_id = ?", member[0]))
                .isOne();
        JsonNode entries = hub.api()
                .get("/api/v1/members/" + member[0] + "/plans", acme.token())
                .json()
                .at("/items/0/entries");
        assertThat(entries.get("remaining").asInt()).isEqualTo(1);
        assertThat(entries.get("spent")).hasSize(1);

        // Checked in again the same day (a fresh code): welcome, and the day is not spent twice.
        assertThat(scan(tablet, qrToken(acme, member[1], Optional.empty())).body())
                .contains("You are checked in.");
        assertThat(written(member[0])).containsExactly(2, 2, 2);
        assertThat(count("SELECT COUNT(*) FROM pass_days WHERE member_id = ?", member[0]))
                .isOne();
    }

    @Test
    void forgedExpiredRevokedForeignAndUnentitledCodesAreRefusedAndChangeNothing() throws Exception {
        HubTablet tablet = paired("Refusing scanner");
        String[] member = qrMember("Rhea Refused", plan);
        String good = qrToken(acme, member[1], Optional.of(lobby));
        String[] parts = good.split("\\.");
        char last = parts[2].charAt(parts[2].length() - 2);
        String forged = parts[0] + "." + parts[1] + "."
                + parts[2].substring(0, parts[2].length() - 2) + (last == 'A' ? 'B' : 'A')
                + parts[2].charAt(parts[2].length() - 1);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String expired = hub.hub()
                .database()
                .read(c -> dev.gatehouse.protocol.qr.QrTokens.issue(
                        new dev.gatehouse.protocol.qr.QrClaims(
                                acme.slug(),
                                java.util.Set.of(),
                                dev.gatehouse.protocol.qr.QrKind.MEMBER,
                                member[1],
                                false,
                                now.minusSeconds(600),
                                now.minusSeconds(300),
                                dev.gatehouse.protocol.qr.QrTokens.newTokenId()),
                        dev.gatehouse.hub.tenants.TenantStore.activeSigningKey(
                                c, hub.hub().database().masterKey(), acme.id())));
        String otherSite = qrToken(acme, member[1], Optional.of(edgeSite));
        String rivalMember = hub.hub()
                .database()
                .read(c -> Sql.one(c, "SELECT id FROM members WHERE tenant_id = ? LIMIT 1", Sql.STRING, rival.id()))
                .orElseThrow();
        String rivalCredential = hub.create(
                "/api/v1/members/" + rivalMember + "/credentials", rival.token(), "{\"type\":\"member-qr\"}");
        String otherTenant = qrToken(rival, rivalCredential, Optional.empty());

        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put(forged, "not issued by this workspace");
        refused.put(expired, "has expired");
        refused.put(otherSite, "not valid at this site");
        refused.put(otherTenant, "not issued by this workspace");
        for (Map.Entry<String, String> code : refused.entrySet()) {
            HttpResponse<String> answer = scan(tablet, code.getKey());
            assertThat(answer.statusCode()).as(code.getValue()).isEqualTo(422);
            assertThat(answer.body()).contains(code.getValue()).contains("id=\"member-code\"");
        }
        assertThat(written(member[0])).containsExactly(0, 0, 0);

        // Genuine codes a door of this site would refuse: said so, nothing written, the tablet not paused.
        String[] unentitled = qrMember("Una Planless", null);
        String[] revoked = qrMember("Rex Revoked", plan);
        String revokedToken = qrToken(acme, revoked[1], Optional.empty());
        assertThat(hub.api()
                        .post("/api/v1/credentials/" + revoked[1] + "/revoke", acme.token(), "{}")
                        .status())
                .isLessThan(300);
        String[] suspended = qrMember("Sue Suspended", plan);
        String suspendedToken = qrToken(acme, suspended[1], Optional.empty());
        assertThat(hub.api()
                        .patch("/api/v1/members/" + suspended[0], acme.token(), "{\"status\":\"suspended\"}")
                        .status())
                .isLessThan(300);
        HttpResponse<String> notHere = scan(tablet, qrToken(acme, unentitled[1], Optional.empty()));
        assertThat(notHere.statusCode()).isEqualTo(422);
        assertThat(notHere.body()).contains("does not include this site");
        HttpResponse<String> wasRevoked = scan(tablet, revokedToken);
        assertThat(wasRevoked.statusCode()).isEqualTo(422);
        assertThat(wasRevoked.body()).contains("no longer active");
        HttpResponse<String> notActive = scan(tablet, suspendedToken);
        assertThat(notActive.statusCode()).isEqualTo(422);
        assertThat(notActive.body()).contains("membership is not active");
        for (String who : List.of(unentitled[0], revoked[0], suspended[0])) {
            assertThat(written(who)).containsExactly(0, 0, 0);
        }
        // Four wrong codes so far: the member's own code still checks in here.
        assertThat(scan(tablet, good).statusCode()).isEqualTo(200);
        assertThat(written(member[0])).containsExactly(1, 1, 1);

        // A form without the kiosk's token, or from a tablet never paired, is refused outright.
        HttpResponse<String> noToken = tablet.postRaw("/kiosk/member", Map.of("code", good));
        assertThat(noToken.statusCode()).isEqualTo(403);
        HubTablet stranger = new HubTablet(hub.hub().port());
        assertThat(stranger.postRaw("/kiosk/member", Map.of("_csrf", "x", "code", good))
                        .statusCode())
                .isEqualTo(403);
    }

    @Test
    void fiveWrongCodesPauseQrCheckInAtTheTabletEvenForARightOne() throws Exception {
        HubTablet tablet = paired("Paused scanner");
        String[] member = qrMember("Pat Paused", plan);
        for (int i = 1; i <= KioskThrottle.LIMIT - 1; i++) {
            assertThat(scan(tablet, "not-a-code-" + i).statusCode()).isEqualTo(422);
        }
        HttpResponse<String> fifth = scan(tablet, "not-a-code-5");
        assertThat(fifth.statusCode()).isEqualTo(429);
        assertThat(fifth.headers().firstValue("Retry-After")).isPresent();

        HttpResponse<String> right = scan(tablet, qrToken(acme, member[1], Optional.of(lobby)));

        assertThat(right.statusCode()).isEqualTo(429);
        assertThat(right.body()).contains("paused");
        assertThat(written(member[0])).containsExactly(0, 0, 0);
        // Another tablet is not paused by this one.
        assertThat(scan(paired("Unpaused scanner"), qrToken(acme, member[1], Optional.of(lobby)))
                        .statusCode())
                .isEqualTo(200);
    }

    /** An API token of acme with this role at the lobby. */
    private static String roleToken(String role) {
        Api.Response created = hub.api()
                .post(
                        "/api/v1/tokens",
                        acme.token(),
                        "{\"name\":\"" + role + " " + System.nanoTime() + "\",\"role\":\"" + role + "\",\"sites\":[\""
                                + lobby + "\"]}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("token").asText();
    }

    private static JsonNode logItem(String token, String eventId) {
        Api.Response log = hub.api().get("/api/v1/sites/" + lobby + "/visitor-log?limit=500", token);
        assertThat(log.status()).as(log.toString()).isEqualTo(200);
        for (JsonNode item : log.json().get("items")) {
            if (item.get("id").asText().equals(eventId)) {
                return item;
            }
        }
        throw new AssertionError("sign-in " + eventId + " is not in the visitor log: " + log.text());
    }

    @Test
    void theVisitorLogCarriesTheSignedAgreementAndTheVoucherWithItsCodeOnlyForThoseWhoManageTheSite() throws Exception {
        HubTablet tablet = paired("Log tablet");
        String[] pass = pass("Hedy Lamarr", "hedy." + System.nanoTime() + "@visitors.example", true);
        HttpResponse<String> agreement = tablet.post("/kiosk/pin", "/kiosk/pin", Map.of("pin", pass[1]));
        HttpResponse<String> welcome = tablet.submitHidden(agreement.body(), "/kiosk/pin", Map.of("agree", "yes"));
        assertThat(welcome.statusCode()).as(welcome.body()).isEqualTo(200);
        Matcher wifi = WIFI.matcher(welcome.body());
        assertThat(wifi.find()).as(welcome.body()).isTrue();
        String eventId = hub.hub()
                .database()
                .read(c -> Sql.one(c, "SELECT id FROM kiosk_sign_ins WHERE pass_id = ?", Sql.STRING, pass[0]))
                .orElseThrow();
        String[] published = hub.hub()
                .database()
                .read(c -> Sql.one(
                        c,
                        "SELECT v.agreement_id, v.version, v.sha256 FROM agreement_signatures s JOIN agreement_versions v"
                                + " ON v.agreement_id = s.agreement_id AND v.version = s.version WHERE s.event_id = ?",
                        r -> new String[] {r.getString(1), Integer.toString(r.getInt(2)), r.getString(3)},
                        eventId))
                .orElseThrow();

        // An owner sees the version signed, its hash, the signer, and the voucher with its code.
        JsonNode owned = logItem(acme.token(), eventId);
        assertThat(owned.get("agreement").get("agreementId").asText()).isEqualTo(published[0]);
        assertThat(owned.get("agreement").get("version").asInt()).isEqualTo(Integer.parseInt(published[1]));
        assertThat(owned.get("agreement").get("sha256").asText()).isEqualTo(published[2]);
        assertThat(owned.get("agreement").get("signer").asText()).isEqualTo("Hedy Lamarr");
        assertThat(owned.get("agreement").has("signatureId")).isTrue();
        assertThat(owned.get("wifiVoucherIssued").asBoolean()).isTrue();
        assertThat(owned.get("wifiVoucher").get("code").asText()).isEqualTo(wifi.group(1));
        assertThat(owned.get("wifiVoucher").has("validUntil")).isTrue();
        // A site manager of the lobby uploads the codes: sees it too.
        assertThat(logItem(roleToken("site-manager"), eventId)
                        .get("wifiVoucher")
                        .get("code")
                        .asText())
                .isEqualTo(wifi.group(1));
        // The front desk and read-only roles see the agreement and that a voucher was issued, never the code.
        for (String role : List.of("front-desk", "read-only")) {
            String token = roleToken(role);
            JsonNode item = logItem(token, eventId);
            assertThat(item.get("agreement").get("sha256").asText()).as(role).isEqualTo(published[2]);
            assertThat(item.get("wifiVoucherIssued").asBoolean()).as(role).isTrue();
            assertThat(item.get("wifiVoucher").has("code")).as(role).isFalse();
            assertThat(hub.api()
                            .get("/api/v1/sites/" + lobby + "/visitor-log?limit=500", token)
                            .text())
                    .as(role)
                    .doesNotContain(wifi.group(1));
        }
        // A technician may not read the visitor log at all; another tenant finds no such site.
        assertThat(hub.api()
                        .get("/api/v1/sites/" + lobby + "/visitor-log", roleToken("technician"))
                        .status())
                .isEqualTo(403);
        assertThat(hub.api()
                        .get("/api/v1/sites/" + lobby + "/visitor-log", rival.token())
                        .status())
                .isEqualTo(404);
        // A member's check-in carried neither.
        String[] member = qrMember("Nora Nothing", plan);
        assertThat(scan(tablet, qrToken(acme, member[1], Optional.of(lobby))).statusCode())
                .isEqualTo(200);
        String checkIn = hub.hub()
                .database()
                .read(c -> Sql.one(c, "SELECT id FROM kiosk_sign_ins WHERE member_id = ?", Sql.STRING, member[0]))
                .orElseThrow();
        JsonNode plain = logItem(acme.token(), checkIn);
        assertThat(plain.get("kind").asText()).isEqualTo("member-checked-in");
        assertThat(plain.has("agreement")).isFalse();
        assertThat(plain.get("wifiVoucherIssued").asBoolean()).isFalse();
        assertThat(plain.has("wifiVoucher")).isFalse();
    }

    @Test
    void aTabletPairsOnceWithACodeAndKeepsOnlyAnHttpOnlyStrictCookie() throws Exception {
        String code = code(lobby, "Lobby tablet");
        HubTablet tablet = new HubTablet(hub.hub().port());
        assertThat(tablet.get("/kiosk/pin").statusCode()).isEqualTo(303);
        assertThat(tablet.pair("ZZZZ-ZZZZ").statusCode()).isEqualTo(422);

        HttpResponse<String> paired = tablet.pair(code.toLowerCase(java.util.Locale.ROOT));

        assertThat(paired.statusCode()).isEqualTo(303);
        assertThat(HubTablet.setCookie(paired, "gh_kiosk").orElseThrow())
                .contains("HttpOnly")
                .containsIgnoringCase("SameSite=Strict")
                .contains("Path=/kiosk");
        // The hub keeps the token's hash only.
        String token = tablet.cookie().substring("gh_kiosk=".length());
        assertThat(count("SELECT COUNT(*) FROM hub_kiosks WHERE token_hash = ?", HubKiosks.sha256(token)))
                .isOne();
        assertThat(count("SELECT COUNT(*) FROM hub_kiosks WHERE token_hash = ?", token))
                .isZero();
        assertThat(tablet.get("/kiosk/").body())
                .contains("I have an invitation")
                .contains("Lobby tablet");
        // A code works once.
        assertThat(new HubTablet(hub.hub().port()).pair(code).statusCode()).isEqualTo(422);
    }

    @Test
    void theConsoleMakesNoCodeForASiteWithAnEdgeOrAnotherTenantsSite() {
        Api.Response edge = codeRequest(owner, edgeSite, "Pi tablet");
        assertThat(edge.status()).isEqualTo(422);
        assertThat(edge.text()).contains("pair the tablet with the Pi");
        Api.Response foreign = codeRequest(hub.operator(rival, "owner", "[]"), lobby, "Stolen tablet");
        assertThat(foreign.status()).isEqualTo(422);
        assertThat(foreign.text()).contains("Choose one of your sites");
        Api.Response forged = hub.api()
                .withCookie(
                        "POST",
                        "/console/kiosks/codes",
                        "gh_session=" + owner.cookieValue(),
                        Optional.of("_csrf=forged&siteId=" + lobby + "&name=x"));
        assertThat(forged.status()).isEqualTo(403);
        assertThat(count("SELECT COUNT(*) FROM hub_kiosk_codes WHERE name IN ('Pi tablet', 'Stolen tablet', 'x')"))
                .isZero();
    }

    @Test
    void aPinSignsInOnceWithTheAgreementSignedAWifiCodeAndTheHostMailedAndIsRefusedTheSecondTime() throws Exception {
        HubTablet tablet = paired("Pin tablet");
        String[] pass = pass("Grace Hopper", "grace@visitors.example", true);

        HttpResponse<String> agreement = tablet.post("/kiosk/pin", "/kiosk/pin", Map.of("pin", pass[1]));

        assertThat(agreement.statusCode()).isEqualTo(200);
        assertThat(agreement.body())
                .contains("Visitor agreement")
                .contains("I, Grace Hopper, visiting Ada Host at Lobby House on");
        // Not agreed (box not ticked): shown again, nothing written.
        HttpResponse<String> notTicked = tablet.submitHidden(agreement.body(), "/kiosk/pin", Map.of());
        assertThat(notTicked.body()).contains("id=\"agreement-text\"");
        assertThat(count("SELECT COUNT(*) FROM visitor_pass_uses WHERE pass_id = ?", pass[0]))
                .isZero();

        HttpResponse<String> welcome = tablet.submitHidden(agreement.body(), "/kiosk/pin", Map.of("agree", "yes"));

        assertThat(welcome.statusCode()).as(welcome.body()).isEqualTo(200);
        assertThat(welcome.body()).contains("Welcome, Grace Hopper!").contains("Ada Host is being told");
        Matcher wifi = WIFI.matcher(welcome.body());
        assertThat(wifi.find()).isTrue();
        assertThat(wifi.group(1)).startsWith("WIFI-");
        String eventId = hub.hub()
                .database()
                .read(c -> Sql.one(
                        c,
                        "SELECT id FROM kiosk_sign_ins WHERE pass_id = ? AND device_id = 'hub'",
                        Sql.STRING,
                        pass[0]))
                .orElseThrow();
        // One voucher for this sign-in, the signature with the published version's hash, one outbox event.
        assertThat(count("SELECT COUNT(*) FROM wifi_vouchers WHERE issued_event_id = ?", eventId))
                .isOne();
        assertThat(count(
                        "SELECT COUNT(*) FROM agreement_signatures s JOIN agreement_versions v"
                                + " ON v.agreement_id = s.agreement_id AND v.version = s.version"
                                + " WHERE s.event_id = ? AND s.sha256 = v.sha256 AND s.source = 'hub'"
                                + " AND s.signer_name = 'Grace Hopper' AND s.signer_key = 'grace@visitors.example'",
                        eventId))
                .isOne();
        assertThat(count(
                        "SELECT COUNT(*) FROM outbox_events WHERE type = 'visitor.signed-in' AND entity_id = ?",
                        eventId))
                .isOne();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> mailsAbout("Grace Hopper").size() == 1);
        MimeMessage mail = mailsAbout("Grace Hopper").getFirst();
        assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("ada@acme.example");
        assertThat(GreenMailUtil.getBody(mail)).contains("signed in at Lobby House");
        JsonNode log = hub.api()
                .get("/api/v1/sites/" + lobby + "/visitor-log", acme.token())
                .json();
        assertThat(log.toString()).contains(eventId).contains("\"kioskId\"");

        HttpResponse<String> again = tablet.post("/kiosk/pin", "/kiosk/pin", Map.of("pin", pass[1]));

        assertThat(again.statusCode()).isEqualTo(422);
        assertThat(again.body()).contains("already used");
        assertThat(count("SELECT COUNT(*) FROM kiosk_sign_ins WHERE pass_id = ?", pass[0]))
                .isOne();
    }

    @Test
    void aVisitorWhoSignedTheCurrentVersionIsNotAskedAgainButANewVersionMustBeSigned() throws Exception {
        String site = site(acme, "Versioned House");
        plan(acme, site);
        publishAgreement(site, "House rules", "{visitorName} keeps the quiet floor quiet.");
        HubTablet tablet = paired(site, "Versioned tablet");
        String[] ken = pass(site, "Ken Thompson", "ken@visitors.example", false);
        HttpResponse<String> agreement = tablet.post("/kiosk/pin", "/kiosk/pin", Map.of("pin", ken[1]));
        assertThat(agreement.body()).contains("Ken Thompson keeps the quiet floor quiet.");
        assertThat(tablet.submitHidden(agreement.body(), "/kiosk/pin", Map.of("agree", "yes"))
                        .body())
                .contains("Welcome, Ken Thompson!");

        // A multi-use pass: the same visitor comes again, and has signed this version already.
        assertThat(tablet.post("/kiosk/pin", "/kiosk/pin", Map.of("pin", ken[1]))
                        .body())
                .contains("Welcome, Ken Thompson!");

        // A new version is published while another visitor reads the old one: refused, the new one shown.
        String[] dennis = pass(site, "Dennis Ritchie", "dmr@visitors.example", true);
        HttpResponse<String> oldVersion = tablet.post("/kiosk/pin", "/kiosk/pin", Map.of("pin", dennis[1]));
        publishAgreement(site, "House rules", "Version two: {visitorName} keeps the quiet floor quiet.");
        HttpResponse<String> changed = tablet.submitHidden(oldVersion.body(), "/kiosk/pin", Map.of("agree", "yes"));
        assertThat(changed.statusCode()).isEqualTo(409);
        assertThat(changed.body()).contains("was updated").contains("Version two: Dennis Ritchie");
        assertThat(count("SELECT COUNT(*) FROM visitor_pass_uses WHERE pass_id = ?", dennis[0]))
                .isZero();
        assertThat(tablet.submitHidden(changed.body(), "/kiosk/pin", Map.of("agree", "yes"))
                        .body())
                .contains("Welcome, Dennis Ritchie!");
        // Ken signed version 1 only: version 2 must be signed.
        assertThat(tablet.post("/kiosk/pin", "/kiosk/pin", Map.of("pin", ken[1]))
                        .body())
                .contains("Version two: Ken Thompson");
        assertThat(count(
                        "SELECT COUNT(*) FROM agreement_signatures WHERE site_id = ? AND signer_key = 'dmr@visitors.example'"
                                + " AND version = 2",
                        site))
                .isOne();
    }

    @Test
    void fiveWrongPinsPauseTheTabletEvenForARightOne() throws Exception {
        HubTablet tablet = paired("Guessed tablet");
        String[] pass = pass("Margaret Hamilton", "margaret@visitors.example", true);
        String wrong = pass[1].equals("000000") ? "000001" : "000000";
        for (int i = 1; i <= 4; i++) {
            HttpResponse<String> answer = tablet.post("/kiosk/pin", "/kiosk/pin", Map.of("pin", wrong));
            assertThat(answer.statusCode()).isEqualTo(422);
            assertThat(answer.body()).contains("not known here");
        }
        HttpResponse<String> fifth = tablet.post("/kiosk/pin", "/kiosk/pin", Map.of("pin", wrong));
        assertThat(fifth.statusCode()).isEqualTo(429);
        assertThat(fifth.headers().firstValue("Retry-After")).isPresent();

        HttpResponse<String> right = tablet.post("/kiosk/walk-in", "/kiosk/pin", Map.of("pin", pass[1]));

        assertThat(right.statusCode()).isEqualTo(429);
        assertThat(right.body()).contains("paused");
        assertThat(count("SELECT COUNT(*) FROM visitor_pass_uses WHERE pass_id = ?", pass[0]))
                .isZero();
        // Another tablet is not paused: the count is per tablet.
        assertThat(paired("Other tablet")
                        .post("/kiosk/pin", "/kiosk/pin", Map.of("pin", "12345x"))
                        .statusCode())
                .isEqualTo(422);
    }

    @Test
    void aWalkInFindsOnlyTheSitesActiveMembersByNameAndSignsIn() throws Exception {
        HubTablet tablet = paired("Walk-in tablet");

        String hosts = tablet.get("/kiosk/hosts?q=ad").body();

        // Ada has a plan here; Adam has none at this site; Adrian is another tenant's. No e-mail shown.
        assertThat(hosts).contains("Ada Host").doesNotContain("Adam Elsewhere").doesNotContain("Adrian");
        assertThat(hosts).doesNotContain("@acme.example");
        assertThat(tablet.get("/kiosk/hosts?q=a").body()).doesNotContain("Ada Host");
        HttpResponse<String> notAHost = walkIn(tablet, "Linus", "", bob);
        assertThat(notAHost.statusCode()).isEqualTo(422);
        assertThat(notAHost.body()).contains("choose whom you are visiting from the list");
        HttpResponse<String> badEmail = walkIn(tablet, "Linus", "not-an-address", ada);
        assertThat(badEmail.statusCode()).isEqualTo(422);
        assertThat(badEmail.body()).contains("check your e-mail address");

        HttpResponse<String> agreement = walkIn(tablet, "Linus Torvalds", "linus@visitors.example", ada);
        assertThat(agreement.body()).contains("I, Linus Torvalds, visiting Ada Host");
        HttpResponse<String> welcome = tablet.submitHidden(agreement.body(), "/kiosk/walk-in", Map.of("agree", "yes"));

        assertThat(welcome.body()).contains("Welcome, Linus Torvalds!");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> mailsAbout("Linus Torvalds").size() == 1);
        assertThat(GreenMailUtil.getBody(mailsAbout("Linus Torvalds").getFirst()))
                .contains("linus@visitors.example");
        assertThat(count(
                        "SELECT COUNT(*) FROM kiosk_sign_ins WHERE visitor_name = 'Linus Torvalds' AND kind = 'WALK_IN_SIGNED_IN'"
                                + " AND host_member_id = ?",
                        ada))
                .isOne();
    }

    @Test
    void forgedFormsAndUnpairedTabletsAreRefusedAndChangeNothing() throws Exception {
        HubTablet tablet = paired("Forged tablet");
        String[] pass = pass("Alan Turing", "alan@visitors.example", true);

        HttpResponse<String> forged = tablet.postRaw("/kiosk/pin", Map.of("_csrf", "forged", "pin", pass[1]));
        assertThat(forged.statusCode()).isEqualTo(403);
        HttpResponse<String> noToken = tablet.postRaw("/kiosk/pin", Map.of("pin", pass[1]));
        assertThat(noToken.statusCode()).isEqualTo(403);
        String csrf = HubTablet.csrf(tablet.get("/kiosk/pin").body());
        HttpResponse<String> foreign = tablet.send(
                "POST",
                "/kiosk/pin",
                tablet.cookie(),
                Optional.of("_csrf=" + csrf + "&pin=" + pass[1]),
                Optional.of("https://evil.example"));
        assertThat(foreign.statusCode()).isEqualTo(403);
        HttpResponse<String> noCookie =
                tablet.send("POST", "/kiosk/pin", "", Optional.of("_csrf=" + csrf + "&pin=" + pass[1]));
        assertThat(noCookie.statusCode()).isEqualTo(403);
        assertThat(count("SELECT COUNT(*) FROM visitor_pass_uses WHERE pass_id = ?", pass[0]))
                .isZero();

        // The operator unpairs the tablet: its cookie opens nothing any more.
        String kiosk = hub.hub()
                .database()
                .read(c -> Sql.one(c, "SELECT id FROM hub_kiosks WHERE name = 'Forged tablet'", Sql.STRING))
                .orElseThrow();
        Api.Response unpaired = hub.api()
                .withCookie(
                        "POST",
                        "/console/kiosks/" + kiosk + "/unpair",
                        "gh_session=" + owner.cookieValue(),
                        Optional.of("_csrf=" + owner.session().csrfToken()));
        assertThat(unpaired.status()).isEqualTo(303);
        assertThat(tablet.get("/kiosk/pin").statusCode()).isEqualTo(303);
        assertThat(tablet.get("/kiosk/").body()).contains("Pair this tablet");
        HttpResponse<String> after =
                tablet.send("POST", "/kiosk/pin", tablet.cookie(), Optional.of("_csrf=" + csrf + "&pin=" + pass[1]));
        assertThat(after.statusCode()).isEqualTo(403);
        assertThat(count("SELECT COUNT(*) FROM visitor_pass_uses WHERE pass_id = ?", pass[0]))
                .isZero();
        // Another tenant's operator cannot unpair this tenant's tablets.
        String other = hub.hub()
                .database()
                .read(c -> Sql.one(c, "SELECT id FROM hub_kiosks WHERE tenant_id = ? LIMIT 1", Sql.STRING, acme.id()))
                .orElseThrow();
        Sessions.Opened stranger = hub.operator(rival, "owner", "[]");
        Api.Response refused = hub.api()
                .withCookie(
                        "POST",
                        "/console/kiosks/" + other + "/unpair",
                        "gh_session=" + stranger.cookieValue(),
                        Optional.of("_csrf=" + stranger.session().csrfToken()));
        assertThat(refused.status()).isEqualTo(404);
        assertThat(count("SELECT COUNT(*) FROM hub_kiosks WHERE id = ?", other)).isOne();
    }

    @Test
    void aTabletOfASiteThatGotAnEdgeSendsVisitorsToTheEdgesKiosk() throws Exception {
        String site = site(acme, "Soon a Pi");
        HubTablet tablet = new HubTablet(hub.hub().port());
        assertThat(tablet.pair(code(site, "Early tablet")).statusCode()).isEqualTo(303);
        String csrf = HubTablet.csrf(tablet.get("/kiosk/walk-in").body());
        String device = hub.create("/api/v1/sites/" + site + "/devices", acme.token(), "{\"name\":\"pi\"}");
        hub.hub().database().run(c -> Sql.update(c, "UPDATE devices SET status = 'active' WHERE id = ?", device));

        assertThat(tablet.get("/kiosk/").body()).contains("Use the site's own kiosk");
        HttpResponse<String> walkIn = tablet.postRaw(
                "/kiosk/walk-in", Map.of("_csrf", csrf, "name", "Ada", "host", ada, "action", "sign-in"));
        assertThat(walkIn.statusCode()).isEqualTo(409);
        assertThat(count("SELECT COUNT(*) FROM kiosk_sign_ins WHERE site_id = ?", site))
                .isZero();
    }

    @Test
    void aDayPassHandsOverToThePublicPurchasePageWithTheSiteChosen() throws Exception {
        HubTablet tablet = paired("Day pass tablet");
        assertThat(tablet.get("/kiosk/").body()).doesNotContain("Buy a day pass");
        String dayPass = hub.create(
                "/api/v1/packages",
                acme.token(),
                "{\"name\":\"Day Pass\",\"kind\":\"pass\",\"price\":2500,\"interval\":\"one-off\",\"passes\":1,"
                        + "\"passValidDays\":1,\"planId\":\"" + plan + "\",\"publicSale\":true,"
                        + "\"description\":\"A desk for a day\"}");
        String secretKey = stripe.newSecretKey();
        String webhookSecret = "whsec_" + Long.toHexString(System.nanoTime()) + "kiosk";
        stripe.webhooks(secretKey, URI.create("http://127.0.0.1:" + hub.hub().port()), acme.id(), webhookSecret);
        Api.Response on = hub.api()
                .put(
                        "/api/v1/billing/stripe",
                        acme.token(),
                        "{\"secretKey\":\"" + secretKey + "\",\"webhookSecret\":\"" + webhookSecret + "\"}");
        assertThat(on.status()).as(on.toString()).isEqualTo(200);

        assertThat(tablet.get("/kiosk/").body()).contains("Buy a day pass");
        String page = tablet.get("/kiosk/day-pass").body();
        assertThat(page).contains("Day Pass").contains("A desk for a day");
        String url = QrImages.decode(tablet.bytes("/kiosk/day-pass/" + dayPass + "/qr.png"));

        assertThat(url).endsWith("/join/" + acme.slug() + "/buy/" + dayPass + "?site=" + lobby);
        String form = new HubTablet(hub.hub().port())
                .send(
                        "GET",
                        URI.create(url).getRawPath() + "?" + URI.create(url).getRawQuery(),
                        "",
                        Optional.empty())
                .body();
        assertThat(form).containsPattern("<option value=\"" + lobby + "\"[^>]*selected");
        assertThat(tablet.get("/kiosk/day-pass/pkg_nothing/qr.png").statusCode())
                .isEqualTo(404);
    }
}
