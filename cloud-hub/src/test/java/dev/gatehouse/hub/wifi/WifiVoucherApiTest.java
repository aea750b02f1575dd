package dev.gatehouse.hub.wifi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.alerts.AlertKind;
import dev.gatehouse.hub.alerts.AlertStore;
import dev.gatehouse.hub.bookings.SiteFeatures;
import dev.gatehouse.hub.changes.LoggedChange;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.sync.SyncStore;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.Agreement;
import dev.gatehouse.protocol.model.WifiVoucher;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A site's Wi-Fi voucher pool on both stores: a pool file is taken whole or not at all, each bad line
 * named; codes are sealed, never answered and never in the change log; each edge holds a disjoint
 * slice that is topped up as codes are handed out (recorded once per sign-in); a site with an edge
 * that cannot read vouchers gets none until it can; the pool-low alert; roles and a second tenant.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class WifiVoucherApiTest {
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

    private record Fixture(TestHub.Tenant tenant, String site) {}

    private static Fixture fixture(String prefix) {
        TestHub.Tenant tenant = hub.newTenant(prefix);
        String site = hub.create(
                "/api/v1/sites", tenant.token(), "{\"name\":\"HQ\",\"address\":\"x\",\"timeZone\":\"Europe/Berlin\"}");
        return new Fixture(tenant, site);
    }

    /** An active edge of the site reporting {@code features}, as its device.state would leave it. */
    private static String edge(Fixture f, String name, String features) {
        String device =
                hub.create("/api/v1/sites/" + f.site() + "/devices", f.tenant().token(), "{\"name\":\"" + name + "\"}");
        hub.hub().database().run(c -> {
            var before = SiteFeatures.reads(c, f.tenant().id(), f.site());
            Sql.update(c, "UPDATE devices SET status = 'active', features = ? WHERE id = ?", features, device);
            SiteFeatures.catchUp(c, f.tenant().id(), f.site(), before, Instant.now());
        });
        return device;
    }

    private static String csv(String prefix, int count) {
        StringBuilder csv = new StringBuilder("code,minutes,expires\n");
        IntStream.rangeClosed(1, count)
                .forEach(i -> csv.append(prefix).append('-').append(i).append(",480,\n"));
        return csv.toString();
    }

    private static Api.Response uploadCsv(String token, String site, String csv) {
        return hub.api()
                .sendBytes(
                        "POST",
                        "/api/v1/sites/" + site + "/wifi-vouchers",
                        token,
                        csv.getBytes(StandardCharsets.UTF_8),
                        Optional.of("text/csv"));
    }

    private static Api.Response uploadMultipart(String token, String site, String csv) {
        String boundary = "----gatehouse-test-boundary";
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"pool.csv\"\r\n"
                + "Content-Type: text/csv\r\n\r\n" + csv + "\r\n--" + boundary + "--\r\n";
        return hub.api()
                .sendBytes(
                        "POST",
                        "/api/v1/sites/" + site + "/wifi-vouchers",
                        token,
                        body.getBytes(StandardCharsets.UTF_8),
                        Optional.of("multipart/form-data; boundary=" + boundary));
    }

    private static JsonNode pool(Fixture f) {
        return hub.api()
                .get("/api/v1/sites/" + f.site() + "/wifi-pool", f.tenant().token())
                .json();
    }

    /** The voucher upserts the site's edges get now, codes filled in as sync sends them. */
    private static List<WifiVoucher> sent(Fixture f) {
        return new SyncStore(hub.hub().database())
                .range(f.tenant().id(), f.site(), 0, 500).orElseThrow().changes().stream()
                        .map(LoggedChange::change)
                        .filter(change ->
                                change instanceof Change.Upsert upsert && upsert.entity() instanceof WifiVoucher)
                        .map(change -> (WifiVoucher) ((Change.Upsert) change).entity())
                        .toList();
    }

    private static String logged(Fixture f) {
        return String.join("\n", rows(f, "SELECT COALESCE(body, '') FROM site_changes WHERE site_id = ?"));
    }

    private static List<String> rows(Fixture f, String sql) {
        return hub.hub().database().read(c -> Sql.list(c, sql, Sql.STRING, f.site()));
    }

    @Test
    void aFileWithBadLinesIsRefusedWholeNamingEachLineAndWhatToFix() {
        Fixture f = fixture("wifi-bad");
        String csv = "code,minutes,expires\n"
                + "GOOD-1,480,\n"
                + ",60,\n"
                + "BOTH-1,60,2030-01-01T00:00:00Z\n"
                + "GOOD-1,30,\n"
                + "LATE-1,,2001-01-01T00:00:00Z\n"
                + "WORD-1,ten,\n";

        Api.Response refused = uploadCsv(f.tenant().token(), f.site(), csv);

        assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
        assertThat(refused.text())
                .contains("line 3", "the code is empty")
                .contains("line 4", "exactly one of minutes")
                .contains("line 5", "appears twice in the file (first on line 2)")
                .contains("line 6", "is in the past")
                .contains("line 7", "'ten' is not a whole number")
                .doesNotContain("GOOD-1");
        assertThat(pool(f).get("remaining").asLong()).isZero();
        Api.Response header = uploadCsv(f.tenant().token(), f.site(), "voucher,minutes\nA,1\n");
        assertThat(header.status()).isEqualTo(422);
        assertThat(header.text()).contains("line 1", "column 'voucher' is not known");
        assertThat(hub.api()
                        .sendBytes(
                                "POST",
                                "/api/v1/sites/" + f.site() + "/wifi-vouchers",
                                f.tenant().token(),
                                new byte[] {1},
                                Optional.of("application/json"))
                        .status())
                .isEqualTo(415);
    }

    @Test
    void codesAreSealedNeverAnsweredOrLoggedAndACodeAlreadyInThePoolIsRefused() {
        Fixture f = fixture("wifi-seal");
        edge(f, "Front desk Pi", Agreement.FEATURE);

        Api.Response uploaded = uploadMultipart(f.tenant().token(), f.site(), csv("SECRET", 3));

        assertThat(uploaded.status()).as(uploaded.toString()).isEqualTo(201);
        assertThat(uploaded.json().get("added").asInt()).isEqualTo(3);
        assertThat(uploaded.text()).doesNotContain("SECRET");
        assertThat(rows(f, "SELECT code_sealed FROM wifi_vouchers WHERE site_id = ?"))
                .hasSize(3)
                .allSatisfy(value -> assertThat(value).startsWith("ghk1:").doesNotContain("SECRET"));
        assertThat(logged(f))
                .contains("wifi-voucher")
                .contains(WifiVoucherStore.SEALED)
                .doesNotContain("SECRET");
        // What the edge receives carries the real codes.
        assertThat(sent(f)).extracting(WifiVoucher::code).containsExactlyInAnyOrder("SECRET-1", "SECRET-2", "SECRET-3");

        Api.Response again = uploadCsv(f.tenant().token(), f.site(), "code,minutes\nNEW-1,60\nSECRET-2,60\n");
        assertThat(again.status()).isEqualTo(422);
        assertThat(again.text())
                .contains("line 3", "in this site's pool already")
                .doesNotContain("SECRET");
        assertThat(pool(f).get("remaining").asLong()).isEqualTo(3);
    }

    @Test
    void eachEdgeHoldsADisjointSliceToppedUpAsCodesAreHandedOutOncePerSignIn() {
        Fixture f = fixture("wifi-slices");
        String front = edge(f, "Front Pi", Agreement.FEATURE);
        String back = edge(f, "Back Pi", Agreement.FEATURE);
        assertThat(hub.api()
                        .put(
                                "/api/v1/sites/" + f.site() + "/wifi-pool",
                                f.tenant().token(),
                                "{\"lowThreshold\":2,\"sliceSize\":3}")
                        .status())
                .isEqualTo(200);
        uploadCsv(f.tenant().token(), f.site(), csv("CODE", 8));

        List<WifiVoucher> vouchers = sent(f);
        assertThat(vouchers).filteredOn(v -> v.device().equals(front)).hasSize(3);
        assertThat(vouchers).filteredOn(v -> v.device().equals(back)).hasSize(3);
        assertThat(new HashSet<>(vouchers.stream().map(WifiVoucher::code).toList()))
                .hasSize(6);
        assertThat(pool(f).get("unallocated").asLong()).isEqualTo(2);

        WifiVoucherStore store = new WifiVoucherStore(hub.hub().database(), Clock.systemUTC());
        String first = vouchers.stream()
                .filter(v -> v.device().equals(front))
                .findFirst()
                .orElseThrow()
                .id();
        assertThat(store.markIssued(f.tenant().id(), f.site(), first, "ev-sign-in-1", front))
                .isEqualTo(new WifiVoucherStore.Marked(first, false));
        assertThat(store.markIssued(f.tenant().id(), f.site(), first, "ev-sign-in-1", front))
                .isEqualTo(new WifiVoucherStore.Marked(first, true));
        assertThat(store.markIssued(f.tenant().id(), f.site(), first, "ev-sign-in-2", front))
                .isInstanceOfSatisfying(WifiVoucherStore.NotMarked.class, n -> assertThat(n.reason())
                        .contains("handed out for sign-in ev-sign-in-1"));
        assertThat(store.markIssued(f.tenant().id(), f.site(), "wv-nope", "ev-3", front))
                .isInstanceOf(WifiVoucherStore.NotMarked.class);

        // The code left the edges and the front edge's slice is full again from the pool.
        JsonNode pool = pool(f);
        assertThat(pool.get("issued").asLong()).isOne();
        assertThat(pool.at("/heldByDevice/" + front).asLong()).isEqualTo(3);
        assertThat(pool.get("unallocated").asLong()).isEqualTo(1);
        Set<String> held = new HashSet<>(rows(
                f, "SELECT id FROM wifi_vouchers WHERE site_id = ? AND device_id IS NOT NULL AND issued_at IS NULL"));
        assertThat(held).hasSize(6).doesNotContain(first);
    }

    @Test
    void aSiteWithAnEdgeThatCannotReadVouchersGetsNoneUntilItCan() {
        Fixture f = fixture("wifi-old");
        edge(f, "New Pi", Agreement.FEATURE);
        String old = edge(f, "Old Pi", "visitor-pins");
        hub.api()
                .put(
                        "/api/v1/sites/" + f.site() + "/wifi-pool",
                        f.tenant().token(),
                        "{\"lowThreshold\":0,\"sliceSize\":2}");
        uploadCsv(f.tenant().token(), f.site(), csv("OLD", 4));

        assertThat(sent(f)).isEmpty();
        assertThat(pool(f).get("unallocated").asLong()).isEqualTo(4);

        hub.hub().database().run(c -> {
            var before = SiteFeatures.reads(c, f.tenant().id(), f.site());
            Sql.update(c, "UPDATE devices SET features = ? WHERE id = ?", "visitor-pins," + Agreement.FEATURE, old);
            SiteFeatures.catchUp(c, f.tenant().id(), f.site(), before, Instant.now());
        });

        assertThat(sent(f)).hasSize(4).extracting(WifiVoucher::device).contains(old);
    }

    @Test
    void aLowPoolOpensAnAlertThatClearsWhenCodesAreAdded() {
        Fixture f = fixture("wifi-low");
        AlertStore alerts = new AlertStore(hub.hub().database(), Clock.systemUTC());
        uploadCsv(f.tenant().token(), f.site(), csv("LOW", 3));
        hub.api()
                .put(
                        "/api/v1/sites/" + f.site() + "/wifi-pool",
                        f.tenant().token(),
                        "{\"lowThreshold\":5,\"sliceSize\":10}");

        alerts.evaluate(Long.MAX_VALUE);

        List<AlertStore.Alert> open = alerts.alerts(f.tenant().id(), Set.of(), true, 10);
        assertThat(open).singleElement().satisfies(alert -> {
            assertThat(alert.kind()).isEqualTo(AlertKind.WIFI_POOL_LOW);
            assertThat(alert.subjectType()).isEqualTo("site");
            assertThat(alert.detail()).contains("3 Wi-Fi voucher codes left (the threshold is 5)");
        });
        uploadCsv(f.tenant().token(), f.site(), csv("MORE", 3));
        alerts.evaluate(Long.MAX_VALUE);
        assertThat(alerts.alerts(f.tenant().id(), Set.of(), true, 10)).isEmpty();
    }

    @Test
    void theFrontDeskSeesThePoolOnlyManagersUploadAndAnotherTenantSeesNothing() {
        Fixture f = fixture("wifi-roles");
        Fixture other = fixture("wifi-other");
        String desk = hub.api()
                .post("/api/v1/tokens", f.tenant().token(), "{\"name\":\"desk\",\"role\":\"front-desk\",\"sites\":[]}")
                .json()
                .get("token")
                .asText();

        assertThat(uploadCsv(desk, f.site(), csv("DESK", 1)).status()).isEqualTo(403);
        assertThat(hub.api()
                        .get("/api/v1/sites/" + f.site() + "/wifi-pool", desk)
                        .status())
                .isEqualTo(200);
        assertThat(uploadCsv(other.tenant().token(), f.site(), csv("EVE", 1)).status())
                .isEqualTo(404);
        assertThat(hub.api()
                        .get(
                                "/api/v1/sites/" + f.site() + "/wifi-pool",
                                other.tenant().token())
                        .status())
                .isEqualTo(404);
        assertThat(uploadCsv(f.tenant().token(), f.site(), csv("OK", 2)).status())
                .isEqualTo(201);
        assertThat(hub.api()
                        .get(
                                "/api/v1/audit?action=wifi-vouchers.upload",
                                f.tenant().token())
                        .text())
                .contains(f.site())
                .doesNotContain("OK-1");
    }
}
