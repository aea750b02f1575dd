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
            Long heldOpenSeconds,
            List<OfficeHours> officeHours,
            String createdAt,
            String updatedAt) {}

    /**
     * One office-hours window of a door as the API shows it: {@code day} (monday…sunday), {@code from}
     * and {@code to} (HH:MM, to up to 24:00) in the site's zone.
     */
    public record OfficeHours(String day, String from, String to) {}

    public record DoorGroupView(
            String id,
            String siteId,
            String name,
            List<String> doorIds,
            boolean forVisitors,
            String createdAt,
            String updatedAt) {}
}
