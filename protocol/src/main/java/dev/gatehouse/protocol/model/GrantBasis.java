package dev.gatehouse.protocol.model;

/** Why a door opened, each with a sentence an operator understands. */
public enum GrantBasis {
    MEMBER_GRANT("The member's plan covers this door now."),
    BOOKING("The member has a booking for this room now (buffers included)."),
    VISITOR_PASS("A valid visitor pass for this door."),
    LOCKDOWN_RESPONDER("The door is in lockdown and the member holds a responder role."),
    EMERGENCY_RELEASE("The door is held open by emergency release."),
    STAFF_UNTRUSTED_CLOCK(
            "The clock is not trusted; a staff member with access to this door passes regardless of time.");

    private final String sentence;

    GrantBasis(String sentence) {
        this.sentence = sentence;
    }

    /** One sentence for the operator's access log. */
    public String sentence() {
        return sentence;
    }
}
