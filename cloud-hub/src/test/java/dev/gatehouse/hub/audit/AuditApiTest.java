package dev.gatehouse.hub.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The audit log: what each change writes, its filters and pages, tenant isolation, strict parameters. */
@ParameterizedClass
@EnumSource(StoreKind.class)
class AuditApiTest {
    static TestHub hub;

    @Parameter
    StoreKind store;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.start(kind);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    static Api api() {
        return hub.api();
    }

    /** A token of the tenant made by its owner: its id and the token. */
    record Token(String id, String token) {}

    static Token token(TestHub.Tenant tenant, String name, String role) {
        Api.Response created =
                api().post("/api/v1/tokens", tenant.token(), "{\"name\":\"" + name + "\",\"role\":\"" + role + "\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return new Token(
                created.json().get("id").asText(), created.json().get("token").asText());
    }

    static String member(TestHub.Tenant tenant, String email) {
        return hub.create(
                "/api/v1/members", tenant.token(), "{\"email\":\"" + email + "\",\"fullName\":\"Ada Lovelace\"}");
    }

    static JsonNode audit(String token, String query) {
        Api.Response response = api().get("/api/v1/audit" + query, token);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    @Test
    void suspendingAMemberRecordsWhoBeforeAfterAndFromWhere() {
        // "Who suspended Ada, when, and from where?" is the question the audit log exists to answer.
        TestHub.Tenant tenant = hub.newTenant("suspend");
        String member = member(tenant, "ada@example.com");
        Token desk = token(tenant, "front desk tablet", "front-desk");

        Api.Response suspended = api().patch("/api/v1/members/" + member, desk.token(), "{\"status\":\"suspended\"}");
        assertThat(suspended.status()).as(suspended.toString()).isEqualTo(200);

        JsonNode entries = audit(tenant.token(), "?resourceId=" + member).get("items");
        assertThat(entries)
                .extracting(e -> e.get("action").asText())
                .containsExactlyInAnyOrder("member.suspend", "member.create");
        JsonNode entry = audit(tenant.token(), "?resourceId=" + member + "&action=member.suspend")
                .get("items")
                .get(0);
        assertThat(entry.get("resourceType").asText()).isEqualTo("member");
        assertThat(entry.at("/before/status").asText()).isEqualTo("active");
        assertThat(entry.at("/after/status").asText()).isEqualTo("suspended");
        assertThat(entry.at("/actor/kind").asText()).isEqualTo("token");
        assertThat(entry.at("/actor/id").asText()).isEqualTo(desk.id());
        assertThat(entry.at("/actor/label").asText()).isEqualTo("front desk tablet");
        assertThat(entry.get("address").asText()).isEqualTo("127.0.0.1");
        assertThat(entry.has("siteId")).isFalse();
        // No proxy is trusted by default: a client's own X-Forwarded-For is never read.
        String body = "{\"status\":\"active\"}";
        Api.Response spoofed = api().raw(("PATCH /api/v1/members/" + member + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Authorization: Bearer " + desk.token() + "\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length() + "\r\nX-Forwarded-For: 203.0.113.9\r\n"
                        + "Connection: close\r\n\r\n" + body)
                .getBytes(StandardCharsets.ISO_8859_1));
        assertThat(spoofed.status()).as(spoofed.toString()).isEqualTo(200);
        assertThat(audit(tenant.token(), "?resourceId=" + member + "&action=member.reactivate")
                        .get("items")
                        .get(0)
                        .get("address")
                        .asText())
                .isEqualTo("127.0.0.1");
        JsonNode creation = audit(tenant.token(), "?resourceId=" + member + "&action=member.create")
                .get("items")
                .get(0);
        assertThat(creation.has("before")).isFalse();
        assertThat(creation.at("/after/email").asText()).isEqualTo("ada@example.com");
    }

    @Test
    void theListFiltersByResourceAndPagesNewestFirst() {
        TestHub.Tenant tenant = hub.newTenant("pages");
        String member = member(tenant, "pages@example.com");
        String other = member(tenant, "other@example.com");
        for (int i = 0; i < 4; i++) {
            assertThat(api().patch("/api/v1/members/" + member, tenant.token(), "{\"company\":\"Firm " + i + "\"}")
                            .status())
                    .isEqualTo(200);
        }

        JsonNode first = audit(tenant.token(), "?resourceId=" + member + "&limit=3");
        assertThat(first.get("items")).hasSize(3);
        JsonNode second = audit(
                tenant.token(),
                "?resourceId=" + member + "&limit=3&cursor="
                        + first.get("nextCursor").asText());
        assertThat(second.has("nextCursor")).isFalse();
        List<String> companies = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<Instant> times = new ArrayList<>();
        for (JsonNode page : List.of(first, second)) {
            for (JsonNode entry : page.get("items")) {
                assertThat(entry.get("resourceId").asText()).isEqualTo(member);
                companies.add(entry.at("/after/company").asText(""));
                ids.add(entry.get("id").asText());
                times.add(Instant.parse(entry.get("at").asText()));
            }
        }
        // Entries of one millisecond are ordered by id, so only the times are checked for order.
        assertThat(companies).containsExactlyInAnyOrder("Firm 3", "Firm 2", "Firm 1", "Firm 0", "");
        assertThat(times).isSortedAccordingTo(Comparator.reverseOrder());
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(ids).hasSize(5);
        assertThat(audit(tenant.token(), "?resourceId=" + other).get("items")).hasSize(1);
        assertThat(audit(tenant.token(), "?action=member.create").get("items")).hasSize(2);
    }

    @Test
    void aTenantNeverSeesAnotherTenantsEntries() {
        TestHub.Tenant mine = hub.newTenant("mine");
        TestHub.Tenant theirs = hub.newTenant("theirs");
        String theirMember = member(theirs, "theirs@example.com");
        member(mine, "mine@example.com");

        JsonNode all = audit(mine.token(), "").get("items");
        assertThat(all).isNotEmpty();
        assertThat(all.toString()).doesNotContain(theirMember).doesNotContain("theirs@example.com");
        assertThat(audit(mine.token(), "?resourceId=" + theirMember).get("items"))
                .isEmpty();
        assertThat(audit(theirs.token(), "?resourceId=" + theirMember).get("items"))
                .hasSize(1);
    }

    @Test
    void secretsNeverReachTheLog() {
        // The log is read by many; a token, a card UID or a QR payload in it would be a leak.
        TestHub.Tenant tenant = hub.newTenant("secrets");
        String member = member(tenant, "card@example.com");
        Api.Response token = api().post("/api/v1/tokens", tenant.token(), "{\"name\":\"ci\"}");
        Api.Response card = api().post(
                        "/api/v1/members/" + member + "/credentials",
                        tenant.token(),
                        "{\"type\":\"nfc-card\",\"uid\":\"04A22B1C5D8000\"}");
        assertThat(card.status()).as(card.toString()).isEqualTo(201);

        String log = api().get("/api/v1/audit", tenant.token()).text();
        assertThat(log).contains("token.create").contains("credential.enroll");
        assertThat(log)
                .doesNotContain(token.json().get("token").asText())
                .doesNotContain("04A22B1C5D8000")
                .doesNotContain("04a22b1c5d8000");
    }

    @Test
    void aRoleWithoutTheAuditLogGetsForbidden() {
        TestHub.Tenant tenant = hub.newTenant("noaudit");
        Token desk = token(tenant, "desk", "front-desk");
        Api.Response response = api().get("/api/v1/audit", desk.token());
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.json().get("detail").asText())
                .contains("front-desk")
                .contains("view-audit");
    }

