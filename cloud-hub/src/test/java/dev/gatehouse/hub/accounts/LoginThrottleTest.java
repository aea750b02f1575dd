package dev.gatehouse.hub.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.TestHub;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Sign-in throttling on each store: an account is blocked after its limit of failures in the window
 * and told for how long, an address after its own limit, and a success clears only the account.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class LoginThrottleTest {
    static final Instant NOW = Instant.parse("2026-12-04T10:00:00Z");
    static final String TENANT = "ten_throttle";
    static final String EMAIL = "ada@example.com";
    static final String ADDRESS = "203.0.113.7";

    @Parameter
    StoreKind store;

    @TempDir
    Path dir;

    Database database;

    @BeforeEach
    void open() {
        database = Database.open(TestHub.settings(store, dir));
    }

    @AfterEach
    void close() {
        database.close();
    }

    LoginThrottle at(Instant instant) {
        return new LoginThrottle(database, Clock.fixed(instant, ZoneOffset.UTC));
    }

    LoginThrottle small(Instant instant) {
        return new LoginThrottle(database, Clock.fixed(instant, ZoneOffset.UTC), 2, 3, Duration.ofMinutes(15));
    }

    /** Five wrong passwords are a typo streak; the sixth try waits for the oldest to age out. */
    @Test
    void theSixthAttemptOnAnAccountIsBlockedUntilTheOldestFailureLeavesTheWindow() {
        for (int i = 0; i < 5; i++) {
            LoginThrottle throttle = at(NOW.plus(Duration.ofMinutes(i)));
            assertThat(throttle.blocked(TENANT, EMAIL, ADDRESS))
                    .as("attempt %d", i + 1)
                    .isEmpty();
            throttle.recordFailure(TENANT, EMAIL, ADDRESS);
        }
        Instant sixth = NOW.plus(Duration.ofMinutes(5));

        assertThat(at(sixth).blocked(TENANT, EMAIL, ADDRESS)).contains(Duration.ofMinutes(10));
        assertThat(at(NOW.plus(Duration.ofMinutes(15)).minusMillis(1)).blocked(TENANT, EMAIL, ADDRESS))
                .contains(Duration.ofMillis(1));
        assertThat(at(NOW.plus(Duration.ofMinutes(15))).blocked(TENANT, EMAIL, ADDRESS))
                .isEmpty();
    }

    /** The account key ignores the case of the address, or "Ada@" would get five more tries. */
    @Test
    void theAccountIsTheTenantAndTheEmailInAnyCase() {
        LoginThrottle throttle = small(NOW);
        throttle.recordFailure(TENANT, "Ada@Example.com", "198.51.100.1");
        throttle.recordFailure(TENANT, "ada@example.com ", "198.51.100.2");

        assertThat(throttle.blocked(TENANT, EMAIL, ADDRESS)).contains(Duration.ofMinutes(15));
        assertThat(throttle.blocked("ten_other", EMAIL, ADDRESS)).isEmpty();
    }

    /** One address guessing at many accounts is stopped by its own limit. */
    @Test
    void anAddressIsBlockedAfterItsLimitAcrossAccounts() {
        LoginThrottle throttle = small(NOW);
        for (int i = 0; i < 3; i++) {
            throttle.recordFailure(TENANT, "user" + i + "@example.com", ADDRESS);
        }

        assertThat(throttle.blocked(TENANT, "fresh@example.com", ADDRESS)).contains(Duration.ofMinutes(15));
        assertThat(throttle.blocked(TENANT, "fresh@example.com", "198.51.100.9"))
                .isEmpty();
    }

    /** A good password resets the account, but an address trying many accounts stays counted. */
    @Test
    void clearingTheAccountLeavesTheAddressCount() {
        LoginThrottle throttle = small(NOW);
        throttle.recordFailure(TENANT, EMAIL, ADDRESS);
        throttle.recordFailure(TENANT, EMAIL, ADDRESS);
        assertThat(throttle.blocked(TENANT, EMAIL, "198.51.100.9")).isPresent();

        throttle.clearAccount(TENANT, EMAIL);
        assertThat(throttle.blocked(TENANT, EMAIL, "198.51.100.9")).isEmpty();

        throttle.recordFailure(TENANT, "other@example.com", ADDRESS);
        assertThat(throttle.blocked(TENANT, "third@example.com", ADDRESS)).isPresent();
    }

    /** The longer of two waits is the one that applies. */
    @Test
    void theLongerWaitOfAccountAndAddressIsAnswered() {
        small(NOW).recordFailure(TENANT, EMAIL, ADDRESS);
        small(NOW.plus(Duration.ofMinutes(1))).recordFailure(TENANT, "other@example.com", ADDRESS);
        small(NOW.plus(Duration.ofMinutes(2))).recordFailure(TENANT, EMAIL, ADDRESS);

        small(NOW.plus(Duration.ofMinutes(4))).recordFailure(TENANT, "x@example.com", ADDRESS);

        // at 5 min the account (failures at 0 and 2, limit 2) is free at 15: 10 min; the address
        // (failures at 0, 1, 2 and 4, limit 3) is under its limit once the one at 1 leaves, at 16: 11 min
        assertThat(small(NOW.plus(Duration.ofMinutes(5))).blocked(TENANT, EMAIL, ADDRESS))
                .contains(Duration.ofMinutes(11));
    }

    /** Failures that left the window are deleted by the next write, so the table stays small. */
    @Test
    void oldFailuresArePrunedOnWrite() {
        small(NOW).recordFailure(TENANT, EMAIL, ADDRESS);
        small(NOW.plus(Duration.ofMinutes(15))).recordFailure(TENANT, "b@example.com", "198.51.100.9");

        List<String> keys = database.read(c -> Sql.list(c, "SELECT throttle_key FROM login_failures", Sql.STRING));
        assertThat(keys).containsExactlyInAnyOrder("account:" + TENANT + ":b@example.com", "address:198.51.100.9");
    }

    /** Failures recorded at the same moment by many threads are all counted. */
    @Test
    void concurrentFailuresAreAllCounted() throws Exception {
        int attempts = 8;
        LoginThrottle exact = new LoginThrottle(database, Clock.systemUTC(), attempts, 1000, Duration.ofHours(1));
        LoginThrottle oneMore = new LoginThrottle(database, Clock.systemUTC(), attempts + 1, 1000, Duration.ofHours(1));
        CyclicBarrier together = new CyclicBarrier(attempts);
        ExecutorService threads = Executors.newFixedThreadPool(attempts);
        try {
            List<CompletableFuture<Void>> failures = IntStream.range(0, attempts)
                    .mapToObj(i -> CompletableFuture.runAsync(
                            () -> {
                                try {
                                    together.await(30, TimeUnit.SECONDS);
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                                exact.recordFailure(TENANT, EMAIL, "198.51.100." + i);
                            },
                            threads))
                    .toList();
            CompletableFuture.allOf(failures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
        }

        assertThat(exact.blocked(TENANT, EMAIL, ADDRESS)).isPresent();
        assertThat(oneMore.blocked(TENANT, EMAIL, ADDRESS)).isEmpty();
    }
}
