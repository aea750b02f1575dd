package dev.gatehouse.hub.changes;

import dev.gatehouse.protocol.message.Change;
import java.time.Instant;

/** One entry of a site's change log. */
public record LoggedChange(String siteId, long seq, Change change, Instant at) {}
