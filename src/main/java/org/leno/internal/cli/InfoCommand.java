package org.leno.internal.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.Natives;
import org.leno.internal.nn.StateDict;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

@Command(mixinStandardHelpOptions = true, name = "info", modelTransformer = ModelOptions.class, description = "Parameters, state_dict entries, blocks, transition blocks and MACs of a model.")
final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"--image-size", "--image_size"}, defaultValue = "224",
            description = "Square input size for counting multiply-accumulates (default: ${DEFAULT-VALUE}).")
    int imageSize;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (imageSize < 1) {
            throw new IllegalArgumentException("--image-size must be positive, got " + imageSize);
        }
        ModelConfig config = ModelOptions.config(spec);
        Natives.threads(0);
        try (ResidualNetwork net = ModelRegistry.create(config)) {
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("arch", config.arch().id());
            info.put("depth", config.depth());
            info.put("n_classes", config.nClasses());
            info.put("params", net.parameterCount());
            info.put("state_dict_entries", StateDict.of(net).size());
            info.put("blocks_per_stage", net.blocksPerStage());
            info.put("transition_blocks", net.transitionBlocks());
            info.put("image_size", imageSize);
            info.put("macs", net.macs(imageSize));
            if (json) {
                System.out.println(new ObjectMapper().writeValueAsString(info));
            } else {
                print(config, info, net);
            }
        }
        return 0;
    }

    private static void print(ModelConfig config, Map<String, Object> info, ResidualNetwork net) {
        int[] blocks = net.blocksPerStage();
        System.out.printf("%s-%d (%s), %d classes%n", config.arch().id(), config.depth(),
                config.arch().displayName(), config.nClasses());
        System.out.printf("  parameters          %,d%n", (Long) info.get("params"));
        System.out.printf("  state_dict entries  %d%n", (Integer) info.get("state_dict_entries"));
        System.out.printf("  blocks per stage    %s (%d blocks)%n",
                Arrays.stream(blocks).mapToObj(String::valueOf).collect(Collectors.joining("-")),
                Arrays.stream(blocks).sum());
        System.out.printf("  transition blocks   %s%n",
                net.transitionBlocks().stream().map(String::valueOf).collect(Collectors.joining(", ")));
        long macs = (Long) info.get("macs");
        System.out.printf("  %-20s%,d (%.2f G)%n", "MACs at " + info.get("image_size") + "x" + info.get("image_size"),
                macs, macs / 1e9);
    }
}
