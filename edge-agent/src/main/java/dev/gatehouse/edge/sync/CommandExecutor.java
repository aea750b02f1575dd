package dev.gatehouse.edge.sync;

import dev.gatehouse.protocol.message.CommandAction;
import dev.gatehouse.protocol.message.CommandStatus;
import java.util.concurrent.CompletableFuture;

/** Carries out a verified, fresh command on the doors, and says how it went. */
@FunctionalInterface
public interface CommandExecutor {
    /** The outcome for {@code command.ack}. */
    record Outcome(CommandStatus status, String detail) {}

    /** Executes {@code action} (on each door's queue); never throws, completes with the outcome. */
    CompletableFuture<Outcome> execute(CommandAction action);
}
