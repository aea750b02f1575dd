package dev.gatehouse.hub.kiosk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.bookings.SiteFeatures;
import dev.gatehouse.hub.changes.LoggedChange;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.sync.SyncStore;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.KioskEvent;
import dev.gatehouse.protocol.message.KioskSignature;
import dev.gatehouse.protocol.model.Agreement;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.WifiVoucher;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A kiosk sign-in that carries the visitor agreement's signature and a Wi-Fi voucher, ingested at the
 * hub on both stores: the signature recorded through the agreement store and the voucher marked issued
 * through the pool, in the ingest's transaction, exactly once however often the edge sends the event;
 * a signature the hub cannot verify is kept on the sign-in as sent, with the reason, and recorded
 * nowhere else.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class KioskSignInSuppliesTest {
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

    /** A tenant with a site, a host, an edge reporting kiosk-supplies, an agreement and three vouchers. */
    private record Fixture(TestHub.Tenant tenant, String site, String host, String edge, JsonNode v1) {}

    private static Fixture fixture(String prefix) {
        TestHub.Tenant tenant = hub.newTenant(prefix);
        String site = hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"HQ Berlin\",\"address\":\"x\",\"timeZone\":\"Europe/Berlin\"}");
        String host = hub.create(
                "/api/v1/members", tenant.token(), "{\"email\":\"ada@acme.example\",\"fullName\":\"Ada Host\"}");
        String edge = hub.create("/api/v1/sites/" + site + "/devices", tenant.token(), "{\"name\":\"front desk\"}");
        hub.hub().database().run(c -> {
            var before = SiteFeatures.reads(c, tenant.id(), site);
            Sql.update(
                    c,
                    "UPDATE devices SET status = 'active', features = ? WHERE id = ?",
                    Agreement.FEATURE + "," + KioskEvent.FEATURE + "," + KioskEvent.SIGNATURES_FEATURE,
                    edge);
            SiteFeatures.catchUp(c, tenant.id(), site, before, Instant.now());
        });
        Api.Response uploaded = hub.api()
                .sendBytes(
                        "POST",
                        "/api/v1/sites/" + site + "/wifi-vouchers",
                        tenant.token(),
                        "code,minutes,expires\nGUEST-1,480,\nGUEST-2,480,\nGUEST-3,480,\n"
                                .getBytes(StandardCharsets.UTF_8),
                        Optional.of("text/csv"));
        assertThat(uploaded.status()).as(uploaded.toString()).isEqualTo(201);
        return new Fixture(tenant, site, host, edge, publish(tenant, site, "Keep what you see here to yourself."));
    }

    private static JsonNode publish(TestHub.Tenant tenant, String site, String text) {
        var json = Json.MAPPER.createObjectNode();
        json.put("siteId", site);
        json.put("title", "Visitor agreement");
        json.put("body", "I, {visitorName}, visiting {hostName} at {siteName} on {date}: " + text);
        Api.Response published = hub.api().post("/api/v1/agreements", tenant.token(), json.toString());
        assertThat(published.status()).as(published.toString()).isEqualTo(201);
        return published.json();
    }

    /** The vouchers the hub allocated to the edge, as its sync log sends them. */
    private static List<WifiVoucher> slice(Fixture f) {
        return new SyncStore(hub.hub().database())
                .range(f.tenant().id(), f.site(), 0, 500).orElseThrow().changes().stream()
                        .map(LoggedChange::change)
                        .filter(change ->
                                change instanceof Change.Upsert upsert && upsert.entity() instanceof WifiVoucher)
                        .map(change -> (WifiVoucher) ((Change.Upsert) change).entity())
                        .filter(voucher -> voucher.device().equals(f.edge()))
                        .toList();
    }

    /** The signature a kiosk makes of {@code version} as published, signed by Grace Hopper. */
    private static KioskSignature signature(JsonNode version) {
        Agreement agreement = new Agreement(
                version.get("agreementId").asText(),
                version.get("version").asInt(),
                version.get("title").asText(),
                version.get("body").asText(),
                "HQ Berlin",
                version.get("sha256").asText());
        Map<String, String> variables = Map.of(
                "visitorName", "Grace Hopper", "hostName", "Ada Host", "siteName", "HQ Berlin", "date", "2026-12-07");
        return new KioskSignature(
                agreement.id(),
                agreement.version(),
                agreement.sha256(),
                Agreement.renderedSha256(agreement.render(variables)),
                "Grace Hopper",
                variables);
    }

    private static Envelope walkIn(Fixture f, Optional<KioskSignature> signature, Optional<String> voucher) {
        return new Envelope(
                UUID.randomUUID().toString(),
                Instant.now(),
                KioskEvent.walkIn(
                                f.site(),
                                "k-0123456789abcdef",
                                MemberId.of(f.host()),
                                "Grace Hopper",
                                Optional.of("grace@example.org"),
                                true)
                        .with(signature, voucher));
    }

    private static boolean ingest(Fixture f, Envelope envelope) {
        Instant now = Instant.now();
        return hub.hub().database().write(c -> KioskSignIns.insert(c, f.tenant().id(), f.edge(), envelope, now));
    }

    private static long count(String sql, Object... params) {
        return hub.hub().database().read(c -> Sql.one(c, sql, Sql.LONG, params)).orElseThrow();
    }

    private static dev.gatehouse.hub.agreements.AgreementStore agreements() {
        return new dev.gatehouse.hub.agreements.AgreementStore(hub.hub().database(), java.time.Clock.systemUTC());
    }

    private static KioskSignIns signIns() {
        return new KioskSignIns(hub.hub().database(), java.time.Clock.systemUTC());
    }

    @Test
    void aSignInsSignatureAndVoucherAreRecordedOnceHoweverOftenTheEdgeSendsIt() {
        Fixture f = fixture("supplies-once");
        WifiVoucher voucher = slice(f).getFirst();
        Envelope signedIn = walkIn(f, Optional.of(signature(f.v1())), Optional.of(voucher.id()));
        long pool = count(
                "SELECT COUNT(*) FROM wifi_vouchers WHERE tenant_id = ? AND issued_at IS NULL",
                f.tenant().id());

        assertThat(ingest(f, signedIn)).isTrue();
        // The edge did not hear the ack and sends it again, twice: nothing changes.
        assertThat(ingest(f, signedIn)).isFalse();
        assertThat(ingest(f, signedIn)).isFalse();

        assertThat(count(
                        "SELECT COUNT(*) FROM agreement_signatures WHERE tenant_id = ? AND event_id = ?",
                        f.tenant().id(),
                        signedIn.id()))
                .isEqualTo(1);
        assertThat(count(
                        "SELECT COUNT(*) FROM agreement_signatures WHERE tenant_id = ? AND signer_name = 'Grace Hopper'"
                                + " AND version = 1 AND source = ?",
                        f.tenant().id(),
                        f.edge()))
                .isEqualTo(1);
        // Signed with her e-mail: the hub knows she signed the version in force.
        assertThat(agreements().hasSignedCurrent(f.tenant().id(), f.site(), "GRACE@example.org"))
                .isTrue();
        assertThat(count(
                        "SELECT COUNT(*) FROM wifi_vouchers WHERE id = ? AND issued_event_id = ? AND issued_device_id = ?",
                        voucher.id(),
                        signedIn.id(),
                        f.edge()))
                .isEqualTo(1);
        assertThat(count(
                        "SELECT COUNT(*) FROM wifi_vouchers WHERE tenant_id = ? AND issued_at IS NULL",
                        f.tenant().id()))
                .isEqualTo(pool - 1);
        KioskSignIns.Supplies kept =
                signIns().supplies(f.tenant().id(), signedIn.id()).orElseThrow();
        assertThat(kept.agreementId()).contains(f.v1().get("agreementId").asText());
        assertThat(kept.agreementVersion()).contains(1);
        assertThat(kept.signerName()).contains("Grace Hopper");
        assertThat(kept.signatureId()).isPresent();
        assertThat(kept.signatureRefused()).isEmpty();
        assertThat(kept.wifiVoucherId()).contains(voucher.id());
        assertThat(kept.voucherRefused()).isEmpty();
    }

    @Test
    void aVersionSupersededWhileTheEdgeWasOfflineIsRecordedAsWhatWasSigned() {
        Fixture f = fixture("supplies-stale");
        // Version 2 is published while the site's internet is down; the kiosk still shows version 1.
        publish(f.tenant(), f.site(), "Photos need the host's permission.");
        Envelope signedIn = walkIn(f, Optional.of(signature(f.v1())), Optional.empty());

        assertThat(ingest(f, signedIn)).isTrue();

        assertThat(count(
                        "SELECT COUNT(*) FROM agreement_signatures WHERE tenant_id = ? AND event_id = ? AND version = 1",
                        f.tenant().id(),
                        signedIn.id()))
                .isEqualTo(1);
        // Version 1 is not the one in force: she is asked to sign version 2 next time.
        assertThat(agreements().hasSignedCurrent(f.tenant().id(), f.site(), "grace@example.org"))
                .isFalse();
    }

    @Test
    void aSignatureTheHubCannotVerifyIsKeptOnTheSignInWithTheReasonAndRecordedNowhereElse() {
        Fixture f = fixture("supplies-forged");
        KioskSignature honest = signature(f.v1());
        KioskSignature altered = new KioskSignature(
                honest.agreement(),
                honest.version(),
                honest.sha256(),
                "0".repeat(64), // not the hash of the published text rendered with these values
                honest.signer(),
                honest.variables());
        WifiVoucher voucher = slice(f).getFirst();
        Envelope signedIn = walkIn(f, Optional.of(altered), Optional.of(voucher.id()));

        assertThat(ingest(f, signedIn)).isTrue();
        assertThat(ingest(f, signedIn)).isFalse();

        assertThat(count(
                        "SELECT COUNT(*) FROM agreement_signatures WHERE tenant_id = ?",
                        f.tenant().id()))
                .isZero();
        KioskSignIns.Supplies kept =
                signIns().supplies(f.tenant().id(), signedIn.id()).orElseThrow();
        assertThat(kept.renderedSha256()).contains("0".repeat(64));
        assertThat(kept.signatureId()).isEmpty();
        assertThat(kept.signatureRefused())
                .hasValueSatisfying(reason -> assertThat(reason).contains("renderedSha256"));
        // The sign-in itself and its voucher stand: the visitor is in and has the code.
        assertThat(kept.wifiVoucherId()).contains(voucher.id());
        assertThat(count("SELECT COUNT(*) FROM kiosk_sign_ins WHERE id = ?", signedIn.id()))
                .isEqualTo(1);
    }

    @Test
    void anonymisingTheVisitorAlsoReplacesTheNameTheySignedWith() {
        // The signature kept as sent names the visitor too: retention and erasure must reach it.
        Fixture f = fixture("supplies-anonymised");
        Envelope signedIn = walkIn(f, Optional.of(signature(f.v1())), Optional.empty());
        ingest(f, signedIn);

        hub.hub()
                .database()
                .run(c -> KioskSignIns.anonymise(
                        c,
                        f.tenant().id(),
                        KioskSignIns.VisitorSignIns.SIGN_IN,
                        signedIn.id(),
                        "(anonymised)",
                        Instant.now()));

        KioskSignIns.Supplies kept =
                signIns().supplies(f.tenant().id(), signedIn.id()).orElseThrow();
        assertThat(kept.signerName()).contains("(anonymised)");
        assertThat(kept.agreementVersion()).contains(1);
    }

    @Test
    void aVoucherThePoolDoesNotKnowIsKeptWithTheReasonAndTheSignInStands() {
        Fixture f = fixture("supplies-unknown-voucher");
        Envelope signedIn = walkIn(f, Optional.empty(), Optional.of("wv-not-ours"));

        assertThat(ingest(f, signedIn)).isTrue();

        KioskSignIns.Supplies kept =
                signIns().supplies(f.tenant().id(), signedIn.id()).orElseThrow();
        assertThat(kept.wifiVoucherId()).contains("wv-not-ours");
        assertThat(kept.voucherRefused())
                .hasValueSatisfying(reason -> assertThat(reason).contains("no wifi voucher"));
        assertThat(kept.agreementId()).isEmpty();
    }
}
