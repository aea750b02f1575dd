package dev.gatehouse.hub.connectors.quickbooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.connectors.StandIn;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * QuickBooks Online as the Accounting API v3 documents it, for one company: {@code /v3/company/{realmId}/…}
 * with customer, invoice, creditmemo and payment creates (a customer update is a sparse POST carrying
 * {@code Id} and the current {@code SyncToken}), reads by id, the {@code query} endpoint for
 * {@code select * from X where F = 'v'}, preferences, items, accounts and tax codes. Errors are Faults:
 * {@code {"Fault":{"Error":[{"Message","Detail","code"}],"type":"ValidationFault"},"time"}} — 6240 duplicate
 * name, 5010 stale object, 610 object not found, 2500 invalid reference; a throttled call is HTTP 429 with
 * a ThrottleExceeded fault (QuickBooks sends no Retry-After). OAuth2's token endpoint takes HTTP Basic
 * client credentials, issues access tokens and a refresh token that rotates on every use (the old one
 * then fails with {@code invalid_grant}). A write carrying a {@code requestid} query parameter (at most 50
 * characters, unique per company) is carried out once: a repeat of that requestid gets the first
 * request's answer again, whatever it was, and changes nothing.
 */
public final class QuickBooksStandIn extends StandIn {
    public static final String REALM = "9130357766";
    public static final String CLIENT_ID = "ABqbo-client-id";
    public static final String CLIENT_SECRET = "qbo-client-secret-7f3a";

    private final Map<String, ObjectNode> customers = new LinkedHashMap<>();
    private final Map<String, ObjectNode> invoices = new LinkedHashMap<>();
    private final Map<String, ObjectNode> creditMemos = new LinkedHashMap<>();
    private final Map<String, ObjectNode> payments = new LinkedHashMap<>();
    private final Map<String, ObjectNode> items = new LinkedHashMap<>();
    private final Map<String, ObjectNode> accounts = new LinkedHashMap<>();
    private final Map<String, ObjectNode> taxCodes = new LinkedHashMap<>();
    private final ObjectNode preferences = JSON.createObjectNode();
    private final AtomicInteger ids = new AtomicInteger(100);
    private final Set<String> accessTokens = new HashSet<>();
    private final Set<String> codes = new HashSet<>();
    private final Map<String, Answer> byRequestId = new LinkedHashMap<>();
    private int replays;
    private String refreshToken = "";
    private int throttle;
    private int refreshes;

    public QuickBooksStandIn() {
        ObjectNode forms = preferences.putObject("SalesFormsPrefs");
        forms.put("CustomTxnNumbers", true);
        forms.put("AutoApplyCredit", false);
        preferences.put("Id", "1").put("SyncToken", "3");
        accounts.put("79", account("79", "Sales of Product Income", "Income"));
        accounts.put("30", account("30", "Checking", "Bank"));
        items.put("1", item("1", "Coworking membership", "79"));
        taxCodes.put(
                "TAX",
                JSON.createObjectNode().put("Id", "TAX").put("Name", "TAX").put("Active", true));
    }

    private static ObjectNode account(String id, String name, String type) {
        return JSON.createObjectNode()
                .put("Id", id)
                .put("Name", name)
                .put("AccountType", type)
                .put("Active", true)
                .put("SyncToken", "0");
    }

    private static ObjectNode item(String id, String name, String incomeAccount) {
        ObjectNode item = JSON.createObjectNode()
                .put("Id", id)
                .put("Name", name)
                .put("Type", "Service")
                .put("Active", true)
                .put("SyncToken", "0");
        if (incomeAccount != null) {
            item.putObject("IncomeAccountRef").put("value", incomeAccount);
        }
        return item;
    }

    // ---- what tests set and read

    /** A one-time authorization code, as the consent page would hand the browser. */
    public synchronized String issueCode() {
        String code = "AB11" + UUID.randomUUID().toString().replace("-", "");
        codes.add(code);
        return code;
    }

    /** Every access token stops working: the next API call answers 401. */
    public synchronized void expireAccessTokens() {
        accessTokens.clear();
    }

    /** The next {@code calls} API calls answer 429. */
    public synchronized void throttleNext(int calls) {
        throttle = calls;
    }

    public synchronized int refreshes() {
        return refreshes;
    }

