package dev.gatehouse.protocol.message;

import dev.gatehouse.protocol.model.Checks;
import dev.gatehouse.protocol.model.Door;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Roles;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** What a command asks an edge to do. */
public sealed interface CommandAction
        permits CommandAction.UnlockOnce,
                CommandAction.Lockdown,
                CommandAction.EmergencyRelease,
                CommandAction.Release,
                CommandAction.SetConfig {

    /** Unlock one door for {@code unlockFor}, then relock (a remote "buzz in"). */
    record UnlockOnce(DoorId door, Duration unlockFor) implements CommandAction {
        public UnlockOnce {
            Checks.present(door, "unlock-once door");
            Checks.within(unlockFor, Door.MIN_UNLOCK, Door.MAX_UNLOCK, "unlock-once unlockFor");
        }
    }

    /** Lock the doors and let only members with one of {@code allowedRoles} through until released. */
    record Lockdown(DoorSelection doors, Set<String> allowedRoles) implements CommandAction {
        public Lockdown {
            Checks.present(doors, "lockdown doors");
            allowedRoles = Roles.require(Checks.present(allowedRoles, "lockdown allowedRoles"), "lockdown");
        }
    }

    /** Unlock the doors and hold them unlocked (fire alarm, evacuation) until released. */
    record EmergencyRelease(DoorSelection doors) implements CommandAction {
        public EmergencyRelease {
            Checks.present(doors, "emergency-release doors");
        }
    }

    /** End a lockdown or an emergency release: the doors return to normal operation. */
    record Release(DoorSelection doors) implements CommandAction {
        public Release {
            Checks.present(doors, "release doors");
        }
    }

    /** Set configuration keys on the edge (kebab-case keys, string values). */
    record SetConfig(Map<String, String> settings) implements CommandAction {
        private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9.-]{0,63}");

        public SetConfig {
            settings = Map.copyOf(Checks.present(settings, "set-config settings"));
            if (settings.isEmpty() || settings.size() > 50) {
                throw Checks.bad("set-config must carry 1 to 50 settings, not " + settings.size());
            }
            settings.forEach((key, value) -> {
                if (!KEY.matcher(key).matches()) {
                    throw Checks.bad("set-config key '" + key + "' must be kebab-case: a-z, 0-9, '.', '-'");
                }
                Checks.text(value, 500, "set-config value of " + key);
            });
        }
    }
}
