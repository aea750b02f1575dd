package dev.gatehouse.edge.reader;

import java.time.Duration;
import java.util.HexFormat;
import java.util.function.IntConsumer;

/**
 * The query-and-reply liveness check of a scanner that answers one (many do: a revision or status
 * request from their setup manual): when the line has been quiet for {@link Query#every()} the query
 * is sent, and a reply must begin with {@link Query#replyPrefix()} within {@link Query#timeout()}.
 *
 * <p>A reply is never taken for a scanned code: while a query is out, bytes that arrive at the start
 * of a line and match the prefix are held back; once the whole prefix matched, the reply is swallowed
 * up to the scanner's line ending or until the line goes quiet for one read, whichever comes first.
 * Bytes that stop matching the prefix (someone scanned at that moment) are passed on to the line
 * assembler unchanged, as is everything while no query is out. Pure: no I/O, time as nanoseconds.
 */
final class ScannerProbe {
    /**
     * A scanner's liveness query.
     *
     * @param query the bytes sent
     * @param replyPrefix how every reply begins
     * @param every how long the line must be quiet before the query is sent
     * @param timeout how long a reply may take
     */
    record Query(byte[] query, byte[] replyPrefix, Duration every, Duration timeout) {
        Query {
            if (query.length == 0 || replyPrefix.length == 0) {
                throw new ReaderException(ReaderError.BAD_SETTING, "a probe and its reply prefix must not be empty");
            }
            if (!every.isPositive() || !timeout.isPositive()) {
                throw new ReaderException(
                        ReaderError.BAD_SETTING, "probe-every and probe-timeout must be positive durations");
            }
            query = query.clone();
            replyPrefix = replyPrefix.clone();
        }

        @Override
        public byte[] query() {
            return query.clone();
        }

        @Override
        public byte[] replyPrefix() {
            return replyPrefix.clone();
        }

        /** The query as the configuration writes it, for messages. */
        String hex() {
            return HexFormat.ofDelimiter(" ").formatHex(query);
        }
    }

    /** What the session should do after a quiet read. */
    enum Due {
        NOTHING,
        SEND,
        TIMED_OUT
    }

    private enum State {
        IDLE,
        AWAITING,
        SWALLOWING
    }

    private final Query query;
    private final byte[] prefix;
    private final LineEnding ending;
    private State state = State.IDLE;
    private long lastTrafficNanos;
    private long sentNanos;
    private int matched;
    private byte previous;

    /** A probe on a line opened at {@code openedNanos}; the first query goes out at once. */
    ScannerProbe(Query query, LineEnding ending, long openedNanos) {
        this.query = query;
        this.prefix = query.replyPrefix();
        this.ending = ending;
        this.lastTrafficNanos = openedNanos - query.every().toNanos();
    }

    Query query() {
        return query;
    }

    /**
     * Takes one received byte. Bytes that are no part of a reply go to {@code passOn} (held-back
     * prefix bytes first, when they turn out to be a code). Returns true when this byte completed the
     * reply prefix: the scanner answered.
     */
    boolean accept(byte b, boolean atLineStart, long nowNanos, IntConsumer passOn) {
        lastTrafficNanos = nowNanos;
        switch (state) {
            case IDLE -> passOn.accept(b);
            case SWALLOWING -> {
                boolean ends =
                        switch (ending) {
                            case CR -> b == '\r';
                            case LF -> b == '\n';
                            case CRLF -> b == '\n' && previous == '\r';
                        };
                previous = b;
                if (ends) {
                    state = State.IDLE;
                }
            }
            case AWAITING -> {
                if (matched == 0 && !atLineStart) {
                    passOn.accept(b);
                } else if (b == prefix[matched]) {
                    matched++;
                    if (matched == prefix.length) {
                        matched = 0;
                        previous = 0;
                        state = State.SWALLOWING;
                        return true;
                    }
                } else {
                    release(passOn);
                    passOn.accept(b);
                }
            }
        }
        return false;
    }

    /** After a read that brought nothing: ends a reply, and says whether a query is due or overdue. */
    Due quiet(long nowNanos, IntConsumer passOn) {
        switch (state) {
            case SWALLOWING -> state = State.IDLE;
            case AWAITING -> {
                if (nowNanos - sentNanos >= query.timeout().toNanos()) {
                    release(passOn);
                    state = State.IDLE;
                    lastTrafficNanos = nowNanos;
                    return Due.TIMED_OUT;
                }
            }
            case IDLE -> {}
        }
        if (state == State.IDLE && nowNanos - lastTrafficNanos >= query.every().toNanos()) {
            return Due.SEND;
        }
        return Due.NOTHING;
    }

    /** The query went out at {@code nowNanos}. */
    void sent(long nowNanos) {
        state = State.AWAITING;
        matched = 0;
        sentNanos = nowNanos;
        lastTrafficNanos = nowNanos;
    }

    private void release(IntConsumer passOn) {
        for (int i = 0; i < matched; i++) {
            passOn.accept(prefix[i]);
        }
        matched = 0;
    }
}
