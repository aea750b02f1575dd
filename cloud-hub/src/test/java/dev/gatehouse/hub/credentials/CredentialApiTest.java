package dev.gatehouse.hub.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.Fixtures;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.card.CardHasher;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.qr.QrKind;
import dev.gatehouse.protocol.qr.QrResult;
import dev.gatehouse.protocol.qr.QrTokens;
import dev.gatehouse.protocol.sign.KeySet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
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

/** Members' credentials: NFC cards by keyed hash, member QR credentials and their tokens, on both stores. */
@ParameterizedClass
@EnumSource(StoreKind.class)
class CredentialApiTest {
    static TestHub hub;
    static Sites sites;
    /** A tenant, member and site for the bad-input table, which must leave them untouched. */
    static TestHub.Tenant shared;

    static String sharedMember;
    static String sharedSite;

    @Parameter
    StoreKind store;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.start(kind);
        sites = new Sites(hub);
        shared = hub.newTenant("cred-shared");
        sharedMember = Fixtures.member(hub, shared.id());
        sharedSite = sites.site(shared);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    Api api() {
        return hub.api();
    }

    static String card(String uid) {
        return "{\"type\":\"nfc-card\",\"uid\":\"" + uid + "\"}";
    }

    static final String MEMBER_QR = "{\"type\":\"member-qr\"}";

    String enroll(TestHub.Tenant tenant, String memberId, String body) {
        return hub.create("/api/v1/members/" + memberId + "/credentials", tenant.token(), body);
    }

    String expectedHash(TestHub.Tenant tenant, String uid) {
        byte[] key = hub.hub()
                .database()
                .read(c -> TenantStore.cardKey(c, hub.hub().database().masterKey(), tenant.id()));
        return new CardHasher(key).hashHex(uid);
    }

    @Test
    void anEnrolledCardIsKnownOnlyByItsKeyedHash() throws Exception {
        // A leaked database, backup or API log must not let anyone clone a member's card.
        String uid = "04A1B2C3D4E5F6";
        var tenant = hub.newTenant("card");
        String site = sites.site(tenant);
        String member = Fixtures.member(hub, tenant.id());
        Api.Response enrolled = api().post(
                        "/api/v1/members/" + member + "/credentials",
                        tenant.token(),
                        "{\"type\":\"nfc-card\",\"uid\":\"" + uid + "\",\"label\":\"Blue fob\","
                                + "\"validUntil\":\"2099-01-01T00:00:00Z\"}");
        assertThat(enrolled.status()).as(enrolled.toString()).isEqualTo(201);
        JsonNode credential = enrolled.json();
        assertThat(credential.get("id").asText()).startsWith("cred_");
        assertThat(credential.get("type").asText()).isEqualTo("nfc-card");
        assertThat(credential.get("memberId").asText()).isEqualTo(member);
        assertThat(credential.get("status").asText()).isEqualTo("active");
        assertThat(credential.get("label").asText()).isEqualTo("Blue fob");
        assertThat(credential.get("validUntil").asText()).isEqualTo("2099-01-01T00:00:00Z");
        assertThat(credential.get("cardHash").asText()).isEqualTo(expectedHash(tenant, uid));

        String id = credential.get("id").asText();
        List<String> seen = new ArrayList<>(List.of(enrolled.text()));
        seen.add(api().get("/api/v1/credentials/" + id, tenant.token()).text());
        seen.add(api().get("/api/v1/members/" + member + "/credentials", tenant.token())
                .text());
        seen.add(api().get("/api/v1/sites/" + site + "/changes", tenant.token()).text());
        for (String text : seen) {
            assertNoUid(text, uid);
        }
        for (String value : everyStoredValue()) {
            assertNoUid(value, uid);
        }
        if (store == StoreKind.SQLITE) {
            // The database file and its write-ahead log, byte by byte: as hex text and as raw UID bytes.
            byte[] raw = HexFormat.of().parseHex(uid);
            try (Stream<Path> files = Files.list(hub.dataDir())) {
                for (Path file : files.toList()) {
                    byte[] bytes = Files.readAllBytes(file);
                    String latin = new String(bytes, StandardCharsets.ISO_8859_1);
                    assertNoUid(latin, uid);
                    assertThat(latin).as(file.toString()).doesNotContain(new String(raw, StandardCharsets.ISO_8859_1));
                }
            }
        }
    }

