package dev.gatehouse.hub.billing;

import java.time.Instant;
import java.util.List;

/**
 * An issued invoice or credit note: immutable (a correction is a credit note), numbered without gaps
 * in its tenant's series ({@code INV} or {@code CN}). Amounts in minor units; a credit note's are
 * negative. {@code total = subtotal + tax}, the tax rounded half-even on the subtotal. It is due
 * {@code dueAt}: issued plus the tenant's payment terms then; what is paid is in its payments.
 */
public record Invoice(
        String id,
        String memberId,
        Kind kind,
        String series,
        long number,
        String currency,
        long subtotal,
        String taxName,
        int taxRateBasisPoints,
        long tax,
        long total,
        Instant issuedAt,
        Instant dueAt,
        List<Line> lines) {
    public Invoice {
        lines = List.copyOf(lines);
    }

    /** The document's printed number: {@code INV-000042}. */
    public String documentNumber() {
        return series + "-" + String.format(java.util.Locale.ROOT, "%06d", number);
    }

    /** An invoice, or a credit note when the charges net below zero. */
    public enum Kind {
        INVOICE,
        CREDIT_NOTE
    }

    /** One charge on the document. */
    public record Line(int number, String chargeId, String description, long amount) {}
}