    /** How many writes were answered from an earlier request with the same requestid. */
    public synchronized int replays() {
        return replays;
    }

    public synchronized void preference(String field, boolean value) {
        ((ObjectNode) preferences.get("SalesFormsPrefs")).put(field, value);
    }

    public synchronized void itemWithoutIncomeAccount(String id) {
        items.put(id, item(id, "Unbooked service", null));
    }

    public synchronized void addCustomer(String name, String email) {
        String id = Integer.toString(ids.incrementAndGet());
        ObjectNode customer =
                JSON.createObjectNode().put("Id", id).put("SyncToken", "0").put("DisplayName", name);
        customer.putObject("PrimaryEmailAddr").put("Address", email);
        customer.put("Active", true);
        customers.put(id, customer);
    }

    /** Someone edits the customer in QuickBooks: its SyncToken moves on. */
    public synchronized void editInQuickBooks(String id) {
        ObjectNode customer = customers.get(id);
        customer.put("SyncToken", Integer.toString(customer.get("SyncToken").asInt() + 1));
    }

    public synchronized List<ObjectNode> customers() {
        return customers.values().stream().map(ObjectNode::deepCopy).toList();
    }

    public synchronized List<ObjectNode> invoices() {
        return invoices.values().stream().map(ObjectNode::deepCopy).toList();
    }

    public synchronized List<ObjectNode> creditMemos() {
        return creditMemos.values().stream().map(ObjectNode::deepCopy).toList();
    }

    public synchronized List<ObjectNode> payments() {
        return payments.values().stream().map(ObjectNode::deepCopy).toList();
    }

    /** The API calls that wrote (customer, invoice, creditmemo and payment POSTs), throttled ones excluded. */
    public List<Request> writes() {
        return requests().stream()
                .filter(r -> r.method().equals("POST") && r.path().contains("/v3/company/"))
                .toList();
    }

    // ---- the service

    @Override
    protected synchronized Answer answer(Request request, String authorization) {
        if (request.path().equals("/oauth2/v1/tokens/bearer")) {
            return token(request, authorization);
        }
        Matcher path = Pattern.compile("/v3/company/([^/]+)/([a-z]+)(?:/([A-Za-z0-9]+))?")
                .matcher(request.path());
        if (!path.matches()) {
            return Answer.json(404, Map.of("error", "no such path " + request.path()));
        }
        if (!accessTokens.contains(request.bearer())) {
            return Answer.json(
                    401, fault("AuthenticationFailed", "AuthenticationFailed", "Token expired or invalid", "3200"));
        }
        if (throttle > 0) {
            throttle--;
            return Answer.json(
                    429,
                    fault(
                            "ThrottleExceeded",
                            "message=ThrottleExceeded; errorCode=003001; statusCode=429",
                            "The request limit was reached.",
                            "3001"));
        }
        if (!path.group(1).equals(REALM)) {
            return Answer.json(
                    403,
                    fault(
                            "AuthorizationFault",
                            "ApplicationAuthorizationFailed",
                            "the token is not for company " + path.group(1),
                            "003100"));
        }
        if (!"75".equals(request.query().get("minorversion"))) {
            return Answer.json(400, fault("ValidationFault", "minorversion missing", "send minorversion", "4000"));
        }
        String entity = path.group(2);
        String id = path.group(3);
        if (request.method().equals("GET")) {
            return switch (entity) {
                case "query" -> query(request.query().getOrDefault("query", ""));
                case "preferences" -> Answer.json(200, wrap("Preferences", preferences));
                case "customer" -> byId(customers, id, "Customer");
                case "item" -> byId(items, id, "Item");
                case "account" -> byId(accounts, id, "Account");
                case "taxcode" -> byId(taxCodes, id, "TaxCode");
                case "invoice" -> byId(invoices, id, "Invoice");
                default -> Answer.json(400, fault("ValidationFault", "Unsupported Operation", entity, "500"));
            };
        }
        String requestId = request.query().get("requestid");
        if (requestId != null) {
            if (requestId.isEmpty() || requestId.length() > 50) {
                return Answer.json(
                        400, fault("ValidationFault", "Invalid requestid", "1 to 50 characters: " + requestId, "2050"));
            }
            Answer first = byRequestId.get(requestId);
            if (first != null) {
                replays++;
                return first;
            }
        }
        JsonNode body = request.json();
        Answer answer =
                switch (entity) {
                    case "customer" -> customer((ObjectNode) body);
                    case "invoice" -> document((ObjectNode) body, invoices, "Invoice");
                    case "creditmemo" -> document((ObjectNode) body, creditMemos, "CreditMemo");
                    case "payment" -> payment((ObjectNode) body);
                    default -> Answer.json(400, fault("ValidationFault", "Unsupported Operation", entity, "500"));
                };
        if (requestId != null) {
            byRequestId.put(requestId, answer);
        }
        return answer;
    }

