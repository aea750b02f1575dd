package dev.gatehouse.hub.console;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import gg.jte.output.Utf8ByteOutput;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import java.util.Map;

/**
 * Renders the console's JTE templates, compiled to Java classes at build time (src/main/jte; the
 * jte-maven-plugin's generate goal), so a template error fails the build and the server never
 * compiles anything. Output is HTML-escaped by context: text, attributes and URLs.
 */
public final class Templates {
    private static final TemplateEngine ENGINE = TemplateEngine.createPrecompiled(ContentType.Html);

    private Templates() {}

    /** Renders {@code name} (e.g. {@code "signin.jte"}) with its parameters into the response as HTML. */
    public static void render(ServerResponse res, Status status, String name, Map<String, Object> params) {
        ServerTiming.mark("data");
        Utf8ByteOutput output = new Utf8ByteOutput();
        ENGINE.render(name, params, output);
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        byte[] page = output.toByteArray();
        ServerTiming.mark("render");
        ServerTiming.header(res);
        res.send(page);
    }

    /** A template rendered to text: a fragment for a live update. */
    public static String text(String name, Map<String, Object> params) {
        StringOutput output = new StringOutput();
        ENGINE.render(name, params, output);
        return output.toString();
    }

    public static void render(ServerResponse res, String name, Map<String, Object> params) {
        render(res, Status.OK_200, name, params);
    }
}
