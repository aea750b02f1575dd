package dev.gatehouse.hub.kiosk;

import dev.gatehouse.hub.agreements.AgreementStore;
import dev.gatehouse.hub.outbox.EventType;
import dev.gatehouse.hub.outbox.Outbox;
import dev.gatehouse.hub.store.Cursor;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Page;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.wifi.WifiVoucherStore;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.KioskEvent;
import dev.gatehouse.protocol.message.KioskEventKind;
import dev.gatehouse.protocol.message.KioskSignature;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PassId;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Sign-ins and check-ins made at the kiosks served by the edges (issue 17 item 2): each {@code
 * event.kiosk} stored once per tenant and event id, with its outbox event in the same transaction,
 * and the host's notice (the mail {@link HostNotices} sends) tracked on the row.
 */
public final class KioskSignIns {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(KioskSignIns.class);
    /** A notice still not sent after this many attempts is left {@link NoticeState#FAILED} for good (the visitor log shows it). */
    static final int MAX_NOTICE_ATTEMPTS = 10;
    /** A notice claimed but not settled this long ago (a hub that died while sending) is claimed again. */
    static final Duration STUCK = Duration.ofMinutes(2);

    private static final String COLUMNS = "k.id, k.site_id, k.device_id, k.kiosk_id, k.kind, k.pass_id, k.member_id,"
            + " k.host_member_id, h.full_name, k.visitor_name, k.visitor_email, k.made_offline, k.occurred_at,"
            + " k.received_at, k.notice_state, k.notice_error, k.noticed_at, m.full_name";
    private static final String FROM = " FROM kiosk_sign_ins k"
            + " LEFT JOIN members h ON h.id = k.host_member_id AND h.tenant_id = k.tenant_id"
            + " LEFT JOIN members m ON m.id = k.member_id AND m.tenant_id = k.tenant_id";

    /** Whether and how the host was told. */
    public enum NoticeState {
        /** Not told yet: the mail is due. */
        PENDING,
        /** A hub process is sending the mail. */
        SENDING,
        SENT,
        /** The last attempt failed; tried again later (up to {@link #MAX_NOTICE_ATTEMPTS} attempts in all). */
        RETRYING,
        /** Final: every attempt failed (or the hub stopped during the last one); never tried again. */
        FAILED,
        /** Nobody to tell: a member's own check-in, or a pass without a host. */
        NONE
    }

    /** One row of a site's visitor log, as the API and the console show it. */
    public record SignIn(
            String id,
            String siteId,
            String deviceId,
            String kioskId,
            KioskEventKind kind,
            Optional<String> passId,
            Optional<String> memberId,
            Optional<String> memberName,
            Optional<String> hostMemberId,
            Optional<String> hostName,
            Optional<String> visitorName,
            Optional<String> visitorEmail,
            boolean madeOffline,
            Instant occurredAt,
            Instant receivedAt,
            NoticeState noticeState,
            Optional<String> noticeError,
            Optional<Instant> noticedAt) {}

    private final Database database;
    private final Clock clock;