    static void assertNoUid(String text, String uid) {
        String lower = text.toLowerCase(Locale.ROOT);
        String hex = uid.toLowerCase(Locale.ROOT);
        List<String> forms = new ArrayList<>(List.of(hex));
        for (String separator : List.of(":", " ", "-")) {
            StringBuilder spelled = new StringBuilder();
            for (int i = 0; i < hex.length(); i += 2) {
                spelled.append(i == 0 ? "" : separator).append(hex, i, i + 2);
            }
            forms.add(spelled.toString());
        }
        for (String form : forms) {
            assertThat(lower).doesNotContain(form);
        }
    }

    /** Every value of every row of every table, as text. */
    List<String> everyStoredValue() {
        return hub.hub().database().read(c -> {
            List<String> values = new ArrayList<>();
            DatabaseMetaData meta = c.getMetaData();
            List<String> tables = new ArrayList<>();
            try (ResultSet rows = meta.getTables(
                    null, store == StoreKind.POSTGRESQL ? "public" : null, "%", new String[] {"TABLE"})) {
                while (rows.next()) {
                    tables.add(rows.getString("TABLE_NAME"));
                }
            }
            assertThat(tables).contains("credentials", "site_changes", "members");
            for (String table : tables) {
                try (Statement statement = c.createStatement();
                        ResultSet rows = statement.executeQuery("SELECT * FROM " + table)) {
                    int columns = rows.getMetaData().getColumnCount();
                    while (rows.next()) {
                        for (int i = 1; i <= columns; i++) {
                            String value = rows.getString(i);
                            if (value != null) {
                                values.add(value);
                            }
                        }
                    }
                }
            }
            return values;
        });
    }

    @Test
    void aCardIsEnrolledOncePerTenantEvenAfterItIsRevoked() {
        // The edge's cache holds a card hash once; a revoked card stays there so that it is denied as revoked.
        var tenant = hub.newTenant("twice");
        String site = sites.site(tenant);
        String first = Fixtures.member(hub, tenant.id());
        String second = Fixtures.member(hub, tenant.id());
        String id = enroll(tenant, first, card("04A1B2C3D4E5F6"));
        long head = sites.head(tenant, site);

        // the same card, spelt another way, for another member
        Api.Response again =
                api().post("/api/v1/members/" + second + "/credentials", tenant.token(), card("04:a1:b2:c3:d4:e5:f6"));
        assertThat(again.status()).as(again.toString()).isEqualTo(409);
        assertThat(again.json().get("detail").asText()).contains("card already enrolled as credential " + id);
        assertNoUid(again.text(), "04A1B2C3D4E5F6");

        assertThat(api().post("/api/v1/credentials/" + id + "/revoke", tenant.token(), "")
                        .status())
                .isEqualTo(200);
        long afterRevoke = sites.head(tenant, site);
        Api.Response revoked =
                api().post("/api/v1/members/" + second + "/credentials", tenant.token(), card("04A1B2C3D4E5F6"));
        assertThat(revoked.status()).isEqualTo(409);
        assertThat(revoked.json().get("detail").asText()).contains(id).contains("revoked");

        assertThat(afterRevoke).isEqualTo(head + 1);
        assertThat(sites.head(tenant, site)).isEqualTo(afterRevoke);
        assertThat(api().get("/api/v1/members/" + second + "/credentials", tenant.token())
                        .json()
                        .get("items"))
                .isEmpty();
    }

