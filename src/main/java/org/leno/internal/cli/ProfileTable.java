package org.leno.internal.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.leno.internal.nn.OpProfile;

/** A step profile as rows per step: calls, seconds and share of the profiled step. */
final class ProfileTable {
    private final OpProfile profile;

    ProfileTable(OpProfile profile) {
        this.profile = profile;
    }

    double stepSeconds() {
        return profile.stepNanos() / 1e9 / profile.steps();
    }

    /** Sum of the operator rows' shares (phase remainders left out). */
    double operatorShare() {
        return profile.rows().stream().filter(r -> !r.remainder()).mapToLong(OpProfile.Row::nanos).sum()
                / (double) profile.stepNanos();
    }

    Map<String, Object> json(double unprofiledStepSeconds) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (OpProfile.Row r : profile.rows()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("phase", r.phase());
            row.put("operator", r.operator());
            row.put("calls_per_step", (double) r.calls() / profile.steps());
            row.put("s_per_step", r.nanos() / 1e9 / profile.steps());
            row.put("share", r.nanos() / (double) profile.stepNanos());
            row.put("remainder", r.remainder());
            rows.add(row);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("steps", profile.steps());
        out.put("step_s", stepSeconds());
        out.put("unprofiled_step_s", unprofiledStepSeconds);
        out.put("profiler_s_per_step", profile.profilerNanos() / 1e9 / profile.steps());
        out.put("operator_share", operatorShare());
        out.put("rows", rows);
        return out;
    }

    void print(PrintStream out, double unprofiledStepSeconds) {
        out.printf("Profile of %d steps: %.1f ms/step profiled (%.1f ms unprofiled); operators cover %.1f%% of the step%n",
                profile.steps(), stepSeconds() * 1e3, unprofiledStepSeconds * 1e3, operatorShare() * 100);
        out.printf("%-9s %-44s %10s %10s %7s%n", "phase", "operator", "calls/step", "ms/step", "share");
        for (OpProfile.Row r : profile.rows()) {
            out.printf("%-9s %-44s %10.0f %10.2f %6.1f%%%n", r.phase(), r.operator(), (double) r.calls() / profile.steps(),
                    r.nanos() / 1e6 / profile.steps(), 100.0 * r.nanos() / profile.stepNanos());
        }
    }
}
