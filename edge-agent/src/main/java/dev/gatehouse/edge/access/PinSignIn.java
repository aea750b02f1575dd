package dev.gatehouse.edge.access;

import dev.gatehouse.edge.cache.EdgeCache;
import dev.gatehouse.protocol.message.AccessEvent;
import java.time.Instant;

/**
 * A kiosk's sign-in riding on a visitor's PIN ({@link DecisionService#presentPin(
 * dev.gatehouse.edge.door.DoorController, String, java.util.Optional)}): claimed on the door's queue
 * before anything is recorded, and, when the PIN is granted, written in the access event's transaction
 * (the kiosk event, the agreement's signature, a Wi-Fi voucher), so the door opens only with the
 * sign-in on record, and never for a kiosk that stopped waiting.
 */
public interface PinSignIn {
    /**
     * On the door's queue, before anything is recorded or moved: true to go on; false when the kiosk
     * stopped waiting, and then nothing is recorded and the door stays shut.
     */
    boolean claim();

    /**
     * The sign-in's writes, in the transaction of the granted {@code access} event made at {@code at},
     * before the relay moves. If this throws, nothing of the decision is recorded and the door stays shut.
     */
    void granted(EdgeCache.Transaction tx, AccessEvent access, Instant at);
}
