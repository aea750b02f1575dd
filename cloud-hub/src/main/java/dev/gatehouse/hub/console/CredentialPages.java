package dev.gatehouse.hub.console;

import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.credentials.CredentialStore;
import dev.gatehouse.hub.credentials.CredentialViews.CredentialView;
import dev.gatehouse.hub.credentials.CredentialViews.QrToken;
import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.members.MemberStore.MemberView;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.model.CredentialStatus;
import dev.gatehouse.protocol.model.CredentialType;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The credentials part of a member's page.
 *
 * <pre>
 * POST /console/members/{id}/credentials/{credentialId}/lost     mark a card or code lost
 * POST /console/members/{id}/credentials/{credentialId}/revoke   revoke it for good
 * POST /console/members/{id}/member-qr                           issue a member-QR credential
 * GET  /console/members/{id}/credentials/{credentialId}/qr.png   its QR code now (a token of about a minute)
 * POST /console/members/{id}/enrollments                         wait at a door (doorId) for a card to enroll
 * GET  /console/members/{id}/enrollments/{enrollmentId}          the wait; to htmx (polling each second) only its status
 * </pre>
 *
 * All need {@link Permission#MANAGE_CREDENTIALS}, as the API's credential routes; writes are audited.
 */
public final class CredentialPages implements HttpService {
    private final MemberStore members;
    private final CredentialStore credentials;
    private final CredentialEnrollments enrollments;
    private final Audit audit;

    public CredentialPages(Console.Parts parts) {
        this.members = new MemberStore(parts.database(), parts.clock());
        this.credentials = new CredentialStore(parts.database(), parts.clock());
        this.enrollments = new CredentialEnrollments(parts.database(), parts.clock());
        this.audit = parts.audit();
    }

    /** The state of an enrollment as its page shows it. */
    public record Waiting(MemberView member, CredentialEnrollments.Session session, String state, String message) {
        public boolean waiting() {
            return state.equals("waiting");
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/console/members/{memberId}/credentials/{credentialId}/lost", this::lost)
                .post("/console/members/{memberId}/credentials/{credentialId}/revoke", this::revoke)
                .post("/console/members/{memberId}/member-qr", this::issueQr)
                .get("/console/members/{memberId}/credentials/{credentialId}/qr.png", this::qr)
                .post("/console/members/{memberId}/enrollments", this::startEnrollment)
                .get("/console/members/{memberId}/enrollments/{enrollmentId}", this::enrollment);
    }

    private MemberView member(ConsoleSession s, ServerRequest req) {
        String id = MembersService.memberId(req);
        return members.find(s.tenant().id(), id)
                .orElseThrow(() -> PageException.notFound("There is no member " + id + "."));
    }

    /** The member's credential the path names (404 for another member's or none). */
    private CredentialView credential(ConsoleSession s, ServerRequest req, MemberView member) {
        String id = req.path().pathParameters().get("credentialId");
        return Optional.of(id)
                .filter(Ids::isValid)
                .flatMap(valid -> credentials.find(s.tenant().id(), valid))
                .filter(credential -> credential.memberId().equals(member.id()))
                .orElseThrow(() -> PageException.notFound("This member has no credential " + Ids.printable(id) + "."));
    }

    /** The credential a form posted for, after the form's CSRF token was checked. */
    private CredentialView postedFor(ConsoleSession s, ServerRequest req, MemberView member) {
        Forms.read(req, s);
        return credential(s, req, member);
    }

    private void lost(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.MANAGE_CREDENTIALS);
        MemberView member = member(s, req);
        CredentialView before = postedFor(s, req, member);
        CredentialStatus status = WireNames.of(CredentialStatus.class, before.status());
        if (status == CredentialStatus.REVOKED) {
            throw PageException.badRequest("credential " + before.id() + " is revoked already; revoking is final");
        }
        CredentialView after = MembersService.value(credentials.update(
                s.tenant().id(),
                before.id(),
                new CredentialStore.Update(
                        Optional.ofNullable(before.label()),
                        Optional.ofNullable(before.validFrom()).map(Instant::parse),
                        Optional.ofNullable(before.validUntil()).map(Instant::parse),
                        CredentialStatus.LOST,
                        status,
                        Instant.parse(before.updatedAt()).toEpochMilli())));
        audit.record(req, s.caller(), "credential.lost", "credential", before.id(), null, before, after);
        MembersService.redirect(res, member.id(), "lost");
    }

    private void revoke(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.MANAGE_CREDENTIALS);
        MemberView member = member(s, req);
        CredentialView before = postedFor(s, req, member);
        CredentialView after =
                MembersService.value(credentials.revoke(s.tenant().id(), before.id()));
        audit.record(req, s.caller(), "credential.revoke", "credential", before.id(), null, before, after);
        MembersService.redirect(res, member.id(), "revoked");
    }

    private void issueQr(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.MANAGE_CREDENTIALS);
        MemberView member = member(s, req);
        Forms.read(req, s);
        CredentialView created = MembersService.value(credentials.enroll(
                s.tenant().id(),
                member.id(),
                new CredentialStore.Enrollment(
                        CredentialType.MEMBER_QR,
                        Optional.empty(),
                        Optional.of(Guard.messages().get("credentials.qr.label")),
                        Optional.empty(),
                        Optional.empty())));
        audit.record(req, s.caller(), "credential.enroll", "credential", created.id(), null, null, created);
        MembersService.redirect(res, member.id(), "qr-issued");
    }

    private void qr(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.MANAGE_CREDENTIALS);
        MemberView member = member(s, req);
        CredentialView credential = credential(s, req, member);
        QrToken token =
                MembersService.value(credentials.issueToken(s.tenant().id(), credential.id(), Optional.empty()));
        audit.record(req, s.caller(), "credential.qr-token", "credential", credential.id(), null, null, token);
        QrPng.send(res, QrPng.png(token.token()));
    }

    // ---- enrolling a card by tapping it

    private void startEnrollment(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.MANAGE_CREDENTIALS);
        MemberView member = member(s, req);
        Parameters form = Forms.read(req, s);
        String doorId = Forms.field(form, "doorId").filter(Ids::isValid).orElse("");
        Optional<String> siteId = doorSite(s.tenant().id(), doorId);
        if (siteId.isEmpty()) {
            throw PageException.notFound("There is no door " + Ids.printable(doorId) + ".");
        }
        Guard.site(req, Permission.MANAGE_CREDENTIALS, siteId.get());
        CredentialEnrollments.Session session = enrollments.start(
                s.tenant().id(), siteId.get(), doorId, member.id(), s.account().id());
        audit.record(
                req,
                s.caller(),
                "credential.enrollment-start",
                "member",
                member.id(),
                siteId.get(),
                null,
                Map.of(
                        "enrollmentId",
                        session.id(),
                        "doorId",
                        doorId,
                        "expiresAt",
                        Instant.ofEpochMilli(session.expiresAt()).toString()));
        SignInService.redirect(res, "/console/members/" + member.id() + "/enrollments/" + session.id());
    }

    private Optional<String> doorSite(String tenantId, String doorId) {
        return members.database()
                .read(c -> Sql.one(
                        c, "SELECT site_id FROM doors WHERE tenant_id = ? AND id = ?", Sql.STRING, tenantId, doorId));
    }

    private void enrollment(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.MANAGE_CREDENTIALS);
        MemberView member = member(s, req);
        String id = req.path().pathParameters().get("enrollmentId");
        CredentialEnrollments.Session session = Optional.of(id)
                .filter(Ids::isValid)
                .flatMap(valid -> enrollments.find(s.tenant().id(), member.id(), valid))
                .orElseThrow(() -> PageException.notFound("There is no enrollment " + Ids.printable(id) + "."));
        Guard.site(req, Permission.MANAGE_CREDENTIALS, session.siteId());
        long now = members.clock().millis();
        if (session.waiting(now)) {
            Optional<String> hash = enrollments.firstUnknownCard(s.tenant().id(), session);
            if (hash.isPresent()) {
                enroll(req, s, member, session, hash.get());
                session = enrollments
                        .find(s.tenant().id(), member.id(), session.id())
                        .orElseThrow();
            }
        }
        Messages t = Guard.messages();
        Waiting waiting;
        if (session.outcome().filter("enrolled"::equals).isPresent()) {
            waiting = new Waiting(member, session, "enrolled", t.get("enroll.done", session.doorName()));
        } else if (session.outcome().isPresent()) {
            waiting = new Waiting(member, session, "refused", session.outcome().get());
        } else if (!session.waiting(now)) {
            waiting = new Waiting(member, session, "expired", t.get("enroll.expired", session.doorName()));
        } else {
            waiting = new Waiting(member, session, "waiting", t.get("enroll.waiting", session.doorName()));
        }
        ConsolePage page = Guard.pageFor(s, "enroll.title", "/console/members");
        if (req.headers().contains(HeaderNames.create("HX-Request"))) {
            Templates.render(res, "credential-enroll-status.jte", Map.of("page", page, "w", waiting));
        } else {
            Templates.render(res, "credential-enroll.jte", Map.of("page", page, "w", waiting));
        }
    }

    /** Makes the tapped card the member's, once, whichever replica polls first. */
    private void enroll(
            ServerRequest req,
            ConsoleSession s,
            MemberView member,
            CredentialEnrollments.Session session,
            String hash) {
        StoreResult<CredentialView> enrolled = credentials.enroll(
                s.tenant().id(),
                member.id(),
                new CredentialStore.Enrollment(
                        CredentialType.NFC_CARD,
                        Optional.empty(),
                        Optional.of(hash),
                        Optional.of(Guard.messages().get("enroll.label", session.doorName())),
                        Optional.empty(),
                        Optional.empty()));
        switch (enrolled) {
            case StoreResult.Found<CredentialView> found -> {
                if (enrollments.finish(
                        s.tenant().id(), session.id(), Optional.of(found.value().id()), "enrolled")) {
                    audit.record(
                            req,
                            s.caller(),
                            "credential.enroll",
                            "credential",
                            found.value().id(),
                            session.siteId(),
                            null,
                            found.value());
                }
            }
            case StoreResult.Conflict<CredentialView> conflict ->
                enrollments.finish(s.tenant().id(), session.id(), Optional.empty(), conflict.reason());
            case StoreResult.NotFound<CredentialView> missing ->
                throw PageException.notFound("There is no " + missing.what() + " " + missing.id() + ".");
            case StoreResult.Invalid<CredentialView> invalid ->
                enrollments.finish(
                        s.tenant().id(),
                        session.id(),
                        Optional.empty(),
                        invalid.errors().toString());
        }
    }
}
