package dev.gatehouse.edge.sync;

import dev.gatehouse.edge.cache.EdgeCache;
import dev.gatehouse.edge.cache.Outbox;
import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.time.Clock;
import java.util.function.LongSupplier;

/**
 * The parts of the hub link that know nothing of MQTT, wired to one cache, one {@link HubLink} and
 * one {@link SyncWorker}: each part gets only the few cache operations it uses, as method references.
 */
record SyncParts(
        StatePublisher state,
        SyncRequests requests,
        BatchReceiver batches,
        OutboxDrain drain,
        CommandAcks acks,
        InboundRouter router) {

    static SyncParts wire(
            EdgeConfig.Site site,
            EdgeConfig.Hub hub,
            EdgeCache cache,
            SyncClient.Host host,
            CommandExecutor commands,
            HubLink link,
            SyncWorker worker,
            Clock clock,
            LongSupplier ticker) {
        Outbox outbox = cache.outbox();
        OutboxDrain drain = new OutboxDrain(
                new OutboxDrain.Outbox((max, held) -> outbox.peek(max, held), outbox::acknowledge, outbox::depth),
                hub.inFlight(),
                hub.ackTimeout(),
                link,
                worker,
                ticker);
        StatePublisher state = new StatePublisher(
                new StatePublisher.Inputs(site, host, cache::seq, drain::depth, drain::stalled),
                hub.stateInterval(),
                link,
                worker,
                clock,
                ticker);
        SyncRequests requests =
                new SyncRequests(site.id(), cache::seq, hub.stateInterval(), link, worker, clock, ticker);
        BatchReceiver batches = new BatchReceiver(
                new BatchReceiver.Cache(cache::trustedKeys, cache::apply, cache::offer), host, requests, state, clock);
        CommandAcks acks = new CommandAcks(link, clock);
        CommandInbox inbox = new CommandInbox(
                Topic.of(site.tenant(), site.id(), site.device(), Channel.COMMANDS),
                cache::trustedKeys,
                cache::rememberCommand,
                commands,
                host,
                acks,
                state,
                clock);
        HubTimes times = new HubTimes(cache::trustedKeys, requests, host, state, drain, clock);
        InboundRouter router = new InboundRouter(site, batches, drain, inbox, times, state, host, clock);
        return new SyncParts(state, requests, batches, drain, acks, router);
    }

    /**
     * A new session is up: what was in flight goes again, the state and a sync request go out, then
     * the command acks kept meanwhile, then the outbox. Worker only.
     */
    void sessionUp() {
        drain.linkUp();
        state.publish();
        requests.now();
        acks.sendPending();
        drain.drain();
    }

    /** Once a second while connected: the outbox, and the state and request heartbeats. Worker only. */
    void tick() {
        drain.drain();
        state.heartbeat();
        requests.heartbeat();
    }
}
