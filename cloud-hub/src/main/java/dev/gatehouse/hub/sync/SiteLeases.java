package dev.gatehouse.hub.sync;

import java.util.Set;

/**
 * Which sites' change logs this hub replica publishes. A replica publishes a site only while it
 * holds the site's lease; the {@link SyncPublisher} renews its leases on its own thread, and stops
 * publishing a site once the lease is gone or its term has passed without a renewal.
 */
public interface SiteLeases {
    /** The sites held after a renewal, valid until {@code untilMillis} (the publisher's clock). */
    record Held(boolean everySite, Set<String> siteIds, long untilMillis) {
        public Held {
            siteIds = Set.copyOf(siteIds);
        }

        /** Whether the site is held at {@code nowMillis}. */
        public boolean covers(String siteId, long nowMillis) {
            return nowMillis < untilMillis && (everySite || siteIds.contains(siteId));
        }

        /** These leases and one more, for the same term. */
        Held with(String siteId) {
            Set<String> more = new java.util.HashSet<>(siteIds);
            more.add(siteId);
            return new Held(everySite, more, untilMillis);
        }

        static final Held NONE = new Held(false, Set.of(), Long.MIN_VALUE);
    }

    /**
     * Renews the leases held, takes the expired and the never-taken ones, and answers what is held
     * now; a store that cannot be reached fails it (the leases held run out at their term).
     */
    Held renew(long nowMillis);

    /**
     * Takes the lease of a site nobody holds (one made since the last renewal) until {@code
     * untilMillis}, so that its first changes go out at once; false when another replica holds it.
     */
    boolean claim(String siteId, long untilMillis);

    /** What is held before the first renewal: nothing, for leases that must be taken. */
    default Held unrenewed() {
        return Held.NONE;
    }

    /** How often {@link #renew} runs: well within a lease's term. */
    long renewEveryMillis();

    /** Gives up every lease held (a clean stop), so that another replica takes over at once. */
    void release();

    /** The id this replica holds its leases under. */
    String holder();

    /** A single hub (SQLite, or one hub on PostgreSQL by choice): every site, always. */
    static SiteLeases everySite() {
        return new SiteLeases() {
            @Override
            public Held renew(long nowMillis) {
                return new Held(true, Set.of(), Long.MAX_VALUE);
            }

            @Override
            public Held unrenewed() {
                return renew(0);
            }

            @Override
            public boolean claim(String siteId, long untilMillis) {
                return true;
            }

            @Override
            public long renewEveryMillis() {
                return 3_600_000;
            }

            @Override
            public void release() {}

            @Override
            public String holder() {
                return "single";
            }
        };
    }
}
