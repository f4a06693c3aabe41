package org.leno.internal.nn;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.bytedeco.javacpp.Loader;

/**
 * Unpacks a JavaCPP preset's whole native folder into the cache before its first library is loaded.
 *
 * <p>JavaCPP unpacks a preset's libraries one at a time, each just before it loads it, in the order of
 * the preset's preload list. libtorch's list loads {@code libtorch.so} before {@code libtorch_cpu.so}
 * is unpacked, so the dynamic linker, not finding {@code libtorch_cpu.so} beside it (its RUNPATH),
 * falls back to {@code /etc/ld.so.cache}: where Debian's python3-torch is installed that is libtorch
 * 1.13, whose initialisers then run against 2.10's libc10 and crash the JVM (SIGSEGV in
 * pthread_mutex_lock). With the folder complete, every dependency resolves beside its dependant. Once
 * the cache is complete this only compares file sizes and dates.
 */
public final class NativeCache {
    private NativeCache() {
    }

    /**
     * Unpacks {@code /org/bytedeco/<preset>/<platform>/} of the jar that holds {@code presetClass}, and
     * {@code <platform>-gpu/} of the GPU build's natives where they are on the class path instead.
     */
    public static void unpack(Class<?> presetClass, String preset) {
        try {
            for (String extension : new String[] {"", "-gpu"}) {
                String folder = "/org/bytedeco/" + preset + "/" + Loader.getPlatform() + extension + "/";
                if (presetClass.getResource(folder) != null) {
                    Loader.cacheResource(presetClass, folder);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the native libraries of " + preset + " into "
                    + cacheDir() + ": " + e.getMessage(), e);
        }
    }

    private static String cacheDir() {
        try {
            return Loader.getCacheDir().toString();
        } catch (IOException e) {
            return "the JavaCPP cache";
        }
    }
}
