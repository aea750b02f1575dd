package dev.gatehouse.protocol.model;

import dev.gatehouse.protocol.Ids;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Set;

/** A site: its time zone (schedules are wall-clock times there) and its holidays. */
public record Site(String id, ZoneId zone, Set<LocalDate> holidays) implements Entity {
    public Site {
        Ids.require(id, "site id");
        Checks.present(zone, "site zone");
        holidays = Set.copyOf(Checks.present(holidays, "site holidays"));
    }

    @Override
    public EntityKind kind() {
        return EntityKind.SITE;
    }

    @Override
    public String key() {
        return id;
    }
}
