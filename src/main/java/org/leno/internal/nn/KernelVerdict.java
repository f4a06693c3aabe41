package org.leno.internal.nn;

import java.util.List;

/**
 * What the checks found for one configuration: each path tried, in order, and the path a run takes
 * (the first that passed).
 */
public record KernelVerdict(String shape, KernelPath route, List<Check> checks) {
    /**
     * A check's outcome. {@code SKIPPED}: libtorch's kernel was not run because it crashed on the same
     * convolution (kernel, stride, padding, channels, precision) at another batch or map size; each
     * crash costs a process, and a fallback that passes is right either way.
     */
    public enum Status { OK, WRONG, CRASH, SKIPPED }

    /** One path's check: worst relative errors of the output, input gradient and weight gradient; how it crashed. */
    public record Check(KernelPath path, Status status, double output, double inputGrad, double weightGrad, String detail) {
        /** libtorch's kernel not run because it crashed ({@code crash}) on {@code sibling}, the same convolution at another size. */
        static Check skipped(KernelShape sibling, String crash) {
            return new Check(KernelPath.LIBTORCH, Status.SKIPPED, 0, 0, 0, "crashed on " + sibling.describe() + ": " + crash);
        }

        public double worst() {
            return Math.max(output, Math.max(inputGrad, weightGrad));
        }
    }

    public KernelVerdict {
        checks = List.copyOf(checks);
    }

    public KernelShape kernelShape() {
        return KernelShape.parse(shape);
    }

    /** Whether a run takes another path than libtorch's first choice. */
    public boolean fallback() {
        return !checks.isEmpty() && checks.get(0).status() != Status.OK;
    }

    /** The check of libtorch's first choice, which decides whether this is a fallback. */
    public Check first() {
        return checks.get(0);
    }
}
