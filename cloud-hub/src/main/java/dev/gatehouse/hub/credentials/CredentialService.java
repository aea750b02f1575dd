package dev.gatehouse.hub.credentials;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.credentials.CredentialViews.CredentialView;
import dev.gatehouse.hub.credentials.CredentialViews.QrToken;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.Paging;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.StoreResults;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.card.CardHasher;
import dev.gatehouse.protocol.model.CredentialStatus;
import dev.gatehouse.protocol.model.CredentialType;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Members' credentials and their QR tokens; registers the visitor-pass routes too.
 *
 * <pre>
 * POST  /api/v1/members/{memberId}/credentials   enroll an nfc-card (its uid is hashed, never kept, or the
 *                                                cardHash a door reported for it) or a member-qr
 * GET   /api/v1/members/{memberId}/credentials   the member's credentials (?status=&amp;limit=&amp;cursor=)
 * GET   /api/v1/credentials/{id}                 one credential
 * PATCH /api/v1/credentials/{id}                 label, validFrom, validUntil, status (active, suspended, lost)
 * POST  /api/v1/credentials/{id}/revoke          revoke for good
 * POST  /api/v1/credentials/{id}/qr-token        a member QR token for about a minute (?siteId= to bind one site)
 * </pre>
 */
public record CredentialService(CredentialStore store, VisitorPassService passes, Audit audit, Clock clock, int maxBody)
        implements HttpService {
    private static final String UID_RULE = "must be the card UID in hex: 4, 7 or 10 bytes (8, 14 or 20 hex digits),"
            + " e.g. 04A22B1C5D8000; ':', ' ' and '-' between bytes are allowed";

    public CredentialService(CredentialStore store, VisitorPassStore passStore, Audit audit, Clock clock, int maxBody) {
        this(store, new VisitorPassService(passStore, audit, clock, maxBody), audit, clock, maxBody);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/members/{memberId}/credentials", this::enroll)
                .get("/members/{memberId}/credentials", this::list)
                .get("/credentials/{credentialId}", this::get)
                .patch("/credentials/{credentialId}", this::update)
                .post("/credentials/{credentialId}/revoke", this::revoke)
                .post("/credentials/{credentialId}/qr-token", this::issueToken);
        passes.routing(rules);
    }

    private void enroll(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_CREDENTIALS);
        String memberId = PathIds.id(req, "memberId", "member");
        Input input =
                Input.of(Json.object(req, maxBody), "type", "uid", "cardHash", "label", "validFrom", "validUntil");
        if (!input.has("type") || input.isNull("type")) {
            input.error("type", "is required: nfc-card or member-qr");
        }
        Optional<CredentialType> type = input.enumValue("type", CredentialType.class);
        Optional<byte[]> uid = Optional.empty();
        Optional<String> cardHash = Optional.empty();
        if (type.isPresent() && type.get() == CredentialType.NFC_CARD) {
            if (input.has("cardHash") && input.has("uid")) {
                input.error("cardHash", "send the card's uid or its cardHash, not both");
            } else if (input.has("cardHash")) {
                cardHash = cardHash(input);
            } else {
                uid = uid(input);
            }
        } else if (type.isPresent() && (input.has("uid") || input.has("cardHash"))) {
            input.error(
                    input.has("uid") ? "uid" : "cardHash",
                    "only an nfc-card has a uid or card hash; a member-qr credential is shown as a QR code");
        }
        Optional<String> label = input.optionalText("label", 100);
        Optional<Instant> validFrom = Requests.instant(input, "validFrom");
        Optional<Instant> validUntil = Requests.instant(input, "validUntil");
        checkWindow(input, validFrom, validUntil, input.has("validUntil"), clock.instant());
        input.done();
        CredentialStore.Enrollment enrollment =
                new CredentialStore.Enrollment(type.orElseThrow(), uid, cardHash, label, validFrom, validUntil);
        CredentialView created = StoreResults.value(store.enroll(caller.tenantId(), memberId, enrollment));
        audit.record(req, caller, "credential.enroll", "credential", created.id(), null, null, created);
        Json.created(res, created);
    }

    /** The UID's bytes; errors never repeat the UID, which must not reach a log or a screen. */
    private static Optional<byte[]> uid(Input input) {
        if (!input.has("uid") || input.isNull("uid")) {
            input.error("uid", "is required for an nfc-card: " + UID_RULE.replace("must be ", ""));
            return Optional.empty();
        }
        if (!input.raw().get("uid").isTextual()) {
            input.error("uid", UID_RULE);
            return Optional.empty();
        }
        byte[] bytes;
        try {
            bytes = CardHasher.parseUid(input.raw().get("uid").textValue());
        } catch (ProtocolException e) {
            input.error("uid", UID_RULE);
            return Optional.empty();
        }
        if (bytes.length != 4 && bytes.length != 7 && bytes.length != 10) {
            input.error("uid", "is " + bytes.length + " bytes; it " + UID_RULE);
            return Optional.empty();
        }
        return Optional.of(bytes);
    }

    /**
     * The keyed hash a door reported for an unknown card (an access event's {@code cardHash}): 64 hex
     * digits, stored in lower case as doors write it.
     */
    private static Optional<String> cardHash(Input input) {
        JsonNode value = input.raw().get("cardHash");
        String hash =
                value != null && value.isTextual() ? value.textValue().strip().toLowerCase(Locale.ROOT) : "";
        if (!CredentialStore.CARD_HASH.matcher(hash).matches()) {
            input.error(
                    "cardHash",
                    "must be the card's hash as an access event reports it for an unknown card: 64 hex digits");
            return Optional.empty();
        }
        return Optional.of(hash);
    }

    /** The window must end after it starts; a new end must not lie in the past (it would never open a door). */
    static void checkWindow(
            Input input, Optional<Instant> from, Optional<Instant> until, boolean untilSent, Instant now) {
        if (from.isPresent() && until.isPresent() && !until.get().isAfter(from.get())) {
            input.error("validUntil", "must be after validFrom (" + from.get() + ")");
        } else if (untilSent && until.isPresent() && !until.get().isAfter(now)) {
            input.error("validUntil", "is in the past");
        }
    }

    private void list(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.require(req, Permission.VIEW_MEMBERS).tenantId();
        String memberId = PathIds.id(req, "memberId", "member");
        Optional<CredentialStatus> status = Requests.enumValue(req, "status", CredentialStatus.class);
        Paging paging = Paging.of(req);
        Json.ok(
                res,
                StoreResults.value(store.list(tenantId, memberId, status, paging.after(), paging.limit()))
                        .body());
    }

    private static String credentialId(ServerRequest req) {
        return PathIds.id(req, "credentialId", "credential");
    }

    private CredentialView credential(ServerRequest req, String tenantId) {
        String id = credentialId(req);
        return StoreResults.found(store.find(tenantId, id), "credential", id);
    }

    private void get(ServerRequest req, ServerResponse res) {
        Json.ok(
                res,
                credential(req, Caller.require(req, Permission.VIEW_MEMBERS).tenantId()));
    }

    /** PATCH semantics: fields left out keep their value; label, validFrom and validUntil sent as null are cleared. */
    private void update(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_CREDENTIALS);
        String tenantId = caller.tenantId();
        CredentialView current = credential(req, tenantId);
        Input input = Input.of(Json.object(req, maxBody), "label", "validFrom", "validUntil", "status");
        Optional<String> label =
                input.has("label") ? input.optionalText("label", 100) : Optional.ofNullable(current.label());
        Optional<Instant> validFrom = input.has("validFrom")
                ? Requests.instant(input, "validFrom")
                : Optional.ofNullable(current.validFrom()).map(Instant::parse);
        Optional<Instant> validUntil = input.has("validUntil")
                ? Requests.instant(input, "validUntil")
                : Optional.ofNullable(current.validUntil()).map(Instant::parse);
        checkWindow(input, validFrom, validUntil, input.has("validUntil"), clock.instant());
        CredentialStatus currentStatus = WireNames.of(CredentialStatus.class, current.status());
        CredentialStatus status = currentStatus;
        if (input.isNull("status")) {
            input.error("status", "cannot be cleared; use active, suspended or lost");
        } else if (input.has("status")) {
            Optional<CredentialStatus> wanted = input.enumValue("status", CredentialStatus.class);
            if (wanted.isPresent() && wanted.get() == CredentialStatus.REVOKED) {
                input.error(
                        "status",
                        "revoking is final and has its own route: POST /api/v1/credentials/" + current.id()
                                + "/revoke");
            } else if (wanted.isPresent()) {
                status = wanted.get();
            }
        }
        input.done();
        if (status == CredentialStatus.REVOKED) {
            throw ApiException.conflict(CredentialStore.revokedIsFinal(current.id()));
        }
        if (label.equals(Optional.ofNullable(current.label()))
                && validFrom.map(Times::iso).equals(Optional.ofNullable(current.validFrom()))
                && validUntil.map(Times::iso).equals(Optional.ofNullable(current.validUntil()))
                && status == currentStatus) {
            Json.ok(res, current); // nothing changes, so no edge needs to hear of it
            return;
        }
        CredentialView updated = StoreResults.value(store.update(
                tenantId,
                current.id(),
                new CredentialStore.Update(
                        label,
                        validFrom,
                        validUntil,
                        status,
                        currentStatus,
                        Instant.parse(current.updatedAt()).toEpochMilli())));
        audit.record(req, caller, action(currentStatus, status), "credential", current.id(), null, current, updated);
        Json.ok(res, updated);
    }

    /** What a PATCH did, as the audit log names it: a change of status has its own name. */
    private static String action(CredentialStatus before, CredentialStatus after) {
        if (before == after) {
            return "credential.update";
        }
        return switch (after) {
            case ACTIVE -> "credential.reactivate";
            case SUSPENDED -> "credential.suspend";
            case LOST -> "credential.lost";
            case REVOKED -> "credential.revoke";
        };
    }

    private void revoke(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_CREDENTIALS);
        CredentialView current = credential(req, caller.tenantId());
        CredentialView revoked = StoreResults.value(store.revoke(caller.tenantId(), current.id()));
        audit.record(req, caller, "credential.revoke", "credential", current.id(), null, current, revoked);
        Json.ok(res, revoked);
    }

    private void issueToken(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_CREDENTIALS);
        String id = credentialId(req);
        Optional<String> siteId = Requests.id(req, "siteId", "a site id");
        siteId.ifPresent(site -> caller.require(Permission.MANAGE_CREDENTIALS, site));
        QrToken token = StoreResults.value(store.issueToken(caller.tenantId(), id, siteId));
        audit.record(req, caller, "credential.qr-token", "credential", id, siteId.orElse(null), null, token);
        Json.ok(res, token);
    }
}
