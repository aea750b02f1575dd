package dev.gatehouse.protocol.model;

/** Why a door stayed locked, each with a sentence an operator understands. */
public enum DenyReason {
    UNKNOWN_DOOR("This door is not configured at this site."),
    SITE_NOT_CONFIGURED("The site's time zone is not known yet, so time-bound access waits for the first sync."),
    UNKNOWN_CREDENTIAL("The card or code is not enrolled at this site."),
    CREDENTIAL_SUSPENDED("The card or code is suspended."),
    CREDENTIAL_LOST("The card was reported lost."),
    CREDENTIAL_REVOKED("The card or code was revoked."),
    CREDENTIAL_NOT_YET_VALID("The card or code is not valid yet."),
    CREDENTIAL_EXPIRED("The card or code has expired."),
    CREDENTIAL_MISMATCH("The code names a credential that is not a QR credential."),
    UNKNOWN_MEMBER("The member holding this credential is not known at this site."),
    MEMBER_SUSPENDED("The member is suspended."),
    MEMBER_CANCELLED("The membership is cancelled."),
    NO_ACCESS_TO_DOOR("The member's plan does not include this door."),
    GRANT_NOT_YET_VALID("The member's access to this door has not started yet."),
    GRANT_EXPIRED("The member's access to this door has ended."),
    OUTSIDE_SCHEDULE("The member's plan does not allow this door at this time."),
    SITE_HOLIDAY("The site is closed for a holiday on the member's plan."),
    OUTSIDE_BOOKING("The member's booking for this room is not on now (buffers included)."),
    PASS_USED_UP("The member's pass has no entry days left: every day it allows is spent."),
    BOOKING_RELEASED("The booking was released: nobody checked it in by its release time."),
    VISITOR_PASS_REVOKED("The visitor pass was revoked."),
    VISITOR_PASS_NOT_YET_VALID("The visitor pass is not valid yet."),
    VISITOR_PASS_EXPIRED("The visitor pass has expired."),
    VISITOR_PASS_NOT_FOR_DOOR("The visitor pass does not include this door."),
    VISITOR_PASS_USED("This single-use visitor pass was already used."),
    LOCKDOWN("The door is in lockdown: only responders may pass."),
    CLOCK_UNTRUSTED("The door controller's clock is not trusted, and this door then admits nobody by credential."),
    CLOCK_UNTRUSTED_STAFF_ONLY("The door controller's clock is not trusted, and this door then admits staff only."),
    OFFLINE_TOO_LONG("The site has been offline longer than this door allows, and it now admits nobody by credential."),
    OFFLINE_STAFF_ONLY("The site has been offline longer than this door allows, and it now admits staff only."),
    QR_MALFORMED("The QR code is not a Gatehouse code."),
    QR_BAD_SIGNATURE("The QR code's signature is invalid: it was forged or altered."),
    QR_UNKNOWN_KEY("The QR code was signed with a key this site does not know."),
    QR_EXPIRED("The QR code has expired: refresh it in the app."),
    QR_NOT_YET_VALID("The QR code is not valid yet: check the clock of the phone or the door controller."),
    QR_WRONG_TENANT("The QR code belongs to another operator."),
    QR_WRONG_SITE("The QR code is not valid at this site.");

    private final String sentence;

    DenyReason(String sentence) {
        this.sentence = sentence;
    }

    /** One sentence for the operator's access log. */
    public String sentence() {
        return sentence;
    }
}
