package dev.gatehouse.hub.billing;

import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.TestHub;
import java.util.Optional;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;

/**
 * One hub per store on a clock the test moves, for the billing tests run on both stores (each
 * subclass declares {@code @ParameterizedClass @EnumSource(StoreKind.class)}); the analytics tests
 * of the ledger too.
 */
public abstract class TimeTravelHub {
    protected static MovableClock clock;
    protected static TestHub hub;

    @BeforeParameterizedClassInvocation
    protected static void start(StoreKind kind) {
        clock = MovableClock.standingStill();
        hub = TestHub.start(kind, clock, Optional.empty());
    }

    @AfterParameterizedClassInvocation
    protected static void stop() {
        hub.close();
    }

    /** What the edges decide for the member at the door at {@code at} (the hub's explain): "granted", "denied reason". */
    static String explain(TestHub.Tenant tenant, String member, String door, java.time.Instant at) {
        return new dev.gatehouse.hub.members.People(hub, tenant.token()).decision(member, door, at);
    }
}
