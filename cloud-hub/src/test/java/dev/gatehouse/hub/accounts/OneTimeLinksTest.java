package dev.gatehouse.hub.accounts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.hub.accounts.OneTimeLinks.Link;
import dev.gatehouse.hub.accounts.OneTimeLinks.Purpose;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.testing.TestHub;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One-time links on each store: a link works once, only for its purpose, only until it expires, and
 * only while it is the principal's newest; two clicks at once let one in.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class OneTimeLinksTest {
    static final Instant NOW = Instant.parse("2026-12-04T10:00:00Z");

    @Parameter
    StoreKind store;

    @TempDir
    Path dir;

    Database database;
    OneTimeLinks links;
    String tenantId;

    @BeforeEach
    void tenant() {
        database = Database.open(TestHub.settings(store, dir));
        links = at(NOW);
        tenantId = new TenantStore(database, Clock.systemUTC())
                .create(
                        "links-" + ThreadLocalRandom.current().nextInt(1_000_000),
                        new TenantStore.Branding("Links", Optional.empty(), Optional.empty(), Optional.empty()))
                .tenant()
                .id();
    }

    @AfterEach
    void close() {
        database.close();
    }

    OneTimeLinks at(Instant instant) {
        return new OneTimeLinks(database, Clock.fixed(instant, ZoneOffset.UTC));
    }

    @Test
    void aLinkIsAcceptedOnceAndNamesWhomItIsFor() {
        String token = links.issue(tenantId, Purpose.PASSWORD_RESET, "opa_1");

        assertThat(links.consume(token, Purpose.PASSWORD_RESET))
                .contains(new Link(tenantId, Purpose.PASSWORD_RESET, "opa_1", NOW.plus(Duration.ofHours(1))));
        assertThat(links.consume(token, Purpose.PASSWORD_RESET)).isEmpty();
    }

    /** Only the hash is kept: the database alone must not hold a working link. */
    @Test
    void theTokenItselfIsNotStored() {
        String token = links.issue(tenantId, Purpose.INVITATION, "opa_1");

        List<String> stored = database.read(c -> Sql.list(c, "SELECT token_hash FROM one_time_links", Sql.STRING));
        assertThat(stored).hasSize(1).doesNotContain(token).first().asString().hasSize(64);
    }

    /** A mail scanner and the person clicking at once, or two tabs: exactly one of them gets in. */
    @Test
    void twoConcurrentClicksLetExactlyOneIn() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                String token = links.issue(tenantId, Purpose.MEMBER_SIGN_IN, "mem_" + round);
                CyclicBarrier together = new CyclicBarrier(2);
                List<CompletableFuture<Optional<Link>>> clicks = IntStream.range(0, 2)
                        .mapToObj(i -> CompletableFuture.supplyAsync(
                                () -> {
                                    await(together);
                                    return links.consume(token, Purpose.MEMBER_SIGN_IN);
                                },
                                threads))
                        .toList();
                long accepted = 0;
                for (CompletableFuture<Optional<Link>> click : clicks) {
                    accepted += click.get(30, TimeUnit.SECONDS).isPresent() ? 1 : 0;
                }
                assertThat(accepted).as("round %d", round).isEqualTo(1);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anExpiredLinkIsRefused() {
        String token = links.issue(tenantId, Purpose.MEMBER_SIGN_IN, "mem_1");
        Instant expiry = NOW.plus(Purpose.MEMBER_SIGN_IN.lifetime());

        assertThat(at(expiry.minusMillis(1)).peek(token, Purpose.MEMBER_SIGN_IN))
                .isPresent();
        assertThat(at(expiry).peek(token, Purpose.MEMBER_SIGN_IN)).isEmpty();
        assertThat(at(expiry).consume(token, Purpose.MEMBER_SIGN_IN)).isEmpty();
    }

    /** A reset link must not accept an invitation, nor the other way round. */
    @Test
    void aLinkOfAnotherPurposeIsRefusedAndStaysUsable() {
        String token = links.issue(tenantId, Purpose.INVITATION, "opa_1");

        assertThat(links.consume(token, Purpose.PASSWORD_RESET)).isEmpty();
        assertThat(links.peek(token, Purpose.MEMBER_SIGN_IN)).isEmpty();
        assertThat(links.consume(token, Purpose.INVITATION)).isPresent();
    }

    @Test
    void peekingLeavesTheLinkUsableAndAUsedLinkCannotBePeeked() {
        String token = links.issue(tenantId, Purpose.INVITATION, "opa_1", Duration.ofMinutes(5));

        assertThat(links.peek(token, Purpose.INVITATION)).map(Link::principalId).contains("opa_1");
        assertThat(links.peek(token, Purpose.INVITATION)).isPresent();
        assertThat(links.consume(token, Purpose.INVITATION)).isPresent();
        assertThat(links.peek(token, Purpose.INVITATION)).isEmpty();
    }

    /** Only the newest mail counts: asking for a second reset voids the first link. */
    @Test
    void aNewLinkVoidsThePrincipalsEarlierLinksOfThatPurposeOnly() {
        String first = links.issue(tenantId, Purpose.PASSWORD_RESET, "opa_1");
        String invitation = links.issue(tenantId, Purpose.INVITATION, "opa_1");
        String someoneElse = links.issue(tenantId, Purpose.PASSWORD_RESET, "opa_2");
        String second = links.issue(tenantId, Purpose.PASSWORD_RESET, "opa_1");

        assertThat(links.consume(first, Purpose.PASSWORD_RESET)).isEmpty();
        assertThat(links.consume(second, Purpose.PASSWORD_RESET)).isPresent();
        assertThat(links.consume(invitation, Purpose.INVITATION)).isPresent();
        assertThat(links.consume(someoneElse, Purpose.PASSWORD_RESET)).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "x", "not a token at all", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})
    void garbageIsRefused(String token) {
        links.issue(tenantId, Purpose.MEMBER_SIGN_IN, "mem_1");

        assertThat(links.consume(token, Purpose.MEMBER_SIGN_IN)).isEmpty();
        assertThat(links.peek(token, Purpose.MEMBER_SIGN_IN)).isEmpty();
        assertThat(links.consume(null, Purpose.MEMBER_SIGN_IN)).isEmpty();
    }

    @Test
    void theDefaultLifetimesAreAWeekAnHourAndAQuarterHour() {
        assertThat(Purpose.INVITATION.lifetime()).isEqualTo(Duration.ofDays(7));
        assertThat(Purpose.PASSWORD_RESET.lifetime()).isEqualTo(Duration.ofHours(1));
        assertThat(Purpose.MEMBER_SIGN_IN.lifetime()).isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void aLifetimeThatIsNotPositiveIsRefused() {
        assertThatThrownBy(() -> links.issue(tenantId, Purpose.INVITATION, "opa_1", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive");
    }
}
