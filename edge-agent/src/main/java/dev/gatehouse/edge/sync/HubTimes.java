package dev.gatehouse.edge.sync;

import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.HubTime;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.sign.Inbound;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.topic.Topic;
import java.time.Clock;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * The hub's signed {@code hub.time} answers to this device's sync requests: verified like every
 * signed message, matched to the request they answer (when this process sent it), and handed to the
 * agent's clock trust; what it says the hub reads decides whether the state carries the rooms and whether kiosk events go. One
 * that does not verify changes nothing and becomes a problem in the state.
 */
final class HubTimes {
    private final Supplier<KeySet> trustedKeys;
    private final SyncRequests requests;
    private final SyncClient.Host host;
    private final StatePublisher state;
    private final OutboxDrain drain;
    private final Clock clock;

    HubTimes(
            Supplier<KeySet> trustedKeys,
            SyncRequests requests,
            SyncClient.Host host,
            StatePublisher state,
            OutboxDrain drain,
            Clock clock) {
        this.trustedKeys = trustedKeys;
        this.requests = requests;
        this.host = host;
        this.state = state;
        this.drain = drain;
        this.clock = clock;
    }

    void receive(Topic topic, byte[] payload) {
        Envelope envelope;
        try {
            // A time message carries no expiry: the clock's own trust plays no part in reading it.
            envelope = Inbound.read(topic, payload, trustedKeys.get(), clock.instant(), ClockStatus.TRUSTED);
        } catch (ProtocolException e) {
            state.problem("rejected a hub.time (not used): " + e.error() + " " + e.getMessage());
            return;
        }
        HubTime time = envelope.payloadAs(HubTime.class);
        state.hubReads(time.reads());
        drain.hubReads(time.reads());
        OptionalLong sent = requests.sentAt(time.inReplyTo());
        if (sent.isPresent()) {
            host.hubTimeAnswered(envelope.time(), sent.getAsLong());
        } else {
            host.hubTimeReceived(envelope.time()); // still a lower bound, like a batch's time
        }
    }
}
