package dev.gatehouse.hub.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.agreements.AgreementService;
import dev.gatehouse.hub.agreements.AgreementStore;
import dev.gatehouse.hub.agreements.AgreementStore.Signed;
import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.credentials.VisitorPassStore;
import dev.gatehouse.hub.kiosk.KioskSignIns;
import dev.gatehouse.hub.kiosk.KioskSignIns.VisitorSignIns;
import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.plans.PlanAssignmentStore;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.MemberStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Everything the hub holds about a member: its export, its erasure, and the tenant's retention
 * periods.
 *
 * <p>The export is found, not listed: every table with a column naming a member ({@code member_id},
 * {@code host_member_id}, …) is read for the member's rows, so a table a later feature adds is in the
 * export without anyone remembering to add it (so the member's kiosk check-ins and the sign-ins of
 * visitors they hosted are in it). Columns holding secrets or their hashes (card hashes, token hashes,
 * keys) are left out. The agreements the member signed (at a kiosk, by their e-mail) are added.
 *
 * <p>Erasure anonymises: the member's row keeps its id and loses everything that says who the person
 * was (e-mail, name, phone, company), and so do its history and the audit log's views of it; the
 * credentials, plans, links to other platforms, sessions and calendar feeds are removed (the doors
 * forget them through the change log). The ledger (invoices, payments, charges, credits), the
 * access events and the member's kiosk check-ins keep their rows under the bare id, as the law and
 * the books require; the agreements they signed keep their version and hashes without their name.
 */
public record PersonalData(Database database, Clock clock) {
    /** What an erased member's name becomes. */
    public static final String ERASED_NAME = "Erased member";

    /** The redaction of a personal value in history and audit entries. */
    static final String ERASED = "[erased]";

    private static final Pattern MEMBER_COLUMN = Pattern.compile("(.+_)?member_id");
    private static final Pattern SECRET_COLUMN =
            Pattern.compile(".*(hash|secret|token|password|key|sealed|csrf|totp).*");
    private static final Pattern TIME_COLUMN = Pattern.compile("(.+_)?(at|from|until)");
    /** Derived copies (the search index) and the member's own row, which the export shows first. */
    private static final Set<String> SKIPPED_TABLES = Set.of("members", "member_terms", "flyway_schema_history");

    private static final Set<String> PERSONAL_FIELDS = Set.of(
            "email",
            "fullName",
            "phone",
            "company",
            "name",
            "memberName",
            "collectedBy",
            "visitorName",
            "visitorEmail",
            "trackingNumber",
            "note",
            "reason");

    /** The retention periods of a tenant, in days; absent keeps the data. */
    public record Retention(Optional<Integer> accessEventsDays, Optional<Integer> cancelledMembersDays) {}

    /** What an erasure did. */
    public record Erased(
            String memberId,
            String erasedAt,
            boolean alreadyErased,
            int credentialsRemoved,
            int plansRemoved,
            int sessionsEnded,
            List<String> kept) {
        public Erased {
            kept = List.copyOf(kept);
        }
    }

    /** What one run of the retention sweep removed. */
    public record Swept(int accessEventsDeleted, int membersErased) {}

    // ---- export

    /** Everything held about the member, as one JSON document; NotFound when the tenant has no such member. */
    public StoreResult<ObjectNode> export(String tenantId, String memberId) {
        Instant now = clock.instant();
        return database.read(c -> {
            ArrayNode found = rows(c, "members", "id", tenantId, memberId, true);
            Optional<JsonNode> member = found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
            if (member.isEmpty()) {
                return new StoreResult.NotFound<>("member", memberId);
            }
            ObjectNode document = Json.MAPPER.createObjectNode();
            document.put("memberId", memberId);
            document.put("exportedAt", Times.iso(now));
            document.set("member", member.get());
            ObjectNode sections = document.putObject("data");
            for (Map.Entry<String, List<String>> table : memberTables(c).entrySet()) {
                for (String column : table.getValue()) {
                    ArrayNode rows = rows(c, table.getKey(), column, tenantId, memberId, hasTenant(c, table.getKey()));
                    if (!rows.isEmpty()) {
                        String name = column.equals("member_id") ? table.getKey() : table.getKey() + "." + column;
                        sections.set(name, rows);
                    }
                }
            }
            String email = member.get().path("email").asText("");
            if (!email.isEmpty()) {
                ArrayNode signed = Json.MAPPER.createArrayNode();
                for (AgreementStore.Signature signature : AgreementStore.signatures(c, tenantId, Signed.EMAIL, email)) {
                    signed.add(AgreementService.json(signature));
                }
                if (!signed.isEmpty()) {
                    sections.set("agreement_signatures", signed);
                }
            }
            return StoreResult.found(document);
        });
    }

