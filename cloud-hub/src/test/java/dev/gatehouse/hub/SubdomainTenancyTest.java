package dev.gatehouse.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.TestHub;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With hub.base-domain set, acme.<domain> is tenant acme: another tenant's token there is refused. */
class SubdomainTenancyTest {
    static TestHub hub;

    @BeforeAll
    static void start() {
        hub = TestHub.start(StoreKind.SQLITE, Clock.systemUTC(), Optional.of("gatehouse.example"));
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    @Test
    void aTokenWorksOnItsOwnSubdomainAndNowhereElse() {
        TestHub.Tenant acme = hub.newTenant("acme");
        TestHub.Tenant other = hub.newTenant("other");
        String host = acme.slug() + ".gatehouse.example";

        assertThat(hub.api().getWithHost("/api/v1/tenant", acme.token(), host).status())
                .isEqualTo(200);
        assertThat(hub.api()
                        .getWithHost("/api/v1/tenant", acme.token(), host + ":8443")
                        .status())
                .isEqualTo(200);
        assertThat(hub.api().getWithHost("/api/v1/tenant", other.token(), host).status())
                .isEqualTo(404);
        // The bare domain (and unrelated hosts) name no tenant: the token alone decides.
        assertThat(hub.api()
                        .getWithHost("/api/v1/tenant", other.token(), "gatehouse.example")
                        .status())
                .isEqualTo(200);
    }
}
