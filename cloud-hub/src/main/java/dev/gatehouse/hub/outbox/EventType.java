package dev.gatehouse.hub.outbox;

import java.util.Arrays;
import java.util.Optional;

/**
 * The catalogue of events the hub writes to its {@link Outbox}: what webhook endpoints subscribe to
 * and connectors read. Adding a type is one constant here (its wire name and what it means); the
 * README's and the OpenAPI document's catalogue list the same names (a test compares them).
 */
public enum EventType {
    MEMBER_CREATED("member.created", "A member was created."),
    MEMBER_UPDATED("member.updated", "A member's details or roles changed (not their status)."),
    MEMBER_SUSPENDED("member.suspended", "A member was suspended: their credentials stop opening doors."),
    MEMBER_REACTIVATED("member.reactivated", "A suspended member was made active again."),
    MEMBER_CANCELLED("member.cancelled", "A member was cancelled (final; Gatehouse never deletes a member row)."),
    MEMBER_PLAN_ASSIGNED(
            "member.plan-assigned",
            "A plan was given to a member or its window changed (by an operator, a subscription or a pass)."),
    MEMBER_PLAN_REMOVED("member.plan-removed", "A plan was taken away from a member."),
    CREDENTIAL_ISSUED("credential.issued", "A card, phone or QR credential was issued to a member."),
    CREDENTIAL_REVOKED("credential.revoked", "A credential was revoked or marked lost."),
    CREDENTIAL_SUSPENDED(
            "credential.suspended", "A credential was suspended: it stops opening doors until reactivated."),
    CREDENTIAL_REACTIVATED("credential.reactivated", "A suspended or lost credential was made active again."),
    ACCESS_GRANTED("access.granted", "An edge granted access at a door (ingested from the edge's event)."),
    ACCESS_DENIED("access.denied", "An edge denied access at a door, with the reason."),
    DOOR_FORCED_OPEN("door.forced-open", "A door opened without a grant or request to exit."),
    DOOR_HELD_OPEN("door.held-open", "A door stayed open longer than its allowed time."),
    DEVICE_ONLINE("device.online", "An edge device came online (its first state report after being offline)."),
    DEVICE_OFFLINE("device.offline", "An edge device went offline (its MQTT last will)."),
    BOOKING_CREATED("booking.created", "A booking was made (confirmed or waiting for approval)."),
    BOOKING_CANCELLED("booking.cancelled", "A booking was cancelled."),
    BOOKING_CHECKED_IN("booking.checked-in", "A booking was checked in (at the door, the kiosk or the console)."),
    BOOKING_APPROVED("booking.approved", "A booking waiting for approval was approved (it is confirmed)."),
    BOOKING_DECLINED("booking.declined", "A booking waiting for approval was declined; its time is free again."),
    BOOKING_LAPSED(
            "booking.lapsed", "Nobody decided a booking waiting for approval before its hold ended; its time is free."),
    BOOKING_RELEASED("booking.released", "A booking nobody checked in to was released; its time is free for others."),
    VISITOR_SIGNED_IN(
            "visitor.signed-in",
            "A visitor signed in at a site's kiosk: with a pre-registered pass, or as a walk-in who chose a host."),
    MEMBER_CHECKED_IN(
            "member.checked-in", "A member checked in at a site's kiosk (a card or member QR at its reader)."),
    INVOICE_ISSUED("invoice.issued", "An invoice was issued (it is immutable from then on)."),
    PAYMENT_RECORDED("payment.recorded", "A payment was recorded against a member's account."),
    VISITOR_INVITED(
            "visitor.invited",
            "A visitor pass was issued: an invitation by a member in the portal, the front desk or the API."),
    VISITOR_ARRIVED(
            "visitor.arrived",
            "A visitor pass was first used at a door of its site (a single-use pass is then spent site-wide)."),
    VISITOR_REVOKED("visitor.revoked", "A visitor pass was revoked or an invitation withdrawn."),
    SIGNUP_COMPLETED(
            "signup.completed",
            "Someone bought a package on the tenant's public page, paid, and became a member (a sign-up).");

    private final String wire;
    private final String description;

    EventType(String wire, String description) {
        this.wire = wire;
        this.description = description;
    }

    /** The name on the wire and in the payload's {@code type}: {@code member.created}. */
    public String wire() {
        return wire;
    }

    public String description() {
        return description;
    }

    public static Optional<EventType> parse(String wire) {
        return Arrays.stream(values()).filter(t -> t.wire.equals(wire)).findFirst();
    }
}
