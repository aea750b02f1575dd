package dev.gatehouse.protocol.model;

import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import java.util.Set;
import java.util.regex.Pattern;

/** Member roles: short lowercase names. {@link #STAFF} is the one the policy engine knows by name. */
public final class Roles {
    /** Staff pass doors whose degraded mode is {@link DegradedMode#STAFF_ONLY}. */
    public static final String STAFF = "staff";

    private static final Pattern ROLE = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    private Roles() {}

    public static Set<String> require(Set<String> roles, String what) {
        for (String role : roles) {
            if (role == null || !ROLE.matcher(role).matches()) {
                throw new ProtocolException(
                        ProtocolError.BAD_VALUE,
                        what + " has role '" + role
                                + "': a role is 1-32 characters of a-z, 0-9 and '-', starting with a letter");
            }
        }
        return Set.copyOf(roles);
    }
}
