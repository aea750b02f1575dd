package dev.gatehouse.hub.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.Fixtures;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.qr.QrClaims;
import dev.gatehouse.protocol.qr.QrKind;
import dev.gatehouse.protocol.qr.QrResult;
import dev.gatehouse.protocol.qr.QrTokens;
import dev.gatehouse.protocol.sign.KeySet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Visitor passes: their doors at one site, their window, their QR token and their isolation, on both stores. */
@ParameterizedClass
@EnumSource(StoreKind.class)
class VisitorPassApiTest {
    static TestHub hub;
    static Sites sites;
    static TestHub.Tenant acme;
    static TestHub.Tenant other;
    /** Acme's site {@code hq} with doors d1 (in group g1) and d2; site {@code annex} with d3; host member. */
    static String hq;

    static String annex;
    static String d1;
    static String d2;
    static String d3;
    static String g1;
    static String host;
    /** The other tenant's site, door, group and member. */
    static String otherSite;

    static String otherDoor;
    static String otherGroup;
    static String otherMember;

    @Parameter
    StoreKind store;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.start(kind);
        sites = new Sites(hub);
        acme = hub.newTenant("acme");
        other = hub.newTenant("other");
        hq = sites.site(acme);
        annex = sites.site(acme);
        d1 = sites.door(acme, hq);
        d2 = sites.door(acme, hq);
        d3 = sites.door(acme, annex);
        g1 = sites.group(acme, hq, d1);
        host = Fixtures.member(hub, acme.id());
        otherSite = sites.site(other);
        otherDoor = sites.door(other, otherSite);
        otherGroup = sites.group(other, otherSite, otherDoor);
        otherMember = Fixtures.member(hub, other.id());
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    Api api() {
        return hub.api();
    }

    /** A window starting {@code startHours} from now (whole seconds) and lasting {@code hours}. */
    static String window(long startHours, long hours) {
        Instant from = Instant.now().truncatedTo(ChronoUnit.SECONDS).plus(Duration.ofHours(startHours));
        return "\"validFrom\":\"" + from + "\",\"validUntil\":\"" + from.plus(Duration.ofHours(hours)) + "\"";
    }

    Api.Response create(TestHub.Tenant tenant, String siteId, String fields) {
        return api().post("/api/v1/sites/" + siteId + "/visitor-passes", tenant.token(), "{" + fields + "}");
    }

    String pass(String fields) {
        Api.Response created = create(acme, hq, fields);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").asText();
    }

