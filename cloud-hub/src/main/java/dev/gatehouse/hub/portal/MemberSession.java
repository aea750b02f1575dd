package dev.gatehouse.hub.portal;

import dev.gatehouse.hub.accounts.WebSession;
import dev.gatehouse.hub.members.MemberStore.MemberView;
import dev.gatehouse.hub.tenants.Access;
import dev.gatehouse.hub.tenants.Actor;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Role;
import dev.gatehouse.hub.tenants.TenantView;
import java.util.Set;

/** A member signed in to the portal: the session, its tenant and the member as the store has them now. */
record MemberSession(WebSession session, TenantView tenant, MemberView member) {

    String tenantId() {
        return tenant.id();
    }

    String memberId() {
        return member.id();
    }

    boolean active() {
        return "active".equals(member.status());
    }

    /**
     * The member as the audit log records them: an actor of kind MEMBER. The audit trail takes an
     * operator-shaped caller; this one carries the least role and is used for nothing but the entry.
     */
    Caller.Operator auditCaller() {
        return new Caller.Operator(
                tenant.id(),
                tenant.slug(),
                new Actor(Actor.Kind.MEMBER, member.id(), member.email()),
                new Access(Role.READ_ONLY, Set.of()));
    }
}
