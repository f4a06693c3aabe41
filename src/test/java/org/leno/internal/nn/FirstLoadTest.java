package org.leno.internal.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.cli.Main;
import org.leno.internal.testing.ChildJvm;

/**
 * The first load of the natives into an empty JavaCPP cache, in child JVMs, where another libtorch may be
 * on the system library path (Debian's python3-torch: CI installs it, and this test insists on it there).
 * Each child gets an empty cache, its own working folder and its own crash-report folder; any crash
 * message or crash file fails the test. The negative control loads by JavaCPP's own order and must crash
 * where the system's libtorch is present: that is the defect {@link NativeCache} fixes.
 */
class FirstLoadTest {
    private static final Path SYSTEM_LIBTORCH = Path.of("/usr/lib/x86_64-linux-gnu/libtorch_cpu.so");

    @TempDir
    Path tmp;

    record Child(int exitCode, String output, List<Path> crashFiles) {}

    @Test
    void systemLibtorchIsPresentInCi() {
        if (System.getenv("CI") != null) {
            assertThat(SYSTEM_LIBTORCH).as("CI installs python3-torch so that the first-load tests mean something")
                    .exists();
        }
    }

    @Test
    void cliFirstLoadNeverCrashes() throws Exception {
        for (int i = 0; i < 3; i++) {
            Child c = run("cli" + i, Main.class.getName(), "warm");
            assertClean(c);
            assertThat(c.output()).contains("natives ready in " + tmp.resolve("cli" + i).resolve("cache"));
        }
    }

    @Test
    void libraryFirstLoadNeverCrashes() throws Exception {
        for (int i = 0; i < 3; i++) {
            Child c = run("lib" + i, FirstLoadProbe.class.getName(), "natives");
            assertClean(c);
            assertThat(c.output()).contains("sum 3.0");
        }
    }

    @Test
    void javacppsOwnOrderCrashesBesideTheSystemsLibtorch() throws Exception {
        assumeTrue(Files.exists(SYSTEM_LIBTORCH), "no system libtorch: nothing to clash with");
        Child c = run("control", FirstLoadProbe.class.getName(), "javacpp");
        assertThat(c.exitCode()).isNotZero();
        assertThat(c.crashFiles()).hasSize(1);
    }

    private static void assertClean(Child c) {
        assertThat(c.output()).doesNotContain("fatal error", "SIGSEGV", "hs_err");
        // Java 24+: JNI loads and sun.misc.Unsafe warn unless the flags are passed on (ChildJvm, pom.xml's jdk24)
        assertThat(c.output()).doesNotContain("WARNING: A restricted method", "WARNING: A terminally deprecated method");
        assertThat(c.crashFiles()).isEmpty();
        assertThat(c.exitCode()).as(c.output()).isZero();
    }

    private Child run(String name, String mainClass, String arg) throws IOException, InterruptedException {
        Path home = Files.createDirectories(tmp.resolve(name));
        Path work = Files.createDirectories(home.resolve("work"));
        Path crashes = Files.createDirectories(home.resolve("crashes"));
        Path cache = home.resolve("cache");
        List<String> cmd = new ArrayList<>(ChildJvm.command("-cp", System.getProperty("java.class.path"),
                "-Dorg.bytedeco.javacpp.cachedir=" + cache,
                "-XX:ErrorFile=" + crashes.resolve("hs_err_pid%p.log"),
                mainClass, arg));
        Process p = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        List<Path> crashFiles = new ArrayList<>(list(crashes));
        crashFiles.addAll(list(work));
        deleteTree(cache);
        return new Child(p.exitValue(), new String(out, StandardCharsets.UTF_8), crashFiles);
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().startsWith("hs_err")).toList();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path f : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
