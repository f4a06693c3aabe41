package org.leno.nn;

import java.util.List;

/**
 * What the checks found for one configuration: each path tried, in order, and the path a run takes
 * (the first that passed).
 */
public record KernelVerdict(String shape, KernelPath route, List<Check> checks) {
    public enum Status { OK, WRONG, CRASH }

    /** One path's check: worst relative errors of the output, input gradient and weight gradient; how it crashed. */
    public record Check(KernelPath path, Status status, double output, double inputGrad, double weightGrad, String detail) {
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
