package dev.gatehouse.edge.console;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's signed-in sessions, in memory only (a restart signs everyone out): a random id in an
 * HttpOnly, SameSite=Strict cookie, a CSRF token for the session's forms, an idle timeout and an
 * absolute lifetime. A session also remembers the password hash it signed in with, so a new password
 * signs out every session made with the old one.
 */
final class Sessions {
    /** A session ends this long after sign-in, however busy. */
    static final Duration LIFETIME = Duration.ofHours(8);
    /** At most this many sessions; a new one evicts the least recently used. */
    static final int MAX_SESSIONS = 16;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration idle;

    Sessions(Clock clock, Duration idle) {
        this.clock = clock;
        this.idle = idle;
    }

    /** One signed-in technician's session. The flash is a one-time notice shown on the next page. */
    static final class Session {
        final String id;
        final String csrf;
        final Instant created;
        final String passwordHash;
        volatile Instant lastUsed;
        private volatile Notice flash;

        Session(String id, String csrf, Instant created, String passwordHash) {
            this.id = id;
            this.csrf = csrf;
            this.created = created;
            this.passwordHash = passwordHash;
            this.lastUsed = created;
        }

        void flash(Notice notice) {
            this.flash = notice;
        }

        /** The notice left by the previous request, once. */
        Optional<Notice> takeFlash() {
            Notice notice = flash;
            flash = null;
            return Optional.ofNullable(notice);
        }

        boolean csrfMatches(String token) {
            return token != null
                    && MessageDigest.isEqual(
                            csrf.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                            token.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** A message for the next page: a success or an error. */
    record Notice(boolean error, String text) {}

    Session create(String passwordHash) {
        Instant now = clock.instant();
        sessions.values().removeIf(session -> expired(session, now));
        while (sessions.size() >= MAX_SESSIONS) {
            sessions.values().stream()
                    .min(Comparator.comparing(session -> session.lastUsed))
                    .ifPresent(oldest -> sessions.remove(oldest.id));
        }
        Session session = new Session(token(), token(), now, passwordHash);
        sessions.put(session.id, session);
        return session;
    }

    /** The live session with this id, its idle time reset; empty when unknown or expired. */
    Optional<Session> find(String id, Optional<String> currentPasswordHash) {
        if (id == null) {
            return Optional.empty();
        }
        Session session = sessions.get(id);
        if (session == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (expired(session, now) || !currentPasswordHash.equals(Optional.of(session.passwordHash))) {
            sessions.remove(id);
            return Optional.empty();
        }
        session.lastUsed = now;
        return Optional.of(session);
    }

    void remove(String id) {
        sessions.remove(id);
    }

    Duration idle() {
        return idle;
    }

    private boolean expired(Session session, Instant now) {
        return !now.isBefore(session.lastUsed.plus(idle)) || !now.isBefore(session.created.plus(LIFETIME));
    }

    private static String token() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