    @Test
    void aPassComesWithAQrTokenForItsWindowAtItsSiteOnly() {
        long hqHead = sites.head(acme, hq);
        long annexHead = sites.head(acme, annex);
        Api.Response created = create(
                acme,
                hq,
                "\"visitorName\":\"Ada Lovelace\",\"visitorEmail\":\"Ada@Example.org\",\"hostMemberId\":\"" + host
                        + "\",\"doorGroupIds\":[\"" + g1 + "\"],\"doorIds\":[\"" + d2 + "\"]," + window(1, 8));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode pass = created.json();
        String id = pass.get("id").asText();
        assertThat(id).startsWith("pass_");
        assertThat(pass.get("siteId").asText()).isEqualTo(hq);
        assertThat(pass.get("visitorName").asText()).isEqualTo("Ada Lovelace");
        assertThat(pass.get("visitorEmail").asText()).isEqualTo("ada@example.org");
        assertThat(pass.get("hostMemberId").asText()).isEqualTo(host);
        assertThat(pass.get("doorGroupIds").findValuesAsText("")).isEmpty();
        assertThat(pass.get("doorGroupIds").get(0).asText()).isEqualTo(g1);
        assertThat(pass.get("doorIds").get(0).asText()).isEqualTo(d2);
        assertThat(pass.get("singleUse").asBoolean()).isTrue(); // visitor codes are single-use unless asked
        assertThat(pass.get("status").asText()).isEqualTo("active");
        Instant from = Instant.parse(pass.get("validFrom").asText());
        Instant until = Instant.parse(pass.get("validUntil").asText());
        assertThat(pass.at("/qr/notBefore").asText())
                .isEqualTo(pass.get("validFrom").asText());
        assertThat(pass.at("/qr/expiresAt").asText())
                .isEqualTo(pass.get("validUntil").asText());

        String token = pass.at("/qr/token").asText();
        KeySet keys = sites.keys(acme);
        QrResult valid = QrTokens.verify(token, keys, acme.slug(), hq, from.plusSeconds(60));
        assertThat(valid).isInstanceOf(QrResult.Valid.class);
        QrClaims claims = ((QrResult.Valid) valid).claims();
        assertThat(claims.kind()).isEqualTo(QrKind.VISITOR);
        assertThat(claims.subject()).isEqualTo(id);
        assertThat(claims.singleUse()).isTrue();
        assertThat(claims.sites()).containsExactly(hq);
        assertThat(reason(QrTokens.verify(token, keys, acme.slug(), annex, from.plusSeconds(60))))
                .isEqualTo(DenyReason.QR_WRONG_SITE);
        assertThat(reason(QrTokens.verify(token, keys, acme.slug(), hq, from.minus(Duration.ofMinutes(1)))))
                .isEqualTo(DenyReason.QR_NOT_YET_VALID);
        assertThat(reason(QrTokens.verify(token, keys, acme.slug(), hq, until.plus(Duration.ofMinutes(1)))))
                .isEqualTo(DenyReason.QR_EXPIRED);
        assertThat(reason(QrTokens.verify(token, keys, other.slug(), hq, from.plusSeconds(60))))
                .isEqualTo(DenyReason.QR_WRONG_TENANT);

        // Only the pass's own site hears of it.
        List<JsonNode> changes = sites.changesAfter(acme, hq, hqHead);
        assertThat(changes).hasSize(1);
        JsonNode change = changes.getFirst();
        assertThat(change.get("kind").asText()).isEqualTo("VISITOR_PASS");
        assertThat(change.get("key").asText()).isEqualTo(id);
        assertThat(change.at("/entity/host").asText()).isEqualTo(host);
        assertThat(change.at("/entity/doors/0").asText()).isEqualTo(d2);
        assertThat(change.at("/entity/doorGroups/0").asText()).isEqualTo(g1);
        assertThat(change.at("/entity/singleUse").asBoolean()).isTrue();
        assertThat(change.at("/entity/status").asText()).isEqualTo("active");
        assertThat(sites.head(acme, annex)).isEqualTo(annexHead);
        // The visitor's name and e-mail stay at the hub.
        assertThat(change.toString()).doesNotContain("Ada").doesNotContain("example.org");
    }

    static DenyReason reason(QrResult result) {
        assertThat(result).isInstanceOf(QrResult.Rejected.class);
        return ((QrResult.Rejected) result).reason();
    }

    static Stream<Arguments> badPasses() {
        String doors = "\"doorIds\":[\"{d1}\"],";
        return Stream.of(
                Arguments.of(doors + window(1, 2), "visitorName"),
                Arguments.of("\"visitorName\":\"\"," + doors + window(1, 2), "visitorName"),
                Arguments.of("\"visitorName\":\"Ann\"," + window(1, 2), "doorIds"),
                Arguments.of("\"visitorName\":\"Ann\",\"doorIds\":[],\"doorGroupIds\":[]," + window(1, 2), "doorIds"),
                Arguments.of("\"visitorName\":\"Ann\",\"doorIds\":[\"{d3}\"]," + window(1, 2), "doorIds[0]"),
                Arguments.of(
                        "\"visitorName\":\"Ann\",\"doorIds\":[\"{d1}\",\"{otherDoor}\"]," + window(1, 2), "doorIds[1]"),
                Arguments.of("\"visitorName\":\"Ann\",\"doorIds\":[\"bad id!\"]," + window(1, 2), "doorIds[0]"),
                Arguments.of(
                        "\"visitorName\":\"Ann\",\"doorGroupIds\":[\"{otherGroup}\"]," + window(1, 2),
                        "doorGroupIds[0]"),
                Arguments.of(
                        "\"visitorName\":\"Ann\",\"doorGroupIds\":[\"dg_none\"]," + window(1, 2), "doorGroupIds[0]"),
                Arguments.of("\"visitorName\":\"Ann\"," + doors + window(1, -1), "validUntil"),
                Arguments.of("\"visitorName\":\"Ann\"," + doors + window(1, 31 * 24), "validUntil"),
                Arguments.of("\"visitorName\":\"Ann\"," + doors + window(-5, 2), "validUntil"),
                Arguments.of(
                        "\"visitorName\":\"Ann\"," + doors + "\"validUntil\":\"2099-01-01T00:00:00Z\"", "validFrom"),
                Arguments.of(
                        "\"visitorName\":\"Ann\"," + doors
                                + "\"validFrom\":\"next monday\",\"validUntil\":\"2099-01-01T00:00:00Z\"",
                        "validFrom"),
                Arguments.of(
                        "\"visitorName\":\"Ann\",\"visitorEmail\":\"ann\"," + doors + window(1, 2), "visitorEmail"),
                Arguments.of(
                        "\"visitorName\":\"Ann\",\"hostMemberId\":\"mem_none\"," + doors + window(1, 2),
                        "hostMemberId"),
                Arguments.of(
                        "\"visitorName\":\"Ann\",\"hostMemberId\":\"{otherMember}\"," + doors + window(1, 2),
                        "hostMemberId"),
                Arguments.of("\"visitorName\":\"Ann\",\"singleUse\":\"yes\"," + doors + window(1, 2), "singleUse"),
                Arguments.of("\"visitorName\":\"Ann\",\"badge\":7," + doors + window(1, 2), "badge"));
    }

