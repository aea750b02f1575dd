package dev.gatehouse.hub.sites;

import java.util.List;

/** How sites, doors and door groups look in the API. */
public final class Views {
    private Views() {}

    public record Holiday(String date, String name) {}

    public record SiteView(
            String id,
            String name,
            String address,
            String timeZone,
            List<Holiday> holidays,
            long changeSeq,
            String createdAt,
            String updatedAt) {}

    public record DoorView(
            String id,
            String siteId,
            String name,
            int unlockSeconds,
            String untrustedClock,
            String offlineMode,
            long offlineAfterSeconds,
            String createdAt,
            String updatedAt) {}

    public record DoorGroupView(
            String id, String siteId, String name, List<String> doorIds, String createdAt, String updatedAt) {}
}
