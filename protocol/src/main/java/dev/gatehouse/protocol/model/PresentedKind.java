package dev.gatehouse.protocol.model;

/** What was presented at a reader, as recorded in an access event. */
public enum PresentedKind {
    NFC_CARD,
    MEMBER_QR,
    VISITOR_QR,
    /** A QR code that is not a valid Gatehouse token (forged, expired, for another site, or not ours at all). */
    UNRECOGNISED_QR
}
