package dev.gatehouse.hub.wifi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.Multipart;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.StoreResults;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Locale;
import java.util.Map;

/**
 * A site's Wi-Fi voucher pool.
 *
 * <pre>
 * POST /api/v1/sites/{siteId}/wifi-vouchers   a CSV file (multipart/form-data field "file", or the body as text/csv)
 * GET  /api/v1/sites/{siteId}/wifi-pool       what is left, what each edge holds, the settings
 * PUT  /api/v1/sites/{siteId}/wifi-pool       {"lowThreshold": 20, "sliceSize": 50}
 * </pre>
 *
 * Uploading and settings need sites' management (site managers, owners); the pool's counts the
 * credentials permission (the front desk and up). Codes are never answered or logged; uploads and
 * settings are audited by their counts.
 */
public record WifiVoucherService(WifiVoucherStore store, Audit audit, int maxUpload, int maxBody)
        implements HttpService {
    public static final Permission VIEW = Permission.MANAGE_CREDENTIALS;
    public static final Permission MANAGE = Permission.MANAGE_SITES;

    @Override
    public void routing(HttpRules rules) {
        rules.post("/sites/{siteId}/wifi-vouchers", this::upload)
                .get("/sites/{siteId}/wifi-pool", this::pool)
                .put("/sites/{siteId}/wifi-pool", this::settings);
    }

    private void upload(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, MANAGE);
        String siteId = PathIds.id(req, "siteId", "site");
        caller.require(MANAGE, siteId);
        String type = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
        byte[] csv;
        if (Multipart.is(type)) {
            Map<String, Multipart.Part> parts = Multipart.parse(type, Json.bytes(req, maxUpload));
            Multipart.Part file = parts.get("file");
            if (file == null) {
                throw ApiException.badRequest("the form has no field named file; send the CSV as the field file");
            }
            csv = file.content();
        } else if (type.toLowerCase(Locale.ROOT).startsWith("text/csv")) {
            csv = Json.bytes(req, maxUpload);
        } else {
            throw ApiException.unsupportedMediaType("send the CSV as multipart/form-data (field file) or as text/csv");
        }
        WifiVoucherStore.Upload upload = upload(caller, siteId, csv);
        ObjectNode body = json(upload);
        audit.record(req, caller, "wifi-vouchers.upload", "wifi-pool", siteId, siteId, null, body);
        Json.created(res, body);
    }

    /** Checks and stores a pool file for the API and the console alike: 422 naming every bad line, nothing stored. */
    public WifiVoucherStore.Upload upload(Caller.Operator caller, String siteId, byte[] csv) {
        caller.require(MANAGE, siteId);
        VoucherCsv.Parsed parsed = VoucherCsv.parse(csv, store.clock().instant());
        if (!parsed.problems().isEmpty()) {
            throw ApiException.invalid(parsed.problems().stream()
                    .map(problem -> new FieldError("line " + problem.line(), problem.message()))
                    .toList());
        }
        return StoreResults.value(store.upload(
                caller.tenantId(),
                siteId,
                parsed.rows().stream()
                        .map(row ->
                                new WifiVoucherStore.NewVoucher(row.line(), row.code(), row.minutes(), row.expires()))
                        .toList()));
    }

    private void pool(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, VIEW);
        String siteId = PathIds.id(req, "siteId", "site");
        caller.require(VIEW, siteId);
        Json.ok(res, json(StoreResults.found(store.pool(caller.tenantId(), siteId), "site", siteId)));
    }

    private void settings(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, MANAGE);
        String siteId = PathIds.id(req, "siteId", "site");
        caller.require(MANAGE, siteId);
        Input input = Input.of(Json.object(req, maxBody), "lowThreshold", "sliceSize");
        int low = required(input, "lowThreshold", 0, 100_000);
        int slice = required(input, "sliceSize", 1, WifiVoucherStore.MAX_SLICE_SIZE);
        input.done();
        var before = store.pool(caller.tenantId(), siteId).map(WifiVoucherService::json);
        WifiVoucherStore.Pool pool = StoreResults.value(store.saveSettings(caller.tenantId(), siteId, low, slice));
        audit.record(req, caller, "wifi-pool.settings", "wifi-pool", siteId, siteId, before.orElse(null), json(pool));
        Json.ok(res, json(pool));
    }

    private static int required(Input input, String field, int min, int max) {
        if (!input.has(field)) {
            input.error(field, "is required: a whole number from " + min + " to " + max);
            return min;
        }
        return input.integer(field, min, max).orElse(min);
    }

    public static ObjectNode json(WifiVoucherStore.Pool pool) {
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("siteId", pool.siteId());
        json.put("remaining", pool.remaining());
        json.put("unallocated", pool.unallocated());
        ObjectNode held = json.putObject("heldByDevice");
        pool.heldByDevice().forEach(held::put);
        json.put("issued", pool.issued());
        json.put("expired", pool.expired());
        json.put("lowThreshold", pool.lowThreshold());
        json.put("sliceSize", pool.sliceSize());
        json.put("low", pool.low());
        return json;
    }

    static ObjectNode json(WifiVoucherStore.Upload upload) {
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("uploadId", upload.uploadId());
        json.put("added", upload.added());
        json.set("pool", json(upload.pool()));
        return json;
    }
}
