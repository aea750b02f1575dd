package dev.gatehouse.protocol.qr;

/** What a QR token identifies. */
public enum QrKind {
    /** A member, through one of their member-QR credentials (claim {@code c}). */
    MEMBER,
    /** A visitor pass (claim {@code p}). */
    VISITOR
}
