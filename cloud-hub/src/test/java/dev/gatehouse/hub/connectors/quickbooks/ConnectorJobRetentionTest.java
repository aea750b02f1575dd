package dev.gatehouse.hub.connectors.quickbooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.hub.connectors.ConnectorSettings;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.TestHub;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Finished connector jobs (which keep the entity's data as its event had it) are pruned once they are
 * older than {@code hub.connectors.job-retention} (30 days), on both stores; pending ones and recent
 * ones stay, and the mapping stays, so a later change of a pruned job's member still updates its
 * customer rather than making a second one.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class ConnectorJobRetentionTest {
    @Parameter
    StoreKind store;

    private MovableClock clock;
    private QuickBooksStandIn qbo;
    private TestHub hub;
    private QuickBooksTenant qb;

    @BeforeEach
    void start() {
        clock = MovableClock.standingStill();
        clock.moveTo(Instant.parse("2027-05-01T08:00:00Z"));
        qbo = new QuickBooksStandIn();
        hub = TestHub.start(
                store,
                clock,
                Optional.empty(),
                dev.gatehouse.hub.mqtt.MqttSettings.disabled(),
                config -> config.withConnectors(
                        ConnectorSettings.defaults().withBase(ConnectorSettings.QUICKBOOKS, qbo.base())));
        qb = new QuickBooksTenant(hub, qbo, hub.newTenant("retention"));
        qb.connectAndEnable("");
    }

    @AfterEach
    void stop() {
        hub.close();
        qbo.close();
    }

    private long rows(String memberId) {
        return hub.hub()
                .database()
                .read(c -> Sql.one(c, "SELECT COUNT(*) FROM connector_jobs WHERE entity_id = ?", Sql.LONG, memberId))
                .orElseThrow();
    }

    @Test
    void finishedJobsArePrunedAfterTheRetentionAndTheMappingOutlivesThem() {
        String old = qb.member("old");
        await().atMost(Duration.ofSeconds(20)).until(() -> qb.jobs("done").size() == 1);
        String customerId = qb.customer("old").orElseThrow().get("Id").asText();

        clock.advance(ConnectorSettings.DEFAULT_JOB_RETENTION.minusHours(2));
        String recent = qb.member("recent");
        await().atMost(Duration.ofSeconds(20)).until(() -> qb.jobs("done").size() == 2);
        assertThat(rows(old)).isOne();

        // A day past the first job's retention: the next pass prunes it, and keeps the second.
        clock.advance(Duration.ofDays(1));
        hub.hub().connectors().wake();
        await().atMost(Duration.ofSeconds(20)).until(() -> rows(old) == 0);
        assertThat(rows(recent)).isOne();
        assertThat(qb.jobs("")).hasSize(1);

        // The mapping stays: the old member's change updates the customer it has.
        assertThat(qb.api()
                        .patch("/api/v1/members/" + old, qb.tenant().token(), "{\"fullName\":\"Old Timer\"}")
                        .status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> qb.customer("old")
                .orElseThrow()
                .get("DisplayName")
                .asText()
                .equals("Old Timer"));
        assertThat(qb.customers("old")).hasSize(1);
        assertThat(qb.customer("old").orElseThrow().get("Id").asText()).isEqualTo(customerId);
    }
}
