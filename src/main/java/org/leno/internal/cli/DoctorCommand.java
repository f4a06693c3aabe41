package org.leno.internal.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.Autocast;
import org.leno.internal.nn.ComputeDevice;
import org.leno.internal.nn.KernelCheck;
import org.leno.internal.nn.KernelGuard;
import org.leno.internal.nn.KernelShape;
import org.leno.internal.nn.KernelVerdict;
import org.leno.internal.nn.MachineSignature;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.train.Amp;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true, name = "doctor", modelTransformer = ModelOptions.class,
        description = {"The machine and the native stack (CPU, ISA flags, caches, libtorch, oneDNN), and the verdict of "
                + "every convolution and linear configuration checked on it: whether libtorch's own kernel (oneDNN) "
                + "survives and computes it right against float64, and the path a run takes.",
                "Without model flags: every configuration checked on this machine so far. With any of -a, "
                        + "--model_depth, --image-size, -b, --amp, --eval: that model's configurations, checked now "
                        + "if they were not yet (in child processes, so a crashing kernel is contained)."})
final class DoctorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"--image-size", "--image_size"}, defaultValue = "28",
            description = "Square input size (default: ${DEFAULT-VALUE}, as the quick start).")
    int imageSize;

    @Mixin
    BatchSizeOption batch = new BatchSizeOption(64);

    @Mixin
    ThreadsOption threads = new ThreadsOption();

    @Option(names = "--amp", defaultValue = "none", description = "none or bf16 (autocast, as leno train --amp bf16).")
    String amp;

    @Option(names = "--eval", description = "Forward only (validation, leno predict) instead of a training step.")
    boolean eval;

    @Mixin
    JsonOption json = new JsonOption();

    @Override
    public Integer call() throws Exception {
        if (imageSize < 1 || batch.batchSize < 1) {
            throw new IllegalArgumentException("--image-size and --batch-size must be at least 1");
        }
        if (!amp.equals("none") && !amp.equals("bf16")) {
            throw new IllegalArgumentException("--amp: expected none or bf16, got '" + amp + "'");
        }
        threads.apply();
        KernelGuard guard = KernelGuard.shared();
        MachineSignature machine = guard.signature();
        boolean model = modelGiven();
        List<KernelVerdict> verdicts = model ? modelVerdicts(guard) : guard.cachedVerdicts();
        if (json.json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("machine", machine);
            out.put("checks", guard.verifies() ? "verify" : "trust");
            out.put("cache", guard.cacheDir().resolve(machine.id() + ".json").toString());
            out.put("verdicts", verdicts);
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
            return 0;
        }
        printMachine(machine, guard);
        System.out.println();
        System.out.println(model ? modelTitle() : "Configurations checked on this machine so far (" + verdicts.size()
                + "; a model's own: leno doctor -a ARCH --model_depth D --image-size S -b B [--amp bf16] [--eval]):");
        printVerdicts(verdicts);
        return 0;
    }

    /** Whether a flag that chooses the model was given: any but --threads and --json. */
    private boolean modelGiven() {
        Set<String> neutral = Stream.of(spec.mixins().get("threads"), spec.mixins().get("json"))
                .flatMap(m -> m.options().stream()).map(OptionSpec::longestName).collect(Collectors.toSet());
        return spec.commandLine().getParseResult().matchedOptions().stream().anyMatch(o -> !neutral.contains(o.longestName()));
    }

    private List<KernelVerdict> modelVerdicts(KernelGuard guard) {
        ModelConfig config = ModelOptions.config(spec);
        try (ResidualNetwork net = ModelRegistry.create(config); NativeScope scope = NativeScope.open()) {
            net.toChannelsLast();
            Tensor x = torch.zeros(batch.batchSize, 3, imageSize, imageSize).contiguous(torch.MemoryFormat.ChannelsLast);
            List<KernelShape> shapes;
            if (eval) {
                net.eval();
                try (NoGradGuard g = new NoGradGuard()) {
                    shapes = traced(net, x);
                }
            } else {
                shapes = traced(net, x);
            }
            return guard.verdicts(shapes);
        }
    }

    private List<KernelShape> traced(ResidualNetwork net, Tensor x) {
        try (Autocast cast = Autocast.to(ComputeDevice.cpu(), Amp.valueOf(amp.toUpperCase(Locale.ROOT)).autocastType())) {
            return net.kernelShapes(x);
        }
    }

    private String modelTitle() {
        ModelConfig config = ModelOptions.config(spec);
        return String.format(Locale.ROOT, "Kernels of %s-%d at %dx%d, batch %d, %s, %s:", config.arch().id(), config.depth(),
                imageSize, imageSize, batch.batchSize, amp.equals("bf16") ? "bf16 autocast" : "fp32",
                eval ? "forward only" : "training step");
    }

    private static void printMachine(MachineSignature m, KernelGuard guard) {
        System.out.println("Machine");
        System.out.printf("  CPU            %s (%s, family %s, model %s, stepping %s)%n", m.modelName(), m.vendor(),
                m.family(), m.model(), m.stepping());
        System.out.printf("  ISA            %s%s%n", m.isaSummary(), m.flags().contains("amx") ? "" : " (no AMX)");
        System.out.printf("  caches         %s%n", String.join(" ", m.caches()));
        System.out.printf("  threads        %d (libtorch), %d cores%n", torch.get_num_threads(), Runtime.getRuntime().availableProcessors());
        System.out.println("Native stack");
        System.out.printf("  libtorch       %s, oneDNN %s, build %s%n", m.libtorch(), m.onednn(), m.buildDigest());
        System.out.printf("  kernel checks  %s; verdicts in %s%n", guard.verifies()
                ? "on (float64 reference, tolerance " + KernelCheck.FP32_TOLERANCE + " fp32, " + KernelCheck.BF16_TOLERANCE + " bf16)"
                : "OFF (LENO_KERNELS=trust: libtorch's own kernels, unchecked)", guard.cacheDir().resolve(m.id() + ".json"));
        if (!guard.faults().none()) {
            System.out.printf("  injected       %s%n", guard.faults());
        }
    }

    private static void printVerdicts(List<KernelVerdict> verdicts) {
        int crash = 0;
        int wrong = 0;
        List<KernelVerdict> sorted = new ArrayList<>(verdicts);
        sorted.sort((a, b) -> Boolean.compare(b.fallback(), a.fallback()));
        for (KernelVerdict v : sorted) {
            KernelVerdict.Check first = v.first();
            crash += first.status() == KernelVerdict.Status.CRASH || first.status() == KernelVerdict.Status.SKIPPED ? 1 : 0;
            wrong += first.status() == KernelVerdict.Status.WRONG ? 1 : 0;
            System.out.printf("  %s%n    %s: %s%n", v.kernelShape().describe(), first.path().label(), outcome(first));
            if (v.fallback()) {
                for (KernelVerdict.Check c : v.checks().subList(1, v.checks().size())) {
                    System.out.printf("    %s: %s%n", c.path().label(), outcome(c));
                }
            }
            System.out.printf("    -> a run takes %s%n", v.route().label());
        }
        System.out.printf("%d configurations: %d right on libtorch's own kernels, %d crash (or their convolution "
                + "crashed at another size), %d compute wrongly; "
                + "every one has a verified path.%n", verdicts.size(), verdicts.size() - crash - wrong, crash, wrong);
    }

    private static String outcome(KernelVerdict.Check c) {
        return switch (c.status()) {
            case OK -> String.format(Locale.ROOT, "ok (relative error %.1e)", c.worst());
            case WRONG -> String.format(Locale.ROOT, "WRONG (relative error %.2g: output %.1e, input gradient %.1e, "
                    + "weight gradient %.1e)", c.worst(), c.output(), c.inputGrad(), c.weightGrad());
            case CRASH -> "CRASH (" + c.detail() + ")";
            case SKIPPED -> "not run: the same convolution " + c.detail();
        };
    }
}
