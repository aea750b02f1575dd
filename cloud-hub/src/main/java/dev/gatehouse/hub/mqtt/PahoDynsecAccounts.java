package dev.gatehouse.hub.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.devices.BrokerAccountException;
import dev.gatehouse.hub.devices.BrokerAccounts;
import dev.gatehouse.hub.devices.DeviceAccount;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * Device accounts on Mosquitto 2 through its dynamic-security plugin: commands published as JSON on
 * {@value #CONTROL} by an admin account, each answered on {@value #RESPONSE} with its {@code
 * correlationData} (a UUID per command, so that several hub replicas on one broker can tell their
 * answers apart) and an {@code error} when it failed.
 *
 * <p>Each device gets a role of its own, {@code gatehouse-device-<id>}, that allows exactly what the
 * embedded broker allows: publish, receive, subscribe and unsubscribe under {@code
 * gh/v1/{tenant}/{site}/{device}/#} (the broker's default denies any other publish and subscription);
 * its client is the device id as user name and as the only client id it may use. Enrolling is one
 * round trip for a new device ({@code createRole} with its ACLs, {@code createClient}: two saves of
 * the plugin's file, which it rewrites whole after every change); a role that existed gets the ACLs
 * it lacks ({@code addRoleACL}); for an existing client the answer "Client already exists" leads to {@code getClient}
 * and then {@code setClientPassword} (which drops a connection made with the old password), and only
 * what differs of {@code setClientId}, {@code addClientRole} and {@code enableClient}. Retiring is
 * {@code disableClient}, which drops the connection. The plugin saves its file after each change.
 *
 * <p>The admin connection reconnects by itself; a command sent while it is down fails at once with
 * a {@link BrokerAccountException}, and after every (re)connection the {@link #onConnected}
 * listeners run (the hub reconciles there), so nothing missed is lost.
 */
public final class PahoDynsecAccounts implements BrokerAccounts {
    private static final Logger LOG = Logger.getLogger(PahoDynsecAccounts.class.getName());
    static final String CONTROL = "$CONTROL/dynamic-security/v1";
    static final String RESPONSE = CONTROL + "/response";
    /** The role that holds a device's ACLs. */
    static final String ROLE_PREFIX = "gatehouse-device-";
    /** How many accounts {@code listClients} answers at a time (each answer stays far below 400 KB). */
    private static final int PAGE = 500;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String url;
    private final String username;
    private final byte[] password;
    private final Duration timeout;
    private final MqttAsyncClient client;
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService retries;
    private final ExecutorService notifier;
    private final CompletableFuture<Void> firstReady = new CompletableFuture<>();
    private volatile boolean ready;
    private volatile boolean closed;

    private PahoDynsecAccounts(String url, String clientId, String username, String password, Duration timeout)
            throws MqttException {
        this.url = url;
        this.username = username;
        this.password = password.getBytes(StandardCharsets.UTF_8);
        this.timeout = timeout;
        this.client = new MqttAsyncClient(url, clientId, new MemoryPersistence());
        this.retries = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("broker-accounts-connect").daemon(true).factory());
        this.notifier = Executors.newSingleThreadExecutor(Thread.ofPlatform()
                .name("broker-accounts-connected")
                .daemon(true)
                .factory());
        client.setCallback(new Callback());
    }

    /**
     * Connects to the broker at {@code url} as the plugin's admin {@code username} (client id {@code
     * clientId}) and waits up to {@code timeout} for the first connection; without it the adapter keeps
     * trying in the background and each command fails until it is connected.
     */
    public static PahoDynsecAccounts connect(
            String url, String clientId, String username, String password, Duration timeout) {
        PahoDynsecAccounts accounts;
        try {
            accounts = new PahoDynsecAccounts(url, clientId, username, password, timeout);
        } catch (MqttException e) {
            throw new IllegalArgumentException("cannot make an MQTT client for " + url + ": " + e.getMessage(), e);
        }
        accounts.connect(0);
        try {
            accounts.firstReady.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // not yet: it keeps trying
        }
        if (!accounts.ready) {
            LOG.warning("not yet connected to " + accounts.description() + " as " + username
                    + "; device accounts are pushed once it is");
        }
        return accounts;
    }

    @Override
    public String description() {
        return "Mosquitto dynamic security at " + url;
    }

    /** Connected, and subscribed to the plugin's answers. */
    public boolean ready() {
        return ready && client.isConnected();
    }

    @Override
    public void onConnected(Runnable listener) {
        listeners.add(listener);
        if (ready()) {
            notifier.execute(listener);
        }
    }

    @Override
    public void enrol(DeviceAccount device, String password) {
        String id = device.deviceId();
        String role = ROLE_PREFIX + id;
        // Two commands, so two saves of the plugin's file, for a new device: the role carries its ACLs.
        ObjectNode createRole = command("createRole").put("rolename", role).put("textname", "Gatehouse device " + id);
        createRole.putArray("acls").addAll(acls(device));
        ObjectNode create = command("createClient")
                .put("username", id)
                .put("password", password)
                .put("clientid", id)
                .put("textname", "Gatehouse device " + id);
        create.putArray("roles").addObject().put("rolename", role);
        List<JsonNode> answers = send(List.of(createRole, create));
        if (check(answers.getFirst(), id, "Role already exists").isPresent()) {
            // A role of that name from before: give it any of the device's ACLs it lacks.
            List<ObjectNode> missing = new ArrayList<>();
            for (ObjectNode acl : acls(device)) {
                missing.add(command("addRoleACL").put("rolename", role).setAll(acl));
            }
            for (JsonNode answer : send(missing)) {
                check(answer, id, "ACL with this topic already exists");
            }
        }
        if (check(answers.getLast(), id, "Client already exists").isEmpty()) {
            return;
        }
        // The account exists: make it this device's again, with the new password.
        JsonNode current =
                send(List.of(command("getClient").put("username", id))).getFirst();
        check(current, id);
        JsonNode existing = current.at("/data/client");
        List<ObjectNode> update = new ArrayList<>();
        if (!id.equals(existing.path("clientid").asText())) {
            update.add(command("setClientId").put("username", id).put("clientid", id));
        }
        boolean hasRole = false;
        for (JsonNode held : existing.path("roles")) {
            hasRole |= role.equals(held.path("rolename").asText());
        }
        if (!hasRole) {
            update.add(command("addClientRole").put("username", id).put("rolename", role));
        }
        update.add(command("setClientPassword").put("username", id).put("password", password));
        if (existing.path("disabled").asBoolean(false)) {
            update.add(command("enableClient").put("username", id));
        }
        for (JsonNode answer : send(update)) {
            check(answer, id);
        }
    }

    @Override
    public void retire(String deviceId) {
        check(
                send(List.of(command("disableClient").put("username", deviceId)))
                        .getFirst(),
                deviceId,
                "Client not found");
    }

    @Override
    public Optional<List<Listed>> list() {
        List<Listed> accounts = new ArrayList<>();
        for (int offset = 0; ; offset += PAGE) {
            JsonNode answer = send(List.of(command("listClients")
                            .put("verbose", true)
                            .put("count", PAGE)
                            .put("offset", offset)))
                    .getFirst();
            check(answer, "(all)");
            JsonNode page = answer.at("/data/clients");
            for (JsonNode client : page) {
                String name = client.path("username").asText();
                if (DeviceAccount.isDeviceId(name)) {
                    accounts.add(new Listed(name, !client.path("disabled").asBoolean(false)));
                }
            }
            if (page.size() < PAGE) {
                return Optional.of(List.copyOf(accounts));
            }
        }
    }

    /**
     * Makes sure the hub's own account exists (user {@code hubUser}, role {@code gatehouse-hub}:
     * everything under {@code gh/v1/#} and the shared subscriptions {@code $share/hub/gh/v1/#}); an
     * existing account is left as it is (changing its password would drop every replica's connection).
     */
    public void ensureHubAccount(String hubUser, String hubPassword) {
        String role = "gatehouse-hub";
        List<ObjectNode> commands = new ArrayList<>();
        commands.add(command("createRole").put("rolename", role).put("textname", "Gatehouse hub"));
        List<ObjectNode> acls = new ArrayList<>();
        for (String type :
                List.of("publishClientSend", "publishClientReceive", "subscribePattern", "unsubscribePattern")) {
            acls.add(acl(type, "gh/v1/#"));
        }
        acls.add(acl("subscribePattern", "$share/hub/gh/v1/#"));
        acls.add(acl("unsubscribePattern", "$share/hub/gh/v1/#"));
        for (ObjectNode acl : acls) {
            commands.add(command("addRoleACL").put("rolename", role).setAll(acl));
        }
        ObjectNode create = command("createClient")
                .put("username", hubUser)
                .put("password", hubPassword)
                .put("textname", "Gatehouse hub");
        create.putArray("roles").addObject().put("rolename", role);
        commands.add(create);
        List<JsonNode> answers = send(commands);
        check(answers.getFirst(), hubUser, "Role already exists");
        for (int i = 1; i < answers.size() - 1; i++) {
            check(answers.get(i), hubUser, "ACL with this topic already exists");
        }
        check(answers.getLast(), hubUser, "Client already exists");
    }

    /** The device's ACLs: its own topics, and nothing else (the broker's default denies the rest). */
    static List<ObjectNode> acls(DeviceAccount device) {
        String own = device.topicPrefix() + "#";
        return List.of(
                acl("publishClientSend", own),
                acl("publishClientReceive", own),
                acl("subscribePattern", own),
                acl("unsubscribePattern", own));
    }

    private static ObjectNode acl(String type, String topic) {
        return JSON.createObjectNode()
                .put("acltype", type)
                .put("topic", topic)
                .put("priority", 0)
                .put("allow", true);
    }

    private static ObjectNode command(String name) {
        return JSON.createObjectNode().put("command", name);
    }

    /**
     * The answer's error, when it is one of {@code accepted} (an answer that means "already so"), else
     * throws it; empty when the command succeeded.
     */
    private static Optional<String> check(JsonNode answer, String subject, String... accepted) {
        JsonNode error = answer.get("error");
        if (error == null || error.isNull()) {
            return Optional.empty();
        }
        if (Set.of(accepted).contains(error.asText())) {
            return Optional.of(error.asText());
        }
        throw new BrokerAccountException(
                "the broker refused " + answer.path("command").asText() + " for " + subject + ": " + error.asText());
    }

    /** Sends the commands in one message and answers their answers in order, or throws. */
    List<JsonNode> send(List<ObjectNode> commands) {
        if (closed) {
            throw new BrokerAccountException("the hub's connection to " + description() + " is closed");
        }
        if (!ready()) {
            throw new BrokerAccountException(
                    "the hub is not connected to " + description() + " as " + username + " now (it keeps trying)");
        }
        ObjectNode message = JSON.createObjectNode();
        ArrayNode list = message.putArray("commands");
        List<String> ids = new ArrayList<>();
        List<CompletableFuture<JsonNode>> answers = new ArrayList<>();
        for (ObjectNode command : commands) {
            String id = UUID.randomUUID().toString();
            ObjectNode copy = command.deepCopy().put("correlationData", id);
            list.add(copy);
            CompletableFuture<JsonNode> answer = new CompletableFuture<>();
            pending.put(id, answer);
            ids.add(id);
            answers.add(answer);
        }
        try {
            MqttMessage publish = new MqttMessage(JSON.writeValueAsBytes(message));
            publish.setQos(1);
            client.publish(CONTROL, publish);
            long deadline = System.nanoTime() + timeout.toNanos();
            List<JsonNode> results = new ArrayList<>();
            for (int i = 0; i < answers.size(); i++) {
                long left = Math.max(1, deadline - System.nanoTime());
                try {
                    results.add(answers.get(i).get(left, TimeUnit.NANOSECONDS));
                } catch (TimeoutException e) {
                    throw new BrokerAccountException("no answer from " + description() + " to "
                            + commands.get(i).path("command").asText() + " within " + timeout.toMillis()
                            + " ms (is " + username + " allowed to publish on " + CONTROL + " and to subscribe to "
                            + RESPONSE + "?)");
                }
            }
            return results;
        } catch (MqttException e) {
            throw new BrokerAccountException("cannot send to " + description() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a dynamic-security command", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerAccountException("interrupted while waiting for " + description(), e);
        } catch (ExecutionException e) {
            throw new BrokerAccountException("lost the answer of " + description() + ": " + e.getCause(), e);
        } finally {
            ids.forEach(pending::remove);
        }
    }

    private MqttConnectionOptions options() {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(username);
        options.setPassword(password);
        options.setCleanStart(true);
        options.setKeepAliveInterval(30);
        options.setConnectionTimeout(10);
        options.setAutomaticReconnect(true);
        options.setAutomaticReconnectDelay(1, 10);
        return options;
    }

    private void connect(int attempt) {
        if (closed) {
            return;
        }
        PahoConnect.start(client, options(), error -> retry(attempt, error), maximum -> {});
    }

    private void retry(int attempt, Throwable error) {
        if (closed) {
            return;
        }
        if (attempt == 0 || attempt % 20 == 0) {
            LOG.warning("cannot connect to " + description() + " as " + username + ": " + error.getMessage()
                    + "; retrying");
        }
        long delay = Math.min(5_000, 250L << Math.min(attempt, 5));
        try {
            retries.schedule(() -> connect(attempt + 1), delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    @Override
    public void close() {
        closed = true;
        ready = false;
        retries.shutdownNow();
        notifier.shutdownNow();
        try {
            if (client.isConnected()) {
                client.disconnect().waitForCompletion(5_000);
            }
        } catch (MqttException e) {
            LOG.log(Level.FINE, "disconnecting from " + description(), e);
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            LOG.log(Level.FINE, "closing the client of " + description(), e);
        }
        pending.values().forEach(f -> f.completeExceptionally(new BrokerAccountException("closed")));
    }

    private final class Callback implements MqttCallback {
        @Override
        public void disconnected(MqttDisconnectResponse response) {
            ready = false;
            LOG.warning(
                    "lost the connection to " + description() + ": " + response.getReasonString() + "; reconnecting");
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            LOG.log(Level.WARNING, "MQTT error on the connection to " + description(), exception);
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            JsonNode answers;
            try {
                answers = JSON.readTree(message.getPayload()).path("responses");
            } catch (IOException e) {
                LOG.warning("an answer on " + RESPONSE + " is not JSON: " + e.getMessage());
                return;
            }
            for (JsonNode answer : answers) {
                CompletableFuture<JsonNode> waiting =
                        pending.get(answer.path("correlationData").asText(""));
                if (waiting != null) {
                    waiting.complete(answer);
                }
            }
        }

        @Override
        public void deliveryComplete(IMqttToken token) {}

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            try {
                client.subscribe(RESPONSE, 0, null, new MqttActionListener() {
                    @Override
                    public void onSuccess(IMqttToken token) {
                        int[] codes = token.getReasonCodes();
                        if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
                            LOG.warning(username + " may not subscribe to " + RESPONSE + " on " + description()
                                    + " (SUBACK 0x" + Integer.toHexString(codes[0])
                                    + "): give it the dynamic-security admin role");
                            return;
                        }
                        ready = true;
                        firstReady.complete(null);
                        LOG.info((reconnect ? "reconnected to " : "connected to ") + description());
                        try {
                            listeners.forEach(notifier::execute);
                        } catch (java.util.concurrent.RejectedExecutionException closed) {
                            // closed meanwhile
                        }
                    }

                    @Override
                    public void onFailure(IMqttToken token, Throwable error) {
                        LOG.warning("cannot subscribe to " + RESPONSE + " on " + description() + ": " + error);
                    }
                });
            } catch (MqttException e) {
                LOG.log(Level.WARNING, "cannot subscribe to " + RESPONSE + " on " + description(), e);
            }
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {}
    }
}
