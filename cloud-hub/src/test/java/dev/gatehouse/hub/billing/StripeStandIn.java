package dev.gatehouse.hub.billing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A local stand-in for Stripe's API, for tests: a real HTTP server on a free loopback port that
 * speaks the documented shapes of the calls the hub makes (form-encoded {@code POST /v1/customers},
 * {@code /v1/setup_intents}, {@code /v1/setup_intents/{id}/confirm}, {@code /v1/payment_intents};
 * {@code Authorization: Bearer sk_…}; an {@code Idempotency-Key} replays the first answer, and the
 * same key with other parameters is Stripe's {@code idempotency_error}), and that sends webhooks
 * signed as Stripe signs them ({@code Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.payload">}),
 * with the faults real webhooks have: duplicates, reordering, late delivery and forged signatures.
 * The official stripe-java client is pointed at it ({@code hub.stripe.api-base}); nothing leaves
 * the machine.
 *
 * <p>Checkout: {@code POST /v1/checkout/sessions} ({@code mode=payment}, {@code line_items} with
 * {@code price_data}) answers a session whose {@code url} is a tiny hosted page here ({@code GET
 * /checkout/{id}}: the amount and a Pay button). Paying there marks the session paid with a new
 * PaymentIntent, sends the account's webhook endpoint ({@link #webhooks}) a signed {@code
 * checkout.session.completed} — unless webhooks are held ({@link #holdWebhooks}) to be delivered late —
 * and sends the browser to the session's {@code success_url}.
 */
public final class StripeStandIn implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final HttpServer server;
    private final Clock clock;
    private final AtomicInteger ids = new AtomicInteger();
    /** The secret keys accepted, each an account of its own. */
    private final Map<String, Account> accounts = new ConcurrentHashMap<>();

    /** What one API key made: objects by id, and the idempotent answers by key. */
    private static final class Account {
        volatile Endpoint endpoint;
        final List<ObjectNode> held = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile boolean hold;
        final Map<String, ObjectNode> objects = new ConcurrentHashMap<>();
        final Map<String, Answer> idempotent = new ConcurrentHashMap<>();
        final List<String> requests = java.util.Collections.synchronizedList(new ArrayList<>());
    }

    private record Answer(String request, int status, String body) {}

    /** Where an account's webhooks go: the hub's endpoint for the tenant, signed with its secret. */
    private record Endpoint(URI hub, String tenantId, String secret) {}

    private StripeStandIn(HttpServer server, Clock clock) {
        this.server = server;
        this.clock = clock;
    }

    /** Starts on a free loopback port; {@code clock} dates the objects and signs the webhooks. */
    public static StripeStandIn start(Clock clock) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            StripeStandIn standIn = new StripeStandIn(server, clock);
            server.createContext("/v1/", standIn::handle);
            server.createContext("/checkout/", standIn::checkoutPage);
            server.setExecutor(Executors.newFixedThreadPool(4));
            server.start();
            return standIn;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI apiBase() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Opens an account: its secret API key is accepted from now on. */
    public String newSecretKey() {
        String key = "sk_test_standin" + ids.incrementAndGet() + "x" + Long.toHexString(System.nanoTime());
        accounts.put(key, new Account());
        return key;
    }

    /** The objects of one kind ({@code customer}, {@code setup_intent}, {@code payment_intent}) the key made. */
    public List<ObjectNode> objects(String key, String kind) {
        return accounts.get(key).objects.values().stream()
                .filter(o -> o.path("object").asText().equals(kind))
                .toList();
    }

    /** Every request the key sent, as {@code "POST /v1/customers"}, replays included. */
    public List<String> requests(String key) {
        return List.copyOf(accounts.get(key).requests);
    }

    /** Plays the member's browser confirming the SetupIntent with a card (Stripe.js would): its object now. */
    ObjectNode confirmSetupIntent(String key, String setupIntentId) {
        Account account = accounts.get(key);
        synchronized (account) {
            confirmed(account, setupIntentId, "pm_card_visa_" + ids.incrementAndGet());
            return account.objects.get(setupIntentId).deepCopy();
        }
    }

    /** Sends the account's webhooks (from its hosted Checkout page) to the hub's endpoint for the tenant. */
    public void webhooks(String key, URI hub, String tenantId, String secret) {
        accounts.get(key).endpoint = new Endpoint(hub, tenantId, secret);
    }

    /** Holds the account's webhooks from now on (a slow Stripe), or lets them go at once again. */
    public void holdWebhooks(String key, boolean hold) {
        accounts.get(key).hold = hold;
    }

    /** The events held so far, taken: the test delivers them when (and as often as) it likes. */
    public List<ObjectNode> takeHeld(String key) {
        Account account = accounts.get(key);
        synchronized (account.held) {
            List<ObjectNode> taken = List.copyOf(account.held);
            account.held.clear();
            return taken;
        }
    }

    /** The Checkout Session's object as it is now. */
    public ObjectNode checkoutSession(String key, String sessionId) {
        return accounts.get(key).objects.get(sessionId).deepCopy();
    }

    /**
     * Plays the buyer paying on the hosted page, without delivering anything: the session is paid
     * (once: paying again answers it as it is) and the {@code checkout.session.completed} event about
     * it is answered, for the test to deliver.
     */
    public ObjectNode payCheckout(String key, String sessionId) {
        Account account = accounts.get(key);
        synchronized (account) {
            ObjectNode session = paid(account.objects.get(sessionId));
            return event("checkout.session.completed", session);
        }
    }

    private ObjectNode paid(ObjectNode session) {
        if (!"paid".equals(session.path("payment_status").asText())) {
            session.put("status", "complete")
                    .put("payment_status", "paid")
                    .put("payment_intent", "pi_" + ids.incrementAndGet());
        }
        return session.deepCopy();
    }

    /** The hosted page: GET shows the amount and a Pay button; POST pays, sends the webhook, and redirects. */
    private void checkoutPage(HttpExchange exchange) throws IOException {
        try (exchange) {
            String id = exchange.getRequestURI().getPath().substring("/checkout/".length());
            Optional<Map.Entry<String, Account>> owner = accounts.entrySet().stream()
                    .filter(e -> e.getValue().objects.containsKey(id))
                    .findFirst();
            if (owner.isEmpty()) {
                page(exchange, 404, "<h1>No such checkout session</h1>");
                return;
            }
            Account account = owner.get().getValue();
            ObjectNode session = account.objects.get(id);
            if (exchange.getRequestMethod().equals("GET")) {
                String amount = java.math.BigDecimal.valueOf(
                                        session.path("amount_total").asLong(), 2)
                                .toPlainString() + " "
                        + session.path("currency").asText().toUpperCase(java.util.Locale.ROOT);
                page(
                        exchange,
                        200,
                        "<h1>Stripe stand-in checkout</h1><p id=\"amount\">" + escape(amount) + "</p><p>"
                                + escape(session.path("line_items_name").asText()) + "</p><form method=\"post\">"
                                + "<label for=\"card\">Card number</label> <input id=\"card\" name=\"card\""
                                + " value=\"4242 4242 4242 4242\"> <button type=\"submit\" id=\"stripe-pay\">Pay "
                                + escape(amount) + "</button></form>");
                return;
            }
            exchange.getRequestBody().readAllBytes();
            ObjectNode event;
            synchronized (account) {
                event = event("checkout.session.completed", paid(session));
            }
            Endpoint endpoint = account.endpoint;
            if (account.hold || endpoint == null) {
                account.held.add(event);
            } else {
                deliver(endpoint.hub(), endpoint.tenantId(), sign(event, endpoint.secret()));
            }
            exchange.getResponseHeaders()
                    .add("Location", session.path("success_url").asText());
            exchange.sendResponseHeaders(303, -1);
        }
    }

    private static void page(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Checkout</title></head>"
                        + "<body><main>" + body + "</main></body></html>")
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }

    // ---- the API ----

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            String auth = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Authorization"))
                    .orElse("");
            Account account = auth.startsWith("Bearer ") ? accounts.get(auth.substring(7)) : null;
            if (account == null) {
                send(exchange, 401, error("invalid_request_error", "Invalid API Key provided"));
                return;
            }
            account.requests.add(method + " " + path);
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            if (key != null && method.equals("POST")) {
                Answer first = account.idempotent.get(key);
                if (first != null) {
                    if (!first.request().equals(path + "?" + body)) {
                        send(
                                exchange,
                                400,
                                error(
                                        "idempotency_error",
                                        "Keys for idempotent requests can only be used with the same parameters"
                                                + " they were first used with."));
                        return;
                    }
                    exchange.getResponseHeaders().add("Idempotent-Replayed", "true");
                    send(exchange, first.status(), first.body());
                    return;
                }
            }
            Answer answer;
            synchronized (account) {
                answer = route(account, method, path, form(body));
                if (key != null && method.equals("POST")) {
                    Answer raced = account.idempotent.putIfAbsent(
                            key, new Answer(path + "?" + body, answer.status(), answer.body()));
                    if (raced != null) {
                        answer = raced;
                    }
                }
            }
            send(exchange, answer.status(), answer.body());
        }
    }

    private Answer route(Account account, String method, String path, Map<String, String> form) {
        if (!method.equals("POST")) {
            return new Answer("", 404, error("invalid_request_error", "Unrecognized request URL (" + method + ")"));
        }
        String[] parts = path.split("/");
        return switch (path) {
            case "/v1/customers" -> created(account, customer(form));
            case "/v1/setup_intents" -> created(account, setupIntent(form));
            case "/v1/payment_intents" -> created(account, paymentIntent(form));
            case "/v1/checkout/sessions" -> checkoutSession(account, form);
            default -> {
                if (parts.length == 5 && parts[2].equals("setup_intents") && parts[4].equals("confirm")) {
                    yield confirmed(account, parts[3], form.getOrDefault("payment_method", "pm_card_visa"));
                }
                yield new Answer(
                        "", 404, error("invalid_request_error", "Unrecognized request URL (POST " + path + ")"));
            }
        };
    }

    private Answer created(Account account, ObjectNode object) {
        account.objects.put(object.get("id").asText(), object);
        return new Answer("", 200, object.toString());
    }

    private ObjectNode base(String prefix, String kind) {
        return JSON.createObjectNode()
                .put("id", prefix + "_" + ids.incrementAndGet())
                .put("object", kind)
                .put("created", clock.instant().getEpochSecond())
                .put("livemode", false);
    }

    private ObjectNode customer(Map<String, String> form) {
        ObjectNode customer =
                base("cus", "customer").put("email", form.get("email")).put("name", form.get("name"));
        customer.set("metadata", metadata(form));
        return customer;
    }

    private ObjectNode setupIntent(Map<String, String> form) {
        ObjectNode intent = base("seti", "setup_intent");
        intent.put("client_secret", intent.get("id").asText() + "_secret_standin")
                .put("customer", form.get("customer"))
                .put("usage", form.getOrDefault("usage", "off_session"))
                .put("status", "requires_payment_method")
                .putNull("payment_method");
        intent.putArray("payment_method_types").add(form.getOrDefault("payment_method_types[0]", "card"));
        intent.set("metadata", metadata(form));
        return intent;
    }

    private Answer confirmed(Account account, String id, String paymentMethod) {
        ObjectNode intent = account.objects.get(id);
        if (intent == null) {
            return new Answer("", 404, error("invalid_request_error", "No such setupintent: '" + id + "'"));
        }
        intent.put("status", "succeeded").put("payment_method", paymentMethod);
        return new Answer("", 200, intent.toString());
    }

    private ObjectNode paymentIntent(Map<String, String> form) {
        ObjectNode intent = base("pi", "payment_intent");
        long amount = Long.parseLong(form.get("amount"));
        intent.put("amount", amount)
                .put("amount_received", 0)
                .put("currency", form.get("currency"))
                .put("customer", form.get("customer"))
                .put("payment_method", form.get("payment_method"))
                .put("description", form.get("description"))
                .put("client_secret", intent.get("id").asText() + "_secret_standin")
                // Off-session card payments settle asynchronously here: the webhook says how it ended.
                .put("status", "true".equals(form.get("confirm")) ? "processing" : "requires_confirmation")
                .put("latest_charge", "ch_" + ids.incrementAndGet());
        intent.set("metadata", metadata(form));
        return intent;
    }

    /** A Checkout Session in {@code payment} mode; refused as Stripe refuses what the hub must never send. */
    private Answer checkoutSession(Account account, Map<String, String> form) {
        if (!"payment".equals(form.get("mode"))) {
            return new Answer("", 400, error("invalid_request_error", "Missing required param: mode."));
        }
        if (form.get("success_url") == null || form.get("line_items[0][price_data][unit_amount]") == null) {
            return new Answer(
                    "", 400, error("invalid_request_error", "Missing required param: line_items or success_url."));
        }
        long total = 0;
        for (int i = 0; form.containsKey("line_items[" + i + "][price_data][unit_amount]"); i++) {
            total += Long.parseLong(form.get("line_items[" + i + "][price_data][unit_amount]"))
                    * Long.parseLong(form.getOrDefault("line_items[" + i + "][quantity]", "1"));
        }
        ObjectNode session = base("cs_test", "checkout.session");
        session.put("mode", "payment")
                .put("status", "open")
                .put("payment_status", "unpaid")
                .put("amount_total", total)
                .put("amount_subtotal", total)
                .put("currency", form.get("line_items[0][price_data][currency]"))
                .put("client_reference_id", form.get("client_reference_id"))
                .put("customer_email", form.get("customer_email"))
                .put("success_url", form.get("success_url"))
                .put("cancel_url", form.get("cancel_url"))
                .put("line_items_name", form.get("line_items[0][price_data][product_data][name]"))
                .putNull("payment_intent")
                .put("url", apiBase() + "/checkout/" + session.get("id").asText());
        session.set("metadata", metadata(form));
        return created(account, session);
    }

    private static ObjectNode metadata(Map<String, String> form) {
        ObjectNode metadata = JSON.createObjectNode();
        form.forEach((name, value) -> {
            if (name.startsWith("metadata[") && name.endsWith("]")) {
                metadata.put(name.substring(9, name.length() - 1), value);
            }
        });
        return metadata;
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            String[] kv = pair.split("=", 2);
            form.put(
                    URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                    kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        return form;
    }

    private static String error(String type, String message) {
        ObjectNode error = JSON.createObjectNode();
        error.putObject("error").put("type", type).put("message", message);
        return error.toString();
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.getResponseHeaders().add("Request-Id", "req_standin");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    // ---- webhooks ----

    /** An event of {@code type} about {@code object} (a copy), as Stripe sends it, with a new id. */
    public ObjectNode event(String type, ObjectNode object) {
        ObjectNode event =
                base("evt", "event").put("api_version", "2025-01-27.acacia").put("type", type);
        event.putObject("data").set("object", object.deepCopy());
        event.put("pending_webhooks", 1);
        event.putObject("request").putNull("id").putNull("idempotency_key");
        return event;
    }

    /** The PaymentIntent as it is when it has succeeded, with its charge. */
    ObjectNode succeeded(ObjectNode paymentIntent) {
        ObjectNode done = paymentIntent.deepCopy();
        return done.put("status", "succeeded")
                .put("amount_received", done.get("amount").asLong());
    }

    /** The PaymentIntent as it is when the card was declined. */
    ObjectNode declined(ObjectNode paymentIntent) {
        ObjectNode failed = paymentIntent.deepCopy().put("status", "requires_payment_method");
        failed.putObject("last_payment_error")
                .put("type", "card_error")
                .put("code", "card_declined")
                .put("message", "Your card was declined.");
        return failed;
    }

    /** The PaymentIntent's charge after refunds adding up to {@code refundedSoFar}. */
    ObjectNode refundedCharge(ObjectNode paymentIntent, long refundedSoFar) {
        ObjectNode charge = JSON.createObjectNode()
                .put("id", paymentIntent.get("latest_charge").asText())
                .put("object", "charge")
                .put("amount", paymentIntent.get("amount").asLong())
                .put("amount_captured", paymentIntent.get("amount").asLong())
                .put("amount_refunded", refundedSoFar)
                .put("refunded", refundedSoFar == paymentIntent.get("amount").asLong())
                .put("currency", paymentIntent.get("currency").asText())
                .put("payment_intent", paymentIntent.get("id").asText())
                .put("status", "succeeded");
        charge.set("metadata", paymentIntent.get("metadata").deepCopy());
        return charge;
    }

    /** A webhook signed now with {@code secret}, to deliver now or later (a late delivery). */
    public Signed sign(ObjectNode event, String secret) {
        String payload = event.toString();
        long t = clock.instant().getEpochSecond();
        return new Signed(payload, "t=" + t + ",v1=" + hmac(secret, t + "." + payload));
    }

    /** A webhook whose signature is made with the wrong secret: a forgery. */
    public Signed forged(ObjectNode event) {
        return sign(event, "whsec_forgedforgedforged");
    }

    /** One signed delivery: the body exactly as signed, and its Stripe-Signature header. */
    public record Signed(String payload, String signature) {
        /** The same signature over a body changed after signing. */
        public Signed tampered(String from, String to) {
            return new Signed(payload.replace(from, to), signature);
        }
    }

    /** Delivers to the hub's endpoint for the tenant, as Stripe's webhook sender does. */
    public Delivered deliver(URI hub, String tenantId, Signed signed) {
        HttpRequest request = HttpRequest.newBuilder(hub.resolve("/billing/stripe/webhook/" + tenantId))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json; charset=utf-8")
                .header("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
                .header("Stripe-Signature", signed.signature())
                .POST(HttpRequest.BodyPublishers.ofString(signed.payload(), StandardCharsets.UTF_8))
                .build();
        try {
            HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            return new Delivered(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The hub's answer to one delivery. */
    public record Delivered(int status, String body) {
        public ObjectNode json() {
            try {
                return (ObjectNode) JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Delivers {@code events}, each signed now, as Stripe's retries and network do at worst: every
     * event {@code copies} times, in the order {@code order} gives (indexes into the copies).
     */
    List<Delivered> deliverAll(URI hub, String tenantId, String secret, List<ObjectNode> events, Faults faults) {
        List<Signed> copies = new ArrayList<>();
        for (ObjectNode event : events) {
            for (int i = 0; i < faults.copies(); i++) {
                copies.add(sign(event, secret));
            }
        }
        java.util.Collections.shuffle(copies, new java.util.Random(faults.seed()));
        List<Delivered> answers = new ArrayList<>();
        for (Signed signed : copies) {
            answers.add(deliver(hub, tenantId, signed));
        }
        return answers;
    }

    /** Duplicates ({@code copies} of each event) and reordering (a shuffle seeded by {@code seed}). */
    record Faults(int copies, long seed) {}

    private static String hmac(String secret, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
