package dev.gatehouse.hub.agreements;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.sites.EdgeFeatures;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.Agreement;
import dev.gatehouse.protocol.model.EntityKind;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Versioned visitor agreements: one per scope (the tenant's, or a site's, which overrides the
 * tenant's at that site), each version immutable once published with the SHA-256 of its canonical
 * text ({@link Agreement#sha256}); and the signatures that name a published version and its hash,
 * one per sign-in event. Publishing sends the version in force to every site it applies to through
 * the change log (entity {@code agreement}, for edges reporting {@link Agreement#FEATURE}).
 */
public record AgreementStore(Database database, Clock clock) {
    private static final TypeReference<TreeMap<String, String>> VARIABLES = new TypeReference<>() {};

    /** One published version. {@code siteId} empty: the tenant's agreement. */
    public record Version(
            String agreementId,
            Optional<String> siteId,
            int version,
            String title,
            String body,
            String sha256,
            Instant publishedAt,
            String publishedBy) {}

    /** An agreement with its versions, newest first. */
    public record AgreementView(String id, Optional<String> siteId, int currentVersion, List<Version> versions) {}

    /** A signature as recorded. */
    public record Signature(
            String id,
            String siteId,
            String eventId,
            String agreementId,
            int version,
            String sha256,
            String renderedSha256,
            String signerName,
            Optional<String> signerEmail,
            Optional<String> passId,
            Map<String, String> variables,
            String source,
            Instant signedAt,
            Instant recordedAt,
            Optional<Instant> anonymisedAt) {}

    /**
     * A signature to record. {@code eventId} is the sign-in event's id (a visitor pass sign-in or a
     * walk-in), the key that makes recording idempotent; {@code variables} are the values the text
     * was rendered with ({@code visitorName}, {@code hostName}, {@code siteName}, {@code date}), and
     * {@code renderedSha256} the hash of that rendered text ({@link Agreement#renderedSha256}).
     * {@code source} is the kiosk's device id, or {@code hub}.
     */
    public record NewSignature(
            String siteId,
            String eventId,
            String agreementId,
            int version,
            String sha256,
            String renderedSha256,
            String signerName,
            Optional<String> signerEmail,
            Optional<String> passId,
            Map<String, String> variables,
            String source,
            Instant signedAt) {
        public NewSignature {
            variables = Map.copyOf(variables);
        }
    }

    /** What recording a signature came to. */
    public sealed interface Recording permits Recorded, Refused {}

    /** Recorded now, or ({@code again}) recorded before for the same event, which changes nothing. */
    public record Recorded(Signature signature, boolean again) implements Recording {}

    /** Not recorded: the version or a hash was never published here (forged or altered), said in {@code reason}. */
    public record Refused(String reason) implements Recording {}

    // ---- publishing -------------------------------------------------------------------------------

    /**
     * Publishes a new version of the scope's agreement (the site's when {@code siteId} is given, else
     * the tenant's), created with version 1 when the scope has none; sends it to the sites it is in
     * force at. The caller has checked title and body ({@link Agreement#bodyProblem}).
     */
    public StoreResult<Version> publish(
            String tenantId, Optional<String> siteId, String title, String body, String publishedBy) {
        Instant now = clock.instant();
        return database.write(c -> {
            if (siteId.isPresent()
                    && !Sql.exists(c, "SELECT 1 FROM sites WHERE id = ? AND tenant_id = ?", siteId.get(), tenantId)) {
                return new StoreResult.NotFound<>("site", siteId.get());
            }
            // The tenant row's lock orders publications with site creation and with each other.
            ChangeLog.lockTenant(c, tenantId);
            String scope = siteId.orElse("");
            Optional<String[]> existing = Sql.one(
                    c,
                    "SELECT id, current_version FROM agreements WHERE tenant_id = ? AND scope = ?",
                    r -> new String[] {r.getString(1), r.getString(2)},
                    tenantId,
                    scope);
            String id;
            int version;
            if (existing.isEmpty()) {
                id = HubIds.next("agr");
                version = 1;
                Sql.update(
                        c,
                        "INSERT INTO agreements (id, tenant_id, site_id, scope, current_version, created_at, updated_at)"
                                + " VALUES (?, ?, ?, ?, ?, ?, ?)",
                        id,
                        tenantId,
                        siteId,
                        scope,
                        version,
                        now,
                        now);
            } else {
                id = existing.get()[0];
                version = Integer.parseInt(existing.get()[1]) + 1;
                Sql.update(
                        c, "UPDATE agreements SET current_version = ?, updated_at = ? WHERE id = ?", version, now, id);
            }
            Sql.update(
                    c,
                    "INSERT INTO agreement_versions (agreement_id, version, tenant_id, title, body, sha256, published_at,"
                            + " published_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    id,
                    version,
                    tenantId,
                    title,
                    body,
                    Agreement.sha256(title, body),
                    now,
                    publishedBy);
            List<String> sites = siteId.isPresent() ? List.of(siteId.get()) : sitesOnTenantAgreement(c, tenantId);
            for (String site : sites) {
                logSite(c, tenantId, site, now);
            }
            return StoreResult.found(version(c, tenantId, id, version).orElseThrow());
        });
    }

    private static List<String> sitesOnTenantAgreement(Connection c, String tenantId) throws SQLException {
        return Sql.list(
                c,
                "SELECT s.id FROM sites s WHERE s.tenant_id = ? AND NOT EXISTS"
                        + " (SELECT 1 FROM agreements a WHERE a.tenant_id = s.tenant_id AND a.scope = s.id) ORDER BY s.id",
                Sql.STRING,
                tenantId);
    }

    /**
     * Sends the site the agreement in force there now, removing the tenant's from its edges when the
     * site's own takes over. A site whose edges cannot read agreements gets it as a no-op at sync.
     */
    static void logSite(Connection c, String tenantId, String siteId, Instant now) throws SQLException {
        Optional<Agreement> current = entity(c, tenantId, siteId);
        List<Change> changes = new ArrayList<>();
        Optional<String> tenantWide =
                Sql.one(c, "SELECT id FROM agreements WHERE tenant_id = ? AND scope = ''", Sql.STRING, tenantId);
        if (tenantWide.isPresent() && current.isPresent() && !current.get().id().equals(tenantWide.get())) {
            changes.add(new Change.Remove(EntityKind.AGREEMENT, tenantWide.get()));
        }
        current.ifPresent(agreement -> changes.add(new Change.Upsert(agreement)));
        ChangeLog.append(c, tenantId, siteId, changes, now);
    }

    // ---- reading ----------------------------------------------------------------------------------

    private static final String VERSION_COLUMNS =
            "SELECT v.agreement_id, a.site_id, v.version, v.title, v.body, v.sha256,"
                    + " v.published_at, v.published_by FROM agreement_versions v JOIN agreements a ON a.id = v.agreement_id";

    private static Version version(ResultSet r) throws SQLException {
        return new Version(
                r.getString(1),
                Optional.ofNullable(r.getString(2)),
                r.getInt(3),
                r.getString(4),
                r.getString(5),
                r.getString(6),
                Instant.ofEpochMilli(r.getLong(7)),
                r.getString(8));
    }

    static Optional<Version> version(Connection c, String tenantId, String agreementId, int version)
            throws SQLException {
        return Sql.one(
                c,
                VERSION_COLUMNS + " WHERE v.agreement_id = ? AND v.version = ? AND v.tenant_id = ?",
                AgreementStore::version,
                agreementId,
                version,
                tenantId);
    }

    public Optional<Version> version(String tenantId, String agreementId, int version) {
        return database.read(c -> version(c, tenantId, agreementId, version));
    }

    /** The version in force at the site: the site's own agreement's current version, else the tenant's. */
    public static Optional<Version> current(Connection c, String tenantId, String siteId) throws SQLException {
        return Sql.one(
                c,
                VERSION_COLUMNS + " WHERE a.tenant_id = ? AND (a.scope = ? OR a.scope = '')"
                        + " AND v.version = a.current_version ORDER BY a.scope DESC LIMIT 1",
                AgreementStore::version,
                tenantId,
                siteId);
    }

    public Optional<Version> current(String tenantId, String siteId) {
        return database.read(c -> current(c, tenantId, siteId));
    }

    /** The tenant's agreements with every version, newest first; only the tenant's and {@code sites}' when named. */
    public List<AgreementView> agreements(String tenantId, Optional<Set<String>> sites) {
        return database.read(c -> {
            List<AgreementView> out = new ArrayList<>();
            for (String[] row : Sql.list(
                    c,
                    "SELECT id, site_id, current_version FROM agreements WHERE tenant_id = ? ORDER BY scope, id",
                    r -> new String[] {r.getString(1), r.getString(2), r.getString(3)},
                    tenantId)) {
                if (row[1] != null && sites.isPresent() && !sites.get().contains(row[1])) {
                    continue;
                }
                out.add(new AgreementView(
                        row[0],
                        Optional.ofNullable(row[1]),
                        Integer.parseInt(row[2]),
                        Sql.list(
                                c,
                                VERSION_COLUMNS + " WHERE v.agreement_id = ? ORDER BY v.version DESC",
                                AgreementStore::version,
                                row[0])));
            }
            return out;
        });
    }

    /** The agreement in force at the site as its edges get it. */
    public static Optional<Agreement> entity(Connection c, String tenantId, String siteId) throws SQLException {
        Optional<Version> current = current(c, tenantId, siteId);
        if (current.isEmpty()) {
            return Optional.empty();
        }
        String siteName = Sql.one(
                        c, "SELECT name FROM sites WHERE id = ? AND tenant_id = ?", Sql.STRING, siteId, tenantId)
                .orElse(siteId);
        Version v = current.get();
        return Optional.of(new Agreement(
                v.agreementId(),
                v.version(),
                v.title(),
                v.body(),
                siteName.length() > Agreement.MAX_SITE_NAME ? siteName.substring(0, Agreement.MAX_SITE_NAME) : siteName,
                v.sha256()));
    }

    /** What a snapshot of the site carries: the agreement in force, if any. */
    public static List<Agreement> live(Connection c, String tenantId, String siteId) throws SQLException {
        return entity(c, tenantId, siteId).map(List::of).orElse(List.of());
    }

    /** Whether every active edge of the site reads agreements and vouchers ({@link Agreement#FEATURE}). */
    public static boolean siteReads(Connection c, String tenantId, String siteId) throws SQLException {
        return EdgeFeatures.siteReads(c, tenantId, siteId, Agreement.FEATURE);
    }

    // ---- signatures -------------------------------------------------------------------------------

    /**
     * Records a signature in the caller's transaction (the kiosk's sign-in ingest calls this with the
     * sign-in event's id): once per event id, a second call answering the first record unchanged. A
     * version that was never published, a {@code sha256} other than the version's, or a {@code
     * renderedSha256} other than the hash of the version rendered with {@code variables} is refused,
     * and nothing is written: a forged or altered document is never recorded as signed.
     */
    public static Recording recordSignature(Connection c, String tenantId, NewSignature signature, Instant now)
            throws SQLException {
        Optional<Signature> before = signatureByEvent(c, tenantId, signature.eventId());
        if (before.isPresent()) {
            return new Recorded(before.get(), true);
        }
        if (!Sql.exists(c, "SELECT 1 FROM sites WHERE id = ? AND tenant_id = ?", signature.siteId(), tenantId)) {
            return new Refused("site " + printable(signature.siteId()) + " does not exist in this tenant");
        }
        Optional<Version> version = version(c, tenantId, signature.agreementId(), signature.version());
        if (version.isEmpty()) {
            return new Refused("agreement " + signature.agreementId() + " has no published version "
                    + signature.version() + " in this tenant");
        }
        if (version.get().siteId().isPresent() && !version.get().siteId().get().equals(signature.siteId())) {
            return new Refused("agreement " + signature.agreementId() + " belongs to another site");
        }
        if (!version.get().sha256().equals(signature.sha256())) {
            return new Refused("sha256 " + printable(signature.sha256()) + " is not the hash of agreement "
                    + signature.agreementId() + " version " + signature.version() + " as published");
        }
        Agreement published = new Agreement(
                version.get().agreementId(),
                version.get().version(),
                version.get().title(),
                version.get().body(),
                signature.variables().getOrDefault("siteName", "-"),
                version.get().sha256());
        String rendered = published.render(signature.variables());
        if (!Agreement.renderedSha256(rendered).equals(signature.renderedSha256())) {
            return new Refused("renderedSha256 " + printable(signature.renderedSha256())
                    + " is not the hash of the published version rendered with the signature's variables");
        }
        String id = HubIds.next("sig");
        int inserted = Sql.update(
                c,
                "INSERT INTO agreement_signatures (id, tenant_id, site_id, event_id, agreement_id, version, sha256,"
                        + " rendered_sha256, signer_name, signer_email, signer_key, pass_id, variables, source, signed_at,"
                        + " recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (tenant_id, event_id) DO NOTHING",
                id,
                tenantId,
                signature.siteId(),
                signature.eventId(),
                signature.agreementId(),
                signature.version(),
                signature.sha256(),
                signature.renderedSha256(),
                signature.signerName(),
                signature.signerEmail(),
                signature.signerEmail().map(AgreementStore::emailKey),
                signature.passId(),
                json(signature.variables()),
                signature.source(),
                signature.signedAt(),
                now);
        Signature recorded = signatureByEvent(c, tenantId, signature.eventId()).orElseThrow();
        return new Recorded(recorded, inserted == 0);
    }

    /** {@link #recordSignature(Connection, String, NewSignature, Instant)} in its own transaction. */
    public Recording recordSignature(String tenantId, NewSignature signature) {
        Instant now = clock.instant();
        return database.write(c -> recordSignature(c, tenantId, signature, now));
    }

    /**
     * Whether the person with {@code email} (any case) has signed the version in force at the site: a
     * signature of an older version does not count, so a new version must be signed again. False when
     * the site has no agreement.
     */
    public static boolean hasSignedCurrent(Connection c, String tenantId, String siteId, String email)
            throws SQLException {
        Optional<Version> current = current(c, tenantId, siteId);
        return current.isPresent()
                && Sql.exists(
                        c,
                        "SELECT 1 FROM agreement_signatures WHERE tenant_id = ? AND signer_key = ? AND agreement_id = ?"
                                + " AND version = ?",
                        tenantId,
                        emailKey(email),
                        current.get().agreementId(),
                        current.get().version());
    }

    public boolean hasSignedCurrent(String tenantId, String siteId, String email) {
        return database.read(c -> hasSignedCurrent(c, tenantId, siteId, email));
    }

    private static final String SIGNATURE_COLUMNS = "SELECT id, site_id, event_id, agreement_id, version, sha256,"
            + " rendered_sha256, signer_name, signer_email, pass_id, variables, source, signed_at, recorded_at,"
            + " anonymised_at FROM agreement_signatures";

    private static Signature signature(ResultSet r) throws SQLException {
        return new Signature(
                r.getString(1),
                r.getString(2),
                r.getString(3),
                r.getString(4),
                r.getInt(5),
                r.getString(6),
                r.getString(7),
                r.getString(8),
                Optional.ofNullable(r.getString(9)),
                Optional.ofNullable(r.getString(10)),
                variables(r.getString(11)),
                r.getString(12),
                Instant.ofEpochMilli(r.getLong(13)),
                Instant.ofEpochMilli(r.getLong(14)),
                Sql.instant(r, 15));
    }

    static Optional<Signature> signatureByEvent(Connection c, String tenantId, String eventId) throws SQLException {
        return Sql.one(
                c,
                SIGNATURE_COLUMNS + " WHERE tenant_id = ? AND event_id = ?",
                AgreementStore::signature,
                tenantId,
                eventId);
    }

    public Optional<Signature> signature(String tenantId, String id) {
        return database.read(c -> Sql.one(
                c, SIGNATURE_COLUMNS + " WHERE tenant_id = ? AND id = ?", AgreementStore::signature, tenantId, id));
    }

    /** The tenant's signatures, newest first, at {@code sites} when named and by {@code email} when given. */
    public List<Signature> signatures(String tenantId, Optional<Set<String>> sites, Optional<String> email, int limit) {
        return database.read(c -> {
            StringBuilder sql = new StringBuilder(SIGNATURE_COLUMNS + " WHERE tenant_id = ?");
            List<Object> params = new ArrayList<>(List.of(tenantId));
            if (email.isPresent()) {
                sql.append(" AND signer_key = ?");
                params.add(emailKey(email.get()));
            }
            if (sites.isPresent()) {
                if (sites.get().isEmpty()) {
                    return List.<Signature>of();
                }
                sql.append(" AND site_id IN (")
                        .append("?, ".repeat(sites.get().size() - 1))
                        .append("?)");
                params.addAll(new java.util.TreeSet<>(sites.get()));
            }
            sql.append(" ORDER BY signed_at DESC, id DESC LIMIT ?");
            params.add(limit);
            return Sql.list(c, sql.toString(), AgreementStore::signature, params.toArray());
        });
    }

    // ---- a signer's data: export, erasure, retention (the callers own the transaction)

    /** Whose signatures: a visitor pass's, one sign-in event's, or a person's by e-mail (any case). */
    public enum Signed {
        PASS("pass_id"),
        EVENT("event_id"),
        EMAIL("signer_key");

        private final String column;

        Signed(String column) {
            this.column = column;
        }

        private String key(String value) {
            return this == EMAIL ? emailKey(value) : value;
        }
    }

    /** The signatures {@code by} names, oldest first (for an export). */
    public static List<Signature> signatures(Connection c, String tenantId, Signed by, String value)
            throws SQLException {
        return Sql.list(
                c,
                SIGNATURE_COLUMNS + " WHERE tenant_id = ? AND " + by.column + " = ? ORDER BY signed_at, id",
                AgreementStore::signature,
                tenantId,
                by.key(value));
    }

    /**
     * Anonymises the signer of the signatures {@code by} names: the name (and the {@code visitorName}
     * the text was rendered with) becomes {@code anonymised}, the e-mail goes, and with it the key that
     * says "this person signed" (an anonymised visitor signs again). What makes the record evidence
     * stays: the agreement, its version, the published hash, the hash of the text as signed, the site,
     * the source and the times. {@code hostName}, when given, replaces the host's name in the variables
     * (the host was erased). Answers how many signatures it changed.
     */
    public static int anonymise(
            Connection c,
            String tenantId,
            Signed by,
            String value,
            String anonymised,
            Optional<String> hostName,
            Instant now)
            throws SQLException {
        List<String[]> found = Sql.list(
                c,
                "SELECT id, variables FROM agreement_signatures WHERE tenant_id = ? AND " + by.column + " = ?"
                        + " ORDER BY id",
                row -> new String[] {row.getString(1), row.getString(2)},
                tenantId,
                by.key(value));
        for (String[] signature : found) {
            anonymiseOne(c, tenantId, signature[0], signature[1], anonymised, hostName, now);
        }
        return found.size();
    }

    private static void anonymiseOne(
            Connection c,
            String tenantId,
            String id,
            String variablesJson,
            String anonymised,
            Optional<String> hostName,
            Instant now)
            throws SQLException {
        TreeMap<String, String> variables = new TreeMap<>(variables(variablesJson));
        variables.computeIfPresent("visitorName", (name, was) -> anonymised);
        hostName.ifPresent(host -> variables.computeIfPresent("hostName", (name, was) -> host));
        Sql.update(
                c,
                "UPDATE agreement_signatures SET signer_name = ?, signer_email = NULL, signer_key = NULL,"
                        + " variables = ?, anonymised_at = COALESCE(anonymised_at, ?) WHERE id = ?",
                anonymised,
                json(variables),
                now,
                id);
        // The audit's record of the signing showed who signed: it now shows the signature as it is.
        Signature changed = Sql.one(c, SIGNATURE_COLUMNS + " WHERE id = ?", AgreementStore::signature, id)
                .orElseThrow();
        Sql.update(
                c,
                "UPDATE audit_log SET after_json = ? WHERE tenant_id = ? AND resource_type = 'signature'"
                        + " AND resource_id = ? AND after_json IS NOT NULL",
                AgreementService.json(changed).toString(),
                tenantId,
                id);
    }

    /**
     * Anonymises every signature made longer ago than its tenant's visitor retention period ({@code
     * tenants.visitor_retention_days}); each once. Answers how many.
     */
    public static int sweep(Connection c, String anonymised, Instant now) throws SQLException {
        List<String[]> due = Sql.list(
                c,
                "SELECT s.tenant_id, s.id, s.variables FROM agreement_signatures s JOIN tenants t ON t.id = s.tenant_id"
                        + " WHERE s.anonymised_at IS NULL"
                        + " AND s.signed_at + CAST(t.visitor_retention_days AS BIGINT) * 86400000 <= ? ORDER BY s.id",
                row -> new String[] {row.getString(1), row.getString(2), row.getString(3)},
                now);
        for (String[] signature : due) {
            anonymiseOne(c, signature[0], signature[1], signature[2], anonymised, Optional.empty(), now);
        }
        return due.size();
    }

    static String emailKey(String email) {
        return email.strip().toLowerCase(Locale.ROOT);
    }

    private static String printable(String value) {
        String text = value == null ? "(none)" : value;
        return text.length() > 70 ? text.substring(0, 70) + "…" : text;
    }

    private static String json(Map<String, String> variables) {
        try {
            return Json.MAPPER.writeValueAsString(new TreeMap<>(variables));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> variables(String json) {
        try {
            return Json.MAPPER.readValue(json, VARIABLES);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("agreement_signatures.variables is not the JSON the hub writes", e);
        }
    }
}
