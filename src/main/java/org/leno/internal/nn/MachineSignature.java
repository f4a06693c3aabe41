package org.leno.internal.nn;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bytedeco.pytorch.global.torch;

/**
 * What a kernel verdict holds for: the CPU (vendor, family, model, stepping, ISA flags, cache sizes
 * as the C library reports them from cpuid) and the libtorch build (its version, oneDNN's, the
 * presets' and a digest of its build configuration), and the faults injected, if any. A verdict
 * found under one signature is never used under another.
 */
public record MachineSignature(String vendor, String family, String model, String stepping, String modelName,
                               String flags, List<String> caches, String libtorch, String onednn, String buildDigest,
                               String faults) {

    public MachineSignature {
        caches = List.copyOf(caches);
    }

    /** This machine and the loaded libtorch (loading it if needed). */
    public static MachineSignature current(KernelFaults faults) {
        Map<String, String> cpu = cpuInfo();
        Natives.load();
        String config = torch.show_config().getString();
        String presets = torch.class.getPackage().getImplementationVersion();
        String version = config.replaceFirst("(?s).*TORCH_VERSION=([^,]+),.*", "$1");
        String onednn = config.lines().filter(l -> l.contains("MKL-DNN") || l.contains("oneDNN")).findFirst()
                .map(l -> l.replaceFirst(".*?(v[0-9][0-9.]*).*", "$1")).orElse("none");
        return new MachineSignature(cpu.getOrDefault("vendor_id", "?"), cpu.getOrDefault("cpu family", "?"),
                cpu.getOrDefault("model", "?"), cpu.getOrDefault("stepping", "?"), cpu.getOrDefault("model name", "?"),
                sortedFlags(cpu.getOrDefault("flags", "")), cacheSizes(),
                (version.contains("\n") ? "?" : version) + (presets == null ? "" : " (presets " + presets + ")"), onednn,
                sha256(config).substring(0, 16), faults.toString());
    }

    /** The cache format: a new one never reads (nor overwrites) an older build's verdicts. */
    private static final String FORMAT = "verdicts-4";

    /** The file name part that identifies this signature (and the cache format). */
    public String id() {
        return sha256(String.join("|", FORMAT, vendor, family, model, stepping, modelName, flags, String.join(";", caches),
                libtorch, onednn, buildDigest, faults)).substring(0, 16);
    }

    /** The ISA flags that decide oneDNN's kernels, for people (the signature keeps them all). */
    public String isaSummary() {
        List<String> shown = new ArrayList<>();
        for (String f : flags.split(" ")) {
            if (f.startsWith("avx") || f.startsWith("amx") || f.equals("fma") || f.equals("f16c")) {
                shown.add(f);
            }
        }
        return String.join(" ", shown);
    }

    private static Map<String, String> cpuInfo() {
        Map<String, String> fields = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    break;
                }
                int colon = line.indexOf(':');
                if (colon > 0) {
                    fields.putIfAbsent(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
                }
            }
        } catch (IOException e) {
            fields.put("vendor_id", System.getProperty("os.arch"));
        }
        return fields;
    }

    private static String sortedFlags(String flags) {
        String[] all = flags.split("\\s+");
        Arrays.sort(all);
        return String.join(" ", all).strip();
    }

    /** {@code getconf}'s cache sizes and associativities (from cpuid; what oneDNN's blocking sees too). */
    private static List<String> cacheSizes() {
        List<String> out = new ArrayList<>();
        try {
            Process p = new ProcessBuilder("getconf", "-a").redirectErrorStream(true).start();
            String text;
            try (InputStream in = p.getInputStream()) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            p.waitFor(10, TimeUnit.SECONDS);
            text.lines().filter(l -> l.matches("LEVEL\\d_.*(SIZE|ASSOC)\\s+\\d+.*"))
                    .map(l -> l.strip().replaceAll("\\s+", "="))
                    .forEach(out::add);
        } catch (IOException e) {
            out.add("getconf unavailable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
