package dev.gatehouse.edge.access;

import dev.gatehouse.protocol.policy.Entitlements;
import java.util.Objects;
import java.util.function.Function;

/**
 * Where the decision path reads entitlements: each decision reads one consistent state, so its
 * several lookups (credential, member, grants, door groups, schedules) cannot straddle a sync batch.
 * The agent's is the SQLite cache's {@code reading}.
 */
public interface EntitlementSource {
    /** Runs {@code work} against one consistent state; the view must not be kept after it returns. */
    <T> T reading(Function<Entitlements, T> work);

    /** A source that is {@code entitlements} itself (an in-memory set that does not change meanwhile). */
    static EntitlementSource of(Entitlements entitlements) {
        Objects.requireNonNull(entitlements, "entitlements");
        return new EntitlementSource() {
            @Override
            public <T> T reading(Function<Entitlements, T> work) {
                return work.apply(entitlements);
            }
        };
    }
}
