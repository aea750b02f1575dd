package dev.gatehouse.hub.connectors.quickbooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.HubConfig;
import dev.gatehouse.hub.connectors.ConnectorSettings;
import dev.gatehouse.hub.connectors.Connectors;
import dev.gatehouse.hub.connectors.StandIn;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.TestHub;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two hub replicas on one database, on both stores: replica A is a whole hub whose connector worker runs
 * on its own; replica B is a second database pool and connector worker on the same store, whose passes
 * the test runs. QuickBooks is held (a slow service) while A carries a job: A keeps renewing the job's
 * lease as the clock passes two leases' time, so B never takes the job and the customer is written once;
 * a replica whose lease was taken over records nothing over the one that took it; and when both need a
 * new token at once, one refresh spends QuickBooks' single-use refresh token and the other replica uses
 * what it stored.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class ConnectorReplicasTest {
    private static final String TOKEN_PATH = "/oauth2/v1/tokens/bearer";

    @Parameter
    StoreKind store;

    private MovableClock clock;
    private QuickBooksStandIn qbo;
    private TestHub hub;
    private Database secondPool;
    private Connectors replicaB;
    private QuickBooksTenant qb;
    /** What the connectors log (held here: a logger nobody references may be collected with its handler). */
    private final Logger connectorsLog = Logger.getLogger("dev.gatehouse.hub.connectors");

    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void twoReplicas() {
        connectorsLog.addHandler(capture);
        clock = MovableClock.standingStill();
        clock.moveTo(Instant.parse("2027-04-01T08:00:00Z"));
        qbo = new QuickBooksStandIn();
        hub = TestHub.start(
                store,
                clock,
                Optional.empty(),
                dev.gatehouse.hub.mqtt.MqttSettings.disabled(),
                config -> config.withConnectors(
                        ConnectorSettings.defaults().withBase(ConnectorSettings.QUICKBOOKS, qbo.base())));
        HubConfig config = hub.hub().config();
        secondPool = Database.open(config.store(), config.keys());
        replicaB =
                new Connectors(secondPool, clock, config.connectors(), List.of(new QuickBooksConnector(tenantId -> 0)));
        qb = new QuickBooksTenant(hub, qbo, hub.newTenant("replicas"));
        qb.connectAndEnable("");
    }

    @AfterEach
    void stop() {
        connectorsLog.removeHandler(capture);
        replicaB.close();
        secondPool.close();
        hub.close();
        qbo.close();
    }

    private StandIn.Hold holdCustomerCreates() {
        return qbo.holdNext(1, r -> r.method().equals("POST") && r.path().endsWith("/customer"));
    }

    private Instant leaseEnd(String memberId) {
        return hub.hub()
                .database()
                .read(c -> Sql.one(
                        c,
                        "SELECT next_attempt_at FROM connector_jobs WHERE entity_id = ? AND status = 'PENDING'",
                        Sql.LONG,
                        memberId))
                .map(Instant::ofEpochMilli)
                .orElse(Instant.EPOCH);
    }

    private long customerCreates() {
        return qbo.writes().stream().filter(r -> r.path().endsWith("/customer")).count();
    }

    @Test
    void aSlowJobKeepsItsLeaseAndTheOtherReplicaNeverRunsIt() {
        StandIn.Hold slow = holdCustomerCreates();
        String ada = qb.member("ada");
        await().atMost(Duration.ofSeconds(20)).until(() -> slow.waiting() == 1);
        // Two leases' time passes while QuickBooks is slow to answer A, forty seconds at a time: after each
        // step A has renewed the lease beyond it, and B, looking for due jobs, finds none.
        for (int step = 0; step < 6; step++) {
            clock.advance(Duration.ofSeconds(40));
            Instant moved = clock.instant();
            await().atMost(Duration.ofSeconds(20)).until(() -> leaseEnd(ada).isAfter(moved.plusSeconds(60)));
            assertThat(replicaB.pass()).isZero();
        }
        slow.release();
        await().atMost(Duration.ofSeconds(20)).until(() -> qb.jobs("done").size() == 1);
        assertThat(customerCreates()).isEqualTo(1);
        assertThat(qb.customers("ada")).hasSize(1);
        assertThat(qb.jobs("done").getFirst().get("attempts").asInt()).isEqualTo(1);
    }

    @Test
    void aReplicaWhoseLeaseWasTakenOverRecordsNothingOverTheOneThatTookIt() {
        StandIn.Hold slow = holdCustomerCreates();
        String bea = qb.member("bea");
        await().atMost(Duration.ofSeconds(20)).until(() -> slow.waiting() == 1);
        StandIn.Request first = qbo.requests("POST", "/customer").getFirst();
        // A's call will be carried out but its answer lost: left alone, A would record a failed attempt.
        qbo.loseNextAnswers(1, first::equals);
        // A's lease ran out unrenewed (its database unreachable for two minutes, say) and is no longer its.
        hub.hub()
                .database()
                .run(c -> Sql.update(
                        c,
                        "UPDATE connector_jobs SET lease_owner = 'lapsed', next_attempt_at = ? WHERE entity_id = ?",
                        clock.instant().minusSeconds(1),
                        bea));
        // B takes the job over and carries it: one customer, the job done.
        assertThat(replicaB.pass()).isEqualTo(1);
        assertThat(qb.jobs("done")).hasSize(1);
        assertThat(qb.customers("bea")).hasSize(1);

        slow.release();
        // A's attempt ends without an answer; its failure is not recorded over B's success.
        await().atMost(Duration.ofSeconds(20))
                .until(() -> logged.stream().anyMatch(m -> m.contains("lost its lease"))
                        || !qb.jobs("pending").isEmpty());
        JsonNode job = qb.jobs("").getFirst();
        assertThat(job.get("status").asText()).isEqualTo("done");
        assertThat(job.has("lastError")).isFalse();
        assertThat(job.get("attempts").asInt()).isEqualTo(1);
        assertThat(qb.customers("bea")).hasSize(1);
    }

    @Test
    void twoReplicasNeedingANewTokenSpendTheRefreshTokenOnce() {
        int refreshes = qbo.refreshes();
        // The access token expires: each replica's next call refreshes it first.
        clock.advance(Duration.ofMinutes(60));
        StandIn.Hold slowTokens = qbo.holdNext(1, r -> r.path().equals(TOKEN_PATH));
        qb.member("cy");
        await().atMost(Duration.ofSeconds(20)).until(() -> slowTokens.waiting() == 1);
        // A is refreshing (held at the token endpoint); B takes the next member's job meanwhile.
        qb.member("dot");
        CompletableFuture<Integer> b = CompletableFuture.supplyAsync(replicaB::pass);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> logged.stream().anyMatch(m -> m.contains("waits for another replica"))
                        || qbo.requests("POST", TOKEN_PATH).size() > 1);
        slowTokens.release();
        assertThat(b.join()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> qb.jobs("done").size() == 2);

        assertThat(qbo.refreshes()).isEqualTo(refreshes + 1);
        assertThat(qbo.requests("POST", TOKEN_PATH).stream()
                        .filter(r -> StandIn.form(r.body()).get("grant_type").equals("refresh_token")))
                .hasSize(1);
        assertThat(qb.customers("cy")).hasSize(1);
        assertThat(qb.customers("dot")).hasSize(1);
        assertThat(qb.jobs("done"))
                .allSatisfy(job -> assertThat(job.get("attempts").asInt()).isEqualTo(1));
    }
}
