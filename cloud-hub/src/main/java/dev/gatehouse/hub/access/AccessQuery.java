package dev.gatehouse.hub.access;

import dev.gatehouse.hub.store.Cursor;
import dev.gatehouse.hub.store.Keyset;
import dev.gatehouse.hub.store.Query;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.protocol.model.DenyReason;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collections;
import java.util.Optional;
import java.util.Set;

/**
 * One page of one tenant's access log: the filters, the cursor and the page size, and the SQL that
 * answers it (newest first, keyset on (at, id)). The benchmark runs the same SQL bare over JDBC, so
 * the API and its limit are measured on one query.
 *
 * @param granted true: granted only; false: denied only; empty: both
 * @param from inclusive lower bound on the decision time
 * @param until exclusive upper bound on the decision time
 * @param siteIds only events of these sites (written as a filter, never an index key); empty: all
 */
public record AccessQuery(
        String tenantId,
        Optional<String> siteId,
        Optional<String> doorId,
        Optional<String> memberId,
        Optional<Boolean> granted,
        Optional<DenyReason> reason,
        Optional<Instant> from,
        Optional<Instant> until,
        Optional<Cursor> after,
        int limit,
        Set<String> siteIds) {
    public static final int MAX_LIMIT = 500;
    public static final int DEFAULT_LIMIT = 50;

    static final String COLUMNS = "id, at, site_id, door_id, device_id, granted, basis, reason, presented,"
            + " member_id, credential_id, pass_id, card_hash, clock";

    public AccessQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit is " + limit + "; use 1 to " + MAX_LIMIT);
        }
        siteIds = Set.copyOf(siteIds);
    }

    /** The whole log of a tenant, newest first, one default page. */
    public static AccessQuery of(String tenantId) {
        return new AccessQuery(
                tenantId,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                DEFAULT_LIMIT,
                Set.of());
    }

    public AccessQuery door(String id) {
        return new AccessQuery(
                tenantId, siteId, Optional.of(id), memberId, granted, reason, from, until, after, limit, siteIds);
    }

    public AccessQuery site(String id) {
        return new AccessQuery(
                tenantId, Optional.of(id), doorId, memberId, granted, reason, from, until, after, limit, siteIds);
    }

    public AccessQuery member(String id) {
        return new AccessQuery(
                tenantId, siteId, doorId, Optional.of(id), granted, reason, from, until, after, limit, siteIds);
    }

    public AccessQuery between(Instant start, Instant end) {
        return new AccessQuery(
                tenantId,
                siteId,
                doorId,
                memberId,
                granted,
                reason,
                Optional.of(start),
                Optional.of(end),
                after,
                limit,
                siteIds);
    }

    public AccessQuery limit(int size) {
        return new AccessQuery(tenantId, siteId, doorId, memberId, granted, reason, from, until, after, size, siteIds);
    }

    public AccessQuery after(Cursor cursor) {
        return new AccessQuery(
                tenantId, siteId, doorId, memberId, granted, reason, from, until, Optional.of(cursor), limit, siteIds);
    }

    /** Only the events of these sites (a caller whose role names sites); empty: every site. */
    public AccessQuery sites(Set<String> ids) {
        return new AccessQuery(tenantId, siteId, doorId, memberId, granted, reason, from, until, after, limit, ids);
    }

    /** Newest first: the access log's order and the bound of its cursor. */
    static final Keyset NEWEST_FIRST = Keyset.descending("at", "id");

    /** The SQL text; asks for {@code limit + 1} rows so the store knows whether a next page exists. */
    public String sql() {
        return query().sql();
    }

    /** Prepares nothing itself: binds this query's values onto a statement of {@link #sql()}. */
    public void bind(PreparedStatement statement) throws SQLException {
        Sql.bind(statement, query().params().toArray());
    }

    /*
     * Every condition is plain equality or a range on the columns of the access_events indexes
     * (tenant_id, door_id | site_id | member_id, at, id), and ORDER BY at DESC, id DESC walks the
     * index backwards, so a page reads about `limit` index entries whatever the table's size. The
     * keyset bound is written as `at <= ? AND (at < ? OR id < ?)`: the first conjunct is an index
     * range on both stores, the second only drops the events of the cursor's own millisecond that
     * were already served.
     *
     * With several of door, member and site given, the most selective one must drive the index; the
     * others are written as `col || '' = ?`, which both SQLite and PostgreSQL evaluate as a filter
     * and never as an index key, so neither planner picks the site index over the door index.
     */
    Query query() {
        Query sql = new Query("SELECT " + COLUMNS + " FROM access_events WHERE tenant_id = ?", tenantId);
        String driving = memberId.isPresent() ? "member" : doorId.isPresent() ? "door" : "site";
        equality(sql, "member_id", memberId, driving.equals("member"));
        equality(sql, "door_id", doorId, driving.equals("door"));
        equality(sql, "site_id", siteId, driving.equals("site"));
        if (!siteIds.isEmpty()) {
            sql.and(
                    "site_id || '' IN (" + String.join(", ", Collections.nCopies(siteIds.size(), "?")) + ")",
                    siteIds.stream().sorted().toArray());
        }
        sql.andIf(granted, "granted = ?").andIf(reason, "reason = ?");
        sql.andIf(from, "at >= ?").andIf(until, "at < ?");
        return NEWEST_FIRST.page(sql, after, limit);
    }

    private static void equality(Query sql, String column, Optional<String> value, boolean indexed) {
        sql.andIf(value, column + (indexed ? " = ?" : " || '' = ?"));
    }
}
