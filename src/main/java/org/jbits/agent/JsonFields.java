package org.jbits.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.jbits.BitsException;
import org.jbits.BitsLimits;
import org.jbits.HResult;

/**
 * Strict reads of one JSON object of the protocol: every field has exactly one JSON type and is never coerced
 * ({@code "suspended":"yes"} is not {@code true}, {@code "retryInterval":"60"} is not 60), every string is checked
 * with {@link BitsLimits#checkText}, and {@link #refuseOthers()} refuses any field nobody asked for. Every failure is
 * E_INVALIDARG naming the field and what it should have been, without echoing the value.
 */
final class JsonFields {
    private final JsonNode object;
    private final String where;
    private final Set<String> read = new HashSet<>();

    private JsonFields(JsonNode object, String where) {
        this.object = object;
        this.where = where;
    }

    /** The fields of {@code node}, which must be a JSON object; {@code where} names it in errors ("the 'set' request"). */
    static JsonFields of(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw invalid(where + " must be a JSON object, not " + kind(node));
        }
        return new JsonFields(node, where);
    }

    /** A string field that must be present. */
    String requiredString(String name) {
        String s = string(name);
        if (s == null) {
            throw invalid(where + " needs the field '" + name + "'");
        }
        return s;
    }

    /** A string field, or null when absent. */
    String string(String name) {
        JsonNode v = take(name);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw wrongType(name, "a string", v);
        }
        return BitsLimits.checkText("'" + name + "' field", v.textValue());
    }

    /** A boolean field, or {@code otherwise} when absent. */
    boolean bool(String name, boolean otherwise) {
        JsonNode v = take(name);
        if (v == null) {
            return otherwise;
        }
        if (!v.isBoolean()) {
            throw wrongType(name, "true or false", v);
        }
        return v.booleanValue();
    }

    /** A boolean field, or null when absent. */
    Boolean bool(String name) {
        JsonNode v = take(name);
        if (v == null) {
            return null;
        }
        if (!v.isBoolean()) {
            throw wrongType(name, "true or false", v);
        }
        return v.booleanValue();
    }

    /** A whole number that fits a long, or null when absent (1.0 and 1e3 are refused: no number is rounded). */
    Long wholeNumber(String name) {
        JsonNode v = take(name);
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber()) {
            throw wrongType(name, "a whole number", v);
        }
        if (!v.canConvertToLong()) {
            throw invalid("the '" + name + "' field of " + where + " is out of range");
        }
        return v.longValue();
    }

    /** An array of strings, or null when absent. */
    List<String> strings(String name) {
        JsonNode v = take(name);
        if (v == null) {
            return null;
        }
        if (!v.isArray()) {
            throw wrongType(name, "an array of strings", v);
        }
        List<String> out = new ArrayList<>(v.size());
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw wrongType(name, "an array of strings", e);
            }
            out.add(BitsLimits.checkText("'" + name + "' field", e.textValue()));
        }
        return out;
    }

    /** The elements of an array of objects, each as its own fields, or null when absent. */
    List<JsonFields> objects(String name) {
        JsonNode v = take(name);
        if (v == null) {
            return null;
        }
        if (!v.isArray()) {
            throw wrongType(name, "an array of objects", v);
        }
        List<JsonFields> out = new ArrayList<>(v.size());
        for (JsonNode e : v) {
            out.add(of(e, "each element of '" + name + "'"));
        }
        return out;
    }

    /** A nested object, or null when absent. */
    JsonFields object(String name) {
        JsonNode v = take(name);
        return v == null ? null : of(v, "the '" + name + "' field");
    }

    /**
     * The constant of {@code values} whose protocol spelling ({@code spelling}) is exactly the string field
     * {@code name}; null when absent.
     */
    <E> E oneOf(String name, E[] values, Function<E, String> spelling) {
        String s = string(name);
        return s == null ? null : lookUp(name, s, values, spelling);
    }

    /** {@link #oneOf} for each string of an array field; null when absent. */
    <E> List<E> allOf(String name, E[] values, Function<E, String> spelling) {
        List<String> texts = strings(name);
        if (texts == null) {
            return null;
        }
        List<E> out = new ArrayList<>(texts.size());
        for (String s : texts) {
            out.add(lookUp(name, s, values, spelling));
        }
        return out;
    }

    private <E> E lookUp(String name, String text, E[] values, Function<E, String> spelling) {
        List<String> names = new ArrayList<>();
        for (E e : values) {
            if (spelling.apply(e).equals(text)) {
                return e;
            }
            names.add(spelling.apply(e));
        }
        throw invalid("the '" + name + "' field of " + where + " must be one of " + String.join(", ", names)
                + ", not " + quote(text));
    }

    /** Refuses every field that no read above asked for: an agent must not ignore what it does not understand. */
    void refuseOthers() {
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!read.contains(name)) {
                throw invalid(where + " has an unknown field " + quote(name));
            }
        }
    }

    private JsonNode take(String name) {
        read.add(name);
        JsonNode v = object.get(name);
        if (v != null && v.isNull()) {
            throw invalid("the '" + name + "' field of " + where + " must not be null (leave it out instead)");
        }
        return v;
    }

    private BitsException wrongType(String name, String expected, JsonNode got) {
        return invalid("the '" + name + "' field of " + where + " must be " + expected + ", not " + kind(got));
    }

    private static String kind(JsonNode v) {
        if (v == null || v.isMissingNode()) {
            return "missing";
        }
        return switch (v.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> v.isIntegralNumber() ? "a whole number" : "a fraction";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> "a " + v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** A name or value from the request for an error message: quoted, at most 40 characters, controls escaped. */
    static String quote(String text) {
        String t = text.length() > 40 ? text.substring(0, 40) + "…" : text;
        StringBuilder sb = new StringBuilder("'");
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c < 0x20 || c == 0x7F || Character.isSurrogate(c)) {
                sb.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('\'').toString();
    }

    private static BitsException invalid(String message) {
        return new BitsException(HResult.E_INVALIDARG, message);
    }
}
