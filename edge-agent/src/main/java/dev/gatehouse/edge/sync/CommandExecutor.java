package dev.gatehouse.edge.sync;

import dev.gatehouse.protocol.message.CommandAction;
import dev.gatehouse.protocol.message.CommandStatus;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Carries out a verified, fresh command on the doors, and says how it went. */
@FunctionalInterface
public interface CommandExecutor {
    /** The outcome for {@code command.ack}. */
    record Outcome(CommandStatus status, String detail) {}

    /** Executes {@code action} (on each door's queue); never throws, completes with the outcome. */
    CompletableFuture<Outcome> execute(CommandAction action);

    /**
     * The {@code not-here} outcome when none of the doors {@code action} names is on this device (a
     * site may have several edges, and the hub sends every command to each); empty when it concerns
     * this device. Asked before expiry, clock and replay are judged, so that an edge without the door
     * never reads as a refusal.
     */
    default Optional<Outcome> notHere(CommandAction action) {
        return Optional.empty();
    }
}
