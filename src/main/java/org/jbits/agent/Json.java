package org.jbits.agent;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;

/**
 * JSON trees to and from text with Jackson's streaming layer only: the protocol and the CLI's {@code --json}
 * output. An {@code ObjectMapper} would do the same, but building one costs a short-lived CLI about 40 ms (its
 * defaults set up date formats, the time zone database and locale data), a fifth of its start-up.
 */
public final class Json {
    /** A name twice in one object is an error, not "the last one wins": the agent must not guess which was meant. */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    /** Deeper nesting than any message of the protocol has is refused rather than followed. */
    private static final int MAX_DEPTH = 64;

    private Json() {
    }

    /** A new, empty object. */
    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** {@code node} as compact UTF-8 JSON text. */
    public static byte[] bytes(JsonNode node) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(g, node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * A generator of compact JSON into {@code out}, the one {@link #bytes} uses; closing it flushes, and leaves
     * {@code out} open.
     */
    public static JsonGenerator generator(OutputStream out) throws IOException {
        return FACTORY.createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    }

    /** A generator of indented JSON into {@code out}, as {@link #pretty} lays it out. */
    public static JsonGenerator prettyGenerator(Writer out) throws IOException {
        JsonGenerator g = FACTORY.createGenerator(out);
        g.useDefaultPrettyPrinter();
        return g;
    }

    /** A parser of the JSON text in {@code bytes} (UTF-8), with the checks {@link #parse} makes of names. */
    public static JsonParser parser(byte[] bytes) throws IOException {
        return FACTORY.createParser(bytes);
    }

    /** {@code node} as indented JSON text, as Jackson's default pretty printer lays it out. */
    public static String pretty(JsonNode node) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            write(g, node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Writes {@code node} with {@code g}: the tree as {@link #bytes} and {@link #pretty} write it. */
    public static void write(JsonGenerator g, JsonNode node) throws IOException {
        switch (node.getNodeType()) {
            case OBJECT -> {
                g.writeStartObject();
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    g.writeFieldName(e.getKey());
                    write(g, e.getValue());
                }
                g.writeEndObject();
            }
            case ARRAY -> {
                g.writeStartArray();
                for (JsonNode element : node) {
                    write(g, element);
                }
                g.writeEndArray();
            }
            case STRING -> g.writeString(node.textValue());
            case NUMBER -> {
                switch (node.numberType()) {
                    case INT -> g.writeNumber(node.intValue());
                    case LONG -> g.writeNumber(node.longValue());
                    case BIG_INTEGER -> g.writeNumber(node.bigIntegerValue());
                    case FLOAT -> g.writeNumber(node.floatValue());
                    case DOUBLE -> g.writeNumber(node.doubleValue());
                    case BIG_DECIMAL -> g.writeNumber(node.decimalValue());
                }
            }
            case BOOLEAN -> g.writeBoolean(node.booleanValue());
            case NULL, MISSING -> g.writeNull();
            default -> throw new IllegalArgumentException("no JSON text for a " + node.getNodeType() + " node");
        }
    }

    /** The JSON value in {@code text}, which must hold exactly one. */
    public static JsonNode parse(String text) throws IOException {
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new IOException("no JSON value");
            }
            JsonNode value = read(p, first);
            if (p.nextToken() != null) {
                throw new IOException("more than one JSON value");
            }
            return value;
        }
    }

    /** Reads the value starting at {@code token}, without recursion. */
    private static JsonNode read(JsonParser p, JsonToken token) throws IOException {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ArrayDeque<JsonNode> open = new ArrayDeque<>();
        JsonNode root = null;
        String name = null;
        for (JsonToken t = token; t != null; t = p.nextToken()) {
            JsonNode value;
            switch (t) {
                case FIELD_NAME -> {
                    name = p.currentName();
                    continue;
                }
                case START_OBJECT, START_ARRAY -> {
                    if (open.size() >= MAX_DEPTH) {
                        throw new IOException("JSON nested deeper than " + MAX_DEPTH);
                    }
                    JsonNode container = t == JsonToken.START_OBJECT ? f.objectNode() : f.arrayNode();
                    add(open.peek(), name, container);
                    open.push(container);
                    name = null;
                    if (root == null) {
                        root = container;
                    }
                    continue;
                }
                case END_OBJECT, END_ARRAY -> {
                    open.pop();
                    if (open.isEmpty()) {
                        return root;
                    }
                    continue;
                }
                case VALUE_STRING -> value = f.textNode(p.getText());
                case VALUE_NUMBER_INT -> value = switch (p.getNumberType()) {
                    case INT -> f.numberNode(p.getIntValue());
                    case LONG -> f.numberNode(p.getLongValue());
                    default -> f.numberNode(p.getBigIntegerValue());
                };
                case VALUE_NUMBER_FLOAT -> value = f.numberNode(p.getDoubleValue());
                case VALUE_TRUE -> value = f.booleanNode(true);
                case VALUE_FALSE -> value = f.booleanNode(false);
                case VALUE_NULL -> value = f.nullNode();
                default -> throw new IOException("unexpected JSON token " + t);
            }
            if (open.isEmpty()) {
                return value;
            }
            add(open.peek(), name, value);
            name = null;
        }
        throw new IOException("JSON text ends early");
    }

    private static void add(JsonNode container, String name, JsonNode value) {
        if (container instanceof ObjectNode o) {
            o.set(name, value);
        } else if (container instanceof ArrayNode a) {
            a.add(value);
        }
    }
}
