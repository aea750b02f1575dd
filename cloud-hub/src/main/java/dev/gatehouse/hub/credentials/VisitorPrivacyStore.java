package dev.gatehouse.hub.credentials;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.agreements.AgreementService;
import dev.gatehouse.hub.agreements.AgreementStore;
import dev.gatehouse.hub.agreements.AgreementStore.Signed;
import dev.gatehouse.hub.credentials.CredentialViews.PassView;
import dev.gatehouse.hub.kiosk.KioskSignIns;
import dev.gatehouse.hub.kiosk.KioskSignIns.VisitorSignIns;
import dev.gatehouse.hub.kiosk.VisitorLogService;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.Times;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Visitors' personal data (issue 17 item 3, research K7): the pass, the visitor's sign-ins at the
 * kiosks ({@code kiosk_sign_ins}) and the agreements they signed ({@code agreement_signatures}). Each
 * is kept for the tenant's retention period (default {@value #DEFAULT_DAYS} days, counted from the
 * pass's end, the sign-in, the signature), then anonymised by the hourly sweep; exported or erased
 * for one visitor in one call, by their pass or, for a walk-in, by their sign-in. Anonymising keeps
 * the rows, so the access and visitor logs still say a visitor came in, but no longer who, and a
 * signature keeps the agreement's version and hashes as evidence.
 */
public record VisitorPrivacyStore(Database database, Clock clock) {
    public static final int DEFAULT_DAYS = 30;
    public static final int MAX_DAYS = 3650;

    /** What an anonymised pass shows instead of the visitor's name. */
    public static final String ANONYMISED = "anonymised visitor";

    public int retentionDays(String tenantId) {
        return database.read(
                c -> Sql.one(c, "SELECT visitor_retention_days FROM tenants WHERE id = ?", Sql.LONG, tenantId)
                        .orElse((long) DEFAULT_DAYS)
                        .intValue());
    }

    public void setRetentionDays(String tenantId, int days) {
        database.run(c -> Sql.update(c, "UPDATE tenants SET visitor_retention_days = ? WHERE id = ?", days, tenantId));
    }

    /**
     * Anonymises every visitor whose pass ended, every visitor sign-in and every agreement signature
     * made longer ago than their tenant's retention period; answers how many records. Idempotent: an
     * anonymised record is never touched again.
     */
    public int sweep() {
        Instant now = clock.instant();
        return database.write(c -> {
            int records = KioskSignIns.sweep(c, ANONYMISED, now) + AgreementStore.sweep(c, ANONYMISED, now);
            List<String[]> due = Sql.list(
                    c,
                    "SELECT p.id, p.tenant_id FROM visitor_passes p JOIN tenants t ON t.id = p.tenant_id"
                            + " WHERE p.anonymised_at IS NULL"
                            + " AND p.valid_until + CAST(t.visitor_retention_days AS BIGINT) * 86400000 <= ?"
                            + " ORDER BY p.id",
                    rows -> new String[] {rows.getString(1), rows.getString(2)},
                    now);
            for (String[] pass : due) {
                anonymise(c, pass[1], pass[0], now);
            }
            return records + due.size();
        });
    }

    /**
     * Replaces the visitor's name and e-mail on the pass, its kiosk sign-ins and the agreements signed
     * with it (and frees the PIN, telling the edges); in the caller's transaction.
     */
    public static void anonymise(Connection c, String tenantId, String passId, Instant now) throws SQLException {
        for (String signInId : KioskSignIns.anonymise(c, tenantId, VisitorSignIns.PASS, passId, ANONYMISED, now)) {
            AgreementStore.anonymise(c, tenantId, Signed.EVENT, signInId, ANONYMISED, Optional.empty(), now);
        }
        AgreementStore.anonymise(c, tenantId, Signed.PASS, passId, ANONYMISED, Optional.empty(), now);
        redactAudit(c, tenantId, passId);
        boolean heldPin = Sql.one(
                        c,
                        "SELECT 1 FROM visitor_passes WHERE id = ? AND tenant_id = ? AND pin_hash IS NOT NULL",
                        Sql.LONG,
                        passId,
                        tenantId)
                .isPresent();
        Sql.update(
                c,
                "UPDATE visitor_passes SET visitor_name = ?, visitor_email = NULL, pin_hash = NULL, anonymised_at = ?,"
                        + " updated_at = ? WHERE id = ? AND tenant_id = ?",
                ANONYMISED,
                now,
                now,
                passId,
                tenantId);
        if (heldPin) {
            String siteId = Sql.byId(c, "visitor_passes", "site_id", Sql.STRING, tenantId, passId)
                    .orElseThrow();
            VisitorPassStore.sendToSite(c, tenantId, siteId, passId, now);
        }
    }

