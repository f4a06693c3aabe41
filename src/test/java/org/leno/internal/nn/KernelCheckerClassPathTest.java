package org.leno.internal.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The kernel check's child JVM runs on the class path that loaded the library (Maven's exec:java has its own). */
class KernelCheckerClassPathTest {
    @Test
    void theChildGetsTheClassPathThatLoadedTheLibrary() throws Exception {
        String classPath = System.getProperty("java.class.path");
        assertThat(KernelChecker.classPath()).isEqualTo(classPath);

        // a loader of its own over the library's classes alone, as exec:java's over the project's class path
        Path library = Path.of(KernelChecker.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (URLClassLoader own = new URLClassLoader(new URL[] {library.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            Class<?> checker = own.loadClass(KernelChecker.class.getName());
            assertThat(checker).isNotSameAs(KernelChecker.class);
            Method m = checker.getDeclaredMethod("classPath");
            m.setAccessible(true);
            assertThat(m.invoke(null)).isEqualTo(library.toString()).isNotEqualTo(classPath);
        }
    }
}
