package dev.gatehouse.hub.alerts;

import java.util.Locale;

/** What an alert is about: the first four are about a device, the last two about a door. */
public enum AlertKind {
    DEVICE_OFFLINE("offline"),
    DEVICE_PROBLEM("reports a problem"),
    CLOCK_UNTRUSTED("clock not trusted"),
    CACHE_BEHIND("cache behind its site"),
    DOOR_FORCED_OPEN("forced open"),
    DOOR_HELD_OPEN("held open"),
    WIFI_POOL_LOW("Wi-Fi vouchers running low");

    private final String words;

    AlertKind(String words) {
        this.words = words;
    }

    /** Whether the alert's subject is a device (else a door or a site). */
    public boolean device() {
        return !name().startsWith("DOOR_") && this != WIFI_POOL_LOW;
    }

    /** What the alert is about: {@code device}, {@code door} or {@code site}. */
    public String subjectType() {
        return device() ? "device" : this == WIFI_POOL_LOW ? "site" : "door";
    }

    /** How pages and mails name it after the subject ("Front door forced open"). */
    public String words() {
        return words;
    }

    /** Its name on the wire and in URLs ({@code door-forced-open}). */
    public String wire() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
