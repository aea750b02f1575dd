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
    /** A notice still not sent after this many attempts is left failed (the visitor log shows it). */
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
        /** The last attempt failed; tried again later (up to {@link #MAX_NOTICE_ATTEMPTS}). */
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
            Optional<String> hostName = host.isEmpty()
                    ? Optional.empty()
                    : Sql.one(
                            c,
                            "SELECT full_name FROM members WHERE id = ? AND tenant_id = ?",
                            Sql.STRING,
                            host.get(),
                            tenantId);
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
                            visitorName.orElse(null),
                            host.orElse(null),
                            hostName.orElse(null),
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

    /** A visitor's sign-in as its webhook carries it (no e-mail address: that stays in the visitor log). */
    public record SignInWebhook(
            String eventId,
            String siteId,
            String kioskId,
            String kind,
            String passId,
            String visitorName,
            String hostMemberId,
            String hostName,
            String at,
            boolean madeOffline) {}

    /** A member's check-in at a kiosk as its webhook carries it. */
    public record CheckInWebhook(
            String eventId, String siteId, String kioskId, String memberId, String at, boolean madeOffline) {}

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
                                + " AND (notice_state IN ('PENDING', 'FAILED')"
                                + " OR (notice_state = 'SENDING' AND noticed_at < ?))",
                        NoticeState.SENDING,
                        now,
                        tenantId,
                        id,
                        now.minus(STUCK))
                == 1);
    }

    void noticeOutcome(String tenantId, String id, Optional<String> error) {
        Instant now = clock.instant();
        database.run(c -> Sql.update(
                c,
                "UPDATE kiosk_sign_ins SET notice_state = ?, notice_error = ?, noticed_at = ? WHERE tenant_id = ? AND id = ?",
                error.isPresent() ? NoticeState.FAILED : NoticeState.SENT,
                error.map(text -> text.length() > 500 ? text.substring(0, 500) : text)
                        .orElse(null),
                now,
                tenantId,
                id));
    }

    /**
     * Notices due: pending ones at once, failed ones {@code retryAfter} after their last attempt, and
     * ones stuck in sending. Oldest first.
     */
    List<String[]> dueNotices(Duration retryAfter, int limit) {
        Instant now = clock.instant();
        return database.read(c -> Sql.list(
                c,
                "SELECT tenant_id, id FROM kiosk_sign_ins WHERE notice_state = 'PENDING'"
                        + " OR (notice_state = 'FAILED' AND notice_attempts < " + MAX_NOTICE_ATTEMPTS
                        + " AND noticed_at < ?) OR (notice_state = 'SENDING' AND noticed_at < ?)"
                        + " ORDER BY received_at LIMIT " + limit,
                row -> new String[] {row.getString(1), row.getString(2)},
                now.minus(retryAfter),
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
