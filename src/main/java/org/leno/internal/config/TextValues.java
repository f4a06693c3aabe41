package org.leno.internal.config;

import java.lang.reflect.Array;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;

/** Converts a flag's default text to its value, as picocli would convert it from the command line. */
final class TextValues {
    private TextValues() {
    }

    static Object parse(Class<?> type, String text, Function<String, ?> converter) {
        if (type.isArray()) {
            String[] parts = text.isEmpty() ? new String[0] : text.split(",");
            Object array = Array.newInstance(type.getComponentType(), parts.length);
            for (int i = 0; i < parts.length; i++) {
                Array.set(array, i, parse(type.getComponentType(), parts[i].trim(), converter));
            }
            return array;
        }
        try {
            if (converter != null) {
                return converter.apply(text);
            }
            return scalar(type, text);
        } catch (Exception e) {
            throw new IllegalStateException("bad default '" + text + "' for " + type.getSimpleName(), e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object scalar(Class<?> type, String text) {
        if (type == int.class || type == Integer.class) {
            return Integer.valueOf(text);
        }
        if (type == long.class || type == Long.class) {
            return Long.valueOf(text);
        }
        if (type == double.class || type == Double.class) {
            return Double.valueOf(text);
        }
        if (type == boolean.class || type == Boolean.class) {
            return Boolean.valueOf(text);
        }
        if (type == String.class) {
            return text;
        }
        if (type == Path.class) {
            return Path.of(text);
        }
        if (type.isEnum()) {
            return Enum.valueOf((Class) type, text.toUpperCase(Locale.ROOT));
        }
        throw new IllegalStateException("no default conversion for " + type.getName());
    }
}
