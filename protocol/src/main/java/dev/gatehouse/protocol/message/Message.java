package dev.gatehouse.protocol.message;

/** The payload of an {@link Envelope}: one record per message type. */
public sealed interface Message
        permits SyncBatch,
                SyncRequest,
                SnapshotChunk,
                AccessEvent,
                DoorEvent,
                BookingEvent,
                KioskEvent,
                DeviceState,
                Command,
                CommandAck,
                EventAck,
                HubTime {
    MessageType type();
}
