package dev.gatehouse.edge.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.policy.DoorMode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command state kept in the cache file: executed ids (replays) and door modes that survive a restart. */
class CommandStateTest {
    private static final Instant NOW = Instant.parse("2026-03-02T09:00:00Z");
    private static final DoorId DOOR = DoorId.of("main-entrance");

    @Test
    void aCommandIdIsRememberedUntilItsTimeThenForgotten(@TempDir Path dir) {
        Path file = dir.resolve("cache.db");
        try (var cache = SqliteEntitlementCache.open(file, "acme", "hq")) {
            assertThat(cache.rememberCommand("cmd-1", NOW.plus(Duration.ofHours(24)), NOW))
                    .isTrue();
            assertThat(cache.rememberCommand("cmd-1", NOW.plus(Duration.ofHours(24)), NOW))
                    .isFalse();
        }
        try (var cache = SqliteEntitlementCache.open(file, "acme", "hq")) {
            // Across a restart, and until its keep-until has passed.
            assertThat(cache.rememberCommand("cmd-1", NOW.plus(Duration.ofHours(30)), NOW.plus(Duration.ofHours(23))))
                    .isFalse();
            assertThat(cache.rememberCommand("cmd-1", NOW.plus(Duration.ofHours(50)), NOW.plus(Duration.ofHours(25))))
                    .isTrue();
        }
    }

    @Test
    void aDoorModeSurvivesReopeningUntilReleased(@TempDir Path dir) {
        Path file = dir.resolve("cache.db");
        try (var cache = SqliteEntitlementCache.open(file, "acme", "hq")) {
            assertThat(cache.doorMode(DOOR)).isEqualTo(DoorMode.NORMAL);
            cache.setDoorMode(DOOR, new DoorMode.Lockdown(Set.of("staff", "security")));
        }
        try (var cache = SqliteEntitlementCache.open(file, "acme", "hq")) {
            assertThat(cache.doorMode(DOOR)).isEqualTo(new DoorMode.Lockdown(Set.of("security", "staff")));
            cache.setDoorMode(DOOR, DoorMode.EMERGENCY_RELEASE);
            assertThat(cache.doorMode(DOOR)).isEqualTo(DoorMode.EMERGENCY_RELEASE);
            cache.setDoorMode(DOOR, DoorMode.NORMAL);
            assertThat(cache.doorMode(DOOR)).isEqualTo(DoorMode.NORMAL);
        }
    }
}
