package dev.gatehouse.hub.bookings;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreError;
import dev.gatehouse.hub.store.StoreException;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.web.Times;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Booking series: an RFC 5545 recurrence whose occurrences are ordinary bookings ({@code bookings} rows
 * with {@code series_id} and {@code recurrence_id}, the original start), so doors, availability and
 * cancellation treat them like any other booking.
 *
 * <p>A series is made in one transaction: each occurrence goes through {@link BookingStore}'s own
 * create (the one rule engine, the one collision check), and under {@code all-or-nothing} a single
 * failing occurrence rolls all of them back. On PostgreSQL the exclusion constraint can still fail the
 * transaction when another booking wins a race; it is tried again, like a single booking.
 */
public record SeriesStore(Database database, Clock clock) {
    static final String COLUMNS = "id, site_id, resource_id, member_id, title, time_zone, first_start,"
            + " duration_minutes, rrule, rdates, exdates, status, ends_before, override_reason, created_by,"
            + " created_at, updated_at, cancelled_at";

    public enum SeriesStatus {
        ACTIVE,
        CANCELLED
    }

    /** What to do when some occurrences cannot be booked. */
    public enum ConflictPolicy {
        /** Book nothing, and list every failing occurrence. */
        ALL_OR_NOTHING,
        /** Book the rest; the failing ones become EXDATEs and are listed. */
        SKIP_CONFLICTS
    }

    /** A series to make. */
    public record NewSeries(
            String resourceId,
            String memberId,
            String title,
            SeriesRule rule,
            ConflictPolicy policy,
            Optional<String> overrideReason,
            String createdBy) {}

    /**
     * An occurrence that cannot be booked: every rule it breaks, or the booking it meets.
     *
     * @param recurrenceId its local start
     */
    public record Failure(
            LocalDateTime recurrenceId,
            Instant start,
            List<Violation> broken,
            Optional<BookingStore.Outcome.Collides> collides) {
        public Failure {
            broken = List.copyOf(broken);
        }
    }

    /** What a create came to. */
    public sealed interface Outcome {
        /** Made; {@code skipped} lists what {@code skip-conflicts} left out. */
        record Created(SeriesView series, List<Failure> skipped) implements Outcome {
            public Created {
                skipped = List.copyOf(skipped);
            }
        }

        /** Nothing written: every occurrence that failed, out of {@code occurrences}. */
        record Refused(int occurrences, List<Failure> failures) implements Outcome {
            public Refused {
                failures = List.copyOf(failures);
            }
        }
    }

    /** Rolls the transaction back with an answer for the caller. */
    private static final class Undo extends RuntimeException {
        private final transient Outcome outcome;

        Undo(Outcome outcome) {
            super("the series is refused", null, false, false);
            this.outcome = outcome;
        }
    }

    /** A stored series. */
    private record Stored(
            String id,
            String siteId,
            String resourceId,
            String memberId,
            String title,
            ZoneId zone,
            SeriesRule rule,
            SeriesStatus status,
            Optional<Instant> endsBefore,
            String overrideReason,
            String createdBy,
            long createdAt,
            long updatedAt,
            Optional<Instant> cancelledAt) {}

    private record Booked(String bookingId, Instant recurrenceId, Instant start, Instant end, String status) {}

    /**
     * How often a series is tried when it loses races on PostgreSQL. More than a single booking's three:
     * a series is a long transaction that every booking committed meanwhile on one of its occurrences
     * fails, and each new try sees those winners and books around them or names them.
     */
    static final int ATTEMPTS = 6;

    public StoreResult<Outcome> create(String tenantId, NewSeries request) {
        BookingStore bookings = new BookingStore(database, clock);
        for (int attempt = 1; ; attempt++) {
            try {
                return database.write(c -> create(c, bookings, tenantId, request));
            } catch (Undo undo) {
                return StoreResult.found(undo.outcome);
            } catch (BookingStore.Raced e) {
                if (attempt == ATTEMPTS) {
                    throw new StoreException(
                            StoreError.CONFLICT,
                            "the series lost a race with other bookings " + ATTEMPTS + " times in a row; try again",
                            e);
                }
            } catch (StoreException e) {
                if (attempt == ATTEMPTS || !BookingStore.lostRace(e)) {
                    throw e;
                }
            }
        }
    }