    /** Every table with a column naming a member, with those columns, in name order. */
    private static Map<String, List<String>> memberTables(Connection c) throws SQLException {
        Map<String, List<String>> tables = new TreeMap<>();
        DatabaseMetaData meta = c.getMetaData();
        String schema = schema(c);
        List<String> names = new ArrayList<>();
        try (ResultSet found = meta.getTables(null, schema, "%", new String[] {"TABLE"})) {
            while (found.next()) {
                names.add(found.getString("TABLE_NAME"));
            }
        }
        for (String name : names) {
            String table = name.toLowerCase(Locale.ROOT);
            if (SKIPPED_TABLES.contains(table)) {
                continue;
            }
            try (ResultSet columns = meta.getColumns(null, schema, name, "%")) {
                while (columns.next()) {
                    String column = columns.getString("COLUMN_NAME").toLowerCase(Locale.ROOT);
                    if (MEMBER_COLUMN.matcher(column).matches()) {
                        tables.computeIfAbsent(table, t -> new ArrayList<>()).add(column);
                    }
                }
            }
        }
        return tables;
    }

    private static String schema(Connection c) throws SQLException {
        return c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres")
                ? c.getSchema()
                : null;
    }

    private static boolean hasTenant(Connection c, String table) throws SQLException {
        try (ResultSet columns = c.getMetaData().getColumns(null, schema(c), table, "tenant_id")) {
            return columns.next();
        }
    }

