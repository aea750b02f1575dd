package dev.gatehouse.hub.console;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.agreements.AgreementService;
import dev.gatehouse.hub.agreements.AgreementStore;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.Multipart;
import dev.gatehouse.hub.wifi.WifiVoucherService;
import dev.gatehouse.hub.wifi.WifiVoucherStore;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Visitor agreements and Wi-Fi vouchers in the console: the agreements with every published version,
 * a form to publish a new version (site managers and owners), the latest signatures with their signed
 * PDFs, each site's voucher pool and a form to upload a pool file. Every action goes through the same
 * services as the API ({@link AgreementService}, {@link WifiVoucherService}) and is audited alike.
 *
 * <pre>
 * GET  /console/visitor-agreements                        the page
 * POST /console/visitor-agreements                        publish (siteId, title, body)
 * POST /console/visitor-agreements/wifi                   upload a pool file (multipart: siteId, file)
 * GET  /console/visitor-agreements/signatures/{id}/pdf    a signed document
 * </pre>
 */
public record AgreementPages(Database database, AgreementService agreements, WifiVoucherService wifi, Audit audit)
        implements HttpService {
    private static final Status INVALID = Status.create(422, "Unprocessable Content");
    private static final int MAX_UPLOAD = 2 * 1024 * 1024;

    @Override
    public void routing(HttpRules rules) {
        rules.get("/console/visitor-agreements", this::page)
                .post("/console/visitor-agreements", this::publish)
                .post("/console/visitor-agreements/wifi", this::upload)
                .get("/console/visitor-agreements/signatures/{signatureId}/pdf", this::pdf);
    }

    /** A site the operator covers, with its pool. */
    public record Site(String id, String name, ZoneId zone, WifiVoucherStore.Pool pool) {}

    /** A version in the list, with its scope in words and when it was published. */
    public record VersionRow(AgreementStore.Version version, String scope, String publishedAt, boolean current) {}

    /** A signature in the list. */
    public record SignatureRow(AgreementStore.Signature signature, String site, String signedAt) {}

    /** The publish form as typed, with a message per refused field. */
    public record Form(String siteId, String title, String body, Map<String, String> errors) {
        public Optional<String> error(String field) {
            return Optional.ofNullable(errors.get(field));
        }
    }

    private List<Site> sites(ConsoleSession s) {
        WifiVoucherStore pools = wifi.store();
        return database
                .read(c -> Sql.list(
                        c,
                        "SELECT id, name, time_zone FROM sites WHERE tenant_id = ? ORDER BY name, id",
                        row -> new String[] {row.getString(1), row.getString(2), row.getString(3)},
                        s.tenant().id()))
                .stream()
                .filter(site -> s.access().covers(site[0]))
                .map(site -> new Site(
                        site[0],
                        site[1],
                        ZoneId.of(site[2]),
                        pools.pool(s.tenant().id(), site[0]).orElseThrow()))
                .toList();
    }

    private void page(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, AgreementService.VIEW);
        render(req, res, s, Status.OK_200, new Form("", "", "", Map.of()), List.of());
    }

    private void render(
            ServerRequest req,
            ServerResponse res,
            ConsoleSession s,
            Status status,
            Form form,
            List<FieldError> uploadErrors) {
        List<Site> sites = sites(s);
        Map<String, String> names = new LinkedHashMap<>();
        sites.forEach(site -> names.put(site.id(), site.name()));
        ZoneId zone = sites.isEmpty() ? ZoneId.of("UTC") : sites.getFirst().zone();
        var t = Guard.messages();
        List<VersionRow> versions =
                agreements.store().agreements(s.tenant().id(), AgreementService.sites(s.caller())).stream()
                        .flatMap(a -> a.versions().stream()
                                .map(v -> new VersionRow(
                                        v,
                                        a.siteId()
                                                .map(id -> names.getOrDefault(id, id))
                                                .orElse(t.get("agreements.all-sites")),
                                        Formats.dateTime(v.publishedAt(), zone, t.locale()),
                                        v.version() == a.currentVersion())))
                        .toList();
        List<SignatureRow> signatures =
                agreements
                        .store()
                        .signatures(s.tenant().id(), AgreementService.sites(s.caller()), Optional.empty(), 50)
                        .stream()
                        .map(sig -> new SignatureRow(
                                sig,
                                names.getOrDefault(sig.siteId(), sig.siteId()),
                                Formats.dateTime(sig.signedAt(), zone, t.locale())))
                        .toList();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("page", Guard.pageFor(s, "agreements.title", "/console/visitor-agreements"));
        params.put("versions", versions);
        params.put("signatures", signatures);
        params.put("sites", sites);
        params.put("everyone", s.access().allSites());
        params.put("publish", s.access().may(AgreementService.PUBLISH));
        params.put("form", form);
        params.put("uploadErrors", uploadErrors);
        params.put(
                "notice",
                req.query()
                        .first("done")
                        .asOptional()
                        .filter(Set.of("published", "uploaded")::contains)
                        .map(key -> t.get("agreements.done." + key)));
        Templates.render(res, status, "visitor-agreements.jte", params);
    }

    private void publish(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, AgreementService.PUBLISH);
        Parameters typed = Forms.read(req, s);
        Form form = new Form(
                Forms.field(typed, "siteId").orElse(""),
                Forms.field(typed, "title").orElse(""),
                typed.first("body")
                        .asOptional()
                        .orElse("")
                        .replace("\r\n", "\n")
                        .strip(),
                Map.of());
        ObjectNode body = Json.MAPPER.createObjectNode();
        if (!form.siteId().isEmpty()) {
            body.put("siteId", form.siteId());
        }
        if (!form.title().isEmpty()) {
            body.put("title", form.title());
        }
        if (!form.body().isEmpty()) {
            body.put("body", form.body());
        }
        Map<String, String> errors = new LinkedHashMap<>();
        try {
            AgreementStore.Version version = agreements.publish(s.caller(), AgreementService.draft(body));
            audit.record(
                    req,
                    s.caller(),
                    "agreement.publish",
                    "agreement",
                    version.agreementId(),
                    version.siteId().orElse(null),
                    null,
                    AgreementService.json(version));
            SignInService.redirect(res, "/console/visitor-agreements?done=published");
            return;
        } catch (ApiException e) {
            e.errors().forEach(error -> errors.putIfAbsent(error.field(), error.message()));
            if (errors.isEmpty()) {
                errors.put("siteId", e.getMessage());
            }
        }
        render(req, res, s, INVALID, new Form(form.siteId(), form.title(), form.body(), errors), List.of());
    }

    private void upload(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, WifiVoucherService.MANAGE);
        Map<String, Multipart.Part> parts = Forms.readMultipart(req, s, MAX_UPLOAD);
        String siteId = Optional.ofNullable(parts.get("siteId"))
                .map(Multipart.Part::text)
                .map(String::strip)
                .orElse("");
        Multipart.Part file = parts.get("file");
        List<FieldError> errors;
        if (siteId.isEmpty() || !s.access().covers(siteId)) {
            errors = List.of(new FieldError("siteId", Guard.messages().get("agreements.wifi.error.site")));
        } else if (file == null || file.content().length == 0) {
            errors = List.of(new FieldError("file", Guard.messages().get("agreements.wifi.error.file")));
        } else {
            try {
                WifiVoucherStore.Upload upload = wifi.upload(s.caller(), siteId, file.content());
                ObjectNode after = Json.MAPPER.createObjectNode();
                after.put("uploadId", upload.uploadId());
                after.put("added", upload.added());
                audit.record(req, s.caller(), "wifi-vouchers.upload", "wifi-pool", siteId, siteId, null, after);
                SignInService.redirect(res, "/console/visitor-agreements?done=uploaded#wifi");
                return;
            } catch (ApiException e) {
                errors = e.errors().isEmpty() ? List.of(new FieldError("file", e.getMessage())) : e.errors();
            }
        }
        render(req, res, s, INVALID, new Form("", "", "", Map.of()), errors);
    }

    private void pdf(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, AgreementService.VIEW);
        String id = req.path().pathParameters().get("signatureId");
        AgreementStore.Signature signature = agreements
                .store()
                .signature(s.tenant().id(), id)
                .filter(sig -> s.access().covers(sig.siteId()))
                .orElseThrow(() -> PageException.notFound(
                        "There is no signature " + dev.gatehouse.protocol.Ids.printable(id) + "."));
        res.header(HeaderNames.CONTENT_TYPE, "application/pdf");
        res.header(HeaderNames.CONTENT_DISPOSITION, "inline; filename=\"agreement-" + signature.id() + ".pdf\"");
        res.send(agreements.pdf(s.tenant().id(), signature));
    }
}
