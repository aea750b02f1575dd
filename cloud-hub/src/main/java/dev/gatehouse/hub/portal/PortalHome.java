package dev.gatehouse.hub.portal;

import dev.gatehouse.hub.portal.MemberAccess.DoorChoice;
import dev.gatehouse.hub.portal.MemberAccess.Entry;
import dev.gatehouse.hub.portal.MemberAccess.Grant;
import java.util.List;

/**
 * The portal's home page: the pass, the doors to open, the member's access and latest entries.
 *
 * @param notice what the last action did (a door is opening), or null
 * @param refusal why the last door stayed shut, in the policy's words, or null
 * @param showQr whether the pass can show a code now
 * @param refreshSeconds how often the page fetches a new code (less than a code's life)
 * @param passUnavailable why there is no code (not active, no pass: ask the front desk), when there is none
 */
public record PortalHome(
        String notice,
        String refusal,
        boolean showQr,
        long refreshSeconds,
        String passUnavailable,
        List<DoorChoice> doors,
        List<Grant> grants,
        List<Entry> entries) {}