    @Test
    void aCardIsEnrolledByTheHashADoorReportedAndThatHashOnlyOnce() {
        // Tapping an unknown card at a door gives the hub its keyed hash, never its UID: that is enough.
        var tenant = hub.newTenant("by-hash");
        String first = Fixtures.member(hub, tenant.id());
        String second = Fixtures.member(hub, tenant.id());
        String hash = expectedHash(tenant, "04A1B2C3D4E5F7");
        Api.Response enrolled = api().post(
                        "/api/v1/members/" + first + "/credentials",
                        tenant.token(),
                        "{\"type\":\"nfc-card\",\"cardHash\":\"" + hash.toUpperCase(Locale.ROOT) + "\"}");
        assertThat(enrolled.status()).as(enrolled.toString()).isEqualTo(201);
        assertThat(enrolled.json().get("cardHash").asText()).isEqualTo(hash);
        // the same card, now by its UID, for another member: the hash is taken
        Api.Response again =
                api().post("/api/v1/members/" + second + "/credentials", tenant.token(), card("04A1B2C3D4E5F7"));
        assertThat(again.status()).as(again.toString()).isEqualTo(409);
        Api.Response byHash = api().post(
                        "/api/v1/members/" + second + "/credentials",
                        tenant.token(),
                        "{\"type\":\"nfc-card\",\"cardHash\":\"" + hash + "\"}");
        assertThat(byHash.status()).isEqualTo(409);
    }

    @Test
    void theSameCardInAnotherTenantIsAnotherCredential() {
        // Each tenant hashes with its own key: one operator's hashes mean nothing to another.
        var a = hub.newTenant("card-a");
        var b = hub.newTenant("card-b");
        Api.Response inA = api().post(
                        "/api/v1/members/" + Fixtures.member(hub, a.id()) + "/credentials",
                        a.token(),
                        card("04A1B2C3D4E5F6"));
        Api.Response inB = api().post(
                        "/api/v1/members/" + Fixtures.member(hub, b.id()) + "/credentials",
                        b.token(),
                        card("04A1B2C3D4E5F6"));
        assertThat(inA.status()).isEqualTo(201);
        assertThat(inB.status()).as(inB.toString()).isEqualTo(201);
        assertThat(inA.json().get("cardHash").asText())
                .isNotEqualTo(inB.json().get("cardHash").asText());
    }

    static Stream<Arguments> badEnrollments() {
        return Stream.of(
                Arguments.of(card("04A1B2C3D4E5F"), "uid"), // odd number of hex digits
                Arguments.of(card("04A1B2C3D4E5ZZ"), "uid"), // not hex
                Arguments.of(card("04A1B2C3D4"), "uid"), // 5 bytes
                Arguments.of(card(""), "uid"),
                Arguments.of("{\"type\":\"nfc-card\"}", "uid"),
                Arguments.of("{\"type\":\"nfc-card\",\"uid\":4102030405}", "uid"),
                Arguments.of("{\"type\":\"magstripe\",\"uid\":\"04A1B2C3\"}", "type"),
                Arguments.of("{\"uid\":\"04A1B2C3\"}", "type"),
                Arguments.of("{\"type\":null}", "type"),
                Arguments.of("{\"type\":\"member-qr\",\"uid\":\"04A1B2C3\"}", "uid"),
                Arguments.of("{\"type\":\"member-qr\",\"validFrom\":\"tomorrow\"}", "validFrom"),
                Arguments.of(
                        "{\"type\":\"member-qr\",\"validFrom\":\"2098-01-02T00:00:00Z\",\"validUntil\":\"2098-01-01T00:00:00Z\"}",
                        "validUntil"),
                Arguments.of("{\"type\":\"member-qr\",\"validUntil\":\"2020-01-01T00:00:00Z\"}", "validUntil"),
                Arguments.of("{\"type\":\"member-qr\",\"label\":\"\"}", "label"),
                Arguments.of("{\"type\":\"member-qr\",\"colour\":\"red\"}", "colour"),
                Arguments.of("{\"type\":\"nfc-card\",\"cardHash\":\"abc\"}", "cardHash"),
                Arguments.of("{\"type\":\"nfc-card\",\"cardHash\":\"" + "g".repeat(64) + "\"}", "cardHash"),
                Arguments.of(
                        "{\"type\":\"nfc-card\",\"cardHash\":\"" + "a".repeat(64) + "\",\"uid\":\"04A1B2C3\"}",
                        "cardHash"),
                Arguments.of("{\"type\":\"member-qr\",\"cardHash\":\"" + "a".repeat(64) + "\"}", "cardHash"));
    }

