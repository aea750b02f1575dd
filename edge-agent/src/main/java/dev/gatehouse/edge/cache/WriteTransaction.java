package dev.gatehouse.edge.cache;

import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.BookingId;
import dev.gatehouse.protocol.model.GrantId;
import dev.gatehouse.protocol.model.PassId;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Objects;
import java.util.function.Function;

/** The writes that can share one transaction on the writer; see {@link EdgeCache#inTransaction}. */
final class WriteTransaction implements EdgeCache.Transaction {
    private final SqliteSession session;
    private final Path file;
    private boolean open = true;

    private WriteTransaction(SqliteSession session, Path file) {
        this.session = session;
        this.file = file;
    }

    /** Runs {@code work} in one write transaction; the transaction is closed when it returns. */
    static <T> T run(SqliteConnections connections, Function<EdgeCache.Transaction, T> work) {
        Objects.requireNonNull(work, "work");
        return connections.write("write a transaction", session -> {
            WriteTransaction transaction = new WriteTransaction(session, connections.file());
            try {
                return work.apply(transaction);
            } finally {
                transaction.open = false;
            }
        });
    }

    @Override
    public boolean recordPassUse(PassId pass, String eventId) {
        Objects.requireNonNull(pass, "pass");
        CacheArguments.requireId(eventId, "event id");
        requireOpen();
        try {
            return PassUses.record(session, pass, eventId);
        } catch (SQLException e) {
            throw SqliteConnections.translate(e, "record the use of visitor pass " + pass, file);
        }
    }

    @Override
    public boolean recordPassDay(GrantId grant, LocalDate day, String eventId) {
        Objects.requireNonNull(grant, "grant");
        Objects.requireNonNull(day, "day");
        CacheArguments.requireId(eventId, "event id");
        requireOpen();
        try {
            return PassDays.record(session, grant, day, eventId);
        } catch (SQLException e) {
            throw SqliteConnections.translate(e, "record day " + day + " of grant " + grant, file);
        }
    }

    @Override
    public void append(Envelope event) {
        requireOpen();
        try {
            Outbox.insert(session, event);
        } catch (SQLException e) {
            throw Outbox.translateInsert(e, event, file);
        }
    }

    @Override
    public boolean recordCheckIn(BookingId booking, Instant at, String eventId) {
        return bookingState("record the check-in of booking ", booking, at, eventId, BookingStates::recordCheckIn);
    }

    @Override
    public boolean recordRelease(BookingId booking, Instant at, String eventId) {
        return bookingState("record the release of booking ", booking, at, eventId, BookingStates::recordRelease);
    }

    @Override
    public java.util.Optional<dev.gatehouse.protocol.model.WifiVoucher> takeVoucher(
            String device, String eventId, Instant now) {
        CacheArguments.requireId(device, "device id");
        CacheArguments.requireId(eventId, "event id");
        requireOpen();
        try {
            return KioskSupplies.take(session, device, eventId, Objects.requireNonNull(now, "now"));
        } catch (SQLException e) {
            throw SqliteConnections.translate(e, "take a wifi voucher for sign-in " + eventId, file);
        }
    }

    @Override
    public void recordPassSigned(PassId pass, String agreement, int version, String eventId) {
        Objects.requireNonNull(pass, "pass");
        CacheArguments.requireId(agreement, "agreement id");
        CacheArguments.requireId(eventId, "event id");
        requireOpen();
        try {
            KioskSupplies.sign(session, pass.value(), agreement, version, eventId);
        } catch (SQLException e) {
            throw SqliteConnections.translate(e, "record the agreement signed with visitor pass " + pass, file);
        }
    }

    /** One of {@link BookingStates}' conditional writes. */
    @FunctionalInterface
    private interface BookingStateWrite {
        boolean write(SqliteSession session, BookingId booking, Instant at, String eventId) throws SQLException;
    }

    private boolean bookingState(String what, BookingId booking, Instant at, String eventId, BookingStateWrite write) {
        Objects.requireNonNull(booking, "booking");
        Objects.requireNonNull(at, "at");
        CacheArguments.requireId(eventId, "event id");
        requireOpen();
        try {
            return write.write(session, booking, at, eventId);
        } catch (SQLException e) {
            throw SqliteConnections.translate(e, what + booking, file);
        }
    }

    private void requireOpen() {
        if (!open) {
            throw new CacheException(CacheError.CLOSED, "a transaction was used after its inTransaction call returned");
        }
    }
}
