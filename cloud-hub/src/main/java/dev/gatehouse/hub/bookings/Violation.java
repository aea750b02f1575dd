package dev.gatehouse.hub.bookings;

/** One rule a booking request breaks: the rule's code and a sentence that says what would keep it. */
public record Violation(Rule rule, String message) {
    /** The rules, by the code an API client reads in {@code errors[].field}. */
    public enum Rule {
        IN_THE_PAST("in-the-past"),
        GRANULARITY("granularity"),
        TOO_SHORT("min-length"),
        TOO_LONG("max-length"),
        MIN_NOTICE("min-notice"),
        MAX_ADVANCE("max-advance"),
        OPENING_HOURS("opening-hours"),
        HOLIDAY("holiday"),
        DAILY_LIMIT("hours-per-day"),
        WEEKLY_LIMIT("hours-per-week"),
        PLAN("plan"),
        MEMBER_STATUS("member-status"),
        OUT_OF_SERVICE("out-of-service"),
        /** Dunning: the member's invoices are so long unpaid that new bookings wait until they are paid. */
        BILLING("billing"),
        /** Checked after the others pass and the time is free: the balance, when a plan is credits-only. */
        CREDITS("credits");

        private final String code;

        Rule(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }
}