    public KioskSignIns(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    public Database database() {
        return database;
    }

    /**
     * Stores one kiosk event from {@code deviceId} in the caller's (ingest's) transaction, once per
     * tenant and event id; a new one also writes its outbox event ({@code visitor.signed-in} or
     * {@code member.checked-in}). Answers whether it was new.
     */
    public static boolean insert(Connection c, String tenantId, String deviceId, Envelope envelope, Instant now)
            throws SQLException {
        KioskEvent event = envelope.payloadAs(KioskEvent.class);
        Optional<String> visitorName = event.name();
        Optional<String> visitorEmail = event.email();
        Optional<String> host = event.host().map(MemberId::value);
        if (event.pass().isPresent()) {
            // The pass's visitor, as the operator or host registered them (the edge never knows names).
            Optional<String[]> pass = Sql.one(
                    c,
                    "SELECT visitor_name, visitor_email, host_member_id FROM visitor_passes WHERE id = ? AND tenant_id = ?",
                    row -> new String[] {row.getString(1), row.getString(2), row.getString(3)},
                    event.pass().get().value(),
                    tenantId);
            if (pass.isPresent()) {
                visitorName = Optional.ofNullable(pass.get()[0]);
                visitorEmail = Optional.ofNullable(pass.get()[1]);
                host = host.or(() -> Optional.ofNullable(pass.get()[2]));
            }
        }
        // A host the tenant does not know (a member deleted meanwhile) is kept as sent; nobody is mailed.
        boolean tellHost = event.kind() != KioskEventKind.MEMBER_CHECKED_IN
                && host.isPresent()
                && Sql.exists(c, "SELECT 1 FROM members WHERE id = ? AND tenant_id = ?", host.get(), tenantId);
        int inserted = Sql.update(
                c,
                "INSERT INTO kiosk_sign_ins (tenant_id, id, site_id, device_id, kiosk_id, kind, pass_id, member_id,"
                        + " host_member_id, visitor_name, visitor_email, made_offline, occurred_at, received_at,"
                        + " notice_state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (tenant_id, id) DO NOTHING",
                tenantId,
                envelope.id(),
                event.site(),
                deviceId,
                event.kiosk(),
                event.kind(),
                event.pass().map(PassId::value).orElse(null),
                event.member().map(MemberId::value).orElse(null),
                host.orElse(null),
                visitorName.orElse(null),
                visitorEmail.orElse(null),
                event.offline(),
                envelope.time(),
                now,
                tellHost ? NoticeState.PENDING : NoticeState.NONE);
        if (inserted == 0) {
            return false; // re-delivered: its signature and voucher were recorded with it the first time
        }
        if (event.signature().isPresent()) {
            recordSignature(c, tenantId, deviceId, envelope, visitorEmail, now);
        }
        if (event.voucher().isPresent()) {
            markVoucher(c, tenantId, deviceId, envelope, now);
        }
        if (event.kind() == KioskEventKind.MEMBER_CHECKED_IN) {
            Outbox.emit(
                    c,
                    tenantId,
                    EventType.MEMBER_CHECKED_IN,
                    envelope.id(),
                    new CheckInWebhook(
                            envelope.id(),
                            event.site(),
                            event.kiosk(),
                            event.member().orElseThrow().value(),
                            envelope.time().toString(),
                            event.offline()),
                    now);
        } else {
            Outbox.emit(
                    c,
                    tenantId,
                    EventType.VISITOR_SIGNED_IN,
                    envelope.id(),
                    new SignInWebhook(
                            envelope.id(),
                            event.site(),
                            event.kiosk(),
                            WireNames.wire(event.kind()),
                            event.pass().map(PassId::value).orElse(null),
                            host.orElse(null),
                            envelope.time().toString(),
                            event.offline()),
                    now);
        }
        return true;
    }

    /**
     * Records the agreement's signature that sign-in {@code envelope} carries, once, in the ingest's
     * transaction ({@link AgreementStore#recordSignature}), and keeps the signature as sent on the
     * sign-in's row with its outcome. A signature of a superseded version (signed offline before the
     * new one reached the edge) is recorded as what the visitor signed; one whose version or hashes this
     * hub never published is refused by the store, and stays on the row only, with the reason.
     */
    private static void recordSignature(
            Connection c, String tenantId, String deviceId, Envelope envelope, Optional<String> email, Instant now)
            throws SQLException {
        KioskEvent event = envelope.payloadAs(KioskEvent.class);
        KioskSignature signed = event.signature().orElseThrow();
        AgreementStore.Recording recording = AgreementStore.recordSignature(
                c,
                tenantId,
                new AgreementStore.NewSignature(
                        event.site(),
                        envelope.id(),
                        signed.agreement(),
                        signed.version(),
                        signed.sha256(),
                        signed.renderedSha256(),
                        signed.signer(),
                        email,
                        event.pass().map(PassId::value),
                        signed.variables(),
                        deviceId,
                        envelope.time()),
                now);
        Optional<String> id = Optional.empty();
        Optional<String> refused = Optional.empty();
        switch (recording) {
            case AgreementStore.Recorded recorded ->
                id = Optional.of(recorded.signature().id());
            case AgreementStore.Refused refusal -> {
                refused = Optional.of(refusal.reason());
                log.warn(
                        "kiosk sign-in {} of tenant {}: its signature of agreement {} v{} is not recorded: {}",
                        envelope.id(),
                        tenantId,
                        signed.agreement(),
                        signed.version(),
                        refusal.reason());
            }
        }
        Sql.update(
                c,
                "UPDATE kiosk_sign_ins SET agreement_id = ?, agreement_version = ?, agreement_sha256 = ?,"
                        + " rendered_sha256 = ?, signer_name = ?, signature_id = ?, signature_refused = ?"
                        + " WHERE tenant_id = ? AND id = ?",
                signed.agreement(),
                signed.version(),
                signed.sha256(),
                signed.renderedSha256(),
                signed.signer(),
                id.orElse(null),
                refused.orElse(null),
                tenantId,
                envelope.id());
    }

    /**
     * Marks the Wi-Fi voucher that sign-in {@code envelope} handed out as issued, once, in the ingest's
     * transaction ({@link WifiVoucherStore#markIssued}: it leaves the edges' caches and the edge's slice
     * is topped up), and keeps its id on the sign-in's row, with the reason when the pool could not mark it.
     */
    private static void markVoucher(Connection c, String tenantId, String deviceId, Envelope envelope, Instant now)
            throws SQLException {
        KioskEvent event = envelope.payloadAs(KioskEvent.class);
        String voucher = event.voucher().orElseThrow();
        Optional<String> refused =
                switch (WifiVoucherStore.markIssued(
                        c, tenantId, event.site(), voucher, envelope.id(), deviceId, envelope.time())) {
                    case WifiVoucherStore.Marked marked -> Optional.empty();
                    case WifiVoucherStore.NotMarked not -> Optional.of(not.reason());
                };
        refused.ifPresent(reason -> log.warn(
                "kiosk sign-in {} of tenant {}: wifi voucher {} not marked issued: {}",
                envelope.id(),
                tenantId,
                voucher,
                reason));
        Sql.update(
                c,
                "UPDATE kiosk_sign_ins SET wifi_voucher_id = ?, voucher_refused = ? WHERE tenant_id = ? AND id = ?",
                voucher,
                refused.orElse(null),
                tenantId,
                envelope.id());
    }

    /** What a sign-in carried beside the visit, as its row keeps it (issue 17). */
    public record Supplies(
            Optional<String> agreementId,
            Optional<Integer> agreementVersion,
            Optional<String> renderedSha256,
            Optional<String> signerName,
            Optional<String> signatureId,
            Optional<String> signatureRefused,
            Optional<String> wifiVoucherId,
            Optional<String> voucherRefused) {}

    /** The agreement signed and the voucher handed out with sign-in {@code id}, as kept on its row. */
    public Optional<Supplies> supplies(String tenantId, String id) {
        return database.read(c -> Sql.one(
                c,
                "SELECT agreement_id, agreement_version, rendered_sha256, signer_name, signature_id, signature_refused,"
                        + " wifi_voucher_id, voucher_refused FROM kiosk_sign_ins WHERE tenant_id = ? AND id = ?",
                row -> new Supplies(
                        Optional.ofNullable(row.getString(1)),
                        row.getObject(2) == null ? Optional.empty() : Optional.of(row.getInt(2)),
                        Optional.ofNullable(row.getString(3)),
                        Optional.ofNullable(row.getString(4)),
                        Optional.ofNullable(row.getString(5)),
                        Optional.ofNullable(row.getString(6)),
                        Optional.ofNullable(row.getString(7)),
                        Optional.ofNullable(row.getString(8))),
                tenantId,
                id));
    }

    /**
     * The agreement a sign-in signed, for the visitor log: the version, the document's hash (and the
     * rendered text's), the name signed with, and the recorded signature ({@code signatureId}, with
     * {@code signedAt}), or why it was not recorded ({@code refused}: a version or hash this hub never
     * published; the visitor signed it either way).
     */
    public record SignedAgreement(
            String agreementId,
            int version,
            String sha256,
            Optional<String> renderedSha256,
            String signer,
            Optional<String> signatureId,
            Optional<Instant> signedAt,
            Optional<String> refused) {}

    /**
     * The Wi-Fi voucher a sign-in handed out: its id, until when it lets the visitor on (from its
     * handing out), why the pool could not mark it issued when it could not, and its code, opened only
     * when the reader may manage the site's pool ({@code code}; the codes are credentials).
     */
    public record HandedVoucher(
            String voucherId, Optional<Instant> validUntil, Optional<String> refused, Optional<String> code) {
        @Override
        public String toString() {
            return "HandedVoucher[voucherId=" + voucherId + ", code=" + (code.isPresent() ? "…" : "none") + "]";
        }
    }

    /** What a sign-in carried beside the visit, as the visitor log shows it. */
    public record Extras(Optional<SignedAgreement> agreement, Optional<HandedVoucher> voucher) {
        public static final Extras NONE = new Extras(Optional.empty(), Optional.empty());
    }

    /**
     * The agreement signed and the voucher handed out with each of the sign-ins {@code ids} (one page
     * of the log), by sign-in id: as the row keeps them (an edge's sign-in) or as the agreement store
     * and the pool recorded them for that sign-in's event (the hub's kiosk). With {@code openCodes},
     * each voucher's code is opened; otherwise no code leaves the store.
     */
    public java.util.Map<String, Extras> extras(String tenantId, List<String> ids, boolean openCodes) {
        java.util.Map<String, Extras> out = new java.util.HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        List<Object> params = new java.util.ArrayList<>();
        params.add(tenantId);
        params.addAll(ids);
        List<Object[]> rows = database.read(c -> Sql.list(
                c,
                "SELECT k.id, COALESCE(k.agreement_id, s.agreement_id), COALESCE(k.agreement_version, s.version),"
                        + " COALESCE(k.agreement_sha256, s.sha256), COALESCE(k.rendered_sha256, s.rendered_sha256),"
                        + " COALESCE(k.signer_name, s.signer_name), COALESCE(k.signature_id, s.id), s.signed_at,"
                        + " k.signature_refused, COALESCE(k.wifi_voucher_id, w.id), w.issued_at, w.valid_minutes,"
                        + " w.expires_at, k.voucher_refused, w.code_sealed FROM kiosk_sign_ins k"
                        + " LEFT JOIN agreement_signatures s ON s.tenant_id = k.tenant_id AND s.event_id = k.id"
                        + " LEFT JOIN wifi_vouchers w ON w.tenant_id = k.tenant_id AND w.issued_event_id = k.id"
                        + " WHERE k.tenant_id = ? AND k.id IN ("
                        + String.join(", ", java.util.Collections.nCopies(ids.size(), "?"))
                        + ")",
                r -> {
                    Object[] values = new Object[15];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = r.getObject(i + 1);
                    }
                    return values;
                },
                params.toArray()));
        for (Object[] row : rows) {
            out.put((String) row[0], extras(row, openCodes));
        }
        return out;
    }

