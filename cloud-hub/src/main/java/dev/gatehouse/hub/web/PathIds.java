package dev.gatehouse.hub.web;

import dev.gatehouse.protocol.Ids;
import io.helidon.webserver.http.ServerRequest;

/** Path parameters that are ids: anything else is a 404 for that resource, never a 500. */
public final class PathIds {
    private PathIds() {}

    public static String id(ServerRequest request, String parameter, String what) {
        String value = request.path().pathParameters().get(parameter);
        if (!Ids.isValid(value)) {
            throw ApiException.notFound(what, Ids.printable(value));
        }
        return value;
    }
}