    @ParameterizedTest
    @MethodSource("badEnrollments")
    void aBadEnrollmentIsRefusedNamingTheFieldAndChangesNothing(String body, String field) {
        long head = sites.head(shared, sharedSite);
        Api.Response refused = api().post("/api/v1/members/" + sharedMember + "/credentials", shared.token(), body);
        assertThat(Sites.fields(refused)).as(body).containsExactly(field);
        assertThat(refused.json().get("detail").asText()).startsWith(field + ": ");
        // a wrong UID is not repeated back either
        assertNoUid(refused.text(), "04A1B2C3D4E5");
        assertThat(sites.head(shared, sharedSite)).isEqualTo(head);
        assertThat(api().get("/api/v1/members/" + sharedMember + "/credentials", shared.token())
                        .json()
                        .get("items"))
                .isEmpty();
    }

    @Test
    void aMemberQrTokenVerifiesWithTheTenantsPublishedKeysAndNowhereElse() {
        var tenant = hub.newTenant("qr");
        var other = hub.newTenant("qr-other");
        String hq = sites.site(tenant);
        String annex = sites.site(tenant);
        String member = Fixtures.member(hub, tenant.id());
        Api.Response created = api().post("/api/v1/members/" + member + "/credentials", tenant.token(), MEMBER_QR);
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("type").asText()).isEqualTo("member-qr");
        assertThat(created.json().has("cardHash")).isFalse();
        String id = created.json().get("id").asText();

        Api.Response minted = api().post("/api/v1/credentials/" + id + "/qr-token?siteId=" + hq, tenant.token(), "");
        assertThat(minted.status()).as(minted.toString()).isEqualTo(200);
        String token = minted.json().get("token").asText();
        Instant notBefore = Instant.parse(minted.json().get("notBefore").asText());
        Instant expiresAt = Instant.parse(minted.json().get("expiresAt").asText());
        assertThat(Duration.between(notBefore, expiresAt)).isEqualTo(Duration.ofSeconds(60));
        assertThat(minted.json().get("sites").get(0).asText()).isEqualTo(hq);

        KeySet keys = sites.keys(tenant);
        Instant during = notBefore.plusSeconds(10);
        QrResult valid = QrTokens.verify(token, keys, tenant.slug(), hq, during);
        assertThat(valid).isInstanceOf(QrResult.Valid.class);
        var claims = ((QrResult.Valid) valid).claims();
        assertThat(claims.kind()).isEqualTo(QrKind.MEMBER);
        assertThat(claims.subject()).isEqualTo(id);
        assertThat(claims.tenant()).isEqualTo(tenant.slug());
        assertThat(claims.singleUse()).isFalse();
        assertThat(claims.tokenId()).isEqualTo(minted.json().get("tokenId").asText());

        assertThat(reason(QrTokens.verify(token, keys, tenant.slug(), annex, during)))
                .isEqualTo(DenyReason.QR_WRONG_SITE);
        assertThat(reason(QrTokens.verify(token, keys, other.slug(), hq, during)))
                .isEqualTo(DenyReason.QR_WRONG_TENANT);
        assertThat(reason(QrTokens.verify(token, sites.keys(other), tenant.slug(), hq, during)))
                .isEqualTo(DenyReason.QR_UNKNOWN_KEY);
        assertThat(reason(QrTokens.verify(token, keys, tenant.slug(), hq, expiresAt.plus(QrTokens.DEFAULT_LEEWAY))))
                .isEqualTo(DenyReason.QR_EXPIRED);