    private Extras extras(Object[] row, boolean openCodes) {
        Optional<SignedAgreement> agreement = Optional.empty();
        if (row[1] != null && row[2] != null) {
            agreement = Optional.of(new SignedAgreement(
                    (String) row[1],
                    ((Number) row[2]).intValue(),
                    (String) row[3],
                    Optional.ofNullable((String) row[4]),
                    row[5] == null ? "" : (String) row[5],
                    Optional.ofNullable((String) row[6]),
                    Optional.ofNullable(row[7]).map(at -> Instant.ofEpochMilli(((Number) at).longValue())),
                    Optional.ofNullable((String) row[8])));
        }
        Optional<HandedVoucher> voucher = Optional.empty();
        if (row[9] != null) {
            String id = (String) row[9];
            Optional<Instant> issued =
                    Optional.ofNullable(row[10]).map(at -> Instant.ofEpochMilli(((Number) at).longValue()));
            Optional<Instant> until = row[11] != null && issued.isPresent()
                    ? Optional.of(issued.get().plus(Duration.ofMinutes(((Number) row[11]).longValue())))
                    : Optional.ofNullable(row[12]).map(at -> Instant.ofEpochMilli(((Number) at).longValue()));
            Optional<String> code = openCodes && row[14] != null
                    ? Optional.of(database.masterKey()
                            .open((String) row[14], dev.gatehouse.hub.store.SealedColumns.WIFI_CODES.context(id)))
                    : Optional.empty();
            voucher = Optional.of(new HandedVoucher(id, until, Optional.ofNullable((String) row[13]), code));
        }
        return new Extras(agreement, voucher);
    }

