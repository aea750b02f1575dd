package dev.gatehouse.protocol.model;

/** How a credential is presented at a reader. */
public enum CredentialType {
    /** An NFC card or fob; the cache knows it only by its keyed hash. */
    NFC_CARD,
    /** A member's rotating QR code: a signed token naming the member and this credential. */
    MEMBER_QR
}
