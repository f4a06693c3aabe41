package org.leno.internal.nn;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verification of kernels, proven with injected faults (this machine's oneDNN may well be right):
 * a configuration whose check really kills its process, one that computes wrongly, one that is right;
 * the fallbacks they get; the cache on disk, reused under the same signature and not under another.
 */
class KernelGuardTest {
    /** Small channel counts, which no CPU seen so far computes wrongly on its own. */
    private static final KernelShape CRASHES = KernelShape.conv(3, 1, 1, 16, 16, false, 4, 8, 8, KernelShape.Precision.FP32,
            true, true, 1);
    private static final KernelShape WRONG = KernelShape.conv(1, 2, 0, 16, 32, false, 4, 8, 8, KernelShape.Precision.FP32,
            true, true, 1);
    private static final KernelShape RIGHT = KernelShape.conv(1, 1, 0, 32, 16, false, 4, 4, 4, KernelShape.Precision.FP32,
            true, true, 1);
    private static final KernelShape LINEAR = KernelShape.linear(32, 10, true, 4, KernelShape.Precision.FP32, true, 1);
    private static final KernelFaults FAULTS = KernelFaults.of("3x3:16-16", "1x1:16-32/2,linear");
    private static final List<KernelShape> SHAPES = List.of(CRASHES, WRONG, RIGHT, LINEAR);

    @TempDir
    Path cache;

    @Test
    void aCrashingAndAWrongKernelGetVerifiedFallbacksAndTheVerdictsAreCached() {
        List<String> notices = new ArrayList<>();
        KernelGuard guard = new KernelGuard(cache, true, FAULTS, notices::add);
        Map<String, KernelVerdict> verdicts = byShape(guard.verdicts(SHAPES));

        KernelVerdict crash = verdicts.get(CRASHES.key());
        assertThat(crash.first().status()).isEqualTo(KernelVerdict.Status.CRASH);
        assertThat(crash.first().detail()).as("the child really died of SIGFPE").startsWith("SIGFPE");
        assertThat(crash.route()).isEqualTo(KernelPath.NO_ONEDNN);
        assertThat(crash.checks().get(1).status()).isEqualTo(KernelVerdict.Status.OK);

        KernelVerdict wrong = verdicts.get(WRONG.key());
        assertThat(wrong.first().status()).isEqualTo(KernelVerdict.Status.WRONG);
        assertThat(wrong.first().output()).isBetween(0.05, 0.2);
        assertThat(wrong.route()).isEqualTo(KernelPath.MATRIX_PRODUCT);
        assertThat(wrong.checks().get(1).worst()).isLessThan(KernelCheck.FP32_TOLERANCE);

        assertThat(verdicts.get(RIGHT.key()).route()).isEqualTo(KernelPath.LIBTORCH);
        assertThat(verdicts.get(RIGHT.key()).fallback()).isFalse();
        assertThat(verdicts.get(LINEAR.key()).route()).isEqualTo(KernelPath.FLOAT64);
        assertThat(guard.checkProcesses()).as("one child died; the others finished its work").isGreaterThanOrEqualTo(2);
        assertThat(notices).anyMatch(n -> n.contains("3 of 4 kernel configurations") && n.contains("crash (1)")
                && n.contains("wrongly (2)"));

        KernelGuard again = new KernelGuard(cache, true, FAULTS, notices::add);
        assertThat(byShape(again.verdicts(SHAPES)).get(CRASHES.key()).route()).isEqualTo(KernelPath.NO_ONEDNN);
        assertThat(again.route(WRONG)).isEqualTo(KernelPath.MATRIX_PRODUCT);
        assertThat(again.checkProcesses()).as("a cached verdict is reused").isZero();
    }

    @Test
    void aKernelThatReadsUnwrittenMemoryIsCaughtThoughItIsRightOnFreshMemory() {
        // 16 output channels: this configuration is right on every CPU seen (with 8, the EPYC family 26's own oneDNN is stale)
        KernelShape stale = KernelShape.conv(3, 1, 1, 16, 16, false, 4, 12, 12, KernelShape.Precision.FP32, false, true, 1);
        KernelFaults faults = KernelFaults.of(null, null, "3x3:16-16");
        KernelVerdict verdict = new KernelGuard(cache, true, faults, s -> { }).verdicts(List.of(stale)).get(0);
        assertThat(verdict.first().status()).as(verdict.toString()).isEqualTo(KernelVerdict.Status.WRONG);
        double output = verdict.first().output();
        assertThat(Double.isNaN(output) || output > KernelCheck.FP32_TOLERANCE).as("output error " + output).isTrue();
        assertThat(verdict.route()).isEqualTo(KernelPath.NO_ONEDNN);

        KernelGuard again = new KernelGuard(cache, true, faults, s -> { });
        assertThat(again.route(stale)).as("the verdict survives the cache file").isEqualTo(KernelPath.NO_ONEDNN);
        assertThat(again.checkProcesses()).isZero();
    }

    @Test
    void aNanErrorSurvivesTheCacheFile() throws Exception {
        KernelVerdict.Check nan = new KernelVerdict.Check(KernelPath.LIBTORCH, KernelVerdict.Status.WRONG, Double.NaN, 0, 0, "");
        KernelVerdict.Check ok = new KernelVerdict.Check(KernelPath.NO_ONEDNN, KernelVerdict.Status.OK, 1e-7, 1e-7, 1e-7, "");
        KernelVerdict verdict = new KernelVerdict(RIGHT.key(), KernelPath.NO_ONEDNN, List.of(nan, ok));
        ObjectMapper json = new ObjectMapper();
        KernelVerdict back = json.readValue(json.writeValueAsString(verdict), KernelVerdict.class);
        assertThat(back.first().output()).isNaN();
        assertThat(back.route()).isEqualTo(KernelPath.NO_ONEDNN);
    }

    @Test
    void anotherCpuOrLibtorchBuildIsCheckedAgain() {
        KernelGuard first = new KernelGuard(cache, true, KernelFaults.NONE, s -> { });
        first.ensure(List.of(RIGHT));
        assertThat(first.checkProcesses()).isEqualTo(1);
        MachineSignature here = first.signature();

        KernelGuard sameMachine = new KernelGuard(cache, true, KernelFaults.NONE, s -> { });
        sameMachine.ensure(List.of(RIGHT));
        assertThat(sameMachine.checkProcesses()).isZero();

        KernelGuard otherCpu = new KernelGuard(cache, true, KernelFaults.NONE, s -> { });
        otherCpu.signature(new MachineSignature(here.vendor(), here.family(), "99", here.stepping(), here.modelName(),
                here.flags(), here.caches(), here.libtorch(), here.onednn(), here.buildDigest(), here.faults()));
        otherCpu.ensure(List.of(RIGHT));
        assertThat(otherCpu.checkProcesses()).as("another CPU model").isEqualTo(1);

        KernelGuard otherBuild = new KernelGuard(cache, true, KernelFaults.NONE, s -> { });
        otherBuild.signature(new MachineSignature(here.vendor(), here.family(), here.model(), here.stepping(),
                here.modelName(), here.flags(), here.caches(), here.libtorch(), "v3.9.0", "0123456789abcdef", here.faults()));
        otherBuild.ensure(List.of(RIGHT));
        assertThat(otherBuild.checkProcesses()).as("another libtorch build").isEqualTo(1);
    }

    @Test
    void aForwardOnlyUseIsCoveredByATrainingVerdictButNotTheOtherWayRound() {
        KernelGuard guard = new KernelGuard(cache, true, KernelFaults.NONE, s -> { });
        guard.ensure(List.of(RIGHT));
        guard.ensure(List.of(RIGHT.withBackward(false)));
        assertThat(guard.checkProcesses()).isEqualTo(1);
        KernelShape other = RIGHT.withBatch(3).withBackward(false);
        guard.ensure(List.of(other));
        guard.ensure(List.of(other.withBackward(true)));
        assertThat(guard.checkProcesses()).isEqualTo(3);
    }

    @Test
    void theKeyRoundTripsAndTellsChannelsLastOneByOneMapsFromContiguousOnes() {
        for (KernelShape s : SHAPES) {
            assertThat(KernelShape.parse(s.key())).isEqualTo(s);
        }
        KernelShape cl = KernelShape.conv(1, 1, 0, 64, 64, false, 8, 1, 1, KernelShape.Precision.BF16, true, false, 2);
        KernelShape nchw = KernelShape.conv(1, 1, 0, 64, 64, false, 8, 1, 1, KernelShape.Precision.BF16, false, false, 2);
        assertThat(cl.key()).isNotEqualTo(nchw.key());
        assertThat(cl.channelsLast()).isTrue();
        assertThat(nchw.channelsLast()).isFalse();
    }

    private static Map<String, KernelVerdict> byShape(List<KernelVerdict> verdicts) {
        return verdicts.stream().collect(Collectors.toMap(KernelVerdict::shape, Function.identity()));
    }
}
