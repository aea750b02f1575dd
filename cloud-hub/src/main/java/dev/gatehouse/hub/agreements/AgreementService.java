package dev.gatehouse.hub.agreements;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.QueryParameters;
import dev.gatehouse.hub.web.StoreResults;
import dev.gatehouse.protocol.model.Agreement;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Versioned visitor agreements and their signatures.
 *
 * <pre>
 * GET  /api/v1/agreements                                   agreements with their versions (front desk and up)
 * POST /api/v1/agreements                                   publish a version {"siteId"?, "title", "body"} (site managers, owners)
 * GET  /api/v1/agreements/{agreementId}/versions/{version}  one published version
 * GET  /api/v1/sites/{siteId}/agreement                     the version in force at the site
 * GET  /api/v1/agreement-signatures?siteId=&email=&limit=    signatures, newest first
 * POST /api/v1/agreement-signatures                         record a signature made at the hub (the kiosk's own come with its events)
 * GET  /api/v1/agreement-signatures/status?siteId=&email=   whether that person signed the version in force
 * GET  /api/v1/agreement-signatures/{signatureId}           one signature
 * GET  /api/v1/agreement-signatures/{signatureId}/pdf       the signed document
 * </pre>
 *
 * Viewing needs the credentials permission (front desk, site managers, owners); publishing needs
 * sites' management, and a tenant-wide agreement a role over every site. Writes are audited.
 */
public record AgreementService(AgreementStore store, Audit audit, int maxBody) implements HttpService {
    /** Who may view agreements and signatures: the front desk and above. */
    public static final Permission VIEW = Permission.MANAGE_CREDENTIALS;

    /** Who may publish: site managers and owners. */
    public static final Permission PUBLISH = Permission.MANAGE_SITES;

    @Override
    public void routing(HttpRules rules) {
        rules.get("/agreements", this::list)
                .post("/agreements", this::publish)
                .get("/agreements/{agreementId}/versions/{version}", this::version)
                .get("/sites/{siteId}/agreement", this::current)
                .get("/agreement-signatures", this::signatures)
                .post("/agreement-signatures", this::sign)
                .get("/agreement-signatures/status", this::status)
                .get("/agreement-signatures/{signatureId}", this::signature)
                .get("/agreement-signatures/{signatureId}/pdf", this::pdf);
    }

    /** The sites the caller sees: empty for all of them. */
    public static Optional<Set<String>> sites(Caller.Operator caller) {
        return caller.access().allSites()
                ? Optional.empty()
                : Optional.of(caller.access().siteIds());
    }

    private void list(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, VIEW);
        ObjectNode body = Json.MAPPER.createObjectNode();
        var items = body.putArray("items");
        store.agreements(caller.tenantId(), sites(caller)).forEach(a -> items.add(json(a)));
        Json.ok(res, body);
    }

    /** A version to publish, as checked: every problem in one 422. */
    public record Draft(Optional<String> siteId, String title, String body) {}

    public static Draft draft(ObjectNode json) {
        Input input = Input.of(json, "siteId", "title", "body");
        Optional<String> siteId = input.optionalText("siteId", 64);
        String title = input.text("title", Agreement.MAX_TITLE);
        JsonNode raw = json.get("body");
        String body = "";
        if (raw == null || raw.isNull()) {
            input.error(
                    "body",
                    "is required: the agreement's text, with {visitorName}, {hostName}, {siteName} or {date} where they belong");
        } else if (!raw.isTextual()) {
            input.error("body", "must be a string");
        } else {
            body = raw.asText();
            Agreement.bodyProblem(body).ifPresent(problem -> input.error("body", problem));
        }
        input.done();
        return new Draft(siteId, title, body);
    }

    private void publish(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, PUBLISH);
        Draft draft = draft(Json.object(req, maxBody));
        AgreementStore.Version version = publish(caller, draft);
        audit.record(
                req,
                caller,
                "agreement.publish",
                "agreement",
                version.agreementId(),
                version.siteId().orElse(null),
                null,
                json(version));
        Json.created(res, json(version));
    }

    /** Publishes for the API and the console alike: a tenant-wide agreement needs a role over every site. */
    public AgreementStore.Version publish(Caller.Operator caller, Draft draft) {
        if (draft.siteId().isPresent()) {
            caller.require(PUBLISH, draft.siteId().get());
        } else if (!caller.access().allSites()) {
            throw ApiException.forbidden("a tenant-wide agreement applies to every site; your role covers only some:"
                    + " publish one for your site with siteId, or ask an owner");
        }
        return StoreResults.value(
                store.publish(caller.tenantId(), draft.siteId(), draft.title(), draft.body(), caller.actorId()));
    }

    private void version(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, VIEW);
        String id = PathIds.id(req, "agreementId", "agreement");
        int number;
        try {
            number = Integer.parseInt(req.path().pathParameters().get("version"));
        } catch (NumberFormatException e) {
            throw ApiException.notFound(
                    "agreement version", req.path().pathParameters().get("version"));
        }
        AgreementStore.Version version = StoreResults.found(
                store.version(caller.tenantId(), id, number), "agreement version", id + "/" + number);
        version.siteId().ifPresent(site -> caller.requireCovers(site, "agreement version", id + "/" + number));
        Json.ok(res, json(version));
    }

    private void current(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, VIEW);
        String siteId = PathIds.id(req, "siteId", "site");
        caller.require(VIEW, siteId);
        Json.ok(res, json(StoreResults.found(store.current(caller.tenantId(), siteId), "agreement of site", siteId)));
    }

    private void signatures(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, VIEW);
        QueryParameters query = new QueryParameters(req.query(), List.of("siteId", "email", "limit"));
        Optional<String> siteId = query.one("siteId");
        Optional<String> email = query.one("email");
        int limit = query.limit();
        query.done();
        siteId.ifPresent(site -> caller.require(VIEW, site));
        Optional<Set<String>> sites = siteId.map(Set::of).or(() -> sites(caller));
        ObjectNode body = Json.MAPPER.createObjectNode();
        var items = body.putArray("items");
        store.signatures(caller.tenantId(), sites, email, limit).forEach(s -> items.add(json(s)));
        Json.ok(res, body);
    }

    private void status(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, VIEW);
        QueryParameters query = new QueryParameters(req.query(), List.of("siteId", "email"));
        Optional<String> siteId = query.one("siteId");
        Optional<String> email = query.one("email");
        if (siteId.isEmpty()) {
            query.error("siteId", "is required: the site whose agreement in force is asked about");
        }
        if (email.isEmpty()) {
            query.error("email", "is required: the signer's e-mail address");
        }
        query.done();
        caller.require(VIEW, siteId.orElseThrow());
        ObjectNode body = Json.MAPPER.createObjectNode();
        Optional<AgreementStore.Version> current = store.current(caller.tenantId(), siteId.get());
        body.put("signedCurrent", store.hasSignedCurrent(caller.tenantId(), siteId.get(), email.orElseThrow()));
        current.ifPresent(v -> {
            body.put("agreementId", v.agreementId());
            body.put("version", v.version());
            body.put("sha256", v.sha256());
        });
        Json.ok(res, body);
    }

    private AgreementStore.Signature found(ServerRequest req, Caller.Operator caller) {
        String id = PathIds.id(req, "signatureId", "signature");
        AgreementStore.Signature signature =
                StoreResults.found(store.signature(caller.tenantId(), id), "signature", id);
        caller.requireCovers(signature.siteId(), "signature", id);
        return signature;
    }

    private void signature(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, VIEW);
        Json.ok(res, json(found(req, caller)));
    }

    private void pdf(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, VIEW);
        AgreementStore.Signature signature = found(req, caller);
        byte[] pdf = pdf(caller.tenantId(), signature);
        res.header(HeaderNames.CONTENT_TYPE, "application/pdf");
        res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"agreement-" + signature.id() + ".pdf\"");
        res.send(pdf);
    }

    /** The signed document: the published version rendered with the signature's variables. */
    public byte[] pdf(String tenantId, AgreementStore.Signature signature) {
        AgreementStore.Version version = store.version(tenantId, signature.agreementId(), signature.version())
                .orElseThrow();
        String siteName = signature.variables().getOrDefault("siteName", signature.siteId());
        Agreement agreement = new Agreement(
                version.agreementId(), version.version(), version.title(), version.body(), "-", version.sha256());
        return AgreementPdf.render(signature, version.title(), agreement.render(signature.variables()), siteName);
    }

    private void sign(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, VIEW);
        ObjectNode json = Json.object(req, maxBody);
        Input input = Input.of(
                json,
                "siteId",
                "eventId",
                "agreementId",
                "version",
                "sha256",
                "renderedSha256",
                "signerName",
                "signerEmail",
                "passId",
                "variables",
                "signedAt");
        String siteId = input.text("siteId", 64);
        String eventId = input.text("eventId", 100);
        String agreementId = input.text("agreementId", 64);
        int version = input.integer("version", 1, Integer.MAX_VALUE).orElseGet(() -> {
            if (!input.has("version")) {
                input.error("version", "is required");
            }
            return 0;
        });
        String sha256 = hash(input, "sha256");
        String rendered = hash(input, "renderedSha256");
        String signerName = input.text("signerName", 100);
        Optional<String> email = input.has("signerEmail") ? Optional.of(input.email("signerEmail")) : Optional.empty();
        Optional<String> passId = input.optionalText("passId", 64);
        Map<String, String> variables = variables(input, json.get("variables"));
        Instant signedAt = input.instant("signedAt").orElse(Instant.now(store.clock()));
        input.done();
        caller.require(VIEW, siteId);
        AgreementStore.Recording recording = store.recordSignature(
                caller.tenantId(),
                new AgreementStore.NewSignature(
                        siteId,
                        eventId,
                        agreementId,
                        version,
                        sha256,
                        rendered,
                        signerName,
                        email,
                        passId,
                        variables,
                        "hub",
                        signedAt));
        switch (recording) {
            case AgreementStore.Refused refused -> throw ApiException.invalid("sha256", refused.reason());
            case AgreementStore.Recorded recorded -> {
                if (!recorded.again()) {
                    audit.record(
                            req,
                            caller,
                            "agreement.sign",
                            "signature",
                            recorded.signature().id(),
                            siteId,
                            null,
                            json(recorded.signature()));
                }
                if (recorded.again()) {
                    Json.ok(res, json(recorded.signature()));
                } else {
                    Json.created(res, json(recorded.signature()));
                }
            }
        }
    }

    private static String hash(Input input, String field) {
        String value = input.text(field, 64);
        if (!value.isEmpty() && !Agreement.isHash(value)) {
            input.error(field, "must be 64 lowercase hex digits (a SHA-256)");
        }
        return value;
    }

    private static Map<String, String> variables(Input input, JsonNode node) {
        Map<String, String> out = new TreeMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            input.error("variables", "must be an object of " + Agreement.VARIABLES + " to their values");
            return out;
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!Agreement.VARIABLES.contains(field.getKey())) {
                input.error("variables." + field.getKey(), "is not a variable; use any of " + Agreement.VARIABLES);
            } else if (!field.getValue().isTextual()
                    || field.getValue().asText().length() > 200) {
                input.error("variables." + field.getKey(), "must be a string of at most 200 characters");
            } else {
                out.put(field.getKey(), field.getValue().asText());
            }
        }
        return out;
    }

    public static ObjectNode json(AgreementStore.Version v) {
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("agreementId", v.agreementId());
        v.siteId().ifPresentOrElse(site -> json.put("siteId", site), () -> json.putNull("siteId"));
        json.put("version", v.version());
        json.put("title", v.title());
        json.put("body", v.body());
        json.put("sha256", v.sha256());
        json.put("publishedAt", v.publishedAt().toString());
        json.put("publishedBy", v.publishedBy());
        return json;
    }

    static ObjectNode json(AgreementStore.AgreementView a) {
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("id", a.id());
        a.siteId().ifPresentOrElse(site -> json.put("siteId", site), () -> json.putNull("siteId"));
        json.put("currentVersion", a.currentVersion());
        var versions = json.putArray("versions");
        a.versions().forEach(v -> versions.add(json(v)));
        return json;
    }

    public static ObjectNode json(AgreementStore.Signature s) {
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("id", s.id());
        json.put("siteId", s.siteId());
        json.put("eventId", s.eventId());
        json.put("agreementId", s.agreementId());
        json.put("version", s.version());
        json.put("sha256", s.sha256());
        json.put("renderedSha256", s.renderedSha256());
        json.put("signerName", s.signerName());
        s.signerEmail().ifPresentOrElse(e -> json.put("signerEmail", e), () -> json.putNull("signerEmail"));
        s.passId().ifPresentOrElse(p -> json.put("passId", p), () -> json.putNull("passId"));
        ObjectNode variables = json.putObject("variables");
        s.variables().forEach(variables::put);
        json.put("source", s.source());
        json.put("signedAt", s.signedAt().toString());
        json.put("recordedAt", s.recordedAt().toString());
        s.anonymisedAt().ifPresent(at -> json.put("anonymisedAt", at.toString()));
        return json;
    }
}