    private Answer token(Request request, String authorization) {
        String expected = "Basic "
                + Base64.getEncoder()
                        .encodeToString((CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
        if (!authorization.equals(expected)) {
            return Answer.json(401, Map.of("error", "invalid_client"));
        }
        Map<String, String> form = form(request.body());
        String grant = form.getOrDefault("grant_type", "");
        if (grant.equals("authorization_code")) {
            if (!codes.remove(form.getOrDefault("code", ""))) {
                return Answer.json(400, Map.of("error", "invalid_grant"));
            }
        } else if (grant.equals("refresh_token")) {
            if (refreshToken.isEmpty() || !refreshToken.equals(form.get("refresh_token"))) {
                return Answer.json(400, Map.of("error", "invalid_grant"));
            }
            refreshes++;
        } else {
            return Answer.json(400, Map.of("error", "unsupported_grant_type"));
        }
        String access = "eyJ-access-" + UUID.randomUUID();
        accessTokens.add(access);
        refreshToken = "AB11-refresh-" + UUID.randomUUID(); // rotates: the old one is dead from now on
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("token_type", "bearer");
        answer.put("access_token", access);
        answer.put("refresh_token", refreshToken);
        answer.put("expires_in", 3600);
        answer.put("x_refresh_token_expires_in", 8726400);
        return Answer.json(200, answer);
    }

    private Answer byId(Map<String, ObjectNode> entities, String id, String wrapper) {
        ObjectNode found = id == null ? null : entities.get(id);
        if (found == null) {
            return Answer.json(
                    400,
                    fault(
                            "ValidationFault",
                            "Object Not Found",
                            "Object Not Found : Something you're trying to use has been made inactive or is not found.",
                            "610"));
        }
        return Answer.json(200, wrap(wrapper, found));
    }

    private Answer query(String statement) {
        Matcher q = Pattern.compile("select \\* from (\\w+) where (\\w+) = '((?:[^'\\\\]|\\\\.)*)'")
                .matcher(statement);
        if (!q.matches()) {
            return Answer.json(
                    400, fault("ValidationFault", "QueryParserError", "Encountered an error: " + statement, "4000"));
        }
        String value = q.group(3).replace("\\'", "'").replace("\\\\", "\\");
        Map<String, ObjectNode> table =
                switch (q.group(1)) {
                    case "Customer" -> customers;
                    case "Invoice" -> invoices;
                    case "CreditMemo" -> creditMemos;
                    default -> Map.of();
                };
        ObjectNode answer = JSON.createObjectNode();
        ObjectNode response = answer.putObject("QueryResponse");
        List<ObjectNode> found = table.values().stream()
                .filter(e -> e.path(q.group(2)).asText().equals(value))
                .toList();
        if (!found.isEmpty()) {
            found.forEach(e -> response.withArray(q.group(1)).add(e));
            response.put("startPosition", 1).put("maxResults", found.size());
        }
        answer.put("time", "2027-03-10T00:00:00.000-08:00");
        return Answer.json(200, answer);
    }

    private Answer customer(ObjectNode body) {
        String name = body.path("DisplayName").asText("");
        if (body.has("Id")) {
            ObjectNode current = customers.get(body.get("Id").asText());
            if (current == null) {
                return byId(customers, body.get("Id").asText(), "Customer");
            }
            if (!current.get("SyncToken").asText().equals(body.path("SyncToken").asText())) {
                return Answer.json(
                        400,
                        fault(
                                "ValidationFault",
                                "Stale Object Error",
                                "Stale Object Error : You and " + "another user were working on the same thing.",
                                "5010"));
            }
            if (duplicateName(name, current.get("Id").asText())) {
                return duplicate(name);
            }
            body.fields().forEachRemaining(field -> {
                if (!field.getKey().equals("sparse") && !field.getKey().equals("SyncToken")) {
                    current.set(field.getKey(), field.getValue());
                }
            });
            current.put("SyncToken", Integer.toString(current.get("SyncToken").asInt() + 1));
            return Answer.json(200, wrap("Customer", current));
        }
        if (name.isEmpty()) {
            return Answer.json(400, fault("ValidationFault", "Required param missing", "DisplayName", "2020"));
        }
        if (duplicateName(name, "")) {
            return duplicate(name);
        }
        String id = Integer.toString(ids.incrementAndGet());
        body.put("Id", id).put("SyncToken", "0");
        customers.put(id, body);
        return Answer.json(200, wrap("Customer", body));
    }

    private boolean duplicateName(String name, String self) {
        return customers.values().stream()
                .anyMatch(c -> c.path("DisplayName").asText().equals(name)
                        && !c.path("Id").asText().equals(self));
    }

    private Answer duplicate(String name) {
        return Answer.json(
                400,
                fault(
                        "ValidationFault",
                        "Duplicate Name Exists Error",
                        "The name supplied already exists. : " + name,
                        "6240"));
    }

    private Answer document(ObjectNode body, Map<String, ObjectNode> table, String wrapper) {
        if (!customers.containsKey(body.path("CustomerRef").path("value").asText())) {
            return Answer.json(
                    400,
                    fault(
                            "ValidationFault",
                            "Invalid Reference Id",
                            "Invalid Reference Id : Customer assigned to this transaction has been deleted",
                            "2500"));
        }
        for (JsonNode line : body.path("Line")) {
            String item = line.path("SalesItemLineDetail")
                    .path("ItemRef")
                    .path("value")
                    .asText();
            if (!items.containsKey(item)) {
                return Answer.json(
                        400,
                        fault(
                                "ValidationFault",
                                "Invalid Reference Id",
                                "Invalid Reference Id : Item " + item + " not found",
                                "2500"));
            }
        }
        if (body.has("DocNumber")
                && !preferences.at("/SalesFormsPrefs/CustomTxnNumbers").asBoolean()) {
            return Answer.json(
                    400, fault("ValidationFault", "Invalid DocNumber", "Custom transaction numbers are off", "6000"));
        }
        String id = Integer.toString(ids.incrementAndGet());
        body.put("Id", id).put("SyncToken", "0");
        double total = 0;
        for (JsonNode line : body.path("Line")) {
            total += line.path("Amount").asDouble();
        }
        body.put("TotalAmt", total);
        table.put(id, body);
        return Answer.json(200, wrap(wrapper, body));
    }

    private Answer payment(ObjectNode body) {
        if (!customers.containsKey(body.path("CustomerRef").path("value").asText())) {
            return Answer.json(400, fault("ValidationFault", "Invalid Reference Id", "Customer", "2500"));
        }
        for (JsonNode line : body.path("Line")) {
            for (JsonNode linked : line.path("LinkedTxn")) {
                if (!invoices.containsKey(linked.path("TxnId").asText())) {
                    return Answer.json(
                            400,
                            fault(
                                    "ValidationFault",
                                    "Invalid Reference Id",
                                    "Invalid Reference Id : Invoice "
                                            + linked.path("TxnId").asText(),
                                    "2500"));
                }
            }
        }
        String id = Integer.toString(ids.incrementAndGet());
        body.put("Id", id).put("SyncToken", "0");
        payments.put(id, body);
        return Answer.json(200, wrap("Payment", body));
    }

    private static ObjectNode wrap(String name, JsonNode entity) {
        ObjectNode answer = JSON.createObjectNode();
        answer.set(name, entity.deepCopy());
        answer.put("time", "2027-03-10T00:00:00.000-08:00");
        return answer;
    }

    private static ObjectNode fault(String type, String message, String detail, String code) {
        ObjectNode answer = JSON.createObjectNode();
        ObjectNode fault = answer.putObject("Fault");
        fault.putArray("Error")
                .addObject()
                .put("Message", message)
                .put("Detail", detail)
                .put("code", code)
                .put("element", "");
        fault.put("type", type);
        answer.put("time", "2027-03-10T00:00:00.000-08:00");
        return answer;
    }
}
