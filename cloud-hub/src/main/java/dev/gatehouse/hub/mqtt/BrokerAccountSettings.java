package dev.gatehouse.hub.mqtt;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code hub.mqtt.accounts.*} settings: who keeps the device accounts of an external broker.
 *
 * @param kind {@code manual}: the broker's operator (a password file, as before); {@code
 *     mosquitto-dynsec}: the hub, through Mosquitto's dynamic-security plugin
 * @param username the plugin's admin account (one allowed to publish on {@code
 *     $CONTROL/dynamic-security/#} and to subscribe to its answers; {@code mosquitto_ctrl dynsec init}
 *     makes one)
 * @param passwordFile the file holding that account's password, readable by its owner only
 * @param timeout how long the hub waits for the broker to confirm one change
 */
public record BrokerAccountSettings(
        Kind kind, Optional<String> username, Optional<Path> passwordFile, Duration timeout) {
    /** Who keeps the accounts. */
    public enum Kind {
        MANUAL("manual"),
        MOSQUITTO_DYNSEC("mosquitto-dynsec");

        private final String value;

        Kind(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }

        /** The kind a configuration value names; a clear error for any other. */
        public static Kind of(String value) {
            for (Kind kind : values()) {
                if (kind.value.equals(value.strip())) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("hub.mqtt.accounts.kind '" + value
                    + "' is not known; use manual (the broker's operator keeps the accounts) or mosquitto-dynsec");
        }
    }

    public BrokerAccountSettings {
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException(
                    "hub.mqtt.accounts.timeout is " + timeout + "; use 100ms to 60s, e.g. 5s");
        }
        if (kind == Kind.MOSQUITTO_DYNSEC) {
            if (username.filter(u -> !u.isBlank()).isEmpty()) {
                throw new IllegalArgumentException("hub.mqtt.accounts.username is empty but hub.mqtt.accounts.kind is"
                        + " mosquitto-dynsec; name the dynamic-security admin account (mosquitto_ctrl dynsec init"
                        + " makes one)");
            }
            if (passwordFile.isEmpty()) {
                throw new IllegalArgumentException("hub.mqtt.accounts.password-file is empty but hub.mqtt.accounts.kind"
                        + " is mosquitto-dynsec; name the file (chmod 600) holding the admin account's password");
            }
        }
    }

    /** The broker's operator keeps the accounts (the default). */
    public static BrokerAccountSettings manual() {
        return new BrokerAccountSettings(Kind.MANUAL, Optional.empty(), Optional.empty(), Duration.ofSeconds(5));
    }

    /** The hub keeps them through Mosquitto's dynamic security, as {@code username} with the password in {@code file}. */
    public static BrokerAccountSettings mosquittoDynsec(String username, Path passwordFile) {
        return new BrokerAccountSettings(
                Kind.MOSQUITTO_DYNSEC, Optional.of(username), Optional.of(passwordFile), Duration.ofSeconds(5));
    }
}
