package dev.gatehouse.edge.access;

import dev.gatehouse.edge.cache.EdgeCache;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.policy.Evaluation;
import java.util.Optional;
import java.util.function.Consumer;

/** Where decisions and door events go before anything moves: the edge's outbox. */
public interface DecisionRecorder {
    /**
     * Records {@code event} durably. When {@code consumePass} is present, first records the single
     * use of that visitor pass, in the same transaction: if the pass was already used, nothing is
     * written and the result is {@code false}. When {@code checkIn} (an {@code event.booking}
     * {@code checked-in}) is present, records the booking's check-in in the same transaction and,
     * if it is the booking's first, appends {@code checkIn} too; a booking already checked in here
     * changes nothing. When {@code spendDay} is present, records that day of the entry-limited grant
     * in the same transaction (a day already recorded, by another door, changes nothing).
     *
     * @throws RuntimeException when the event cannot be stored; the caller then does not unlock
     */
    boolean record(
            Envelope event,
            Optional<PassId> consumePass,
            Optional<Envelope> checkIn,
            Optional<Evaluation.PassDay> spendDay);

    /**
     * As {@link #record(Envelope, Optional, Optional, Optional)}, with {@code with}'s writes (a kiosk's
     * sign-in) in the same transaction when the event is recorded; when the pass was used already
     * ({@code false}), {@code with} does not run.
     */
    default boolean record(
            Envelope event,
            Optional<PassId> consumePass,
            Optional<Envelope> checkIn,
            Optional<Evaluation.PassDay> spendDay,
            Optional<Consumer<EdgeCache.Transaction>> with) {
        if (with.isPresent()) {
            throw new UnsupportedOperationException("this recorder cannot record a sign-in with a decision");
        }
        return record(event, consumePass, checkIn, spendDay);
    }
}
