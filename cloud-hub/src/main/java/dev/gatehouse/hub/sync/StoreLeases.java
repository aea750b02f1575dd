package dev.gatehouse.hub.sync;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * Site leases in the store's {@code sync_leases} table, for hub replicas sharing one PostgreSQL (the
 * SQL is portable, so it is tested on SQLite too). A renewal is one transaction: it extends this
 * replica's leases, takes those whose term has passed (their holder died) and those of sites never
 * leased, and reads back what it holds — up to its share of the sites (every site divided among the
 * replicas alive, {@code sync_replicas}, rounded up), giving up what it holds above that, and above
 * the share rounded down while another replica holds less than that, so that a replica that joins
 * gets its part and the shares end within one site of each other. A lease lasts {@code term}; it is renewed every third of it,
 * so a live holder keeps it through two failed renewals, and a dead holder's sites are taken over
 * within one term and one renewal interval.
 *
 * <p>The terms are read on each replica's clock: the replicas' clocks must agree to well within a
 * term (NTP does). A replica whose clock runs late, or that stalls past its term, may publish a batch
 * after another has taken the site over; that is harmless, as every batch carries its seqs and an
 * edge applies each seq once.
 */
public final class StoreLeases implements SiteLeases {
    private final Database database;
    private final String holder;
    private final long termMillis;

    public StoreLeases(Database database, String holder, Duration term) {
        if (term.toMillis() < 300) {
            throw new IllegalArgumentException("a lease term of " + term + " is too short; use at least 300ms");
        }
        this.database = database;
        this.holder = holder;
        this.termMillis = term.toMillis();
    }

    @Override
    public Held renew(long nowMillis) {
        long until = nowMillis + termMillis;
        Set<String> held = database.write(c -> {
            Sql.update(
                    c,
                    "INSERT INTO sync_replicas (holder, expires_at) VALUES (?, ?)"
                            + " ON CONFLICT (holder) DO UPDATE SET expires_at = excluded.expires_at",
                    holder,
                    until);
            Sql.update(c, "DELETE FROM sync_replicas WHERE expires_at <= ?", nowMillis - termMillis);
            Sql.update(c, "UPDATE sync_leases SET expires_at = ? WHERE holder = ?", until, holder);
            long replicas = Math.max(1, count(c, "SELECT COUNT(*) FROM sync_replicas WHERE expires_at > ?", nowMillis));
            long sites = count(c, "SELECT COUNT(*) FROM sites");
            long floor = sites / replicas;
            long share = (sites + replicas - 1) / replicas;
            long mine = count(c, "SELECT COUNT(*) FROM sync_leases WHERE holder = ?", holder);
            // Down to the lower share while another live replica holds less than it (one joined),
            // else down to the upper share (this one claimed new sites): the rest are given up, and
            // replicas under their share take them at their next renewal.
            long fewest = count(
                    c,
                    "SELECT MIN(n) FROM (SELECT r.holder, COUNT(l.site_id) AS n FROM sync_replicas r"
                            + " LEFT JOIN sync_leases l ON l.holder = r.holder WHERE r.expires_at > ? AND r.holder <> ?"
                            + " GROUP BY r.holder) AS held",
                    nowMillis,
                    holder);
            long keep = replicas > 1 && fewest < floor ? floor : share;
            if (mine > keep) {
                Sql.update(
                        c,
                        "DELETE FROM sync_leases WHERE holder = ? AND site_id IN (SELECT site_id FROM sync_leases"
                                + " WHERE holder = ? ORDER BY site_id DESC LIMIT ?)",
                        holder,
                        holder,
                        mine - keep);
            } else if (mine < share) {
                // Expired leases (their holder died): on PostgreSQL locked in site order and skipped
                // when another replica is taking them this instant, so two renewals never wait on
                // each other.
                String expired = database.kind() == StoreKind.POSTGRESQL
                        ? "SELECT site_id FROM sync_leases WHERE expires_at <= ? ORDER BY site_id LIMIT ?"
                                + " FOR UPDATE SKIP LOCKED"
                        : "SELECT site_id FROM sync_leases WHERE expires_at <= ? ORDER BY site_id LIMIT ?";
                long taken = Sql.update(
                        c,
                        "UPDATE sync_leases SET holder = ?, expires_at = ? WHERE expires_at <= ? AND site_id IN ("
                                + expired + ")",
                        holder,
                        until,
                        nowMillis,
                        nowMillis,
                        share - mine);
                if (mine + taken < share) {
                    Sql.update(
                            c,
                            "INSERT INTO sync_leases (site_id, holder, expires_at) SELECT id, ?, ? FROM sites"
                                    + " WHERE NOT EXISTS (SELECT 1 FROM sync_leases l WHERE l.site_id = sites.id)"
                                    + " ORDER BY id LIMIT ? ON CONFLICT (site_id) DO NOTHING",
                            holder,
                            until,
                            share - mine - taken);
                }
            }
            return new HashSet<>(Sql.list(
                    c,
                    "SELECT site_id FROM sync_leases WHERE holder = ? AND expires_at = ?",
                    Sql.STRING,
                    holder,
                    until));
        });
        return new Held(false, held, until);
    }

    private static long count(Connection c, String sql, Object... parameters) throws SQLException {
        return Sql.one(c, sql, Sql.LONG, parameters).orElse(0L);
    }

    @Override
    public boolean claim(String siteId, long untilMillis) {
        return database.write(c -> Sql.update(
                        c,
                        "INSERT INTO sync_leases (site_id, holder, expires_at) VALUES (?, ?, ?)"
                                + " ON CONFLICT (site_id) DO NOTHING",
                        siteId,
                        holder,
                        untilMillis))
                == 1;
    }

    @Override
    public long renewEveryMillis() {
        return Math.max(100, termMillis / 3);
    }

    @Override
    public void release() {
        database.run(c -> {
            Sql.update(c, "DELETE FROM sync_leases WHERE holder = ?", holder);
            Sql.update(c, "DELETE FROM sync_replicas WHERE holder = ?", holder);
        });
    }

    @Override
    public String holder() {
        return holder;
    }
}
