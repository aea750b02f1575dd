package dev.gatehouse.hub.billing;

import java.time.LocalDate;
import java.util.Optional;

/**
 * One amount a member owes (positive) or is owed (negative), in minor units, waiting for an invoice
 * or a credit note. Written once under a key that names what it is for, so that a retried or
 * concurrent operation cannot charge twice.
 */
public record Charge(
        String id,
        String memberId,
        Optional<String> subscriptionId,
        Kind kind,
        String description,
        long amount,
        String currency,
        Optional<LocalDate> periodStart,
        Optional<LocalDate> periodEnd,
        Optional<String> invoiceId,
        String createdAt) {

    /** What a charge is for. */
    public enum Kind {
        /** A whole period of a subscription. */
        PERIOD,
        /** The first period from a start inside it. */
        PRORATED_START,
        /** A change: the old price's unused days, credited. */
        CHANGE_CREDIT,
        /** A change: the new price's remaining days. */
        CHANGE_CHARGE,
        /** A cancellation now: the days after today, credited. */
        CANCEL_CREDIT,
        /** A booking's credits beyond the member's balance, at the booking's price fixed then. */
        BOOKING_OVERAGE,
        /** A booking cancelled in time: its overage, credited. */
        BOOKING_OVERAGE_CREDIT,
        /** An amount finance charges once (a printed key, a room set-up), not tied to a period. */
        ONE_OFF,
        /** A pass bought once: a day pass, a 10-pass. */
        PASS
    }
}
