package dev.gatehouse.hub.parcels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.accounts.Sessions;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The mail, parcel and announcement pages as a browser posts them, without one: every form needs the
 * session's CSRF token; a refused field comes back beside the field (422) with nothing written; a
 * desk operator of one site neither sees nor hands over another site's items, nor posts to the whole
 * space; a photo that is no image is refused on the form; a member's portal photo is theirs alone.
 */
class FrontDeskPagesTest {
    static TestHub hub;

    private TestHub.Tenant tenant;
    private String kreuzberg;
    private String mitte;
    private String member;

    @BeforeAll
    static void start() {
        hub = TestHub.start(StoreKind.SQLITE);
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    @BeforeEach
    void space() {
        tenant = hub.newTenant("desk-pages");
        kreuzberg = site("Kreuzberg");
        mitte = site("Mitte");
        member = hub.create(
                "/api/v1/members", tenant.token(), "{\"email\":\"ada@example.com\",\"fullName\":\"Ada Lovelace\"}");
    }

    private String site(String name) {
        return hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"" + name + "\",\"address\":\"x\",\"timeZone\":\"Europe/Berlin\"}");
    }

    private static Api.Response post(Sessions.Opened session, String path, String form) {
        return hub.api().withCookie("POST", path, "gh_session=" + session.cookieValue(), Optional.of(form));
    }

    private static Api.Response get(Sessions.Opened session, String path) {
        return hub.api().withCookie("GET", path, "gh_session=" + session.cookieValue(), Optional.empty());
    }

    private static String csrf(Sessions.Opened session) {
        return "_csrf=" + session.session().csrfToken();
    }

    private static String field(String name, String value) {
        return "&" + name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private int parcels() {
        return hub.api()
                .get("/api/v1/parcels", tenant.token())
                .json()
                .get("items")
                .size();
    }

    @Test
    void aFormWithoutTheSessionsTokenIsRefusedAndLogsNothing() {
        Sessions.Opened desk = hub.operator(tenant, "front-desk", "[\"" + kreuzberg + "\"]");
        Api.Response forged = post(
                desk,
                "/console/parcels",
                "_csrf=wrong" + field("siteId", kreuzberg) + field("memberId", member) + field("kind", "parcel"));
        assertThat(forged.status()).isEqualTo(403);
        assertThat(parcels()).isZero();
        Api.Response forgedNews =
                post(desk, "/console/announcements", "_csrf=wrong" + field("siteId", kreuzberg) + field("title", "x"));
        assertThat(forgedNews.status()).isEqualTo(403);
    }

    @Test
    void refusedFieldsComeBackBesideTheFieldAndNothingIsWritten() {
        Sessions.Opened desk = hub.operator(tenant, "front-desk", "[\"" + kreuzberg + "\"]");
        String notAnImage = "data:image/png;base64,"
                + Base64.getEncoder().encodeToString("plain text".getBytes(StandardCharsets.UTF_8));
        Api.Response refused = post(
                desk,
                "/console/parcels",
                csrf(desk)
                        + field("siteId", kreuzberg)
                        + field("memberId", member)
                        + field("kind", "parcel")
                        + field("photo", notAnImage));
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.text()).contains("id=\"photo-error\"", "not a JPEG or PNG");
        Api.Response noMember =
                post(desk, "/console/parcels", csrf(desk) + field("siteId", kreuzberg) + field("kind", "letter"));
        assertThat(noMember.status()).isEqualTo(422);
        assertThat(noMember.text()).contains("id=\"memberId-error\"");
        assertThat(parcels()).isZero();

        Api.Response noTitle = post(
                desk,
                "/console/announcements",
                csrf(desk) + field("siteId", kreuzberg) + field("body", "Text") + field("expiresAt", "soon"));
        assertThat(noTitle.status()).isEqualTo(422);
        assertThat(noTitle.text()).contains("id=\"title-error\"", "id=\"expiresAt-error\"");
        assertThat(hub.api().get("/api/v1/announcements", tenant.token()).json().get("items"))
                .isEmpty();
    }

    @Test
    void aDeskOfOneSiteCannotReachAnotherSitesItemsOrTheWholeSpace() {
        String theirs = hub.api()
                .post(
                        "/api/v1/parcels",
                        tenant.token(),
                        "{\"siteId\":\"" + mitte + "\",\"memberId\":\"" + member + "\",\"kind\":\"letter\"}")
                .json()
                .get("id")
                .asText();
        Sessions.Opened desk = hub.operator(tenant, "front-desk", "[\"" + kreuzberg + "\"]");
        assertThat(get(desk, "/console/parcels/" + theirs).status()).isEqualTo(404);
        assertThat(get(desk, "/console/parcels").text()).doesNotContain(theirs);
        Api.Response handover = post(
                desk,
                "/console/parcels/" + theirs + "/pickup",
                csrf(desk) + field("collectedBy", "Ada") + field("confirmed", "yes"));
        assertThat(handover.status()).isEqualTo(404);
        assertThat(hub.api()
                        .get("/api/v1/parcels/" + theirs, tenant.token())
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("waiting");
        Api.Response other = post(
                desk,
                "/console/parcels",
                csrf(desk) + field("siteId", mitte) + field("memberId", member) + field("kind", "parcel"));
        assertThat(other.status()).isEqualTo(422);
        assertThat(other.text()).contains("id=\"siteId-error\"");

        Api.Response everyone =
                post(desk, "/console/announcements", csrf(desk) + field("title", "All") + field("body", "Everyone"));
        assertThat(everyone.status()).isEqualTo(422);
        assertThat(everyone.text()).contains("id=\"siteId-error\"");
        assertThat(hub.api().get("/api/v1/announcements", tenant.token()).json().get("items"))
                .isEmpty();

        Sessions.Opened finance = hub.operator(tenant, "finance", "[]");
        assertThat(post(finance, "/console/parcels", csrf(finance) + field("siteId", kreuzberg))
                        .status())
                .isEqualTo(403);
    }

    @Test
    void anAnnouncementIsEditedAndWithdrawnOnItsPage() {
        Sessions.Opened owner = hub.operator(tenant, "owner", "[]");
        Api.Response posted = post(
                owner,
                "/console/announcements",
                csrf(owner)
                        + field("siteId", "")
                        + field("title", "Wifi")
                        + field("body", "New password at the desk."));
        assertThat(posted.status()).isEqualTo(303);
        String page = posted.headers().firstValue("Location").orElseThrow().replaceAll("\\?.*", "");
        String id = page.substring(page.lastIndexOf('/') + 1);
        Api.Response edited =
                post(owner, page, csrf(owner) + field("title", "Wi-Fi") + field("body", "Ask at the desk."));
        assertThat(edited.status()).isEqualTo(303);
        assertThat(hub.api()
                        .get("/api/v1/announcements/" + id, tenant.token())
                        .json()
                        .get("title")
                        .asText())
                .isEqualTo("Wi-Fi");
        assertThat(post(owner, page + "/withdraw", csrf(owner)).status()).isEqualTo(303);
        assertThat(hub.api()
                        .get("/api/v1/announcements/" + id, tenant.token())
                        .json()
                        .get("state")
                        .asText())
                .isEqualTo("withdrawn");
        assertThat(hub.api().get("/api/v1/audit", tenant.token()).text())
                .contains("announcement.create", "announcement.update", "announcement.withdraw");
    }
}