    @Test
    void aSiteManagerSeesTheEntriesOfItsSitesOnly() {
        TestHub.Tenant tenant = hub.newTenant("mgraudit");
        String siteA =
                hub.create("/api/v1/sites", tenant.token(), "{\"name\":\"A\",\"address\":\"1\",\"timeZone\":\"UTC\"}");
        String siteB =
                hub.create("/api/v1/sites", tenant.token(), "{\"name\":\"B\",\"address\":\"2\",\"timeZone\":\"UTC\"}");
        member(tenant, "tenantwide@example.com");
        Api.Response created = api().post(
                        "/api/v1/tokens",
                        tenant.token(),
                        "{\"name\":\"mgr\",\"role\":\"site-manager\",\"sites\":[\"" + siteA + "\"]}");
        String manager = created.json().get("token").asText();

        JsonNode entries = audit(manager, "").get("items");
        assertThat(entries).isNotEmpty();
        assertThat(entries)
                .allSatisfy(entry -> assertThat(entry.get("siteId").asText()).isEqualTo(siteA));
        assertThat(api().get("/api/v1/audit?site=" + siteB, manager).status()).isEqualTo(404);
    }

    @Test
    void badFilterValuesAreRefusedNamingTheParameter() {
        TestHub.Tenant tenant = hub.newTenant("badaudit");
        String[][] cases = {
            {"from=yesterday", "from"},
            {"to=2026-13-01T00:00:00Z", "to"},
            {"from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from"},
            {"action=" + URLEncoder.encode("DROP TABLE", StandardCharsets.UTF_8), "action"},
            {"resourceId=" + URLEncoder.encode("no spaces", StandardCharsets.UTF_8), "resourceId"},
            {"limit=0", "limit"},
            {"cursor=notacursor", "cursor"},
            {"colour=red", "colour"},
            {"actor=a&actor=b", "actor"},
        };
        for (String[] c : cases) {
            Api.Response response = api().get("/api/v1/audit?" + c[0], tenant.token());
            assertThat(response.status()).as(c[0] + " → " + response).isEqualTo(422);
            assertThat(response.json().get("errors"))
                    .as(c[0])
                    .extracting(error -> error.get("field").asText())
                    .contains(c[1]);
        }
    }
}