    /**
     * A visitor's sign-in as its webhook carries it: ids only, like the other visitor events. The
     * visitor's name and e-mail and the host's name stay in the visitor log (read by the sign-in's id),
     * where retention and erasure reach them; a payload already delivered could not be taken back.
     */
    public record SignInWebhook(
            String eventId,
            String siteId,
            String kioskId,
            String kind,
            String passId,
            String hostMemberId,
            String at,
            boolean madeOffline) {}

    /** A member's check-in at a kiosk as its webhook carries it. */
    public record CheckInWebhook(
            String eventId, String siteId, String kioskId, String memberId, String at, boolean madeOffline) {}

    // ---- a visitor's sign-ins: export, erasure, retention (the callers own the transaction)

    /** Which of a visitor's sign-ins: those with a pass, one sign-in, or those whose host is a member. */
    public enum VisitorSignIns {
        PASS("k.pass_id"),
        SIGN_IN("k.id"),
        HOST("k.host_member_id");

        private final String column;

        VisitorSignIns(String column) {
            this.column = column;
        }
    }

    /** The sign-ins {@code by} names, oldest first (for an export). */
    public static List<SignIn> signIns(Connection c, String tenantId, VisitorSignIns by, String value)
            throws SQLException {
        return Sql.list(
                c,
                "SELECT " + COLUMNS + FROM + " WHERE k.tenant_id = ? AND " + by.column + " = ?"
                        + " ORDER BY k.occurred_at, k.id",
                KioskSignIns::row,
                tenantId,
                value);
    }