    private StoreResult<Outcome> create(Connection c, BookingStore bookings, String tenantId, NewSeries request)
            throws SQLException {
        Optional<Resource> resource = ResourceStore.find(c, tenantId, request.resourceId());
        if (resource.isEmpty()) {
            return new StoreResult.NotFound<>("resource", request.resourceId());
        }
        if (!Sql.exists(c, "SELECT 1 FROM members WHERE id = ? AND tenant_id = ?", request.memberId(), tenantId)) {
            return StoreResult.invalid("memberId", "member '" + request.memberId() + "' does not exist");
        }
        String siteId = resource.get().siteId();
        ZoneId zone = zone(c, siteId);
        SeriesRule rule = request.rule();
        List<SeriesRule.Occurrence> occurrences;
        switch (rule.expand(zone)) {
            case SeriesRule.Expansion.Invalid invalid -> {
                return new StoreResult.Invalid<>(invalid.errors());
            }
            case SeriesRule.Expansion.Occurrences expanded -> occurrences = expanded.occurrences();
        }
        String id = HubIds.next("bs");
        Instant now = clock.instant();
        Sql.update(
                c,
                "INSERT INTO booking_series (" + COLUMNS + ", tenant_id) VALUES (" + "?, ".repeat(18) + "?)",
                id,
                siteId,
                request.resourceId(),
                request.memberId(),
                request.title(),
                zone.getId(),
                SeriesRule.format(rule.start()),
                rule.duration().toMinutes(),
                rule.rrule(),
                dates(rule.rdates()),
                dates(rule.exdates()),
                SeriesStatus.ACTIVE,
                null,
                request.overrideReason(),
                request.createdBy(),
                now,
                now,
                null,
                tenantId);
        List<Failure> failures = new ArrayList<>();
        int booked = 0;
        for (SeriesRule.Occurrence occurrence : occurrences) {
            StoreResult<BookingStore.Outcome> result = bookings.create(
                    c,
                    tenantId,
                    new BookingStore.NewBooking(
                            request.resourceId(),
                            request.memberId(),
                            request.title(),
                            occurrence.start(),
                            occurrence.end(),
                            request.overrideReason(),
                            request.createdBy()));
            BookingStore.Outcome outcome =
                    switch (result) {
                        case StoreResult.Found<BookingStore.Outcome> found -> found.value();
                        case StoreResult.NotFound<BookingStore.Outcome> missing ->
                            throw new IllegalStateException(missing.what() + " vanished while booking a series");
                        case StoreResult.Conflict<BookingStore.Outcome> conflict ->
                            throw new IllegalStateException(conflict.reason());
                        case StoreResult.Invalid<BookingStore.Outcome> invalid ->
                            throw new IllegalStateException(invalid.errors().toString());
                    };
            switch (outcome) {
                case BookingStore.Outcome.Booked made -> {
                    Sql.update(
                            c,
                            "UPDATE bookings SET series_id = ?, recurrence_id = ? WHERE id = ?",
                            id,
                            occurrence.start(),
                            made.booking().id());
                    booked++;
                }
                case BookingStore.Outcome.Refused refused ->
                    failures.add(new Failure(
                            occurrence.recurrenceId(), occurrence.start(), refused.violations(), Optional.empty()));
                case BookingStore.Outcome.Collides collides ->
                    failures.add(new Failure(
                            occurrence.recurrenceId(), occurrence.start(), List.of(), Optional.of(collides)));
            }
        }
        if (!failures.isEmpty()) {
            if (request.policy() == ConflictPolicy.ALL_OR_NOTHING || booked == 0) {
                throw new Undo(new Outcome.Refused(occurrences.size(), failures));
            }
            // The skipped occurrences become EXDATEs: the series says exactly what was booked.
            TreeSet<LocalDateTime> exdates = new TreeSet<>(rule.exdates());
            failures.forEach(failure -> exdates.add(failure.recurrenceId()));
            Sql.update(c, "UPDATE booking_series SET exdates = ? WHERE id = ?", dates(List.copyOf(exdates)), id);
        }
        return StoreResult.found(new Outcome.Created(find(c, tenantId, id).orElseThrow(), failures));
    }