    /**
     * The table's rows whose {@code column} is the member, secrets left out, times as ISO-8601. The
     * table and column names come from the database's own catalogue and the patterns above, never from
     * a request.
     */
    private static ArrayNode rows(
            Connection c, String table, String column, String tenantId, String memberId, boolean byTenant)
            throws SQLException {
        ArrayNode rows = Json.MAPPER.createArrayNode();
        String sql = "SELECT * FROM " + table + " WHERE " + column + " = ?" + (byTenant ? " AND tenant_id = ?" : "")
                + " ORDER BY 1";
        try (PreparedStatement statement = c.prepareStatement(sql)) {
            statement.setString(1, memberId);
            if (byTenant) {
                statement.setString(2, tenantId);
            }
            try (ResultSet result = statement.executeQuery()) {
                ResultSetMetaData meta = result.getMetaData();
                while (result.next()) {
                    ObjectNode row = rows.addObject();
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        String name = meta.getColumnLabel(i).toLowerCase(Locale.ROOT);
                        if (SECRET_COLUMN.matcher(name).matches() || name.equals("tenant_id")) {
                            continue;
                        }
                        value(row, name, result, i, meta.getColumnType(i));
                    }
                }
            }
        }
        return rows;
    }

    private static void value(ObjectNode row, String name, ResultSet result, int i, int type) throws SQLException {
        Object value = result.getObject(i);
        if (value == null) {
            row.putNull(name);
        } else if (value instanceof Number number
                && TIME_COLUMN.matcher(name).matches()
                && type != Types.DOUBLE
                && type != Types.REAL) {
            row.put(name, Times.iso(number.longValue()));
        } else if (value instanceof Boolean flag) {
            row.put(name, flag);
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short) {
            row.put(name, ((Number) value).longValue());
        } else if (value instanceof Number number) {
            row.put(name, number.toString());
        } else if (value instanceof byte[]) {
            row.put(name, "(binary, " + ((byte[]) value).length + " bytes)");
        } else {
            row.put(name, result.getString(i));
        }
    }

    // ---- erasure

    /**
     * Erases the member (see the class comment) in one transaction. NotFound when the tenant has no
     * such member; Conflict while a subscription of theirs runs or a booking of theirs is still ahead
     * (their cancellation decides credits and refunds, which erasure must not guess). Erasing an erased
     * member answers the first erasure again.
     */
    public StoreResult<Erased> erase(String tenantId, String actor, String memberId) {
        Instant now = clock.instant();
        return database.write(c -> erase(c, tenantId, actor, memberId, now));
    }

    private static StoreResult<Erased> erase(Connection c, String tenantId, String actor, String memberId, Instant now)
            throws SQLException {
        if (!MemberStore.lock(c, tenantId, memberId)) {
            return new StoreResult.NotFound<>("member", memberId);
        }
        Optional<Instant> erasedAt = Sql.one(
                        c,
                        "SELECT erased_at FROM members WHERE id = ? AND tenant_id = ?",
                        row -> Sql.instant(row, 1),
                        memberId,
                        tenantId)
                .orElseThrow();
        if (erasedAt.isPresent()) {
            return StoreResult.found(
                    new Erased(memberId, Times.iso(erasedAt.get()), true, 0, 0, 0, kept(c, tenantId, memberId)));
        }
        List<String> running = Sql.list(
                c,
                // Cancelled at its period's end or a pass that expired: stored as it was, over by ends_at.
                "SELECT id FROM subscriptions WHERE tenant_id = ? AND member_id = ? AND status <> 'ENDED'"
                        + " AND (ends_at IS NULL OR ends_at > ?)"
                        + " UNION SELECT s.id FROM subscription_seats x JOIN subscriptions s ON s.id = x.subscription_id"
                        + " WHERE x.tenant_id = ? AND x.member_id = ? AND s.status <> 'ENDED'"
                        + " AND (s.ends_at IS NULL OR s.ends_at > ?) ORDER BY 1",
                Sql.STRING,
                tenantId,
                memberId,
                now,
                tenantId,
                memberId,
                now);
        if (!running.isEmpty()) {
            return new StoreResult.Conflict<>("member " + memberId + " holds running subscription(s) "
                    + String.join(", ", running) + "; cancel them first (POST /api/v1/subscriptions/{id}/cancel, or"
                    + " remove the seat: DELETE /api/v1/subscriptions/{id}/seats/" + memberId
                    + "), then erase");
        }
        List<String> ahead = Sql.list(
                c,
                "SELECT id FROM bookings WHERE tenant_id = ? AND member_id = ? AND end_at > ?"
                        + " AND status NOT IN ('CANCELLED', 'DECLINED', 'RELEASED', 'LAPSED') ORDER BY start_at LIMIT 5",
                Sql.STRING,
                tenantId,
                memberId,
                now);
        if (!ahead.isEmpty()) {
            return new StoreResult.Conflict<>(
                    "member " + memberId + " has booking(s) still ahead (" + String.join(", ", ahead)
                            + "); cancel them first (POST /api/v1/bookings/{id}/cancel), then erase");
        }
        int plans = 0;
        for (String planId : Sql.list(
                c,
                "SELECT plan_id FROM member_plans WHERE tenant_id = ? AND member_id = ? ORDER BY plan_id",
                Sql.STRING,
                tenantId,
                memberId)) {
            PlanAssignmentStore.unassign(c, tenantId, actor, memberId, planId, now);
            plans++;
        }
        List<String> credentials = Sql.list(
                c,
                "SELECT id FROM credentials WHERE tenant_id = ? AND member_id = ? ORDER BY id",
                Sql.STRING,
                tenantId,
                memberId);
        if (!credentials.isEmpty()) {
            List<Change> removals = new ArrayList<>();
            for (String credentialId : credentials) {
                removals.add(new Change.Remove(EntityKind.CREDENTIAL, credentialId));
            }
            ChangeLog.appendToAllSites(c, tenantId, removals, now);
            Sql.update(c, "DELETE FROM card_enrollments WHERE tenant_id = ? AND member_id = ?", tenantId, memberId);
            Sql.update(c, "DELETE FROM credentials WHERE tenant_id = ? AND member_id = ?", tenantId, memberId);
        }
        String[] former = Sql.one(
                        c,
                        "SELECT email, full_name FROM members WHERE id = ? AND tenant_id = ?",
                        row -> new String[] {row.getString(1), row.getString(2)},
                        memberId,
                        tenantId)
                .orElseThrow();
        // Agreements they signed by their e-mail (read before the e-mail goes): the record stays as evidence.
        if (former[0] != null) {
            AgreementStore.anonymise(c, tenantId, Signed.EMAIL, former[0], ERASED_NAME, Optional.empty(), now);
        }
        StoreResult<MemberStore.MemberView> anonymised = MemberStore.update(
                c,
                tenantId,
                actor,
                memberId,
                before -> new MemberStore.MemberInput(
                        erasedEmail(memberId),
                        ERASED_NAME,
                        Optional.empty(),
                        Optional.empty(),
                        Set.of(),
                        MemberStatus.CANCELLED),
                now);
        if (!(anonymised instanceof StoreResult.Found<MemberStore.MemberView>)) {
            throw new IllegalStateException("erasing member " + memberId + " could not anonymise it: " + anonymised);
        }
        Sql.update(c, "UPDATE members SET erased_at = ? WHERE id = ? AND tenant_id = ?", now, memberId, tenantId);
        // Visitors they invited: a pass still to come no longer opens a door for a host who is gone, and
        // the visitors' names would tell whom the erased person knew.
        for (String passId : Sql.list(
                c,
                "SELECT id FROM visitor_passes WHERE tenant_id = ? AND host_member_id = ? ORDER BY id",
                Sql.STRING,
                tenantId,
                memberId)) {
            if (Sql.exists(
                    c,
                    "SELECT 1 FROM visitor_passes WHERE id = ? AND status = 'ACTIVE' AND valid_until > ?",
                    passId,
                    now)) {
                VisitorPassStore.revoke(c, tenantId, passId, now);
            }
            VisitorPrivacyStore.anonymise(c, tenantId, passId, now);
            AgreementStore.anonymise(
                    c, tenantId, Signed.PASS, passId, VisitorPrivacyStore.ANONYMISED, Optional.of(ERASED_NAME), now);
        }
        // Walk-ins who chose them as host at a kiosk, the same; the agreements those visitors signed
        // also lose the host's name they were rendered with.
        for (String signInId : KioskSignIns.anonymise(
                c, tenantId, VisitorSignIns.HOST, memberId, VisitorPrivacyStore.ANONYMISED, now)) {
            AgreementStore.anonymise(
                    c, tenantId, Signed.EVENT, signInId, VisitorPrivacyStore.ANONYMISED, Optional.of(ERASED_NAME), now);
        }
        redactHistory(c, tenantId, memberId);
        redactAudit(c, tenantId, memberId);
        redactOutbox(c, tenantId, memberId);
        redactConnectorJobs(c, tenantId, memberId, List.of(former), now);
        Sql.update(c, "DELETE FROM external_members WHERE tenant_id = ? AND member_id = ?", tenantId, memberId);
        // Mail and parcels (hub.parcels): the desk's photos and the member's signatures go, the items stay
        // (the desk's record of what it handed over) without the name, note or tracking number.
        Sql.update(
                c,
                "DELETE FROM parcel_images WHERE tenant_id = ? AND parcel_id IN"
                        + " (SELECT id FROM parcels WHERE tenant_id = ? AND member_id = ?)",
                tenantId,
                tenantId,
                memberId);
        Sql.update(
                c,
                "UPDATE parcels SET collected_by = CASE WHEN collected_by IS NULL THEN NULL ELSE ? END, note = NULL,"
                        + " tracking_number = NULL, notice_error = NULL WHERE tenant_id = ? AND member_id = ?",
                ERASED_NAME,
                tenantId,
                memberId);
        Sql.update(
                c,
                "DELETE FROM calendar_feeds WHERE tenant_id = ? AND kind = 'MEMBER' AND subject_id = ?",
                tenantId,
                memberId);
        int sessions =
                Sql.update(c, "DELETE FROM web_sessions WHERE tenant_id = ? AND principal_id = ?", tenantId, memberId);
        Sql.update(c, "DELETE FROM one_time_links WHERE tenant_id = ? AND principal_id = ?", tenantId, memberId);
        Sql.update(
                c,
                "UPDATE public_purchases SET email = ?, full_name = ? WHERE tenant_id = ? AND member_id = ?",
                erasedEmail(memberId),
                ERASED_NAME,
                tenantId,
                memberId);
        return StoreResult.found(new Erased(
                memberId, Times.iso(now), false, credentials.size(), plans, sessions, kept(c, tenantId, memberId)));
    }

    /** The address an erased member's row keeps: unique, and in a domain that can never receive mail. */
    static String erasedEmail(String memberId) {
        return "erased-" + memberId.toLowerCase(Locale.ROOT) + "@erased.invalid";
    }

    /** The records kept under the bare id, by kind, for the answer. */
    private static List<String> kept(Connection c, String tenantId, String memberId) throws SQLException {
        List<String> kept = new ArrayList<>();
        Map<String, String> kinds = new LinkedHashMap<>();
        kinds.put("invoices", "invoices");
        kinds.put("payments", "payments");
        kinds.put("charges", "billing_charges");
        kinds.put("credit ledger entries", "credit_ledger");
        kinds.put("access events", "access_events");
        kinds.put("kiosk check-ins", "kiosk_sign_ins");
        kinds.put("bookings", "bookings");
        for (Map.Entry<String, String> kind : kinds.entrySet()) {
            long count = Sql.one(
                            c,
                            "SELECT COUNT(*) FROM " + kind.getValue() + " WHERE tenant_id = ? AND member_id = ?",
                            Sql.LONG,
                            tenantId,
                            memberId)
                    .orElse(0L);
            if (count > 0) {
                kept.add(count + " " + kind.getKey());
            }
        }
        return kept;
    }

    private static void redactHistory(Connection c, String tenantId, String memberId) throws SQLException {
        for (String[] entry : Sql.list(
                c,
                "SELECT id, changes FROM member_history WHERE tenant_id = ? AND member_id = ?",
                row -> new String[] {row.getString(1), row.getString(2)},
                tenantId,
                memberId)) {
            Optional<String> redacted = redacted(entry[1]);
            if (redacted.isPresent()) {
                Sql.update(c, "UPDATE member_history SET changes = ? WHERE id = ?", redacted.get(), entry[0]);
            }
        }
    }

    /**
     * The audit log keeps who did what, without who the member was: entries about them or naming them
     * have their personal fields replaced, and what they did themselves (in the portal) no longer shows
     * their e-mail as the actor or their address.
     */
    private static void redactAudit(Connection c, String tenantId, String memberId) throws SQLException {
        Sql.update(
                c,
                "UPDATE audit_log SET actor_label = ?, address = ? WHERE tenant_id = ? AND actor_id = ?",
                ERASED,
                ERASED,
                tenantId,
                memberId);
        String named = "%\"" + memberId + "\"%";
        for (String[] entry : Sql.list(
                c,
                "SELECT id, before_json, after_json FROM audit_log WHERE tenant_id = ?"
                        + " AND (resource_id = ? OR before_json LIKE ? OR after_json LIKE ?)",
                row -> new String[] {row.getString(1), row.getString(2), row.getString(3)},
                tenantId,
                memberId,
                named,
                named)) {
            Optional<String> before = Optional.ofNullable(entry[1]).flatMap(PersonalData::redacted);
            Optional<String> after = Optional.ofNullable(entry[2]).flatMap(PersonalData::redacted);
            if (before.isPresent() || after.isPresent()) {
                Sql.update(
                        c,
                        "UPDATE audit_log SET before_json = ?, after_json = ? WHERE id = ?",
                        before.orElse(entry[1]),
                        after.orElse(entry[2]),
                        entry[0]);
            }
        }
    }

    /**
     * The outbox's events about the member (their own, and those that name them, such as their entries):
     * deliveries not yet made and connectors not yet caught up send the redacted payload. What was
     * already delivered is the receiver's to erase.
     */
    private static void redactOutbox(Connection c, String tenantId, String memberId) throws SQLException {
        for (String[] event : Sql.list(
                c,
                "SELECT id, payload FROM outbox_events WHERE tenant_id = ? AND (entity_id = ? OR payload LIKE ?)",
                row -> new String[] {row.getString(1), row.getString(2)},
                tenantId,
                memberId,
                "%\"" + memberId + "\"%")) {
            Optional<String> redacted = redacted(event[1]);
            if (redacted.isPresent()) {
                Sql.update(c, "UPDATE outbox_events SET payload = ? WHERE id = ?", redacted.get(), event[0]);
            }
        }
    }

    /**
     * The connectors' jobs about the member or naming them (hub.connectors keeps each event's data in its
     * job): personal fields redacted as in the outbox, and the member's former name and e-mail taken out
     * of the services' answers and errors kept beside them. Jobs still pending for the member's own
     * record are skipped: the erasure's own event carries what remains of them to the services.
     */
    private static void redactConnectorJobs(
            Connection c, String tenantId, String memberId, List<String> former, Instant now) throws SQLException {
        List<String[]> jobs = Sql.list(
                c,
                "SELECT id, data, last_error, result, entity_id, status FROM connector_jobs WHERE tenant_id = ?"
                        + " AND (entity_id = ? OR data LIKE ?)",
                row -> new String[] {
                    row.getString(1),
                    row.getString(2),
                    row.getString(3),
                    row.getString(4),
                    row.getString(5),
                    row.getString(6)
                },
                tenantId,
                memberId,
                "%\"" + memberId + "\"%");
        for (String[] job : jobs) {
            String data = redacted(job[1]).orElse(job[1]);
            String lastError = job[2] == null ? null : withoutNames(job[2], former);
            String result = job[3] == null ? null : withoutNames(job[3], former);
            boolean ownPending = job[4].equals(memberId) && job[5].equals("PENDING");
            Sql.update(
                    c,
                    "UPDATE connector_jobs SET data = ?, last_error = ?, result = ? WHERE id = ?",
                    data,
                    lastError,
                    result,
                    job[0]);
            if (ownPending) {
                Sql.update(
                        c,
                        "UPDATE connector_jobs SET status = 'SKIPPED', result = ?, finished_at = ?, lease_owner = NULL"
                                + " WHERE id = ?",
                        "the member was erased; the erasure's own event carries what remains",
                        now,
                        job[0]);
            }
        }
    }

    /** {@code text} with each of {@code names} (ignoring case) replaced by {@link #ERASED}. */
    private static String withoutNames(String text, List<String> names) {
        String result = text;
        for (String name : names) {
            if (name != null && !name.isBlank()) {
                result = result.replaceAll(
                        "(?i)" + Pattern.quote(name), java.util.regex.Matcher.quoteReplacement(ERASED));
            }
        }
        return result;
    }

    /** The JSON with every personal field's value (at any depth) replaced; empty when there was none. */
    static Optional<String> redacted(String json) {
        try {
            JsonNode node = Json.MAPPER.readTree(json);
            return redact(node) ? Optional.of(Json.MAPPER.writeValueAsString(node)) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("a stored entry is not JSON: " + e.getMessage(), e);
        }
    }

    private static boolean redact(JsonNode node) {
        boolean changed = false;
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode value = object.get(name);
                if (PERSONAL_FIELDS.contains(name)) {
                    changed |= erase(object, name, value);
                } else {
                    changed |= redact(value);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (Iterator<JsonNode> items = array.elements(); items.hasNext(); ) {
                changed |= redact(items.next());
            }
        }
        return changed;
    }

    /** A history change ({"from", "to"}) has both erased; a plain value is replaced. */
    private static boolean erase(ObjectNode parent, String name, JsonNode value) {
        if (value == null || value.isNull()) {
            return false;
        }
        if (value instanceof ObjectNode change && (change.has("from") || change.has("to"))) {
            boolean changed = false;
            for (String side : List.of("from", "to")) {
                if (change.has(side)
                        && !change.get(side).isNull()
                        && !change.get(side).asText().equals(ERASED)) {
                    change.put(side, ERASED);
                    changed = true;
                }
            }
            return changed;
        }
        if (value.isTextual() && value.asText().equals(ERASED)) {
            return false;
        }
        parent.put(name, ERASED);
        return true;
    }

    // ---- retention

    /** The tenant's retention periods. */
    public Retention retention(String tenantId) {
        return database.read(c -> retention(c, tenantId));
    }

    private static Retention retention(Connection c, String tenantId) throws SQLException {
        return Sql.one(
                        c,
                        "SELECT access_events_days, cancelled_members_days FROM privacy_settings WHERE tenant_id = ?",
                        row -> new Retention(days(row, 1), days(row, 2)),
                        tenantId)
                .orElse(new Retention(Optional.empty(), Optional.empty()));
    }

    private static Optional<Integer> days(ResultSet row, int column) throws SQLException {
        int days = row.getInt(column);
        return row.wasNull() ? Optional.empty() : Optional.of(days);
    }

    /** Sets the tenant's retention periods. */
    public Retention setRetention(String tenantId, Retention retention) {
        Instant now = clock.instant();
        return database.write(c -> {
            Sql.update(c, "DELETE FROM privacy_settings WHERE tenant_id = ?", tenantId);
            Sql.update(
                    c,
                    "INSERT INTO privacy_settings (tenant_id, access_events_days, cancelled_members_days, updated_at)"
                            + " VALUES (?, ?, ?, ?)",
                    tenantId,
                    retention.accessEventsDays(),
                    retention.cancelledMembersDays(),
                    now);
            return retention(c, tenantId);
        });
    }

    /**
     * Applies every tenant's retention periods once: deletes access events older than the period (in
     * chunks, so the writer is never held long) and erases members cancelled longer ago than theirs
     * (those an erasure refuses, for a running subscription or a booking ahead, wait for the next run).
     */
    public Swept sweep() {
        Instant now = clock.instant();
        List<String[]> tenants = database.read(c -> Sql.list(
                c,
                "SELECT tenant_id, access_events_days, cancelled_members_days FROM privacy_settings"
                        + " ORDER BY tenant_id",
                row -> new String[] {row.getString(1), row.getString(2), row.getString(3)},
                new Object[0]));
        int events = 0;
        int erased = 0;
        for (String[] tenant : tenants) {
            if (tenant[1] != null) {
                Instant before = now.minus(Duration.ofDays(Long.parseLong(tenant[1])));
                int deleted;
                do {
                    deleted = database.write(c -> {
                        int count = Sql.update(
                                c,
                                "DELETE FROM access_events WHERE tenant_id = ? AND (device_id, id) IN (SELECT"
                                        + " device_id, id FROM access_events WHERE tenant_id = ? AND at < ? ORDER BY"
                                        + " at LIMIT 5000)",
                                tenant[0],
                                tenant[0],
                                before);
                        if (count > 0) {
                            // The hourly presence of the hours those entries covered is given up with them.
                            dev.gatehouse.hub.access.PresenceRollup.forget(c, tenant[0], before.toEpochMilli());
                        }
                        return count;
                    });
                    events += deleted;
                } while (deleted > 0);
            }
            if (tenant[2] != null) {
                Instant before = now.minus(Duration.ofDays(Long.parseLong(tenant[2])));
                List<String> due = database.read(c -> Sql.list(
                        c,
                        "SELECT id FROM members WHERE tenant_id = ? AND status = 'CANCELLED' AND erased_at IS NULL"
                                + " AND updated_at < ? ORDER BY id",
                        Sql.STRING,
                        tenant[0],
                        before));
                for (String memberId : due) {
                    if (erase(tenant[0], "retention", memberId) instanceof StoreResult.Found<Erased>) {
                        erased++;
                    }
                }
            }
        }
        return new Swept(events, erased);
    }
}
