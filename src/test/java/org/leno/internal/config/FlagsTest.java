package org.leno.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/** The binder between configuration records and picocli, on a small record of its own. */
class FlagsTest {
    enum Colour { RED, DARK_BLUE }

    @FlagGroup(heading = "Shapes")
    record Shape(
            @Flag(names = {"-n", "--count"}, value = "3", quickStart = "1", description = "How many.") int count,
            @Flag(names = {"--steps", "--step_list"}, value = "30,60", quickStart = "6,9", arity = "1..*",
                    description = "Steps.") int[] steps,
            @Flag(names = "--colour", value = "red", description = "Colour.") Colour colour,
            @Flag(names = "--fancy", value = "false", description = "Fancy.") boolean fancy,
            @Flag(names = "--big", value = "true", description = "Big.") boolean big,
            @Flag(names = "--limit", description = "Optional.") Double limit,
            @Flag(names = "--out", value = "results", description = "Where.") Path out,
            @Flag(names = "--pair", value = "1,2", quickStart = "3,4", arity = "2", description = "Two.") double[] pair) {
        Shape {
            if (count < 0) {
                throw new IllegalArgumentException("--count must not be negative, got " + count);
            }
        }
    }

    @FlagGroup(heading = "Other")
    record Other(@Flag(names = "--seed", description = "Seed.") Long seed) {}

    record All(Shape shape, Other other) {}

    @Command(name = "demo")
    static final class Demo {}

    private static Flags<All> parse(String... args) {
        Flags<All> flags = Flags.of(All.class);
        CommandSpec spec = CommandSpec.forAnnotatedObject(new Demo());
        flags.addTo(spec);
        CommandLine cli = new CommandLine(spec);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setOverwrittenOptionsAllowed(true);
        cli.parseArgs(args);
        return flags;
    }

    @Test
    void defaultsApplyWhenNothingOfAGroupIsGiven() {
        All all = parse().build();
        assertThat(all.shape().count()).isEqualTo(3);
        assertThat(all.shape().steps()).containsExactly(30, 60);
        assertThat(all.shape().colour()).isEqualTo(Colour.RED);
        assertThat(all.shape().fancy()).isFalse();
        assertThat(all.shape().big()).isTrue();
        assertThat(all.shape().limit()).isNull();
        assertThat(all.shape().out()).isEqualTo(Path.of("results"));
        assertThat(all.other().seed()).isNull();
    }

    @Test
    void parsesEveryKindOfValueAndTheLastOccurrenceWins() {
        All all = parse("--count", "5", "--steps", "1", "2", "3", "--colour", "Dark_Blue", "--fancy", "--no-big",
                "--limit", "0.5", "--seed", "7", "-n", "6").build();
        assertThat(all.shape().count()).isEqualTo(6);
        assertThat(all.shape().steps()).containsExactly(1, 2, 3);
        assertThat(all.shape().colour()).isEqualTo(Colour.DARK_BLUE);
        assertThat(all.shape().fancy()).isTrue();
        assertThat(all.shape().big()).isFalse();
        assertThat(all.shape().limit()).isEqualTo(0.5);
        assertThat(all.other().seed()).isEqualTo(7L);
        assertThat(parse("--fancy", "--no-fancy").build().shape().fancy()).isFalse();
    }

    @Test
    void toMapAndArgsFromRoundTrip() {
        All given = parse("--count", "4", "--steps", "5", "--colour", "dark_blue", "--no-big", "--seed", "11").build();
        Map<String, Object> map = Flags.of(All.class).toMap(given);
        assertThat(map).containsKeys("count", "steps", "colour", "fancy", "big", "limit", "out", "seed");
        assertThat(map.get("colour")).isEqualTo("dark_blue");
        assertThat(map.get("steps")).isEqualTo(List.of(5));
        List<String> args = Flags.of(All.class).argsFrom(map, "args.json");
        All again = parse(args.toArray(String[]::new)).build();
        assertThat(Flags.of(All.class).toMap(again)).isEqualTo(map);
    }

    @Test
    void quickStartDefaultsAreArgumentsThatTheUserOverrides() {
        List<String> quick = Flags.of(All.class).quickStartArgs();
        All all = parse(concat(quick, "--count", "2")).build();
        assertThat(all.shape().count()).isEqualTo(2);
        assertThat(all.shape().steps()).containsExactly(6, 9);
        assertThat(all.shape().pair()).containsExactly(3.0, 4.0);
    }

    @Test
    void unknownConfigKeyAndInvalidValueAreOneLineErrors() {
        assertThatThrownBy(() -> Flags.of(All.class).argsFrom(Map.of("colour", "red", "shade", 1), "run/args.json"))
                .hasMessage("run/args.json: unknown key 'shade'");
        assertThatThrownBy(() -> parse("--count", "-1").build()).hasMessage("--count must not be negative, got -1");
    }

    @Test
    void helpShowsTheGroupHeadingsAndBothDefaults() {
        Flags<All> flags = Flags.of(All.class);
        CommandSpec spec = CommandSpec.forAnnotatedObject(new Demo());
        flags.addTo(spec);
        String help = new CommandLine(spec).getUsageMessage(CommandLine.Help.Ansi.OFF);
        assertThat(help).contains("Shapes:").contains("Other:").contains("How many. (default: 3; quick start: 1)")
                .contains("Steps. (default: 30 60; quick start: 6 9)");
    }

    private static String[] concat(List<String> first, String... rest) {
        List<String> all = new java.util.ArrayList<>(first);
        all.addAll(List.of(rest));
        return all.toArray(String[]::new);
    }

    @Test
    void aVariantLeavesOutFlagsAndReplacesADefaultWithoutDeclaringAnythingAgain() {
        Flags<All> variant = Flags.of(All.class).without("colour").withDefault("count", "7");
        CommandSpec spec = CommandSpec.forAnnotatedObject(new Demo());
        variant.addTo(spec);
        assertThat(spec.findOption("--colour")).isNull();
        assertThat(spec.findOption("--count").description()[0]).isEqualTo("How many. (default: 7; quick start: 1)");
        new CommandLine(spec).parseArgs("--fancy");
        Flags<All> bound = Flags.of(All.class).without("colour").withDefault("count", "7").boundTo(spec);
        assertThat(bound.<Integer>value("count")).isEqualTo(7);
        assertThat(bound.<Boolean>value("fancy")).isTrue();
        assertThatThrownBy(bound::build).hasMessage("Shape cannot be built without its flag colour");
        All built = bound.build(Map.of("colour", Colour.DARK_BLUE));
        assertThat(built.shape().colour()).isEqualTo(Colour.DARK_BLUE);
        assertThat(built.shape().count()).isEqualTo(7);
        assertThat(built.shape().fancy()).isTrue();
        assertThatThrownBy(() -> Flags.of(All.class).without("colours")).hasMessage("All has no flag colours");
        CommandSpec given = CommandSpec.forAnnotatedObject(new Demo());
        variant.addTo(given);
        new CommandLine(given).parseArgs("--count", "2");
        assertThat(variant.boundTo(given).<Integer>value("count")).isEqualTo(2);
    }
}
