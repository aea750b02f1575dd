package dev.gatehouse.hub.console;

import java.io.IOException;
import java.io.StringReader;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Checks an uploaded floor plan before it is stored: it must be an SVG document that can do nothing
 * but draw. Refused, with a sentence saying what to remove: a DOCTYPE or entity declarations (parsed
 * with the JDK's parser with DTDs disallowed, so no external entity is ever fetched), processing
 * instructions, {@code <script>}, {@code <foreignObject>}, elements outside the SVG namespace, event
 * handler attributes ({@code on…}), {@code javascript:} anywhere in an attribute or style, and
 * references ({@code href}, {@code xlink:href}, {@code url(…)}, {@code @import}) to anything but a
 * {@code #fragment} of the same document.
 */
public final class FloorPlanSvg {
    /** The longest plan accepted, in characters. */
    public static final int MAX_CHARS = 60_000;

    private static final String SVG_NS = "http://www.w3.org/2000/svg";
    private static final String XLINK_NS = "http://www.w3.org/1999/xlink";
    private static final Pattern URL =
            Pattern.compile("url\\s*\\(\\s*['\"]?\\s*([^)'\"\\s]*)", Pattern.CASE_INSENSITIVE);
    private static final Pattern CONTROL = Pattern.compile("[\\s\\u0000-\\u001f]");

    private FloorPlanSvg() {}

    /** The outcome of a check: the plan is clean, or refused with what to fix. */
    public sealed interface Checked permits Clean, Refused {}

    public record Clean(String svg) implements Checked {}

    public record Refused(String reason) implements Checked {}

    public static Checked check(String svg) {
        if (svg.isBlank()) {
            return new Refused("The plan is empty: choose an SVG file or paste its text.");
        }
        if (svg.length() > MAX_CHARS) {
            return new Refused("The plan has " + svg.length() + " characters; the limit is " + MAX_CHARS
                    + ". Simplify the drawing or export it without embedded images.");
        }
        String upper = svg.toUpperCase(Locale.ROOT);
        if (upper.contains("<!DOCTYPE") || upper.contains("<!ENTITY")) {
            return new Refused("The plan has a DOCTYPE or entity declarations; remove them (an SVG needs neither).");
        }
        Document document;
        try {
            document = parser().parse(new InputSource(new StringReader(svg)));
        } catch (SAXException e) {
            return new Refused("The plan is not well-formed XML: " + e.getMessage());
        } catch (IOException | ParserConfigurationException e) {
            return new Refused("The plan could not be read: " + e.getMessage());
        }
        Element root = document.getDocumentElement();
        if (!"svg".equals(root.getLocalName()) || !SVG_NS.equals(root.getNamespaceURI())) {
            return new Refused(
                    "The plan's root element must be <svg> in the SVG namespace (xmlns=\"" + SVG_NS + "\").");
        }
        String problem = problem(document);
        return problem == null ? new Clean(svg) : new Refused(problem);
    }

    /** The first thing wrong in the document's nodes, depth first; null when there is none. */
    private static String problem(Node node) {
        switch (node.getNodeType()) {
            case Node.PROCESSING_INSTRUCTION_NODE -> {
                return "The plan has a processing instruction (<?" + node.getNodeName()
                        + " …?>); remove it: a plan may not load style sheets or anything else.";
            }
            case Node.DOCUMENT_TYPE_NODE, Node.ENTITY_NODE, Node.ENTITY_REFERENCE_NODE -> {
                return "The plan has a DOCTYPE or entity; remove it.";
            }
            case Node.ELEMENT_NODE -> {
                String problem = elementProblem((Element) node);
                if (problem != null) {
                    return problem;
                }
            }
            default -> {}
        }
        for (Node child = node.getFirstChild(); child != null; child = child.getNextSibling()) {
            String problem = problem(child);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    private static String elementProblem(Element element) {
        String name = element.getLocalName() == null ? element.getTagName() : element.getLocalName();
        if (!SVG_NS.equals(element.getNamespaceURI())) {
            return "The plan has a <" + element.getTagName() + "> element outside the SVG namespace; remove it.";
        }
        if (name.equalsIgnoreCase("script")) {
            return "The plan has a <script> element; remove it: a floor plan may not run code.";
        }
        if (name.equalsIgnoreCase("foreignObject")) {
            return "The plan has a <foreignObject> element; remove it: a floor plan may only draw.";
        }
        if (name.equalsIgnoreCase("style")) {
            String problem = styleProblem(element.getTextContent(), "a <style> element");
            if (problem != null) {
                return problem;
            }
        }
        NamedNodeMap attributes = element.getAttributes();
        for (int i = 0; i < attributes.getLength(); i++) {
            Node attribute = attributes.item(i);
            String local = attribute.getLocalName() == null ? attribute.getNodeName() : attribute.getLocalName();
            String value = attribute.getNodeValue();
            String where = "<" + element.getTagName() + " " + attribute.getNodeName() + "=…>";
            if (local.toLowerCase(Locale.ROOT).startsWith("on")) {
                return "The plan has an event handler attribute (" + where + "); remove it: a floor plan may not run"
                        + " code.";
            }
            if (squeezed(value).contains("javascript:")) {
                return "The plan has a javascript: URL (" + where + "); remove it.";
            }
            boolean link = local.equals("href")
                    && (attribute.getNamespaceURI() == null || XLINK_NS.equals(attribute.getNamespaceURI()));
            if (link && !value.strip().startsWith("#")) {
                return "The plan refers to something outside itself (" + where + " \"" + value.strip()
                        + "\"); only references to #fragments of the plan are allowed: embed or remove it.";
            }
            String problem = styleProblem(value, where);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    /** A style (or any attribute value): {@code url(…)} only to #fragments, no {@code @import}, no script. */
    private static String styleProblem(String css, String where) {
        String squeezed = squeezed(css);
        if (squeezed.contains("javascript:")) {
            return "The plan has a javascript: URL in " + where + "; remove it.";
        }
        if (squeezed.contains("@import")) {
            return "The plan imports a style sheet in " + where + "; remove the @import.";
        }
        var urls = URL.matcher(css);
        while (urls.find()) {
            if (!urls.group(1).startsWith("#")) {
                return "The plan refers to something outside itself in " + where + " (url(" + urls.group(1)
                        + ")); only url(#fragment) is allowed.";
            }
        }
        return null;
    }

    /** Lower case without white space or control characters ({@code java\tscript:} is still a scheme). */
    private static String squeezed(String value) {
        return CONTROL.matcher(value).replaceAll("").toLowerCase(Locale.ROOT);
    }

    private static DocumentBuilder parser() throws ParserConfigurationException {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
        factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        factory.setXIncludeAware(false);
        factory.setExpandEntityReferences(false);
        DocumentBuilder builder = factory.newDocumentBuilder();
        builder.setErrorHandler(new ErrorHandler() {
            @Override
            public void warning(SAXParseException e) {}

            @Override
            public void error(SAXParseException e) throws SAXException {
                throw e;
            }

            @Override
            public void fatalError(SAXParseException e) throws SAXException {
                throw e;
            }
        });
        return builder;
    }
}
