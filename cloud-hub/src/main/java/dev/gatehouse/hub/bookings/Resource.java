package dev.gatehouse.hub.bookings;

import dev.gatehouse.hub.sites.ResourceKind;
import java.util.List;
import java.util.Optional;

/**
 * A bookable resource of a site, as the store keeps it.
 *
 * @param parentId the room this one is a part of (a room that can be split), if any
 * @param pricePerHour minor units of the tenant's currency
 * @param doorIds the doors a booking opens for its member during the booking and its buffers
 * @param planIds the plans whose members may book it; empty means every member
 */
public record Resource(
        String id,
        String siteId,
        Optional<String> parentId,
        String name,
        ResourceKind kind,
        int capacity,
        List<String> amenities,
        Optional<Integer> x,
        Optional<Integer> y,
        long pricePerHour,
        long creditsPerHour,
        ResourceStatus status,
        BookingRules rules,
        List<String> doorIds,
        List<String> planIds,
        String createdAt,
        String updatedAt) {
    public Resource {
        amenities = List.copyOf(amenities);
        doorIds = List.copyOf(doorIds);
        planIds = List.copyOf(planIds);
    }

    public enum ResourceStatus {
        ACTIVE,
        OUT_OF_SERVICE
    }
}
