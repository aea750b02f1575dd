package dev.gatehouse.protocol.model;

/** Everything a site's doors decide from, as replicated by sync into the edge's entitlement cache. */
public sealed interface Entity
        permits Site,
                Member,
                Credential,
                Door,
                DoorGroup,
                Schedule,
                Grant,
                Booking,
                VisitorPass,
                SigningKey,
                Room,
                Agreement,
                WifiVoucher {
    EntityKind kind();

    /** The entity's id, unique within its kind and site. */
    String key();
}