    /**
     * Cancels the series from {@code from} on ("this and following": every occurrence whose original
     * start is at or after it), or the whole series without it. Occurrences that have started stay.
     * The series' RRULE gets an UNTIL before the cut, so it still describes what stays. Each occurrence
     * is cancelled through {@link BookingStore#cancel}, the one way a booking is cancelled; the whole
     * request is idempotent, so repeating it finishes one that was interrupted.
     */
    public StoreResult<SeriesView> cancel(String tenantId, String seriesId, Optional<Instant> from) {
        Instant now = clock.instant();
        StoreResult<List<String>> ended = database.write(c -> end(c, tenantId, seriesId, from, now));
        return switch (ended) {
            case StoreResult.Found<List<String>> found -> {
                BookingStore bookings = new BookingStore(database, clock);
                for (String bookingId : found.value()) {
                    bookings.cancel(tenantId, bookingId);
                }
                yield StoreResult.of(find(tenantId, seriesId), "booking series", seriesId);
            }
            case StoreResult.NotFound<List<String>> missing -> new StoreResult.NotFound<>(missing.what(), missing.id());
            case StoreResult.Conflict<List<String>> conflict -> new StoreResult.Conflict<>(conflict.reason());
            case StoreResult.Invalid<List<String>> invalid -> new StoreResult.Invalid<>(invalid.errors());
        };
    }

    /** Ends the series before the cut and answers the live occurrences to cancel. */
    private static StoreResult<List<String>> end(
            Connection c, String tenantId, String seriesId, Optional<Instant> from, Instant now) throws SQLException {
        Optional<Stored> found = stored(c, tenantId, seriesId);
        if (found.isEmpty()) {
            return new StoreResult.NotFound<>("booking series", seriesId);
        }
        if (from.isPresent() && from.get().isBefore(now)) {
            return StoreResult.invalid(
                    "from",
                    "is in the past (it is " + Times.iso(now) + " now); occurrences that have started stay: give a"
                            + " time from now on, such as the original start of the first occurrence to cancel");
        }
        Stored series = found.get();
        Instant cut = from.orElse(now);
        Instant first = ZonedDateTime.of(series.rule().start(), series.zone()).toInstant();
        boolean whole = from.isEmpty() || !cut.isAfter(first);
        // A series already ended earlier keeps its earlier end: cutting later must not bring occurrences back.
        Instant endsBefore = series.endsBefore().filter(e -> e.isBefore(cut)).orElse(cut);
        SeriesRule rule =
                endsBefore.isAfter(first) ? series.rule().endingBefore(endsBefore, series.zone()) : series.rule();
        Optional<Instant> cancelledAt = whole ? Optional.of(series.cancelledAt().orElse(now)) : series.cancelledAt();
        Sql.update(
                c,
                "UPDATE booking_series SET rrule = ?, rdates = ?, exdates = ?, status = ?, ends_before = ?,"
                        + " updated_at = ?, cancelled_at = ? WHERE id = ? AND tenant_id = ?",
                rule.rrule(),
                dates(rule.rdates()),
                dates(rule.exdates()),
                whole ? SeriesStatus.CANCELLED : series.status(),
                endsBefore,
                now,
                cancelledAt,
                seriesId,
                tenantId);
        return StoreResult.found(Sql.list(
                c,
                "SELECT id FROM bookings WHERE series_id = ? AND tenant_id = ? AND status = ? AND start_at > ?"
                        + " AND recurrence_id >= ? ORDER BY recurrence_id",
                Sql.STRING,
                seriesId,
                tenantId,
                BookingStore.BookingStatus.CONFIRMED,
                now,
                whole ? Long.MIN_VALUE : cut.toEpochMilli()));
    }

    /** The series the booking is an occurrence of; empty for a single booking (or none of the tenant's). */
    public Optional<String> seriesOf(String tenantId, String bookingId) {
        return database.read(c -> Sql.one(
                c,
                "SELECT series_id FROM bookings WHERE id = ? AND tenant_id = ? AND series_id IS NOT NULL",
                Sql.STRING,
                bookingId,
                tenantId));
    }

    public Optional<SeriesView> find(String tenantId, String seriesId) {
        return database.read(c -> find(c, tenantId, seriesId));
    }