    @ParameterizedTest
    @MethodSource("badPasses")
    void aBadPassIsRefusedNamingTheFieldAndChangesNothing(String fields, String field) {
        String body = fields;
        for (var name : Map.of(
                        "{d1}",
                        d1,
                        "{d3}",
                        d3,
                        "{otherDoor}",
                        otherDoor,
                        "{otherGroup}",
                        otherGroup,
                        "{otherMember}",
                        otherMember)
                .entrySet()) {
            body = body.replace(name.getKey(), name.getValue());
        }
        long head = sites.head(acme, hq);
        int passes = api().get("/api/v1/sites/" + hq + "/visitor-passes?limit=500", acme.token())
                .json()
                .get("items")
                .size();
        Api.Response refused = create(acme, hq, body);
        assertThat(Sites.fields(refused)).as(body).containsExactly(field);
        assertThat(sites.head(acme, hq)).isEqualTo(head);
        assertThat(api().get("/api/v1/sites/" + hq + "/visitor-passes?limit=500", acme.token())
                        .json()
                        .get("items"))
                .hasSize(passes);
    }

    @Test
    void passesAreListedByStatusAndRevokedForGood() {
        var tenant = hub.newTenant("passes");
        String site = sites.site(tenant);
        String door = sites.door(tenant, site);
        String fields = "\"visitorName\":\"Guest\",\"doorIds\":[\"" + door + "\"]," + window(0, 4);
        String reusable = hub.create(
                "/api/v1/sites/" + site + "/visitor-passes", tenant.token(), "{" + fields + ",\"singleUse\":false}");
        String second = hub.create("/api/v1/sites/" + site + "/visitor-passes", tenant.token(), "{" + fields + "}");
        String third = hub.create("/api/v1/sites/" + site + "/visitor-passes", tenant.token(), "{" + fields + "}");

        Api.Response fetched = api().get("/api/v1/visitor-passes/" + reusable, tenant.token());
        assertThat(fetched.status()).isEqualTo(200);
        assertThat(fetched.json().get("singleUse").asBoolean()).isFalse();
        assertThat(fetched.json().has("qr")).isFalse();
        assertThat(fetched.json().has("hostMemberId")).isFalse();

        long head = sites.head(tenant, site);
        Api.Response revoked = api().post("/api/v1/visitor-passes/" + second + "/revoke", tenant.token(), "");
        assertThat(revoked.status()).isEqualTo(200);
        assertThat(revoked.json().get("status").asText()).isEqualTo("revoked");
        List<JsonNode> changes = sites.changesAfter(tenant, site, head);
        assertThat(changes).hasSize(1);
        assertThat(changes.getFirst().at("/entity/status").asText()).isEqualTo("revoked");
        assertThat(api().post("/api/v1/visitor-passes/" + second + "/revoke", tenant.token(), "")
                        .status())
                .isEqualTo(200);
        assertThat(sites.head(tenant, site)).isEqualTo(head + 1);

        String list = "/api/v1/sites/" + site + "/visitor-passes";
        assertThat(api().get(list + "?status=revoked", tenant.token())
                        .json()
                        .get("items")
                        .findValuesAsText("id"))
                .containsExactly(second);
        assertThat(api().get(list + "?status=active", tenant.token())
                        .json()
                        .get("items")
                        .findValuesAsText("id"))
                .containsExactlyInAnyOrder(reusable, third);
        Api.Response page = api().get(list + "?limit=2", tenant.token());
        assertThat(page.json().get("items")).hasSize(2);
        Api.Response rest = api().get(
                        list + "?limit=2&cursor="
                                + page.json().get("nextCursor").asText(),
                        tenant.token());
        assertThat(rest.json().get("items")).hasSize(1);
        assertThat(rest.json().has("nextCursor")).isFalse();
        assertThat(Sites.fields(api().get(list + "?status=expired", tenant.token())))
                .containsExactly("status");

        // The token can be sent again while the pass is active; a reusable pass's token is not single-use.
        Api.Response again = api().post("/api/v1/visitor-passes/" + reusable + "/qr-token", tenant.token(), "");
        assertThat(again.status()).as(again.toString()).isEqualTo(200);
        Instant from = Instant.parse(fetched.json().get("validFrom").asText());
        QrResult result =
                QrTokens.verify(again.json().get("token").asText(), sites.keys(tenant), tenant.slug(), site, from);
        assertThat(result).isInstanceOf(QrResult.Valid.class);
        assertThat(((QrResult.Valid) result).claims().singleUse()).isFalse();
        Api.Response refused = api().post("/api/v1/visitor-passes/" + second + "/qr-token", tenant.token(), "");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("detail").asText()).contains("revoked");
    }

    /**
     * A cursor is opaque: only a nextCursor this list returned may come back. A made-up one (here a
     * well-formed pass id, which the list once took as a position) must be refused, not silently
     * page from wherever it happens to sort.
     */
    @ParameterizedTest
    @ValueSource(strings = {"pass_zzzzzzzzzzzzzzzz", "0", "not%20a%20cursor"})
    void aMadeUpCursorIsRefusedNamingIt(String cursor) {
        Api.Response refused = api().get("/api/v1/sites/" + hq + "/visitor-passes?cursor=" + cursor, acme.token());
        assertThat(refused.status()).isEqualTo(422);
        assertThat(Sites.fields(refused)).containsExactly("cursor");
    }

    @Test
    void anotherTenantsPassesSitesAndDoorsAreNotFound() {
        String id = pass("\"visitorName\":\"Grace\",\"doorIds\":[\"" + d1 + "\"]," + window(1, 2));
        String before = api().get("/api/v1/visitor-passes/" + id, acme.token()).text();

        for (Api.Response answer : List.of(
                api().get("/api/v1/visitor-passes/" + id, other.token()),
                api().post("/api/v1/visitor-passes/" + id + "/revoke", other.token(), ""),
                api().post("/api/v1/visitor-passes/" + id + "/qr-token", other.token(), ""))) {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(404);
            assertThat(answer.json().get("detail").asText()).isEqualTo("visitor pass '" + id + "' does not exist");
        }
        assertThat(api().get("/api/v1/sites/" + hq + "/visitor-passes", other.token())
                        .status())
                .isEqualTo(404);
        Api.Response atForeignSite =
                create(other, hq, "\"visitorName\":\"X\",\"doorIds\":[\"" + d1 + "\"]," + window(1, 2));
        assertThat(atForeignSite.status()).isEqualTo(404);
        assertThat(atForeignSite.json().get("detail").asText()).isEqualTo("site '" + hq + "' does not exist");

        // Acme's doors, groups and members named in the other tenant's pass at its own site
        Api.Response foreignRefs = create(
                other,
                otherSite,
                "\"visitorName\":\"X\",\"doorIds\":[\"" + d1 + "\"],\"doorGroupIds\":[\"" + g1
                        + "\"],\"hostMemberId\":\"" + host + "\"," + window(1, 2));
        assertThat(Sites.fields(foreignRefs))
                .containsExactlyInAnyOrder("doorIds[0]", "doorGroupIds[0]", "hostMemberId");

        assertThat(api().get("/api/v1/visitor-passes/" + id, acme.token()).text())
                .isEqualTo(before);
    }
}
