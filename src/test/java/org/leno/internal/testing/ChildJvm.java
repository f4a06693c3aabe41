package org.leno.internal.testing;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts other JVMs as this one: its java, and its flags for Java 24+ (pom.xml's profile jdk24, as ./leno passes them). */
public final class ChildJvm {
    private ChildJvm() {
    }

    /** This JVM's {@code --enable-native-access} and {@code --sun-misc-unsafe-memory-access} flags; none before Java 24. */
    public static List<String> flags() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--enable-native-access") || a.startsWith("--sun-misc-unsafe-memory-access"))
                .toList();
    }

    /** The java executable of this JVM, its {@link #flags()}, then {@code args}. */
    public static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(flags());
        cmd.addAll(List.of(args));
        return cmd;
    }
}
