package dev.gatehouse.hub.devices;

/** A device as the MQTT side sees it: whose it is, where it stands, and its status. */
public record DeviceRef(String tenantId, String tenantSlug, String siteId, String deviceId, String status) {}
