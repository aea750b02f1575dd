package dev.gatehouse.protocol.model;

/** How a schedule treats the site's holidays. */
public enum HolidayRule {
    /** The schedule grants nothing on a site holiday (the usual member plan). */
    CLOSED,
    /** Holidays are ordinary days for this schedule (for example a staff 24/7 schedule). */
    IGNORED
}