    /**
     * Anonymises the visitor of the sign-ins {@code by} names: the name becomes {@code anonymised}, the
     * e-mail goes; the row stays, so the visitor log still says a visitor came, when and for whom. A
     * member's own check-in has no visitor and is left as it is. Answers the ids of the visitor sign-ins
     * (their agreement signatures carry the same event ids).
     */
    public static List<String> anonymise(
            Connection c, String tenantId, VisitorSignIns by, String value, String anonymised, Instant now)
            throws SQLException {
        List<String> ids = Sql.list(
                c,
                "SELECT k.id FROM kiosk_sign_ins k WHERE k.tenant_id = ? AND " + by.column + " = ? AND k.kind <> ?"
                        + " ORDER BY k.id",
                Sql.STRING,
                tenantId,
                value,
                KioskEventKind.MEMBER_CHECKED_IN);
        for (String id : ids) {
            anonymiseOne(c, tenantId, id, anonymised, now);
        }
        return ids;
    }

    private static void anonymiseOne(Connection c, String tenantId, String id, String anonymised, Instant now)
            throws SQLException {
        Sql.update(
                c,
                "UPDATE kiosk_sign_ins SET visitor_name = ?, visitor_email = NULL,"
                        // the name a visitor signed the agreement with, kept as sent (V53), goes the same way
                        + " signer_name = CASE WHEN signer_name IS NULL THEN NULL ELSE ? END,"
                        + " anonymised_at = COALESCE(anonymised_at, ?) WHERE tenant_id = ? AND id = ?",
                anonymised,
                anonymised,
                now,
                tenantId,
                id);
    }

