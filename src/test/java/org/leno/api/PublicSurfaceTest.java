package org.leno.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What users may rely on is org.leno.api, and nothing in it hands them an internal type: every public
 * or protected signature of the API's public types names only the JDK's types and the API's own;
 * every class of ours lies in org.leno.api or under org.leno.internal.
 */
class PublicSurfaceTest {
    private static final String API = "org.leno.api";
    private static final String INTERNAL = "org.leno.internal.";

    private static Path classesRoot() throws URISyntaxException {
        Path self = Path.of(Classifier.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(self).isDirectory(); // target/classes, as Surefire runs the tests
        return self;
    }

    private static List<String> classNames(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root.resolve("org/leno"))) {
            return files.filter(f -> f.toString().endsWith(".class"))
                    .map(f -> root.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", ""))
                    .toList();
        }
    }

    @Test
    void everyClassIsInTheApiOrUnderInternal() throws Exception {
        List<String> names = classNames(classesRoot());
        assertThat(names).hasSizeGreaterThan(100);
        assertThat(names).allSatisfy(n -> assertThat(n.startsWith(API + ".") || n.startsWith(INTERNAL))
                .as(n).isTrue());
    }

    @Test
    void noPublicSignatureOfTheApiNamesAnInternalType() throws Exception {
        List<String> leaks = new ArrayList<>();
        int checked = 0;
        for (String name : classNames(classesRoot())) {
            if (!name.startsWith(API + ".") || name.endsWith("package-info")) {
                continue;
            }
            Class<?> c = Class.forName(name, false, PublicSurfaceTest.class.getClassLoader());
            if (!visible(c)) {
                continue;
            }
            checked++;
            check(c + " extends", c.getGenericSuperclass(), leaks);
            for (Type t : c.getGenericInterfaces()) {
                check(c + " implements", t, leaks);
            }
            for (Method m : c.getDeclaredMethods()) {
                if (visible(m.getModifiers()) && !m.isSynthetic()) {
                    check(m.toString(), m.getGenericReturnType(), leaks);
                    signature(m, leaks);
                }
            }
            for (Constructor<?> k : c.getDeclaredConstructors()) {
                if (visible(k.getModifiers())) {
                    signature(k, leaks);
                }
            }
            for (Field f : c.getDeclaredFields()) {
                if (visible(f.getModifiers())) {
                    check(f.toString(), f.getGenericType(), leaks);
                }
            }
            if (c.isRecord()) {
                for (RecordComponent r : c.getRecordComponents()) {
                    check(c.getName() + "." + r.getName(), r.getGenericType(), leaks);
                }
            }
        }
        assertThat(checked).isGreaterThan(10);
        assertThat(leaks).isEmpty();
    }

    /** A type users can name: public, or protected inside a public type, all the way out. */
    private static boolean visible(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getDeclaringClass()) {
            if (!visible(k.getModifiers())) {
                return false;
            }
        }
        return true;
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static void signature(Executable e, List<String> leaks) {
        for (Type t : e.getGenericParameterTypes()) {
            check(e.toString(), t, leaks);
        }
        for (Type t : e.getGenericExceptionTypes()) {
            check(e.toString(), t, leaks);
        }
    }

    private static void check(String where, Type t, List<String> leaks) {
        if (t instanceof Class<?> c) {
            Class<?> k = c;
            while (k.isArray()) {
                k = k.getComponentType();
            }
            if (k.getName().startsWith(INTERNAL)) {
                leaks.add(where + ": " + k.getName());
            }
        } else if (t instanceof ParameterizedType p) {
            check(where, p.getRawType(), leaks);
            for (Type a : p.getActualTypeArguments()) {
                check(where, a, leaks);
            }
        } else if (t instanceof GenericArrayType g) {
            check(where, g.getGenericComponentType(), leaks);
        } else if (t instanceof WildcardType w) {
            for (Type b : w.getUpperBounds()) {
                check(where, b, leaks);
            }
            for (Type b : w.getLowerBounds()) {
                check(where, b, leaks);
            }
        }
    }
}
