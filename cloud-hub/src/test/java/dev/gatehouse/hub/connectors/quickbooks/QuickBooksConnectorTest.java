package dev.gatehouse.hub.connectors.quickbooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.connectors.ConnectorSettings;
import dev.gatehouse.hub.connectors.ConnectorStore;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.hub.webhooks.WebhookSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The QuickBooks Online connector on both stores, against a stand-in that speaks the Accounting API v3
 * and its OAuth2 token endpoint: the connect flow (state checked, tokens sealed, never shown), the
 * pre-flight refusing to enable while QuickBooks' settings do not fit, members as customers (created,
 * updated with their SyncToken, a stale token read again), invoices and payments on them, forward-only
 * and idempotent application, a 429 honoured, an expired token refreshed with the rotated refresh token
 * kept, a refused job failing visibly and carried by a retry, and a second tenant seeing none of it.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class QuickBooksConnectorTest {
    private static final String PATH = "/api/v1/connectors/quickbooks";

    static MovableClock clock;
    static QuickBooksStandIn qbo;
    static TestHub hub;

    @Parameter
    StoreKind store;

    private TestHub.Tenant tenant;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        clock = MovableClock.standingStill();
        clock.moveTo(Instant.parse("2027-03-10T08:00:00Z"));
        qbo = new QuickBooksStandIn();
        hub = TestHub.start(
                kind,
                clock,
                Optional.empty(),
                dev.gatehouse.hub.mqtt.MqttSettings.disabled(),
                config -> config.withWebhooks(WebhookSettings.defaults().withAllowHttpLoopback(true))
                        .withConnectors(
                                ConnectorSettings.defaults().withBase(ConnectorSettings.QUICKBOOKS, qbo.base())));
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
        qbo.close();
    }

    @BeforeEach
    void newTenant() {
        tenant = hub.newTenant("qbo");
    }

    private Api api() {
        return hub.api();
    }

    private QuickBooksTenant qb() {
        return new QuickBooksTenant(hub, qbo, tenant);
    }

    private Api.Response put(TestHub.Tenant who, String json) {
        return api().put(PATH, who.token(), json);
    }

    private void connectAndEnable() {
        qb().connectAndEnable("");
    }

    private String state() {
        return qb().state();
    }

    private Api.Response callback(String state, String code) {
        return qb().callback(state, code);
    }

    private String member(String name) {
        return qb().member(name);
    }

    private Optional<ObjectNode> customer(String name) {
        return qb().customer(name);
    }

    private List<JsonNode> jobs(String status) {
        return qb().jobs(status);
    }

    private long customerWrites(String externalId) {
        return qbo.writes().stream()
                .filter(r -> r.path().endsWith("/customer"))
                .filter(r -> r.json().path("Id").asText().equals(externalId)
                        || r.json()
                                .path("PrimaryEmailAddr")
                                .path("Address")
                                .asText()
                                .startsWith(externalId))
                .count();
    }

    @Test
    void badSettingsAreRefusedNamingEachFieldAndChangeNothing() {
        Api.Response refused = put(
                tenant,
                "{\"realmId\":\"acme\",\"itemId\":\"one\",\"numbering\":\"both\",\"clientSecret\":12,\"colour\":\"red\"}");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
        assertThat(refused.text()).contains("realmId", "itemId", "numbering", "clientSecret", "colour");
        JsonNode shown = api().get(PATH, tenant.token()).json();
        assertThat(shown.get("configured").asBoolean()).isFalse();
        // Enabling an unconfigured connector says what to do first.
        Api.Response enable = api().post(PATH + "/enable", tenant.token(), "");
        assertThat(enable.status()).isEqualTo(409);
        assertThat(enable.text()).contains("PUT /api/v1/connectors/quickbooks");
        assertThat(api().get("/api/v1/connectors/xero", tenant.token()).status())
                .isEqualTo(404);
    }

    @Test
    void theConnectFlowChecksTheStateSealsTheTokensAndNeverShowsThem() {
        put(
                tenant,
                "{\"clientId\":\"" + QuickBooksStandIn.CLIENT_ID + "\",\"clientSecret\":\""
                        + QuickBooksStandIn.CLIENT_SECRET + "\",\"itemId\":\"1\"}");
        String state = state();
        // A state this hub did not issue connects nothing, and neither does a code QuickBooks never gave.
        assertThat(callback("forged-state", qbo.issueCode()).status()).isEqualTo(400);
        assertThat(api().get(PATH, tenant.token()).json().get("connected").asBoolean())
                .isFalse();
        Api.Response back = callback(state, qbo.issueCode());
        assertThat(back.status()).as(back.toString()).isEqualTo(200);
        assertThat(back.text()).contains("Connected");
        // The state is used up.
        assertThat(callback(state, qbo.issueCode()).status()).isEqualTo(400);

        JsonNode shown = api().get(PATH, tenant.token()).json();
        assertThat(shown.get("connected").asBoolean()).isTrue();
        assertThat(shown.at("/settings/realmId").asText()).isEqualTo(QuickBooksStandIn.REALM);
        assertThat(shown.get("secretsSet").toString()).contains("clientId", "clientSecret");
        String everything = shown
                + api().get("/api/v1/connectors", tenant.token()).text()
                + api().get("/api/v1/audit", tenant.token()).text();
        assertThat(everything)
                .contains("connector.configure", "connector.connected")
                .doesNotContain(QuickBooksStandIn.CLIENT_SECRET)
                .doesNotContain("AB11-refresh")
                .doesNotContain("eyJ-access");
        // Sealed in the store too: the secret is not in the row as text.
        String row = hub.hub()
                .database()
                .read(c -> Sql.one(
                        c, "SELECT credentials FROM connector_settings WHERE tenant_id = ?", Sql.STRING, tenant.id()))
                .orElseThrow();
        assertThat(row).doesNotContain(QuickBooksStandIn.CLIENT_SECRET).doesNotContain("refresh");
    }

    @Test
    void preflightListsEachMismatchAndEnablingIsRefusedUntilTheyAreFixed() {
        qbo.preference("CustomTxnNumbers", false);
        qbo.preference("AutoApplyCredit", true);
        qbo.itemWithoutIncomeAccount("7");
        try {
            api().patch("/api/v1/billing/tax", tenant.token(), "{\"name\":\"VAT\",\"rateBasisPoints\":2000}");
            put(
                    tenant,
                    "{\"clientId\":\"" + QuickBooksStandIn.CLIENT_ID + "\",\"clientSecret\":\""
                            + QuickBooksStandIn.CLIENT_SECRET + "\",\"itemId\":\"7\"}");
            callback(state(), qbo.issueCode());

            JsonNode preflight = api().get(PATH + "/preflight", tenant.token()).json();
            assertThat(preflight.get("ok").asBoolean()).isFalse();
            assertThat(preflight.get("mismatches").findValuesAsText("code"))
                    .containsExactlyInAnyOrder(
                            "numbering", "auto-apply-credits", "income-account-missing", "tax-code-missing");
            Api.Response refused = api().post(PATH + "/enable", tenant.token(), "");
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.text()).contains("Custom transaction numbers", "tax code");
            assertThat(api().get(PATH, tenant.token()).json().get("enabled").asBoolean())
                    .isFalse();

            // Who numbers invoices is a setting: QuickBooks numbering fits its custom numbers being off.
            put(tenant, "{\"itemId\":\"1\",\"taxCodeId\":\"NOPE\",\"numbering\":\"quickbooks\"}");
            assertThat(api().get(PATH + "/preflight", tenant.token())
                            .json()
                            .get("mismatches")
                            .findValuesAsText("code"))
                    .containsExactlyInAnyOrder("auto-apply-credits", "tax-code");
            qbo.preference("AutoApplyCredit", false);
            put(tenant, "{\"taxCodeId\":\"TAX\"}");
            assertThat(api().get(PATH + "/preflight", tenant.token())
                            .json()
                            .get("ok")
                            .asBoolean())
                    .isTrue();
            assertThat(api().post(PATH + "/enable", tenant.token(), "").status())
                    .isEqualTo(200);
            // An enabled connector's settings do not change under it.
            assertThat(put(tenant, "{\"itemId\":\"7\"}").status()).isEqualTo(409);
        } finally {
            qbo.preference("CustomTxnNumbers", true);
            qbo.preference("AutoApplyCredit", false);
        }
    }

    @Test
    void membersBecomeCustomersUpdatedBySyncTokenAndAppliedForwardOnlyAndOnce() {
        connectAndEnable();
        String ada = member("ada");
        await().atMost(Duration.ofSeconds(20)).until(() -> customer("ada").isPresent());
        String id = customer("ada").orElseThrow().get("Id").asText();
        assertThat(customer("ada").orElseThrow().get("DisplayName").asText()).isEqualTo("ada " + tenant.slug());

        Api.Response renamed = api().patch("/api/v1/members/" + ada, tenant.token(), "{\"fullName\":\"Ada King\"}");
        assertThat(renamed.status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> customer("ada")
                .orElseThrow()
                .get("DisplayName")
                .asText()
                .equals("Ada King"));
        // Someone edits the customer in QuickBooks: the next update reads the new SyncToken and goes through.
        qbo.editInQuickBooks(id);
        api().patch("/api/v1/members/" + ada, tenant.token(), "{\"phone\":\"+44 20 7946 0000\"}");
        await().atMost(Duration.ofSeconds(20)).until(() -> customer("ada")
                .orElseThrow()
                .path("PrimaryPhone")
                .path("FreeFormNumber")
                .asText()
                .equals("+44 20 7946 0000"));
        await().atMost(Duration.ofSeconds(10)).until(() -> jobs("pending").isEmpty());
        assertThat(jobs("done")).hasSize(3);
        assertThat(qbo.customers().stream().filter(c -> c.get("Id").asText().equals(id)))
                .hasSize(1);

        // The same events taken again (the cursor moved back, as after a crash): no second job, no write.
        int writes = qbo.writes().size();
        hub.hub()
                .database()
                .run(c -> Sql.update(
                        c,
                        "UPDATE outbox_cursors SET seq = 1 WHERE consumer = 'connector-quickbooks' AND tenant_id = ?",
                        tenant.id()));
        hub.hub().connectors().pass();
        assertThat(jobs("")).hasSize(3);
        assertThat(qbo.writes()).hasSize(writes);

        // An older version after a newer one changes nothing: the first job, carried again, is skipped.
        JsonNode first = jobs("done").getLast();
        assertThat(first.get("entityVersion").asLong()).isEqualTo(1);
        hub.hub()
                .database()
                .run(c -> Sql.update(
                        c,
                        "UPDATE connector_jobs SET status = 'FAILED' WHERE id = ?",
                        first.get("id").asText()));
        Api.Response retried = api().post(PATH + "/jobs/" + first.get("id").asText() + "/retry", tenant.token(), "");
        assertThat(retried.status()).as(retried.toString()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> jobs("skipped").size() == 1);
        assertThat(jobs("skipped").getFirst().get("result").asText()).contains("not newer than version 3");
        assertThat(qbo.writes()).hasSize(writes);
        assertThat(customer("ada").orElseThrow().get("DisplayName").asText()).isEqualTo("Ada King");
    }

    @Test
    void anInvoiceAndItsPaymentReachQuickBooksOnTheMembersCustomer() {
        // Made before the connector is enabled: the invoice brings the customer along.
        String grace = member("grace");
        connectAndEnable();
        Api.Response charged = api().post(
                        "/api/v1/members/" + grace + "/charges",
                        tenant.token(),
                        "{\"description\":\"Meeting room, 3 h\",\"amount\":12345,\"currency\":\"EUR\",\"idempotencyKey\":\"grace-charge-1\"}");
        assertThat(charged.status()).as(charged.toString()).isEqualTo(201);
        JsonNode invoice = api().post("/api/v1/members/" + grace + "/invoices", tenant.token(), "")
                .json();
        String number = invoice.get("number").asText();
        Api.Response paid = api().post(
                        "/api/v1/invoices/" + invoice.get("id").asText() + "/payments",
                        tenant.token(),
                        "{\"amount\":12345,\"method\":\"bank-transfer\",\"reference\":\"SEPA-77\",\"idempotencyKey\":\"grace-payment-1\"}");
        assertThat(paid.status()).as(paid.toString()).isEqualTo(201);

        await().atMost(Duration.ofSeconds(20))
                .until(() -> qbo.payments().stream().anyMatch(p -> p.path("PrivateNote")
                        .asText()
                        .contains(paid.json().get("id").asText())));
        String customerId = customer("grace").orElseThrow().get("Id").asText();
        ObjectNode sent = qbo.invoices().stream()
                .filter(i -> i.path("PrivateNote")
                        .asText()
                        .contains(invoice.get("id").asText()))
                .findFirst()
                .orElseThrow();
        assertThat(sent.get("DocNumber").asText()).isEqualTo(number);
        assertThat(sent.at("/CustomerRef/value").asText()).isEqualTo(customerId);
        assertThat(sent.at("/Line/0/Amount").decimalValue()).isEqualByComparingTo("123.45");
        assertThat(sent.at("/Line/0/SalesItemLineDetail/ItemRef/value").asText())
                .isEqualTo("1");
        assertThat(sent.at("/Line/0/Description").asText()).isEqualTo("Meeting room, 3 h");
        ObjectNode payment = qbo.payments().stream()
                .filter(p -> p.path("PrivateNote")
                        .asText()
                        .contains(paid.json().get("id").asText()))
                .findFirst()
                .orElseThrow();
        assertThat(payment.get("TotalAmt").decimalValue()).isEqualByComparingTo("123.45");
        assertThat(payment.at("/CustomerRef/value").asText()).isEqualTo(customerId);
        assertThat(payment.at("/Line/0/LinkedTxn/0/TxnId").asText())
                .isEqualTo(sent.get("Id").asText());
        assertThat(payment.get("PaymentRefNum").asText()).isEqualTo("SEPA-77");
        assertThat(qbo.customers().stream().filter(c -> c.get("Id").asText().equals(customerId)))
                .hasSize(1);
    }

    @Test
    void aThrottledCallWaitsAsQuickBooksAsksAndTheConnectorPausesThenCarriesOn() {
        connectAndEnable();
        qbo.throttleNext(1);
        member("linus");
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            JsonNode shown = api().get(PATH, tenant.token()).json();
            return shown.hasNonNull("pausedUntil");
        });
        JsonNode shown = api().get(PATH, tenant.token()).json();
        assertThat(shown.get("lastError").asText()).contains("429");
        assertThat(Instant.parse(shown.get("pausedUntil").asText()))
                .isEqualTo(clock.instant().plusSeconds(60));
        JsonNode job = jobs("pending").getFirst();
        assertThat(job.get("lastError").asText()).contains("429");
        assertThat(job.get("attempts").asInt()).isZero(); // a 429 does not count against the backoff
        hub.hub().connectors().pass();
        assertThat(customer("linus")).isEmpty();

        clock.advance(Duration.ofSeconds(61));
        hub.hub().connectors().wake();
        await().atMost(Duration.ofSeconds(20)).until(() -> customer("linus").isPresent());
        // The job is recorded just after QuickBooks answered.
        await().atMost(Duration.ofSeconds(10)).until(() -> jobs("done").size() == 1);
    }

    @Test
    void anExpiredAccessTokenIsRefreshedAndTheRotatedRefreshTokenIsKept() {
        connectAndEnable();
        int refreshes = qbo.refreshes();
        // QuickBooks refuses the token (401): refreshed once, the call made again.
        qbo.expireAccessTokens();
        member("hedy");
        await().atMost(Duration.ofSeconds(20)).until(() -> customer("hedy").isPresent());
        assertThat(qbo.refreshes()).isEqualTo(refreshes + 1);
        // An hour on, the token is refreshed before the call, with the refresh token the last refresh gave
        // (the stand-in rotates them: an old one would be refused with invalid_grant).
        clock.advance(Duration.ofMinutes(60));
        member("alan");
        await().atMost(Duration.ofSeconds(20)).until(() -> customer("alan").isPresent());
        assertThat(qbo.refreshes()).isEqualTo(refreshes + 2);
        assertThat(jobs("failed")).isEmpty();
    }

    @Test
    void aRefusedJobFailsVisiblyAndARetryAfterTheFixCarriesIt() {
        connectAndEnable();
        String barbara = member("barbara");
        await().atMost(Duration.ofSeconds(20)).until(() -> customer("barbara").isPresent());
        qbo.preference("CustomTxnNumbers", false);
        try {
            api().post(
                            "/api/v1/members/" + barbara + "/charges",
                            tenant.token(),
                            "{\"description\":\"Locker\",\"amount\":500,\"currency\":\"EUR\",\"idempotencyKey\":\"barbara-charge-1\"}");
            api().post("/api/v1/members/" + barbara + "/invoices", tenant.token(), "");
            await().atMost(Duration.ofSeconds(20)).until(() -> jobs("failed").size() == 1);
            JsonNode failed = jobs("failed").getFirst();
            assertThat(failed.get("lastError").asText())
                    .contains("QuickBooks refused to create invoice", "Custom transaction numbers are off", "6000");
            assertThat(api().get(PATH, tenant.token())
                            .json()
                            .get("jobs")
                            .get("failed")
                            .asInt())
                    .isEqualTo(1);
            qbo.preference("CustomTxnNumbers", true);
            assertThat(api().post(PATH + "/jobs/" + failed.get("id").asText() + "/retry", tenant.token(), "")
                            .status())
                    .isEqualTo(202);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> jobs("failed").isEmpty() && jobs("pending").isEmpty());
            assertThat(jobs("done")).hasSize(2);
        } finally {
            qbo.preference("CustomTxnNumbers", true);
        }
    }

    @Test
    void anotherTenantSeesNothingOfTheConnectorAndCannotRetryItsJobs() {
        connectAndEnable();
        member("katherine");
        await().atMost(Duration.ofSeconds(20)).until(() -> jobs("done").size() == 1);
        String jobId = jobs("done").getFirst().get("id").asText();
        TestHub.Tenant other = hub.newTenant("other");
        JsonNode theirs = api().get(PATH, other.token()).json();
        assertThat(theirs.get("configured").asBoolean()).isFalse();
        assertThat(theirs.get("settings").size()).isZero();
        assertThat(api().get(PATH + "/jobs", other.token()).json().get("items").size())
                .isZero();
        assertThat(api().post(PATH + "/jobs/" + jobId + "/retry", other.token(), "")
                        .status())
                .isEqualTo(404);
        // The other tenant's members do not reach this tenant's QuickBooks: its connector is not enabled.
        int customers = qbo.customers().size();
        hub.create("/api/v1/members", other.token(), "{\"email\":\"x@other.example\",\"fullName\":\"X Other\"}");
        hub.hub().connectors().pass();
        assertThat(qbo.customers()).hasSize(customers);
    }

    /** Waits until the tenant's only pending job has failed an attempt, then lets its backoff pass. */
    private void afterTheFailedAttemptRetry(String error) {
        await().atMost(Duration.ofSeconds(20)).until(() -> jobs("pending").stream()
                .anyMatch(j -> j.path("attempts").asInt() == 1));
        assertThat(jobs("pending").getFirst().get("lastError").asText()).contains(error);
        clock.advance(ConnectorStore.BACKOFF.getFirst().plusSeconds(1));
        hub.hub().connectors().wake();
        await().atMost(Duration.ofSeconds(20)).until(() -> jobs("pending").isEmpty());
    }

    @Test
    void createsRetriedAfterTheirAnswerWasLostMakeOneCustomerInvoiceAndPayment() {
        // QuickBooks numbers the invoices here, so nothing but the requestid tells a repeated create apart.
        qbo.preference("CustomTxnNumbers", false);
        try {
            qb().connectAndEnable("\"numbering\":\"quickbooks\"");
            int replays = qbo.replays();
            qbo.loseNextAnswers(1, r -> r.method().equals("POST") && r.path().endsWith("/customer"));
            String ida = member("ida");
            afterTheFailedAttemptRetry("could not reach QuickBooks");
            assertThat(qb().customers("ida")).hasSize(1);

            qbo.loseNextAnswers(1, r -> r.method().equals("POST") && r.path().endsWith("/invoice"));
            JsonNode invoice = qb().invoice(ida, "Desk, March", 20000);
            afterTheFailedAttemptRetry("could not reach QuickBooks");
            List<ObjectNode> invoices = qbo.invoices().stream()
                    .filter(i -> i.path("PrivateNote")
                            .asText()
                            .equals("Gatehouse " + invoice.get("id").asText()))
                    .toList();
            assertThat(invoices).hasSize(1);
            assertThat(invoices.getFirst().has("DocNumber")).isFalse();

            qbo.loseNextAnswers(1, r -> r.method().equals("POST") && r.path().endsWith("/payment"));
            Api.Response paid = api().post(
                            "/api/v1/invoices/" + invoice.get("id").asText() + "/payments",
                            tenant.token(),
                            "{\"amount\":20000,\"method\":\"bank-transfer\",\"reference\":\"SEPA-88\",\"idempotencyKey\":\"ida-payment-1\"}");
            assertThat(paid.status()).as(paid.toString()).isEqualTo(201);
            afterTheFailedAttemptRetry("could not reach QuickBooks");
            assertThat(qbo.payments().stream().filter(p -> p.path("PrivateNote")
                            .asText()
                            .equals("Gatehouse " + paid.json().get("id").asText())))
                    .hasSize(1);
            // The invoice and the payment came back from QuickBooks' memory of their requestid.
            assertThat(qbo.replays()).isGreaterThanOrEqualTo(replays + 2);
            assertThat(jobs("done")).hasSize(3);
            // Each create carried a requestid QuickBooks takes (at most 50 characters), the same on the retry.
            List<String> keys = qbo.writes().stream()
                    .filter(r -> r.path().endsWith("/invoice"))
                    .map(r -> r.query().get("requestid"))
                    .toList();
            assertThat(keys).hasSizeGreaterThanOrEqualTo(2).allSatisfy(k -> assertThat(k)
                    .hasSizeBetween(1, 50));
            assertThat(keys.getLast()).isEqualTo(keys.get(keys.size() - 2));
        } finally {
            qbo.preference("CustomTxnNumbers", true);
        }
    }

    @Test
    void membersSentAlongWithAnInvoiceAreReadFromTheMembersNotFromTheirLatestEvent() {
        // Both made before the connector was on: no job of theirs, so their invoices bring them along.
        String joan = member("joan");
        Api.Response plan = api().post("/api/v1/plans", tenant.token(), "{\"name\":\"Hot desk\",\"doorGroupIds\":[]}");
        assertThat(plan.status()).as(plan.toString()).isEqualTo(201);
        Api.Response assigned = api().put(
                        "/api/v1/members/" + joan + "/plans/"
                                + plan.json().get("id").asText(),
                        tenant.token(),
                        "{}");
        assertThat(assigned.status()).as(assigned.toString()).isIn(200, 201);
        // Joan's latest event is the plan's, whose data is an assignment, not a member.
        String latestType = hub.hub()
                .database()
                .read(c -> Sql.one(
                        c,
                        "SELECT type FROM outbox_events WHERE tenant_id = ? AND entity_id = ? ORDER BY seq DESC LIMIT 1",
                        Sql.STRING,
                        tenant.id(),
                        joan))
                .orElseThrow();
        assertThat(latestType).isEqualTo("member.plan-assigned");
        // Ken's events are gone, as the outbox's retention prunes them after 30 days.
        String ken = member("ken");
        hub.hub()
                .database()
                .run(c -> Sql.update(
                        c, "DELETE FROM outbox_events WHERE tenant_id = ? AND entity_id = ?", tenant.id(), ken));
        hub.hub().connectors().pass(); // their events pass by the connector, still off
        connectAndEnable();

        qb().invoice(joan, "Hot desk, March", 15000);
        qb().invoice(ken, "Locker, March", 2000);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> qbo.invoices().stream()
                                .filter(i -> i.path("PrivateNote").asText().startsWith("Gatehouse "))
                                .filter(i -> List.of(customerId("joan"), customerId("ken"))
                                        .contains(i.at("/CustomerRef/value").asText()))
                                .count()
                        == 2);
        for (String name : List.of("joan", "ken")) {
            ObjectNode customer = qb().customers(name).getFirst();
            assertThat(customer.get("DisplayName").asText()).isEqualTo(name + " " + tenant.slug());
            assertThat(customer.get("Active").asBoolean()).isTrue();
        }
        assertThat(jobs("failed")).isEmpty();
        assertThat(jobs("done")).hasSize(2);
    }

    @Test
    void erasingAMemberRedactsTheirJobsAndSkipsTheirPendingOnesForTheErasuresOwn() {
        connectAndEnable();
        String eve = member("eve");
        await().atMost(Duration.ofSeconds(20)).until(() -> customer("eve").isPresent());
        String customerId = customer("eve").orElseThrow().get("Id").asText();
        // Her next change waits behind a 429: pending when she is erased.
        qbo.throttleNext(1);
        api().patch("/api/v1/members/" + eve, tenant.token(), "{\"phone\":\"+44 20 7946 0999\"}");
        await().atMost(Duration.ofSeconds(20)).until(() -> jobs("pending").stream()
                .anyMatch(j -> j.path("lastError").asText().contains("429")));

        Api.Response erased = api().post("/api/v1/members/" + eve + "/erase", tenant.token(), "");
        assertThat(erased.status()).as(erased.toString()).isEqualTo(200);
        List<String> jobRows = hub.hub()
                .database()
                .read(c -> Sql.list(
                        c,
                        "SELECT data || ' ' || COALESCE(last_error, '') || ' ' || COALESCE(result, '')"
                                + " FROM connector_jobs WHERE tenant_id = ?",
                        Sql.STRING,
                        tenant.id()));
        String rows = String.join("\n", jobRows);
        assertThat(rows)
                .contains("[erased]")
                .doesNotContain(qb().email("eve"))
                .doesNotContain("eve " + tenant.slug())
                .doesNotContain("7946 0999");
        assertThat(jobs("skipped"))
                .singleElement()
                .satisfies(job -> assertThat(job.get("result").asText()).contains("erased"));

        // After the pause, the erasure's own event reaches QuickBooks: the customer is the erased record,
        // inactive.
        clock.advance(Duration.ofSeconds(61));
        hub.hub().connectors().wake();
        await().atMost(Duration.ofSeconds(20)).until(() -> qbo.customers().stream()
                .filter(c -> c.get("Id").asText().equals(customerId))
                .anyMatch(c -> !c.get("Active").asBoolean()));
        ObjectNode customer = qbo.customers().stream()
                .filter(c -> c.get("Id").asText().equals(customerId))
                .findFirst()
                .orElseThrow();
        assertThat(customer.toString()).doesNotContain(qb().email("eve")).doesNotContain("eve " + tenant.slug());
        // Named apart from every other erased member: QuickBooks refuses two customers of one name.
        assertThat(customer.get("DisplayName").asText()).isEqualTo("Erased member " + eve);
    }

    private String customerId(String name) {
        return qb().customer(name).map(c -> c.get("Id").asText()).orElse("none");
    }
}
