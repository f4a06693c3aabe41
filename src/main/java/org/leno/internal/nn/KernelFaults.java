package org.leno.internal.nn;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Faults injected into libtorch's own path ({@link KernelPath#LIBTORCH}), so that the verification
 * and its fallbacks can be proven on a machine whose oneDNN is right. A crash fault makes the
 * checking process really die (SIGFPE, as oneDNN's does); a wrong fault mixes each output with its
 * neighbouring channel, wherever that path runs, which no BatchNorm after it can undo; a stale fault
 * adds an uninitialised tensor, as a kernel that reads memory it never wrote (oneDNN's input gradient
 * of 3x3 convolutions with few output channels on the EPYC family 26): right on fresh (zeroed) memory,
 * wrong on reused memory. Patterns, comma-separated: {@code *} (every convolution), {@code linear}, or {@code
 * KxK:IN-OUT[/S]}, e.g. {@code 1x1:512-1024/2}. Set with {@code -Dleno.kernels.crash=...}, {@code
 * -Dleno.kernels.wrong=...}, {@code -Dleno.kernels.stale=...} or the environment variables {@code
 * LENO_KERNELS_CRASH}, {@code LENO_KERNELS_WRONG}, {@code LENO_KERNELS_STALE}.
 */
public record KernelFaults(List<String> crash, List<String> wrong, List<String> stale) {
    public static final KernelFaults NONE = new KernelFaults(List.of(), List.of(), List.of());

    public KernelFaults {
        crash = List.copyOf(crash);
        wrong = List.copyOf(wrong);
        stale = List.copyOf(stale);
        crash.forEach(KernelFaults::checkPattern);
        wrong.forEach(KernelFaults::checkPattern);
        stale.forEach(KernelFaults::checkPattern);
    }

    public static KernelFaults of(String crash, String wrong) {
        return of(crash, wrong, null);
    }

    public static KernelFaults of(String crash, String wrong, String stale) {
        return new KernelFaults(split(crash), split(wrong), split(stale));
    }

    /** From the system properties, else the environment. */
    public static KernelFaults fromSettings() {
        return of(setting("leno.kernels.crash", "LENO_KERNELS_CRASH"), setting("leno.kernels.wrong", "LENO_KERNELS_WRONG"),
                setting("leno.kernels.stale", "LENO_KERNELS_STALE"));
    }

    static String setting(String property, String variable) {
        String v = System.getProperty(property);
        return v != null ? v : System.getenv(variable);
    }

    public boolean none() {
        return crash.isEmpty() && wrong.isEmpty() && stale.isEmpty();
    }

    public boolean crashes(KernelShape shape, KernelPath path) {
        return path == KernelPath.LIBTORCH && crash.stream().anyMatch(p -> matches(p, shape));
    }

    /** Whether an injected fault makes {@code path} compute {@code shape} wrongly (always or on reused memory). */
    public boolean wrong(KernelShape shape, KernelPath path) {
        return path == KernelPath.LIBTORCH && (wrong.stream().anyMatch(p -> matches(p, shape))
                || stale.stream().anyMatch(p -> matches(p, shape)));
    }

    /** {@code y} as the faulty path computes it: perturbed where a wrong fault matches, stale where a stale one does. */
    public Tensor apply(KernelShape shape, KernelPath path, Tensor y) {
        if (path != KernelPath.LIBTORCH) {
            return y;
        }
        Tensor out = wrong.stream().anyMatch(p -> matches(p, shape)) ? perturb(y) : y;
        return stale.stream().anyMatch(p -> matches(p, shape)) ? out.add(torch.empty_like(out)) : out;
    }

    /** {@code y + 0.1 * y rolled by one channel}: about 10% wrong, differentiable, not a per-channel scale. */
    static Tensor perturb(Tensor y) {
        return y.add(torch.roll(y, new long[] {1}, new long[] {1}), new Scalar(0.1));
    }

    /** The system property text of these faults, for a child process ({@code -Dleno.kernels.crash=...}). */
    public List<String> asProperties() {
        return List.of("-Dleno.kernels.crash=" + String.join(",", crash), "-Dleno.kernels.wrong=" + String.join(",", wrong),
                "-Dleno.kernels.stale=" + String.join(",", stale));
    }

    @Override
    public String toString() {
        return none() ? "none" : "crash=" + String.join(",", crash) + " wrong=" + String.join(",", wrong)
                + (stale.isEmpty() ? "" : " stale=" + String.join(",", stale));
    }

    static boolean matches(String pattern, KernelShape s) {
        if (pattern.equals("linear")) {
            return s.op() == KernelShape.Op.LINEAR;
        }
        if (s.op() != KernelShape.Op.CONV) {
            return false;
        }
        if (pattern.equals("*")) {
            return true;
        }
        String[] kindRest = pattern.split(":");
        String[] strideSplit = kindRest[1].split("/");
        String[] io = strideSplit[0].split("-");
        return kindRest[0].equals(s.kernel() + "x" + s.kernel()) && Long.parseLong(io[0]) == s.in()
                && Long.parseLong(io[1]) == s.out() && (strideSplit.length == 1 || Long.parseLong(strideSplit[1]) == s.stride());
    }

    private static void checkPattern(String p) {
        if (!p.equals("*") && !p.equals("linear") && !p.toLowerCase(Locale.ROOT).matches("\\d+x\\d+:\\d+-\\d+(/\\d+)?")) {
            throw new IllegalArgumentException("kernel fault pattern '" + p + "': expected *, linear or KxK:IN-OUT[/S]");
        }
    }

    private static List<String> split(String spec) {
        return spec == null || spec.isBlank() ? List.of()
                : Arrays.stream(spec.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