    /**
     * Anonymises every visitor sign-in made longer ago than its tenant's visitor retention period
     * ({@code tenants.visitor_retention_days}, the passes' period); each row once. Answers how many.
     */
    public static int sweep(Connection c, String anonymised, Instant now) throws SQLException {
        List<String[]> due = Sql.list(
                c,
                "SELECT k.tenant_id, k.id FROM kiosk_sign_ins k JOIN tenants t ON t.id = k.tenant_id"
                        + " WHERE k.anonymised_at IS NULL AND k.kind <> ?"
                        + " AND k.occurred_at + CAST(t.visitor_retention_days AS BIGINT) * 86400000 <= ?"
                        + " ORDER BY k.tenant_id, k.id",
                row -> new String[] {row.getString(1), row.getString(2)},
                KioskEventKind.MEMBER_CHECKED_IN,
                now);
        for (String[] signIn : due) {
            anonymiseOne(c, signIn[0], signIn[1], anonymised, now);
        }
        return due.size();
    }

    /** The site's visitor log, newest first, a page at a time. */
    public Page<SignIn> list(String tenantId, String siteId, Optional<Cursor> after, int limit) {
        return database.read(c -> {
            List<SignIn> rows;
            if (after.isPresent()) {
                rows = Sql.list(
                        c,
                        "SELECT " + COLUMNS + FROM + " WHERE k.tenant_id = ? AND k.site_id = ? AND (k.occurred_at < ?"
                                + " OR (k.occurred_at = ? AND k.id < ?)) ORDER BY k.occurred_at DESC, k.id DESC LIMIT ?",
                        KioskSignIns::row,
                        tenantId,
                        siteId,
                        after.get().key(),
                        after.get().key(),
                        after.get().id(),
                        limit + 1);
            } else {
                rows = Sql.list(
                        c,
                        "SELECT " + COLUMNS + FROM + " WHERE k.tenant_id = ? AND k.site_id = ?"
                                + " ORDER BY k.occurred_at DESC, k.id DESC LIMIT ?",
                        KioskSignIns::row,
                        tenantId,
                        siteId,
                        limit + 1);
            }
            if (rows.size() <= limit) {
                return new Page<>(rows, Optional.empty());
            }
            SignIn last = rows.get(limit - 1);
            return new Page<>(
                    rows.subList(0, limit),
                    Optional.of(new Cursor(last.occurredAt().toEpochMilli(), last.id()).encode()));
        });
    }

    public Optional<SignIn> find(String tenantId, String id) {
        return database.read(c -> Sql.one(
                c,
                "SELECT " + COLUMNS + FROM + " WHERE k.tenant_id = ? AND k.id = ?",
                KioskSignIns::row,
                tenantId,
                id));
    }

    /** Claims the host's notice for sending; false when another process has it or it is settled. */
    boolean claimNotice(String tenantId, String id) {
        Instant now = clock.instant();
        return database.write(c -> Sql.update(
                        c,
                        "UPDATE kiosk_sign_ins SET notice_state = ?, notice_attempts = notice_attempts + 1, noticed_at = ?"
                                + " WHERE tenant_id = ? AND id = ? AND notice_attempts < " + MAX_NOTICE_ATTEMPTS
                                + " AND (notice_state IN ('PENDING', 'RETRYING')"
                                + " OR (notice_state = 'SENDING' AND noticed_at < ?))",
                        NoticeState.SENDING,
                        now,
                        tenantId,
                        id,
                        now.minus(STUCK))
                == 1);
    }

