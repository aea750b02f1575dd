package dev.gatehouse.hub.commands;

import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.sync.EdgeDevices;
import dev.gatehouse.hub.sync.EdgeLink;
import dev.gatehouse.hub.sync.EdgeMessages;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.protocol.message.Command;
import dev.gatehouse.protocol.message.CommandAck;
import dev.gatehouse.protocol.message.CommandAction;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.sign.SignedMessages;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Issues commands to a site's edges — stored, signed with the tenant's active key (envelope id = the
 * command id, envelope time = its issue time), published to every active device of the site on its
 * {@code commands} topic — and records their {@code command.ack} answers.
 */
public record Commands(Database database, CommandStore store, EdgeDevices devices, EdgeLink link, Clock clock) {
    private static final Logger LOG = Logger.getLogger(Commands.class.getName());

    /** Default expiry of an unlock-once command. */
    public static final Duration UNLOCK_EXPIRY = Duration.ofSeconds(30);
    /** Default expiry of every other command. */
    public static final Duration DEFAULT_EXPIRY = Duration.ofMinutes(5);
    /** Longest expiry a caller may ask for. */
    public static final Duration MAX_EXPIRY = Duration.ofHours(1);

    public Commands(Database database, EdgeDevices devices, EdgeLink link, Clock clock) {
        this(database, new CommandStore(database, clock), devices, link, clock);
    }

    public static Duration defaultExpiry(CommandAction action) {
        return action instanceof CommandAction.UnlockOnce ? UNLOCK_EXPIRY : DEFAULT_EXPIRY;
    }

    /** Stores, signs and publishes a command to the site's active devices (the caller checked site and doors). */
    public CommandView issue(String tenantId, String siteId, CommandAction action, Duration expiresIn) {
        Instant issuedAt = Instant.ofEpochMilli(clock.millis());
        Instant expiresAt = issuedAt.plus(expiresIn);
        String id = HubIds.next("cmd");
        record Signer(String slug, ECKey key) {}
        Signer signer = database.read(c -> new Signer(
                TenantStore.slug(c, tenantId), TenantStore.activeSigningKey(c, database.masterKey(), tenantId)));
        List<String> targets = devices.active(tenantId, siteId);
        store.create(tenantId, id, siteId, CommandActions.write(action), issuedAt, expiresAt, targets);
        String jws = SignedMessages.sign(
                new Envelope(id, issuedAt, new Command(signer.slug(), siteId, expiresAt, action)), signer.key());
        byte[] payload = jws.getBytes(StandardCharsets.US_ASCII);
        for (String device : targets) {
            link.publish(Topic.of(signer.slug(), siteId, device, Channel.COMMANDS), payload);
        }
        LOG.info("command " + id + " to site " + siteId + " sent to " + targets.size() + " device(s)");
        return store.find(tenantId, id).orElseThrow();
    }

    /**
     * The {@code command-ack} handler: records the answer of the device the topic names, for a
     * command of that device's site. Anything else is logged and ignored; never throws.
     */
    public void handleAck(Topic topic, byte[] payload) {
        try {
            Optional<EdgeMessages.Received<CommandAck>> received =
                    EdgeMessages.read(devices, clock, topic, payload, Channel.COMMAND_ACK, CommandAck.class, LOG);
            if (received.isEmpty()) {
                return;
            }
            CommandAck ack = received.get().message();
            EdgeDevices.Device d = received.get().device();
            if (!store.acknowledge(
                    d.tenantId(), d.siteId(), d.deviceId(), ack.commandId(), ack.status(), ack.detail())) {
                LOG.info("command ack from " + d.deviceId() + " for command " + ack.commandId()
                        + " changed nothing (unknown, not sent to it, another site's, or already answered)");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot record the command ack on " + topic + ": " + e, e);
        }
    }
}
