package dev.gatehouse.protocol.qr;

/** What a QR token identifies. */
public enum QrKind {
    /** A member, through one of their member-QR credentials ({@code "k":"m"}). */
    MEMBER,
    /** A visitor pass ({@code "k":"v"}). */
    VISITOR
}