    private static Optional<SeriesView> find(Connection c, String tenantId, String seriesId) throws SQLException {
        Optional<Stored> found = stored(c, tenantId, seriesId);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Stored series = found.get();
        List<Booked> bookings = Sql.list(
                c,
                "SELECT id, recurrence_id, start_at, end_at, status FROM bookings WHERE series_id = ? AND tenant_id = ?"
                        + " ORDER BY recurrence_id",
                row -> new Booked(
                        row.getString(1),
                        Instant.ofEpochMilli(row.getLong(2)),
                        Instant.ofEpochMilli(row.getLong(3)),
                        Instant.ofEpochMilli(row.getLong(4)),
                        row.getString(5)),
                seriesId,
                tenantId);
        return Optional.of(view(series, bookings));
    }

    /**
     * The series with its occurrences. Its EXDATEs are those stored and the original start of every
     * occurrence cancelled one by one — the RECURRENCE-ID, not where a moved occurrence had gone, so the
     * EXDATE names the rule's instance exactly. A moved occurrence is an override, never an EXDATE.
     */
    private static SeriesView view(Stored series, List<Booked> bookings) {
        TreeSet<LocalDateTime> exdates = new TreeSet<>(series.rule().exdates());
        List<SeriesView.Occurrence> occurrences = new ArrayList<>();
        for (Booked booking : bookings) {
            LocalDateTime recurrenceId =
                    booking.recurrenceId().atZone(series.zone()).toLocalDateTime();
            boolean cancelled = booking.status().equals(BookingStore.BookingStatus.CANCELLED.name());
            boolean withinRule = series.endsBefore()
                    .map(end -> booking.recurrenceId().isBefore(end))
                    .orElse(true);
            if (cancelled && withinRule) {
                exdates.add(recurrenceId);
            }
            occurrences.add(new SeriesView.Occurrence(
                    SeriesRule.format(recurrenceId),
                    booking.bookingId(),
                    Times.iso(booking.start()),
                    Times.iso(booking.end()),
                    WireNames.wire(booking.status()),
                    !booking.start().equals(booking.recurrenceId())));
        }
        return new SeriesView(
                series.id(),
                series.siteId(),
                series.resourceId(),
                series.memberId(),
                series.title(),
                series.zone().getId(),
                SeriesRule.format(series.rule().start()),
                series.rule().duration().toMinutes(),
                series.rule().rrule(),
                series.rule().rdates().stream().map(SeriesRule::format).toList(),
                exdates.stream().map(SeriesRule::format).toList(),
                WireNames.wire(series.status()),
                series.overrideReason(),
                series.createdBy(),
                Times.iso(series.createdAt()),
                Times.iso(series.updatedAt()),
                series.cancelledAt().map(Times::iso).orElse(null),
                occurrences);
    }

    private static Optional<Stored> stored(Connection c, String tenantId, String seriesId) throws SQLException {
        return Sql.byId(c, "booking_series", COLUMNS, SeriesStore::read, tenantId, seriesId);
    }

    private static Stored read(ResultSet row) throws SQLException {
        return new Stored(
                row.getString(1),
                row.getString(2),
                row.getString(3),
                row.getString(4),
                row.getString(5),
                ZoneId.of(row.getString(6)),
                new SeriesRule(
                        SeriesRule.parseLocal(row.getString(7)),
                        Duration.ofMinutes(row.getLong(8)),
                        row.getString(9),
                        dates(row.getString(10)),
                        dates(row.getString(11))),
                WireNames.of(SeriesStatus.class, row.getString(12)),
                Sql.instant(row, 13),
                row.getString(14),
                row.getString(15),
                row.getLong(16),
                row.getLong(17),
                Sql.instant(row, 18));
    }

    static ZoneId zone(Connection c, String siteId) throws SQLException {
        return ZoneId.of(Sql.one(c, "SELECT time_zone FROM sites WHERE id = ?", Sql.STRING, siteId)
                .orElseThrow());
    }

    /** Local date-times as the store keeps them: comma-separated, '' for none. */
    private static String dates(List<LocalDateTime> dates) {
        return String.join(",", dates.stream().map(SeriesRule::format).toList());
    }

    private static List<LocalDateTime> dates(String stored) {
        return stored.isEmpty()
                ? List.of()
                : Arrays.stream(stored.split(",")).map(SeriesRule::parseLocal).toList();
    }
}
