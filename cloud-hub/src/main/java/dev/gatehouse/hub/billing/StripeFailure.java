package dev.gatehouse.hub.billing;

import com.stripe.exception.StripeException;
import dev.gatehouse.hub.web.ApiException;
import java.util.List;

/** Stripe's refusals and outages as the hub answers them: what Stripe said, and what to do. */
final class StripeFailure {
    private StripeFailure() {}

    /** 409: the tenant has not set its Stripe keys, so Stripe is off. */
    static ApiException notConfigured() {
        return new ApiException(
                409,
                "stripe-not-configured",
                "Stripe is not set up",
                "Stripe is not set up for this tenant: an owner or finance sets its secret key and webhook signing"
                        + " secret with PUT /api/v1/billing/stripe",
                List.of());
    }

    /** 502: Stripe refused or could not be reached; its message and request id are passed on. */
    static ApiException of(String what, StripeException e) {
        String detail = "Stripe did not " + what + ": " + e.getMessage()
                + (e.getRequestId() == null ? "" : " (Stripe request " + e.getRequestId() + ")");
        return new ApiException(502, "stripe-failed", "Stripe refused or failed", detail, List.of());
    }
}
