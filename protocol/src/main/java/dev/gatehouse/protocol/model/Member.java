package dev.gatehouse.protocol.model;

import java.util.Set;

/**
 * A member as the doors see it: status and roles. Names and contact details stay at the hub; an
 * edge needs none of them to decide.
 */
public record Member(MemberId id, MemberStatus status, Set<String> roles) implements Entity {
    public Member {
        Checks.present(id, "member id");
        Checks.present(status, "member status");
        roles = Roles.require(Checks.present(roles, "member roles"), "member " + id);
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
