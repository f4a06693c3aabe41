package org.leno.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.leno.internal.testing.ChildJvm;

/** The JVM flags of Java 24 and later (docs/development.md, "Build"): workers and the tests' own JVMs. */
class WorkerLauncherTest {
    private static final List<String> JDK24_FLAGS =
            List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow");
    private static final boolean JDK24 = Runtime.version().feature() >= 24;

    @Test
    void workersGetTheJdk24FlagsTheParentLacks() {
        List<String> none = WorkerLauncher.missingJdk24Flags(List.of("-Xmx1g"));
        List<String> half = WorkerLauncher.missingJdk24Flags(List.of("--enable-native-access=ALL-UNNAMED"));
        List<String> both = WorkerLauncher.missingJdk24Flags(
                List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=warn"));
        if (JDK24) {
            assertThat(none).isEqualTo(JDK24_FLAGS);
            assertThat(half).containsExactly("--sun-misc-unsafe-memory-access=allow");
        } else { // Java 17 refuses --sun-misc-unsafe-memory-access
            assertThat(none).isEmpty();
            assertThat(half).isEmpty();
        }
        assertThat(both).isEmpty();
    }

    @Test
    void theTestJvmHasThemFromJava24AndPassesThemOn() { // pom.xml's profile jdk24, then ChildJvm
        List<String> flags = JDK24 ? JDK24_FLAGS : List.of();
        assertThat(ChildJvm.flags()).isEqualTo(flags);
        List<String> cmd = ChildJvm.command("-version");
        assertThat(cmd.subList(1, cmd.size() - 1)).isEqualTo(flags);
        assertThat(cmd.get(cmd.size() - 1)).isEqualTo("-version");
    }
}
