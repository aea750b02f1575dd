package dev.gatehouse.protocol.policy;

import dev.gatehouse.protocol.model.Checks;
import dev.gatehouse.protocol.model.Roles;
import java.util.Set;

/** The operating mode a door is in, set by commands (and kept by the edge across restarts). */
public sealed interface DoorMode permits DoorMode.Normal, DoorMode.Lockdown, DoorMode.EmergencyRelease {
    DoorMode NORMAL = new Normal();
    DoorMode EMERGENCY_RELEASE = new EmergencyRelease();

    /** Ordinary operation. */
    record Normal() implements DoorMode {}

    /** Only active members holding one of {@code allowedRoles}, with a valid credential, pass. */
    record Lockdown(Set<String> allowedRoles) implements DoorMode {
        public Lockdown {
            allowedRoles = Roles.require(Checks.present(allowedRoles, "lockdown allowedRoles"), "lockdown");
        }
    }

    /** The door is held unlocked; every presentation is granted, except a QR code that failed verification. */
    record EmergencyRelease() implements DoorMode {}
}
