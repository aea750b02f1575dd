package dev.gatehouse.edge.sync;

import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.Command;
import dev.gatehouse.protocol.message.CommandAction;
import dev.gatehouse.protocol.message.CommandStatus;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.sign.Inbound;
import dev.gatehouse.protocol.sign.Jws;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.topic.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Signed commands from the hub: verified (signature, tenant and site, expiry, clock), asked whether
 * they concern this device's doors, checked against replay, then executed on the doors, and each
 * acknowledged. A command whose signature does not verify is not acknowledged (its id cannot be
 * trusted) and becomes one of the state's problems; an expired one is {@code expired}; while the
 * clock is untrusted only lockdown runs, and an emergency release that the hub's own time shows to be
 * fresh ({@link SyncClient.Host#refuseByHubTime}). Executed ids are kept until the later of {@code expiresAt}
 * and 24 h.
 */
final class CommandInbox {
    private static final Duration REMEMBER_AT_LEAST = Duration.ofHours(24);

    /** The cache's record of executed command ids. */
    @FunctionalInterface
    interface CommandIds {
        /** Remembers {@code id} until {@code keepUntil}; false when it was already remembered (a replay). */
        boolean remember(String id, Instant keepUntil, Instant now);
    }

    private final Topic topic;
    private final Supplier<KeySet> trustedKeys;
    private final CommandIds ids;
    private final CommandExecutor commands;
    private final SyncClient.Host host;
    private final CommandAcks acks;
    private final StatePublisher state;
    private final Clock clock;

    /** @param topic this device's {@code commands} topic, the one a command must be signed for */
    CommandInbox(
            Topic topic,
            Supplier<KeySet> trustedKeys,
            CommandIds ids,
            CommandExecutor commands,
            SyncClient.Host host,
            CommandAcks acks,
            StatePublisher state,
            Clock clock) {
        this.topic = topic;
        this.trustedKeys = trustedKeys;
        this.ids = ids;
        this.commands = commands;
        this.host = host;
        this.acks = acks;
        this.state = state;
        this.clock = clock;
    }

    /** Handles a message on {@code commands}. */
    void receive(byte[] payload) {
        KeySet keys = trustedKeys.get();
        Instant now = clock.instant();
        Envelope envelope;
        try {
            envelope = Inbound.read(topic, payload, keys, now, host.clockStatus());
        } catch (ProtocolException e) {
            refused(payload, keys, e);
            return;
        }
        run(envelope, envelope.payloadAs(Command.class), now);
    }

    /** Runs a command that passed: unless it is for no door here or a replay, on the doors. */
    private void run(Envelope envelope, Command command, Instant now) {
        Optional<CommandExecutor.Outcome> away = commands.notHere(command.action());
        if (away.isPresent()) {
            acks.ack(envelope.id(), away.get().status(), away.get().detail());
            return;
        }
        Instant keepUntil = command.expiresAt().isAfter(now.plus(REMEMBER_AT_LEAST))
                ? command.expiresAt()
                : now.plus(REMEMBER_AT_LEAST);
        if (!ids.remember(envelope.id(), keepUntil, now)) {
            acks.ack(
                    envelope.id(),
                    CommandStatus.REJECTED,
                    "replay: command " + envelope.id() + " was already received");
            return;
        }
        commands.execute(command.action()).whenComplete((outcome, failure) -> {
            if (failure != null) {
                acks.ack(envelope.id(), CommandStatus.REJECTED, StatePublisher.clip("failed: " + failure.getMessage()));
            } else {
                acks.ack(envelope.id(), outcome.status(), outcome.detail());
            }
        });
    }

    /** A command that did not pass: acknowledged if its signature verified, else only a problem. */
    private void refused(byte[] payload, KeySet keys, ProtocolException e) {
        Optional<Envelope> signed = signedButRefused(payload, keys);
        if (signed.isEmpty() || !(signed.get().payload() instanceof Command command)) {
            state.problem("rejected a command whose signature or form is bad (not executed): " + e.error() + " "
                    + e.getMessage());
            return;
        }
        String id = signed.get().id();
        boolean clockRefused = e.error() == ProtocolError.CLOCK_UNTRUSTED
                || (e.error() == ProtocolError.EXPIRED && host.clockStatus() == ClockStatus.UNTRUSTED);
        if (clockRefused && command.action() instanceof CommandAction.EmergencyRelease) {
            // Life safety: judged by the hub's time instead of a wall clock that cannot be believed.
            Optional<String> refusal = host.refuseByHubTime(signed.get().time(), command.expiresAt());
            if (refusal.isEmpty()) {
                run(signed.get(), command, clock.instant());
            } else {
                acks.ack(
                        id,
                        CommandStatus.REJECTED,
                        StatePublisher.clip("clock untrusted, and by the hub's time: " + refusal.get()));
            }
            return;
        }
        Optional<CommandExecutor.Outcome> away =
                e.error() == ProtocolError.EXPIRED || e.error() == ProtocolError.CLOCK_UNTRUSTED
                        ? commands.notHere(command.action())
                        : Optional.empty();
        if (away.isPresent()) {
            acks.ack(id, away.get().status(), away.get().detail());
        } else if (e.error() == ProtocolError.EXPIRED) {
            acks.ack(id, CommandStatus.EXPIRED, "expired at " + command.expiresAt() + "; not executed");
        } else if (e.error() == ProtocolError.CLOCK_UNTRUSTED) {
            acks.ack(id, CommandStatus.REJECTED, "clock untrusted: only lockdown and emergency release are executed");
        } else {
            acks.ack(id, CommandStatus.REJECTED, StatePublisher.clip(e.error() + ": " + e.getMessage()));
        }
    }

    /** A command whose signature verified but that was refused after (expired, clock, audience). */
    private static Optional<Envelope> signedButRefused(byte[] payload, KeySet keys) {
        try {
            return Optional.of(MessageCodec.decode(Jws.verify(new String(payload, StandardCharsets.US_ASCII), keys)));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
