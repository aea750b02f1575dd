package dev.gatehouse.hub.portal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.accounts.Sessions;
import dev.gatehouse.hub.accounts.WebSession;
import dev.gatehouse.hub.mqtt.MqttSettings;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.TestHub;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A signed-in member buys a day pass on their account in the portal, on both stores: it is sold
 * through the pass store to the session's member only, opens the door for that day, is charged once
 * to their next invoice however often the form is sent, and bad choices are refused next to their
 * field with nothing charged.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class PortalPassPagesTest {
    private static final Instant NOW = Instant.parse("2027-03-10T11:00:00Z");
    private static final Pattern KEY = Pattern.compile("name=\"key\" value=\"(portal-[A-Za-z0-9_-]{43})\"");

    static MovableClock clock;
    static TestHub hub;

    @Parameter
    StoreKind store;

    private TestHub.Tenant tenant;
    private String site;
    private String door;
    private String dayPass;
    private String member;
    private Sessions.Opened session;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        clock = MovableClock.standingStill();
        hub = TestHub.start(kind, clock, Optional.empty(), MqttSettings.disabled());
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    @BeforeEach
    void memberWithoutAccess() {
        clock.moveTo(NOW);
        tenant = hub.newTenant("portalpass");
        PassSite where = PassSite.of(hub, tenant);
        site = where.site();
        door = where.door();
        String plan = where.plan();
        dayPass = hub.create(
                "/api/v1/packages",
                tenant.token(),
                "{\"name\":\"Day Pass\",\"kind\":\"pass\",\"price\":2500,\"interval\":\"one-off\",\"passes\":1,"
                        + "\"passValidDays\":1,\"planId\":\"" + plan + "\",\"publicSale\":true}");
        member = hub.create(
                "/api/v1/members", tenant.token(), "{\"email\":\"mia@example.com\",\"fullName\":\"Mia Member\"}");
        // The phone pass the portal gives at the first visit: what the door is asked about.
        hub.create("/api/v1/members/" + member + "/credentials", tenant.token(), "{\"type\":\"member-qr\"}");
        session = new Sessions(hub.hub().database(), clock, MemberSessions.LIFETIME, MemberSessions.LIFETIME)
                .open(tenant.id(), WebSession.Kind.MEMBER, member, "127.0.0.1", false);
    }

    private Api.Response get(String path) {
        return hub.api().withCookie("GET", path, "gh_member=" + session.cookieValue(), Optional.empty());
    }

    private Api.Response buy(String pkg, String day, String key) {
        return hub.api()
                .withCookie(
                        "POST",
                        "/portal/passes",
                        "gh_member=" + session.cookieValue(),
                        Optional.of("_csrf=" + session.session().csrfToken() + "&key=" + key + "&packageId=" + pkg
                                + "&siteId=" + site + "&day=" + day));
    }

    private String formKey() {
        Matcher key = KEY.matcher(get("/portal/passes").text());
        assertThat(key.find()).isTrue();
        return key.group(1);
    }

    private String door(Instant at) {
        JsonNode answer = hub.api()
                .get("/api/v1/explain?memberId=" + member + "&doorId=" + door + "&at=" + at, tenant.token())
                .json();
        return answer.get("decision").asText()
                + (answer.has("reason") ? " " + answer.get("reason").asText() : "");
    }

    private JsonNode charges() {
        return hub.api()
                .get("/api/v1/members/" + member + "/charges", tenant.token())
                .json()
                .get("items");
    }

    @Test
    void aMemberBuysADayPassChargedOnceToTheirNextInvoice() {
        Api.Response form = get("/portal/passes");
        assertThat(form.status()).isEqualTo(200);
        assertThat(form.text()).contains("Day Pass", "€25.00", "value=\"2027-03-10\"");
        assertThat(door(NOW)).startsWith("denied");

        String key = formKey();
        Api.Response bought = buy(dayPass, "2027-03-10", key);
        assertThat(bought.status()).as(bought.toString()).isEqualTo(303);
        assertThat(get(bought.headers().firstValue("Location").orElseThrow()).text())
                .contains("Bought: Day Pass for 2027-03-10");
        assertThat(door(NOW)).isEqualTo("granted");
        assertThat(door(Instant.parse("2027-03-10T23:00:00Z"))).startsWith("denied");
        // The form sent again (a double tap, a reload): the same key sells nothing more.
        assertThat(buy(dayPass, "2027-03-10", key).status()).isEqualTo(303);
        assertThat(charges()).hasSize(1);
        assertThat(charges().get(0).get("amount").asLong()).isEqualTo(2500);
        assertThat(charges().get(0).get("invoiceId").isNull()).isTrue();
        JsonNode audit = hub.api()
                .get("/api/v1/audit?actor=" + member + "&action=pass.sell", tenant.token())
                .json()
                .get("items");
        assertThat(audit).hasSize(1);
    }

    @Test
    void badChoicesAreRefusedNextToTheirFieldWithNothingCharged() {
        Api.Response past = buy(dayPass, "2027-03-09", formKey());
        assertThat(past.status()).isEqualTo(422);
        assertThat(past.text()).contains("id=\"day-error\"", "2027-03-10");
        Api.Response unknown = buy("pkg_nope", "2027-03-10", formKey());
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.text()).contains("id=\"packageId-error\"");
        Api.Response noToken = hub.api()
                .withCookie(
                        "POST",
                        "/portal/passes",
                        "gh_member=" + session.cookieValue(),
                        Optional.of("packageId=" + dayPass + "&siteId=" + site + "&day=2027-03-10"));
        assertThat(noToken.status()).isEqualTo(403);
        assertThat(charges()).isEmpty();
    }
}
