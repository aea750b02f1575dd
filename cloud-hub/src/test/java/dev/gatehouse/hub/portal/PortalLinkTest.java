package dev.gatehouse.hub.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.accounts.OneTimeLinks;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Sign-in links misused over plain HTTP, with subdomain tenancy, on SQLite and PostgreSQL: a link
 * used on another tenant's subdomain is refused without being spent, a link posted without the
 * form's token changes nothing, a member session counts only on its own tenant's subdomain, and an
 * operator's cookie name opens no portal. The member's page lists their plan's doors and windows.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class PortalLinkTest {
    private static final String DOMAIN = "gatehouse.example";
    private static final String CSRF = "c".repeat(43);

    static TestHub hub;
    static TestHub.Tenant acme;
    static TestHub.Tenant other;
    static String member;

    @Parameter
    StoreKind store;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.start(kind, Clock.systemUTC(), Optional.of(DOMAIN));
        acme = hub.newTenant("acme");
        other = hub.newTenant("other");
        member = hub.create(
                "/api/v1/members", acme.token(), "{\"email\":\"link@members.example\",\"fullName\":\"Lin Link\"}");
        String site = hub.create(
                "/api/v1/sites",
                acme.token(),
                "{\"name\":\"Lisbon\",\"address\":\"1 Rua\",\"timeZone\":\"Europe/Lisbon\"}");
        String door = hub.create("/api/v1/sites/" + site + "/doors", acme.token(), "{\"name\":\"Studio door\"}");
        String group = hub.create(
                "/api/v1/sites/" + site + "/door-groups",
                acme.token(),
                "{\"name\":\"Studio\",\"doorIds\":[\"" + door + "\"]}");
        String plan = hub.create(
                "/api/v1/plans",
                acme.token(),
                "{\"name\":\"Day desk\",\"doorGroupIds\":[\"" + group
                        + "\"],\"schedule\":[{\"day\":\"monday\",\"start\":\"08:00\",\"end\":\"18:00\"}],"
                        + "\"holidays\":\"ignored\"}");
        Api.Response assigned = hub.api().put("/api/v1/members/" + member + "/plans/" + plan, acme.token(), "{}");
        assertThat(assigned.status()).as(assigned.toString()).isBetween(200, 201);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    private OneTimeLinks links() {
        return new OneTimeLinks(hub.hub().database(), Clock.systemUTC());
    }

    private String issue() {
        return links().issue(acme.id(), OneTimeLinks.Purpose.MEMBER_SIGN_IN, member, Duration.ofMinutes(15));
    }

    @Test
    void aLinkOnAnotherTenantsSubdomainIsRefusedAndStaysUsableOnItsOwn() {
        String token = issue();
        Api.Response elsewhere = post("/portal/link/" + token, other.slug() + "." + DOMAIN, "_csrf=" + CSRF);
        assertThat(elsewhere.status()).isEqualTo(404);
        assertThat(elsewhere.text()).contains("does not work any more");
        assertThat(links().peek(token, OneTimeLinks.Purpose.MEMBER_SIGN_IN)).isPresent();

        Api.Response home = post("/portal/link/" + token, acme.slug() + "." + DOMAIN, "_csrf=" + CSRF);
        assertThat(home.status()).isEqualTo(303);
        assertThat(home.headers().firstValue("location")).hasValue("/portal");
        String cookie = home.headers().allValues("set-cookie").stream()
                .filter(value -> value.startsWith("gh_member="))
                .findFirst()
                .orElseThrow();
        assertThat(cookie).contains("HttpOnly", "SameSite=Lax");
        String session = cookie.substring("gh_member=".length(), cookie.indexOf(';'));

        Api.Response page = get("/portal", acme.slug() + "." + DOMAIN, "gh_member=" + session);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.text())
                .contains("Lisbon", "Studio door", "Day desk · times in Europe/Lisbon", "Monday 08:00–18:00");
        Api.Response onOther = get("/portal", other.slug() + "." + DOMAIN, "gh_member=" + session);
        assertThat(onOther.status()).isEqualTo(303);
        assertThat(onOther.headers().firstValue("location")).hasValue("/portal/signin");
        // A portal form without the session's token is refused, and the error page leads back to the pass.
        Api.Response forged = post(
                "/portal/doors/door_nothere/open", acme.slug() + "." + DOMAIN, "gh_member=" + session, "_csrf=" + CSRF);
        assertThat(forged.status()).isEqualTo(403);
        assertThat(forged.text()).contains("href=\"/portal\"", "Back to my pass");
        // Under the operator's cookie name the member's session opens nothing either.
        assertThat(get("/console", acme.slug() + "." + DOMAIN, "gh_session=" + session)
                        .headers()
                        .firstValue("location"))
                .hasValueSatisfying(location -> assertThat(location).startsWith("/signin"));
    }

    @Test
    void aLinkPostedWithoutTheFormsTokenIsNotSpent() {
        String token = issue();
        Api.Response forged = post("/portal/link/" + token, acme.slug() + "." + DOMAIN, "_csrf=" + "d".repeat(43));
        assertThat(forged.status()).isEqualTo(403);
        assertThat(links().peek(token, OneTimeLinks.Purpose.MEMBER_SIGN_IN)).isPresent();
        assertThat(get("/portal/link/" + token, acme.slug() + "." + DOMAIN, "x=y")
                        .status())
                .isEqualTo(200); // showing the Continue page spends nothing either
        assertThat(links().peek(token, OneTimeLinks.Purpose.MEMBER_SIGN_IN)).isPresent();
    }

    private Api.Response post(String path, String host, String form) {
        return post(path, host, "gh_presession=" + CSRF, form);
    }

    private Api.Response post(String path, String host, String cookie, String form) {
        String request = "POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nCookie: " + cookie
                + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + form.length()
                + "\r\nConnection: close\r\n\r\n" + form;
        return hub.api().raw(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    private Api.Response get(String path, String host, String cookie) {
        String request = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nCookie: " + cookie
                + "\r\nConnection: close\r\n\r\n";
        return hub.api().raw(request.getBytes(StandardCharsets.ISO_8859_1));
    }
}
