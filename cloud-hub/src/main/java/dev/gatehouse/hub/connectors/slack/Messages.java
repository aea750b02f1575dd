package dev.gatehouse.hub.connectors.slack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.outbox.EventType;
import java.util.Optional;

/** The line a channel reads for an event: what happened and to whom, in Slack's plain text. */
final class Messages {
    private Messages() {}

    static String text(String wire, JsonNode data) {
        Optional<EventType> type = EventType.parse(wire);
        String who = escape(data.path("fullName").asText(data.path("memberId").asText("")));
        if (type.isEmpty()) {
            return wire;
        }
        return switch (type.get()) {
            case MEMBER_CREATED ->
                "New member: " + who + " (" + escape(data.path("email").asText()) + ")";
            case MEMBER_UPDATED -> "Member updated: " + who;
            case MEMBER_SUSPENDED -> "Member suspended: " + who;
            case MEMBER_REACTIVATED -> "Member active again: " + who;
            case MEMBER_CANCELLED -> "Member cancelled: " + who;
            case BOOKING_CREATED, BOOKING_CANCELLED, BOOKING_CHECKED_IN ->
                type.get().description() + " "
                        + escape(data.path("title").asText(data.path("id").asText())) + " from "
                        + data.path("startsAt").asText("?");
            case INVOICE_ISSUED ->
                "Invoice " + escape(data.path("number").asText()) + " issued: "
                        + data.path("total").asLong() + " "
                        + escape(data.path("currency").asText()) + " (minor units)";
            case PAYMENT_RECORDED ->
                "Payment recorded: " + data.path("amount").asLong() + " "
                        + escape(data.path("currency").asText()) + " (minor units) for invoice "
                        + escape(data.path("invoiceId").asText());
            default -> type.get().description();
        };
    }

    /** Slack's three control characters in text: &amp;, &lt;, &gt;. */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
