package dev.gatehouse.hub.access;

/**
 * One access decision as the API shows it. Absent values are null and left out of the JSON. Enum
 * values are lower-case with dashes; {@code reasonText} is the protocol's sentence for the operator
 * (why the door stayed locked, or why it opened). {@code cardHash} is shown only for a card the site
 * did not know, so the operator can enroll it.
 */
public record AccessEventView(
        String id,
        String at,
        String siteId,
        String doorId,
        String deviceId,
        String decision,
        String basis,
        String reason,
        String reasonText,
        String presented,
        String memberId,
        String credentialId,
        String passId,
        String cardHash,
        String clock) {}
