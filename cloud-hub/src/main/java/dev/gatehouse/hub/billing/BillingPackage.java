package dev.gatehouse.hub.billing;

import dev.gatehouse.hub.sites.ResourceKind;
import java.util.Map;
import java.util.Optional;

/**
 * What a member or a team buys (issue 16, "packages as data"): a price per {@link BillingInterval} in
 * minor units of the tenant's currency, a commitment, and what it entitles — the door plan it puts
 * the member on (doors and schedules reach the edges through the plan), credits per resource kind
 * per period, N entries with an expiry (a {@link Kind#PASS}), seats (a {@link Kind#TEAM}).
 *
 * <p>A package's price applies to subscriptions made after it is set; a subscription keeps the price
 * it was sold at (the billing issue's subscriptions store it).
 *
 * @param commitmentPeriods the fewest periods a subscription runs before it may end; 0 for none
 * @param passes a pass's entries (the first entry of a day spends one), empty for other kinds
 * @param passValidDays how many days a pass stays valid from its purchase, empty for other kinds
 * @param seats members a team package covers; 1 for every other kind
 * @param publicSale sold on the tenant's public page to people who are not members yet
 */
public record BillingPackage(
        String id,
        String name,
        String description,
        Kind kind,
        long price,
        String currency,
        BillingInterval interval,
        int commitmentPeriods,
        Optional<String> planId,
        Map<ResourceKind, Long> credits,
        Optional<Integer> passes,
        Optional<Integer> passValidDays,
        int seats,
        boolean publicSale,
        Status status,
        String createdAt,
        String updatedAt) {
    public BillingPackage {
        credits = Map.copyOf(credits);
    }

    /** What sort of thing is sold. */
    public enum Kind {
        /** A recurring membership: the door plan and credits every period. */
        MEMBERSHIP,
        /** N entries with an expiry, bought once: a day pass is a pass of one entry valid one day. */
        PASS,
        /** Bought beside a membership: a locker, mail handling. */
        ADD_ON,
        /** A membership for a team: its seats share the plan; each seat is a member. */
        TEAM
    }

    /** A retired package is sold no more; what was sold runs on. */
    public enum Status {
        ACTIVE,
        RETIRED
    }
}
