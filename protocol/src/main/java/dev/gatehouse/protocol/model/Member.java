package dev.gatehouse.protocol.model;

import java.util.Optional;
import java.util.Set;

/**
 * A member as the doors see it: status and roles. Contact details stay at the hub; an edge needs
 * none of them to decide. {@code displayName} (sent only to edges reporting {@link #NAMES_FEATURE})
 * lets the site's kiosk offer the member as a walk-in's host, offline.
 */
public record Member(MemberId id, MemberStatus status, Set<String> roles, Optional<String> displayName)
        implements Entity {
    /** Edges reporting this read a member's {@code displayName} (for the kiosk's host list). */
    public static final String NAMES_FEATURE = "member-names";

    public static final int MAX_DISPLAY_NAME = 100;

    public Member {
        Checks.present(id, "member id");
        Checks.present(status, "member status");
        roles = Roles.require(Checks.present(roles, "member roles"), "member " + id);
        Checks.present(displayName, "member displayName");
        displayName.ifPresent(name -> Checks.text(name, MAX_DISPLAY_NAME, "member " + id + " displayName"));
    }

    /** A member without a display name (the first version's form). */
    public Member(MemberId id, MemberStatus status, Set<String> roles) {
        this(id, status, roles, Optional.empty());
    }

    /** This member without its display name, for an edge that does not read it. */
    public Member withoutName() {
        return new Member(id, status, roles, Optional.empty());
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    @Override
    public EntityKind kind() {
        return EntityKind.MEMBER;
    }

    @Override
    public String key() {
        return id.value();
    }
}
