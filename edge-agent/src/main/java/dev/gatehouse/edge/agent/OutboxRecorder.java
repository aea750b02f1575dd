package dev.gatehouse.edge.agent;

import dev.gatehouse.edge.access.DecisionRecorder;
import dev.gatehouse.edge.cache.EdgeCache;
import dev.gatehouse.protocol.message.BookingEvent;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.policy.Evaluation;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Decisions and door events go to the cache's outbox: an event alone as one autocommitted insert, a
 * pass use, a pass day or a booking's check-in, a kiosk's sign-in and the events in one transaction.
 */
final class OutboxRecorder implements DecisionRecorder {
    private final EdgeCache cache;

    OutboxRecorder(EdgeCache cache) {
        this.cache = cache;
    }

    @Override
    public boolean record(
            Envelope event,
            Optional<PassId> consumePass,
            Optional<Envelope> checkIn,
            Optional<Evaluation.PassDay> spendDay) {
        return record(event, consumePass, checkIn, spendDay, Optional.empty());
    }

    @Override
    public boolean record(
            Envelope event,
            Optional<PassId> consumePass,
            Optional<Envelope> checkIn,
            Optional<Evaluation.PassDay> spendDay,
            Optional<Consumer<EdgeCache.Transaction>> with) {
        if (consumePass.isEmpty() && checkIn.isEmpty() && spendDay.isEmpty() && with.isEmpty()) {
            cache.outbox().append(event);
            return true;
        }
        return cache.inTransaction(tx -> {
            if (consumePass.isPresent() && !tx.recordPassUse(consumePass.get(), event.id())) {
                return false;
            }
            tx.append(event);
            // A day another door recorded first is spent all the same: the tap is granted either way.
            spendDay.ifPresent(day -> tx.recordPassDay(day.grant(), day.day(), event.id()));
            if (checkIn.isPresent()) {
                Envelope report = checkIn.get();
                if (tx.recordCheckIn(report.payloadAs(BookingEvent.class).booking(), report.time(), report.id())) {
                    tx.append(report);
                }
            }
            with.ifPresent(writes -> writes.accept(tx));
            return true;
        });
    }
}