    /** Settles a claimed notice: sent, or failed (final after {@link #MAX_NOTICE_ATTEMPTS} attempts, else retrying). */
    void noticeOutcome(String tenantId, String id, Optional<String> error) {
        Instant now = clock.instant();
        database.run(c -> Sql.update(
                c,
                "UPDATE kiosk_sign_ins SET notice_state = CASE WHEN ? THEN ? WHEN notice_attempts >= "
                        + MAX_NOTICE_ATTEMPTS + " THEN ? ELSE ? END, notice_error = ?, noticed_at = ?"
                        + " WHERE tenant_id = ? AND id = ?",
                error.isEmpty(),
                NoticeState.SENT,
                NoticeState.FAILED,
                NoticeState.RETRYING,
                error.map(text -> text.length() > 500 ? text.substring(0, 500) : text)
                        .orElse(null),
                now,
                tenantId,
                id));
    }

    /**
     * Notices due: pending ones at once, retrying ones {@code retryAfter} after their last attempt, and
     * ones stuck in sending (a hub that stopped while sending) with attempts left. Oldest first.
     */
    List<String[]> dueNotices(Duration retryAfter, int limit) {
        Instant now = clock.instant();
        return database.read(c -> Sql.list(
                c,
                "SELECT tenant_id, id FROM kiosk_sign_ins WHERE notice_state = 'PENDING'"
                        + " OR (notice_state = 'RETRYING' AND noticed_at < ?) OR (notice_state = 'SENDING'"
                        + " AND notice_attempts < " + MAX_NOTICE_ATTEMPTS + " AND noticed_at < ?)"
                        + " ORDER BY received_at LIMIT " + limit,
                row -> new String[] {row.getString(1), row.getString(2)},
                now.minus(retryAfter),
                now.minus(STUCK)));
    }

    /**
     * Settles as {@link NoticeState#FAILED} the notices a hub left in sending during their last allowed
     * attempt (it stopped before it could record the outcome): nothing may claim them again, so without
     * this they would stay "sending" for ever. Answers how many.
     */
    int settleAbandoned() {
        Instant now = clock.instant();
        return database.write(c -> Sql.update(
                c,
                "UPDATE kiosk_sign_ins SET notice_state = ?, notice_error = ? WHERE notice_state = ?"
                        + " AND notice_attempts >= " + MAX_NOTICE_ATTEMPTS + " AND noticed_at < ?",
                NoticeState.FAILED,
                "the hub stopped while sending the last of " + MAX_NOTICE_ATTEMPTS + " attempts; not tried again",
                NoticeState.SENDING,
                now.minus(STUCK)));
    }

    /** The host's e-mail address and name, and the site's name, time zone and tenant's name, for the mail. */
    Optional<String[]> mailFacts(String tenantId, String hostId, String siteId) {
        return database.read(c -> Sql.one(
                c,
                "SELECT m.email, m.full_name, s.name, s.time_zone, t.name FROM members m, sites s, tenants t"
                        + " WHERE m.id = ? AND m.tenant_id = ? AND m.erased_at IS NULL AND s.id = ? AND s.tenant_id = ?"
                        + " AND t.id = ?",
                row -> new String[] {
                    row.getString(1), row.getString(2), row.getString(3), row.getString(4), row.getString(5)
                },
                hostId,
                tenantId,
                siteId,
                tenantId,
                tenantId));
    }

    private static SignIn row(ResultSet row) throws SQLException {
        return new SignIn(
                row.getString(1),
                row.getString(2),
                row.getString(3),
                row.getString(4),
                KioskEventKind.valueOf(row.getString(5)),
                Optional.ofNullable(row.getString(6)),
                Optional.ofNullable(row.getString(7)),
                Optional.ofNullable(row.getString(18)),
                Optional.ofNullable(row.getString(8)),
                Optional.ofNullable(row.getString(9)),
                Optional.ofNullable(row.getString(10)),
                Optional.ofNullable(row.getString(11)),
                row.getBoolean(12),
                Instant.ofEpochMilli(row.getLong(13)),
                Instant.ofEpochMilli(row.getLong(14)),
                NoticeState.valueOf(row.getString(15)),
                Optional.ofNullable(row.getString(16)),
                Sql.instant(row, 17));
    }
}
