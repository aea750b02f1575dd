package dev.gatehouse.hub.devices;

/** A device as the API shows it; {@code version}, {@code lastSeenAt} and {@code ackedSeq} are null until known. */
public record DeviceView(
        String id,
        String siteId,
        String name,
        String status,
        String version,
        String lastSeenAt,
        Long ackedSeq,
        String createdAt,
        String updatedAt) {}