        // Without siteId a token opens every site of the tenant, and each token is a new one.
        Api.Response anySite = api().post("/api/v1/credentials/" + id + "/qr-token", tenant.token(), "");
        assertThat(anySite.status()).isEqualTo(200);
        assertThat(anySite.json().has("sites")).isFalse();
        assertThat(anySite.json().get("tokenId").asText())
                .isNotEqualTo(minted.json().get("tokenId").asText());
        Instant anyStart = Instant.parse(anySite.json().get("notBefore").asText());
        assertThat(QrTokens.verify(anySite.json().get("token").asText(), keys, tenant.slug(), annex, anyStart))
                .isInstanceOf(QrResult.Valid.class);
    }

    static DenyReason reason(QrResult result) {
        assertThat(result).isInstanceOf(QrResult.Rejected.class);
        return ((QrResult.Rejected) result).reason();
    }

    @Test
    void qrTokensNeedAnActiveMemberQrCredentialOfAnActiveMember() {
        // A token is only minted when the door would let its holder in; anything else is a 409 saying why.
        var tenant = hub.newTenant("qr-refused");
        var other = hub.newTenant("qr-refused-other");
        String member = Fixtures.member(hub, tenant.id());
        String cardId = enroll(tenant, member, card("04112233"));
        assertThat(tokenDetail(tenant, cardId, 409)).contains("nfc-card");

        String qr = enroll(tenant, member, MEMBER_QR);
        api().patch("/api/v1/credentials/" + qr, tenant.token(), "{\"status\":\"suspended\"}");
        assertThat(tokenDetail(tenant, qr, 409)).contains("suspended");
        api().patch("/api/v1/credentials/" + qr, tenant.token(), "{\"status\":\"active\"}");
        assertThat(tokenDetail(tenant, qr, 200)).isEmpty();

        Fixtures.memberStatus(hub, member, "SUSPENDED");
        assertThat(tokenDetail(tenant, qr, 409)).contains("member " + member + " is suspended");
        Fixtures.memberStatus(hub, member, "ACTIVE");

        String later = enroll(tenant, member, "{\"type\":\"member-qr\",\"validFrom\":\"2098-01-01T00:00:00Z\"}");
        assertThat(tokenDetail(tenant, later, 409)).contains("not yet");

        // A site must be one of the tenant's: an unknown, a foreign or a malformed site id names the parameter.
        for (String siteId : List.of("site_unknown", sites.site(other), "no-such-site!")) {
            Api.Response response =
                    api().post("/api/v1/credentials/" + qr + "/qr-token?siteId=" + siteId, tenant.token(), "");
            assertThat(Sites.fields(response)).as(siteId).containsExactly("siteId");
        }

        api().post("/api/v1/credentials/" + qr + "/revoke", tenant.token(), "");
        assertThat(tokenDetail(tenant, qr, 409)).contains("revoked");
    }

    String tokenDetail(TestHub.Tenant tenant, String credentialId, int status) {
        Api.Response response = api().post("/api/v1/credentials/" + credentialId + "/qr-token", tenant.token(), "");
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        return response.json().path("detail").asText();
    }

    @Test
    void everyCredentialChangeReachesEverySiteOfItsTenantOnly() {
        var tenant = hub.newTenant("log");
        var other = hub.newTenant("log-other");
        String hq = sites.site(tenant);
        String annex = sites.site(tenant);
        String elsewhere = sites.site(other);
        long otherHead = sites.head(other, elsewhere);
        String member = Fixtures.member(hub, tenant.id());
        long hqHead = sites.head(tenant, hq);
        long annexHead = sites.head(tenant, annex);

        String id = enroll(tenant, member, card("04A1B2C3D4E5F6A7B8C9"));
        api().patch("/api/v1/credentials/" + id, tenant.token(), "{\"validUntil\":\"2099-06-01T00:00:00Z\"}");
        api().post("/api/v1/credentials/" + id + "/revoke", tenant.token(), "");

        for (String site : List.of(hq, annex)) {
            List<JsonNode> changes = sites.changesAfter(tenant, site, site.equals(hq) ? hqHead : annexHead);
            assertThat(changes).hasSize(3);
            assertThat(changes).allSatisfy(change -> {
                assertThat(change.get("kind").asText()).isEqualTo("CREDENTIAL");
                assertThat(change.get("op").asText()).isEqualTo("upsert");
                assertThat(change.get("key").asText()).isEqualTo(id);
                assertThat(change.at("/entity/member").asText()).isEqualTo(member);
                assertThat(change.at("/entity/type").asText()).isEqualTo("nfc-card");
                assertThat(change.at("/entity/cardHash").asText())
                        .isEqualTo(expectedHash(tenant, "04A1B2C3D4E5F6A7B8C9"));
            });
            assertThat(changes.get(0).at("/entity/status").asText()).isEqualTo("active");
            assertThat(changes.get(1).at("/entity/validUntil").asText()).isEqualTo("2099-06-01T00:00:00Z");
            assertThat(changes.get(2).at("/entity/status").asText()).isEqualTo("revoked");
        }
        assertThat(sites.head(other, elsewhere)).isEqualTo(otherHead);
    }

    @Test
    void revokingIsFinal() {
        var tenant = hub.newTenant("final");
        String site = sites.site(tenant);
        String member = Fixtures.member(hub, tenant.id());
        String id = enroll(tenant, member, MEMBER_QR);

        Api.Response revoked = api().post("/api/v1/credentials/" + id + "/revoke", tenant.token(), "");
        assertThat(revoked.status()).isEqualTo(200);
        assertThat(revoked.json().get("status").asText()).isEqualTo("revoked");
        long head = sites.head(tenant, site);

        // revoking again is a no-op, not a new change for every edge
        Api.Response again = api().post("/api/v1/credentials/" + id + "/revoke", tenant.token(), "");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("status").asText()).isEqualTo("revoked");
        for (String body : List.of("{\"status\":\"active\"}", "{\"label\":\"found it\"}")) {
            Api.Response patched = api().patch("/api/v1/credentials/" + id, tenant.token(), body);
            assertThat(patched.status()).as(body).isEqualTo(409);
            assertThat(patched.json().get("detail").asText())
                    .contains("revoked")
                    .contains("final");
        }
        assertThat(sites.head(tenant, site)).isEqualTo(head);
        assertThat(api().get("/api/v1/credentials/" + id, tenant.token())
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("revoked");
    }

    @Test
    void aPatchChangesOnlyTheFieldsItNames() {
        var tenant = hub.newTenant("patch");
        String site = sites.site(tenant);
        String member = Fixtures.member(hub, tenant.id());
        String id = enroll(tenant, member, "{\"type\":\"member-qr\",\"label\":\"Phone\"}");
        String path = "/api/v1/credentials/" + id;

        Api.Response window = api().patch(
                        path,
                        tenant.token(),
                        "{\"validFrom\":\"2026-01-01T00:00:00Z\",\"validUntil\":\"2099-01-01T00:00:00+01:00\"}");
        assertThat(window.status()).as(window.toString()).isEqualTo(200);
        assertThat(window.json().get("label").asText()).isEqualTo("Phone");
        assertThat(window.json().get("validFrom").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(window.json().get("validUntil").asText()).isEqualTo("2098-12-31T23:00:00Z");

        Api.Response suspended = api().patch(path, tenant.token(), "{\"status\":\"suspended\",\"label\":null}");
        assertThat(suspended.status()).isEqualTo(200);
        assertThat(suspended.json().get("status").asText()).isEqualTo("suspended");
        assertThat(suspended.json().has("label")).isFalse();
        assertThat(suspended.json().get("validUntil").asText()).isEqualTo("2098-12-31T23:00:00Z");
        assertThat(api().patch(path, tenant.token(), "{\"status\":\"lost\"}")
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("lost");

        long head = sites.head(tenant, site);
        String before = api().get(path, tenant.token()).text();
        assertThat(Sites.fields(api().patch(path, tenant.token(), "{\"status\":\"revoked\"}")))
                .containsExactly("status");
        assertThat(Sites.fields(api().patch(path, tenant.token(), "{\"status\":null}")))
                .containsExactly("status");
        assertThat(Sites.fields(api().patch(path, tenant.token(), "{\"validFrom\":\"2099-02-01T00:00:00Z\"}")))
                .containsExactly("validUntil");
        assertThat(Sites.fields(api().patch(path, tenant.token(), "{\"validUntil\":\"2020-02-01T00:00:00Z\"}")))
                .containsExactly("validUntil");
        assertThat(Sites.fields(api().patch(path, tenant.token(), "{\"memberId\":\"mem_x\",\"label\":1}")))
                .containsExactlyInAnyOrder("memberId", "label");
        // a PATCH that changes nothing is not sent to the edges
        assertThat(api().patch(path, tenant.token(), "{}").status()).isEqualTo(200);
        assertThat(api().patch(
                                path,
                                tenant.token(),
                                "{\"status\":\"lost\",\"validFrom\":\"2026-01-01T01:00:00+01:00\"}")
                        .status())
                .isEqualTo(200);
        assertThat(api().get(path, tenant.token()).text()).isEqualTo(before);
        assertThat(sites.head(tenant, site)).isEqualTo(head);

        Api.Response cleared = api().patch(path, tenant.token(), "{\"validFrom\":null,\"validUntil\":null}");
        assertThat(cleared.json().has("validFrom")).isFalse();
        assertThat(cleared.json().has("validUntil")).isFalse();
        assertThat(sites.head(tenant, site)).isEqualTo(head + 1);

        // A card found again works again. Receivers heard each status change once (not the window edits).
        assertThat(api().patch(path, tenant.token(), "{\"status\":\"active\"}").status())
                .isEqualTo(200);
        List<String> events = hub.hub()
                .database()
                .read(c -> dev.gatehouse.hub.store.Sql.list(
                        c,
                        "SELECT type FROM outbox_events WHERE entity_id = ? ORDER BY seq",
                        dev.gatehouse.hub.store.Sql.STRING,
                        id));
        assertThat(events)
                .containsExactly(
                        "credential.issued", "credential.suspended", "credential.revoked", "credential.reactivated");
    }

    /**
     * A cursor is opaque: only a nextCursor this list returned may come back. A made-up one (here a
     * well-formed credential id, which the list once took as a position) must be refused, not
     * silently page from wherever it happens to sort.
     */
    @ParameterizedTest
    @ValueSource(strings = {"cred_zzzzzzzzzzzzzzzz", "0"})
    void aMadeUpCursorIsRefusedNamingIt(String cursor) {
        var tenant = hub.newTenant("made-up-cursor");
        String member = Fixtures.member(hub, tenant.id());
        Api.Response refused = api().get("/api/v1/members/" + member + "/credentials?cursor=" + cursor, tenant.token());
        assertThat(refused.status()).isEqualTo(422);
        assertThat(Sites.fields(refused)).containsExactly("cursor");
    }

    @Test
    void aMembersCredentialsArePagedAndFilteredByStatus() {
        var tenant = hub.newTenant("list");
        String member = Fixtures.member(hub, tenant.id());
        Fixtures.member(hub, tenant.id()); // another member's credentials stay out of the list
        List<String> ids = new ArrayList<>();
        ids.add(enroll(tenant, member, MEMBER_QR));
        ids.add(enroll(tenant, member, card("04A1B2C3D4E5F6")));
        ids.add(enroll(tenant, member, card("0A0B0C0D")));
        api().post("/api/v1/credentials/" + ids.get(1) + "/revoke", tenant.token(), "");
        String path = "/api/v1/members/" + member + "/credentials";

        Api.Response first = api().get(path + "?limit=2", tenant.token());
        assertThat(first.json().get("items")).hasSize(2);
        String cursor = first.json().get("nextCursor").asText();
        Api.Response second = api().get(path + "?limit=2&cursor=" + cursor, tenant.token());
        assertThat(second.json().get("items")).hasSize(1);
        assertThat(second.json().has("nextCursor")).isFalse();
        List<String> listed = new ArrayList<>(first.json().get("items").findValuesAsText("id"));
        listed.addAll(second.json().get("items").findValuesAsText("id"));
        assertThat(listed).containsExactlyInAnyOrderElementsOf(ids).isSorted();

        assertThat(api().get(path + "?status=revoked", tenant.token())
                        .json()
                        .get("items")
                        .findValuesAsText("id"))
                .containsExactly(ids.get(1));
        assertThat(api().get(path + "?status=active", tenant.token()).json().get("items"))
                .hasSize(2);
        assertThat(Sites.fields(api().get(path + "?status=stolen", tenant.token())))
                .containsExactly("status");
        assertThat(Sites.fields(api().get(path + "?limit=0", tenant.token()))).containsExactly("limit");
        assertThat(Sites.fields(api().get(path + "?cursor=not%20a%20cursor", tenant.token())))
                .containsExactly("cursor");
        assertThat(api().get("/api/v1/members/mem_nobody/credentials", tenant.token())
                        .status())
                .isEqualTo(404);
    }

    @Test
    void anotherTenantsCredentialsAndMembersAreNotFound() {
        // A tenant cannot tell another tenant's credential from one that does not exist.
        var owner = hub.newTenant("owner");
        var intruder = hub.newTenant("intruder");
        String member = Fixtures.member(hub, owner.id());
        String id = enroll(owner, member, MEMBER_QR);
        String credential =
                api().get("/api/v1/credentials/" + id, owner.token()).text();

        List<Api.Response> answers = List.of(
                api().get("/api/v1/credentials/" + id, intruder.token()),
                api().patch("/api/v1/credentials/" + id, intruder.token(), "{\"label\":\"mine\"}"),
                api().post("/api/v1/credentials/" + id + "/revoke", intruder.token(), ""),
                api().post("/api/v1/credentials/" + id + "/qr-token", intruder.token(), ""));
        for (Api.Response answer : answers) {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(404);
            assertThat(answer.json().get("detail").asText()).isEqualTo("credential '" + id + "' does not exist");
        }
        assertThat(api().get("/api/v1/credentials/cred_0000000000000000", intruder.token())
                        .json()
                        .get("detail")
                        .asText())
                .isEqualTo("credential 'cred_0000000000000000' does not exist");

        Api.Response list = api().get("/api/v1/members/" + member + "/credentials", intruder.token());
        assertThat(list.status()).isEqualTo(404);
        Api.Response enrollOnto =
                api().post("/api/v1/members/" + member + "/credentials", intruder.token(), card("04A1B2C3"));
        assertThat(enrollOnto.status()).isEqualTo(404);
        assertThat(enrollOnto.json().get("detail").asText()).isEqualTo("member '" + member + "' does not exist");

        assertThat(api().get("/api/v1/credentials/" + id, owner.token()).text()).isEqualTo(credential);
        assertThat(api().get("/api/v1/members/" + member + "/credentials", owner.token())
                        .json()
                        .get("items"))
                .hasSize(1);
    }

    @Test
    void notBeforeIsTheMintingSecond() {
        // QR times are whole seconds; the code starts when it is shown, not in the past or the future.
        var tenant = hub.newTenant("second");
        String id = enroll(tenant, Fixtures.member(hub, tenant.id()), MEMBER_QR);
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Api.Response minted = api().post("/api/v1/credentials/" + id + "/qr-token", tenant.token(), "");
        Instant after = Instant.now();
        Instant notBefore = Instant.parse(minted.json().get("notBefore").asText());
        assertThat(notBefore).isBetween(before, after);
        assertThat(notBefore.getNano()).isZero();
    }
}
