package dev.gatehouse.protocol.model;

/** What was presented at a reader, as recorded in an access event. */
public enum PresentedKind {
    NFC_CARD,
    MEMBER_QR,
    VISITOR_QR,
    /**
     * A visitor pass's 6-digit PIN typed at a kiosk. Sent only by edges that got PIN hashes, which
     * only a hub that reads this sends ({@link VisitorPass#PIN_FEATURE}).
     */
    VISITOR_PIN,
    /** A QR code that is not a valid Gatehouse token (forged, expired, for another site, or not ours at all). */
    UNRECOGNISED_QR
}
