package dev.gatehouse.hub.projection;

import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.sites.DoorStore;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.model.Credential;
import dev.gatehouse.protocol.model.CredentialStatus;
import dev.gatehouse.protocol.model.CredentialType;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.Site;
import dev.gatehouse.protocol.policy.AccessRequest;
import dev.gatehouse.protocol.policy.Decision;
import dev.gatehouse.protocol.policy.Evaluation;
import dev.gatehouse.protocol.policy.InMemoryEntitlements;
import dev.gatehouse.protocol.policy.PolicyEngine;
import dev.gatehouse.protocol.policy.Presented;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /api/v1/explain?memberId=&doorId=&at=&credentialId=}: would this member get through
 * this door at this instant, and why? The hub runs the edge's own policy engine over the member's
 * slice of the door's site, as an online edge with a trusted clock and the door in normal mode
 * would. The member presents the given credential, else their first active NFC card, else their
 * first active member QR credential, else their first credential of any status (so that a lost or
 * revoked card is named as the reason). A member with no credential at all cannot present anything:
 * 409.
 */
public record ExplainService(Database database, Clock clock) implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.get("/explain", this::explain);
    }

    private void explain(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.VIEW_ACCESS_LOG);
        String memberId = required(req, "memberId", "member");
        String doorId = required(req, "doorId", "door");
        Optional<String> credentialId = req.query().first("credentialId").asOptional();
        Instant at = at(req);
        Json.ok(res, database.read(c -> explain(c, caller, memberId, doorId, credentialId, at)));
    }

    private static String required(ServerRequest req, String parameter, String what) {
        Optional<String> value = req.query().first(parameter).asOptional();
        if (value.isEmpty() || value.get().isBlank()) {
            throw ApiException.invalid(parameter, "is required: the id of the " + what);
        }
        if (!Ids.isValid(value.get())) {
            throw ApiException.notFound(what, Ids.printable(value.get()));
        }
        return value.get();
    }

    private Instant at(ServerRequest req) {
        Optional<String> text = req.query().first("at").asOptional();
        if (text.isEmpty()) {
            return clock.instant().truncatedTo(ChronoUnit.MILLIS);
        }
        try {
            // An unencoded '+' of an offset arrives as a space.
            return Times.parseInstant(text.get().strip().replace(' ', '+'));
        } catch (DateTimeParseException e) {
            throw ApiException.invalid(
                    "at",
                    "'" + Ids.printable(text.get())
                            + "' is not a timestamp: use ISO-8601 with an offset, e.g. 2026-11-21T09:00:00Z");
        }
    }

    /**
     * The answer the API sends (decision, sentence, basis or reason, the time in the site's zone…),
     * also for the console's explain page; {@link ApiException} when the member, door or credential
     * is not one the caller may use.
     */
    public static Map<String, Object> explain(
            Connection c,
            Caller.Operator caller,
            String memberId,
            String doorId,
            Optional<String> credentialId,
            Instant at)
            throws SQLException {
        String tenantId = caller.tenantId();
        if (MemberStore.entity(c, tenantId, memberId).isEmpty()) {
            throw ApiException.notFound("member", memberId);
        }
        String siteId =
                DoorStore.doorSite(c, tenantId, doorId).orElseThrow(() -> ApiException.notFound("door", doorId));
        caller.requireCovers(siteId, "door", doorId);
        Credential credential = credential(c, tenantId, memberId, credentialId);
        Verdict verdict = evaluate(c, tenantId, siteId, memberId, credential, doorId, at);
        Site site = verdict.site();
        Evaluation evaluation = verdict.evaluation();

        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("memberId", memberId);
        answer.put("doorId", doorId);
        answer.put("siteId", siteId);
        answer.put("at", Times.iso(at));
        answer.put("timeZone", site.zone().getId());
        answer.put(
                "localTime",
                ZonedDateTime.ofInstant(at.truncatedTo(ChronoUnit.SECONDS), site.zone())
                        .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        answer.put("credentialId", credential.id().value());
        answer.put("credentialType", WireNames.wire(credential.type()));
        switch (evaluation.decision()) {
            case Decision.Granted granted -> {
                answer.put("decision", "granted");
                answer.put("basis", WireNames.wire(granted.basis()));
                answer.put("sentence", granted.basis().sentence());
                answer.put("unlockSeconds", granted.unlockFor().toSeconds());
                granted.source().ifPresent(source -> {
                    answer.put("grantId", source);
                    String prefix = "gr_" + memberId + "_";
                    if (source.startsWith(prefix)) {
                        answer.put("planId", source.substring(prefix.length()));
                    }
                });
            }
            case Decision.Denied denied -> {
                answer.put("decision", "denied");
                answer.put("reason", WireNames.wire(denied.reason()));
                answer.put("sentence", denied.reason().sentence());
            }
        }
        return answer;
    }

    /** The policy engine's answer and the door's site (for its time zone). */
    public record Verdict(Site site, Evaluation evaluation) {}

    /**
     * Runs the edge's policy engine over the member's slice of the site: would {@code credential}
     * open {@code doorId} (a door of {@code siteId}) at {@code at}, on an online edge with a trusted
     * clock? The explain route and the member portal's remote unlock decide the same way.
     */
    public static Verdict evaluate(
            Connection c,
            String tenantId,
            String siteId,
            String memberId,
            Credential credential,
            String doorId,
            Instant at)
            throws SQLException {
        List<Entity> slice =
                SiteProjection.forMember(c, tenantId, siteId, memberId).orElseThrow();
        Site site = slice.stream()
                .filter(Site.class::isInstance)
                .map(Site.class::cast)
                .findFirst()
                .orElseThrow();
        Presented presented =
                switch (credential.type()) {
                    case NFC_CARD -> new Presented.Card(credential.cardHash().orElseThrow());
                    case MEMBER_QR -> new Presented.MemberCode(credential.id());
                };
        return new Verdict(
                site,
                PolicyEngine.evaluate(
                        InMemoryEntitlements.of(slice), AccessRequest.online(presented, DoorId.of(doorId), at)));
    }

    /**
     * The member's credential to present when none is named: the first active one, NFC cards first,
     * else the first of any status (so that a lost or revoked card is named as the reason).
     */
    public static Optional<Credential> preferred(Connection c, String tenantId, String memberId) throws SQLException {
        Comparator<Credential> preference = Comparator.comparing(
                        (Credential cr) -> cr.status() != CredentialStatus.ACTIVE)
                .thenComparing(cr -> cr.type() != CredentialType.NFC_CARD);
        return SiteProjection.credentials(c, tenantId, Optional.of(memberId)).stream()
                .sorted(preference)
                .findFirst();
    }

    /** The credential to present: the one asked for (it must be the member's), or the member's best one. */
    private static Credential credential(Connection c, String tenantId, String memberId, Optional<String> wanted)
            throws SQLException {
        List<Credential> owned = SiteProjection.credentials(c, tenantId, Optional.of(memberId));
        if (wanted.isPresent()) {
            String id = wanted.get();
            for (Credential credential : owned) {
                if (credential.id().value().equals(id)) {
                    return credential;
                }
            }
            Optional<String> holder = Ids.isValid(id) ? holder(c, tenantId, id) : Optional.empty();
            if (holder.isEmpty()) {
                throw ApiException.notFound("credential", Ids.printable(id));
            }
            throw ApiException.invalid(
                    "credentialId", "credential " + id + " belongs to another member, not to " + memberId);
        }
        return preferred(c, tenantId, memberId)
                .orElseThrow(() -> ApiException.conflict("member " + memberId
                        + " has no credential, so there is nothing to present at a door;"
                        + " enroll a card or a member QR credential first"));
    }

    private static Optional<String> holder(Connection c, String tenantId, String credentialId) throws SQLException {
        return Sql.byId(c, "credentials", "member_id", Sql.STRING, tenantId, credentialId);
    }
}
