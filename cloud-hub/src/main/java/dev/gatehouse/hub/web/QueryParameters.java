package dev.gatehouse.hub.web;

import dev.gatehouse.hub.store.Cursor;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.protocol.Ids;
import io.helidon.common.uri.UriQuery;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A list's query parameters, read strictly: unknown, repeated and empty parameters are errors, and
 * every error is collected so that one 422 names all the parameters to fix ({@link #done}).
 */
public final class QueryParameters {
    private final UriQuery query;
    private final List<FieldError> errors = new ArrayList<>();

    /** Reads {@code query}, whose parameters must be among {@code allowed}. */
    public QueryParameters(UriQuery query, List<String> allowed) {
        this.query = query;
        for (String name : query.names()) {
            if (!allowed.contains(name)) {
                errors.add(new FieldError(
                        Ids.printable(name),
                        "unknown query parameter; allowed parameters are " + String.join(", ", allowed)));
            }
        }
    }

    /** The parameter's single value; absent, given twice (an error) or empty (an error) → empty. */
    public Optional<String> one(String name) {
        if (!query.contains(name)) {
            return Optional.empty();
        }
        List<String> values = query.all(name);
        if (values.size() != 1) {
            return error(name, "is given " + values.size() + " times; give it once");
        }
        if (values.getFirst().isEmpty()) {
            return error(name, "is empty; leave it out to not filter on it");
        }
        return Optional.of(values.getFirst());
    }

    /** A parameter that must be an id (1-64 characters of A-Z, a-z, 0-9, '_' and '-'). */
    public Optional<String> id(String name) {
        return one(name)
                .flatMap(text -> Ids.isValid(text)
                        ? Optional.of(text)
                        : error(
                                name,
                                "'" + Ids.printable(text)
                                        + "' is not an id (1-64 characters of A-Z, a-z, 0-9, '_' and '-')"));
    }

    /** A parameter that must be an ISO-8601 timestamp with an offset. */
    public Optional<Instant> instant(String name) {
        return one(name).flatMap(text -> {
            try {
                return Optional.of(Times.parseInstant(text));
            } catch (DateTimeParseException e) {
                String hint = text.contains(" ") ? "; a '+' in a URL must be written %2B" : "";
                return error(
                        name,
                        "'" + Ids.printable(text)
                                + "' is not a timestamp: use ISO-8601 with an offset, e.g. 2026-11-21T09:00:00Z"
                                + hint);
            }
        });
    }

    /** The limit as {@link Paging} reads it; its refusal joins the other errors. */
    public int limit() {
        try {
            return Paging.limit(one("limit"));
        } catch (ApiException e) {
            errors.addAll(e.errors());
            return Paging.DEFAULT_LIMIT;
        }
    }

    /** The cursor of the page before, when sent; one this list did not write is an error. */
    public Optional<Cursor> cursor() {
        return one("cursor").flatMap(text -> Cursor.decode(text).or(() -> error("cursor", Cursor.REFUSED)));
    }

    /** Records an error about {@code name}; answers empty, for use inside {@code flatMap}. */
    public <T> Optional<T> error(String name, String message) {
        errors.add(new FieldError(name, message));
        return Optional.empty();
    }

    /** A 422 naming every parameter to fix, when there is one. */
    public void done() {
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
    }
}