    /**
     * The audit log's views of the pass (its creation, invitation, revocation) keep who did what, and
     * no longer who the visitor was: their name reads {@link #ANONYMISED}, their e-mail is gone.
     */
    private static void redactAudit(Connection c, String tenantId, String passId) throws SQLException {
        for (String[] entry : Sql.list(
                c,
                "SELECT id, before_json, after_json FROM audit_log WHERE tenant_id = ?"
                        + " AND resource_type = 'visitor-pass' AND resource_id = ?",
                row -> new String[] {row.getString(1), row.getString(2), row.getString(3)},
                tenantId,
                passId)) {
            Sql.update(
                    c,
                    "UPDATE audit_log SET before_json = ?, after_json = ? WHERE id = ?",
                    redacted(entry[1]),
                    redacted(entry[2]),
                    entry[0]);
        }
    }

    private static String redacted(String json) {
        if (json == null) {
            return null;
        }
        try {
            JsonNode node = Json.MAPPER.readTree(json);
            if (node instanceof ObjectNode view) {
                if (view.hasNonNull("visitorName")) {
                    view.put("visitorName", ANONYMISED);
                }
                if (view.has("visitorEmail")) {
                    view.putNull("visitorEmail");
                }
            }
            return Json.MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an audit entry of a visitor pass is not JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Everything held about the pass's visitor: the pass, every use of it the edges reported, their
     * sign-ins at the kiosks and the agreements they signed.
     */
    public Optional<Map<String, Object>> export(String tenantId, PassView pass) {
        return database.read(c -> {
            Map<String, Object> export = new LinkedHashMap<>();
            export.put("pass", pass);
            export.put(
                    "anonymisedAt",
                    Sql.one(
                                    c,
                                    "SELECT anonymised_at FROM visitor_passes WHERE id = ? AND tenant_id = ?"
                                            + " AND anonymised_at IS NOT NULL",
                                    Sql.LONG,
                                    pass.id(),
                                    tenantId)
                            .map(Times::iso)
                            .orElse(null));
            export.put(
                    "uses",
                    Sql.list(
                            c,
                            "SELECT at, door_id, device_id, presented, event_id FROM visitor_pass_uses"
                                    + " WHERE tenant_id = ? AND pass_id = ? ORDER BY at, event_id",
                            rows -> {
                                Map<String, Object> use = new LinkedHashMap<>();
                                use.put("at", Times.iso(rows.getLong(1)));
                                use.put("doorId", rows.getString(2));
                                use.put("deviceId", rows.getString(3));
                                use.put("presented", rows.getString(4));
                                use.put("eventId", rows.getString(5));
                                return use;
                            },
                            tenantId,
                            pass.id()));
            List<KioskSignIns.SignIn> signIns = KioskSignIns.signIns(c, tenantId, VisitorSignIns.PASS, pass.id());
            export.put(
                    "kioskSignIns",
                    signIns.stream().map(VisitorLogService::json).toList());
            export.put("agreementSignatures", signatures(c, tenantId, Optional.of(pass.id()), signIns));
            export.put("retentionDays", retentionOf(c, tenantId));
            return Optional.of(export);
        });
    }

    /** The signatures made with the pass or at the sign-ins, each once, oldest first. */
    private static List<Object> signatures(
            Connection c, String tenantId, Optional<String> passId, List<KioskSignIns.SignIn> signIns)
            throws SQLException {
        Map<String, AgreementStore.Signature> found = new LinkedHashMap<>();
        List<AgreementStore.Signature> all = new ArrayList<>();
        if (passId.isPresent()) {
            all.addAll(AgreementStore.signatures(c, tenantId, Signed.PASS, passId.get()));
        }
        for (KioskSignIns.SignIn signIn : signIns) {
            all.addAll(AgreementStore.signatures(c, tenantId, Signed.EVENT, signIn.id()));
        }
        all.stream()
                .sorted(java.util.Comparator.comparing(AgreementStore.Signature::signedAt)
                        .thenComparing(AgreementStore.Signature::id))
                .forEach(signature -> found.putIfAbsent(signature.id(), signature));
        return found.values().stream()
                .map(s -> (Object) AgreementService.json(s))
                .toList();
    }

    /** A kiosk sign-in found by its id: the site it was made at and the pass it used, if any. */
    public record SignInRef(String id, String siteId, Optional<String> passId) {}

    /** The tenant's sign-in {@code id}, for the caller's site check; empty when there is none. */
    public Optional<SignInRef> signIn(String tenantId, String id) {
        return database.read(c -> Sql.one(
                c,
                "SELECT id, site_id, pass_id FROM kiosk_sign_ins WHERE tenant_id = ? AND id = ?",
                row -> new SignInRef(row.getString(1), row.getString(2), Optional.ofNullable(row.getString(3))),
                tenantId,
                id));
    }

    /**
     * Everything held about the visitor of a sign-in (a walk-in has no pass): the sign-in and the
     * agreements signed at it; a sign-in with a pass names it ({@code passId}), whose export holds the rest.
     */
    public Map<String, Object> exportSignIn(String tenantId, SignInRef ref) {
        return database.read(c -> {
            List<KioskSignIns.SignIn> signIns = KioskSignIns.signIns(c, tenantId, VisitorSignIns.SIGN_IN, ref.id());
            Map<String, Object> export = new LinkedHashMap<>();
            export.put("signIn", VisitorLogService.json(signIns.getFirst()));
            export.put("passId", ref.passId().orElse(null));
            export.put("agreementSignatures", signatures(c, tenantId, Optional.empty(), signIns));
            export.put("retentionDays", retentionOf(c, tenantId));
            return export;
        });
    }

    /**
     * Anonymises the visitor of a sign-in now: the sign-in and the agreements signed at it, and, when it
     * was made with a pass, the pass's visitor everywhere ({@link #anonymise}; the caller revokes an
     * active pass first). A member's own check-in has no visitor: nothing changes.
     */
    public void eraseSignIn(String tenantId, SignInRef ref) {
        Instant now = clock.instant();
        database.run(c -> {
            for (String id : KioskSignIns.anonymise(c, tenantId, VisitorSignIns.SIGN_IN, ref.id(), ANONYMISED, now)) {
                AgreementStore.anonymise(c, tenantId, Signed.EVENT, id, ANONYMISED, Optional.empty(), now);
            }
            if (ref.passId().isPresent()
                    && Sql.byId(
                                    c,
                                    "visitor_passes",
                                    "id",
                                    Sql.STRING,
                                    tenantId,
                                    ref.passId().get())
                            .isPresent()) {
                anonymise(c, tenantId, ref.passId().get(), now);
            }
        });
    }

    private static int retentionOf(Connection c, String tenantId) throws SQLException {
        return Sql.one(c, "SELECT visitor_retention_days FROM tenants WHERE id = ?", Sql.LONG, tenantId)
                .orElse((long) DEFAULT_DAYS)
                .intValue();
    }

    /** Anonymises the pass's visitor now (the pass, if still active, is revoked first by the caller). */
    public StoreResult<Boolean> erase(String tenantId, String passId) {
        Instant now = clock.instant();
        return database.write(c -> {
            if (Sql.byId(c, "visitor_passes", "id", Sql.STRING, tenantId, passId)
                    .isEmpty()) {
                return new StoreResult.NotFound<>("visitor pass", passId);
            }
            anonymise(c, tenantId, passId, now);
            return StoreResult.found(true);
        });
    }
}
