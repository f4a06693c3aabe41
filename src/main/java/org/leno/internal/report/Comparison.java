package org.leno.internal.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Function;
import org.leno.internal.model.Arch;

/**
 * The statistics of a comparison over seeds: per (arch, depth) the mean and sd over its complete
 * runs of best and last val Acc@1, of the last epoch's train loss, and of val Acc@1 and train loss
 * per epoch; per depth each architecture minus the baseline, paired by seed over the seeds where
 * both runs are complete, with a 95% Student t interval and the seeds it won.
 */
record Comparison(String baseline, int epochs, List<SeedRun> runs, List<Group> groups, List<Difference> differences) {
    static final double LEVEL = 0.95;
    static final String BEST = "best_val_acc1";
    static final String LAST = "last_val_acc1";

    /** Mean and sd of n values (sd NaN below 2). */
    record Stat(int n, double mean, double sd) {
        static Stat of(double[] v) {
            return new Stat(v.length, SeedStatistics.mean(v), SeedStatistics.sd(v));
        }
    }

    record EpochStat(int epoch, Stat valAcc1, Stat trainLoss) {}

    record Group(String arch, int depth, List<SeedRun> complete, List<SeedRun> incomplete, Stat best, Stat last,
                 Stat finalTrainLoss, List<EpochStat> perEpoch) {
        String name() {
            return displayName(arch, depth);
        }
    }

    record Difference(int depth, String arch, String baseline, String quantity, List<Long> seeds,
                      SeedStatistics.Interval interval, int won, int lost) {
        int tied() {
            return seeds.size() - won - lost;
        }

        /** "LeNo-ResNet-50 minus ResNet-50: +1.2 points, 95% interval -3.1 to +5.5, 3 seeds: not resolved". */
        String sentence() {
            String head = displayName(arch, depth) + " minus " + displayName(baseline, depth) + " ("
                    + (quantity.equals(BEST) ? "best" : "last") + " val Acc@1): ";
            int n = interval.n();
            if (n == 0) {
                return head + "no seed with both runs complete";
            }
            String diff = String.format(Locale.ROOT, "%+.1f points", interval.mean());
            if (!interval.hasInterval()) {
                return head + diff + ", 1 seed: no interval (it takes 2 seeds or more)";
            }
            String verdict = interval.resolved()
                    ? "resolved (" + displayName(interval.mean() > 0 ? arch : baseline, depth) + " higher)" : "not resolved";
            return head + diff + String.format(Locale.ROOT, ", 95%% interval %+.1f to %+.1f, %d seeds (won %d): ",
                    interval.low(), interval.high(), n, won) + verdict;
        }
    }

    static String displayName(String arch, int depth) {
        return Arch.byId(arch).map(Arch::displayName).orElse(arch) + "-" + depth;
    }

    /** The statistics of {@code runs} (in training order; groups and depths keep their first appearance). */
    static Comparison of(List<SeedRun> runs, String baseline, int epochs) {
        Map<String, List<SeedRun>> byGroup = new LinkedHashMap<>();
        for (SeedRun r : runs) {
            byGroup.computeIfAbsent(key(r.arch(), r.depth()), k -> new ArrayList<>()).add(r);
        }
        List<Group> groups = new ArrayList<>();
        for (List<SeedRun> g : byGroup.values()) {
            groups.add(group(g, epochs));
        }
        groups.sort((a, b) -> Integer.compare(a.depth(), b.depth()));
        List<Difference> differences = new ArrayList<>();
        for (Group g : groups) {
            Group base = groupOf(groups, baseline, g.depth()).orElse(null);
            if (base == null || base == g) {
                continue;
            }
            differences.add(difference(g, base, BEST, SeedRun::bestAcc1));
            differences.add(difference(g, base, LAST, r -> r.lastAcc1(epochs)));
        }
        return new Comparison(baseline, epochs, List.copyOf(runs), groups, differences);
    }

    List<Integer> depths() {
        Set<Integer> d = new LinkedHashSet<>();
        groups.forEach(g -> d.add(g.depth()));
        return List.copyOf(d);
    }

    /** The sentences of best val Acc@1, one per (depth, arch other than the baseline). */
    List<String> sentences() {
        return differences.stream().filter(d -> d.quantity().equals(BEST)).map(Difference::sentence).toList();
    }

    private static String key(String arch, int depth) {
        return arch + "\u0000" + depth;
    }

    private static Optional<Group> groupOf(List<Group> groups, String arch, int depth) {
        return groups.stream().filter(g -> g.arch().equals(arch) && g.depth() == depth).findFirst();
    }

    private static Group group(List<SeedRun> runs, int epochs) {
        List<SeedRun> complete = runs.stream().filter(SeedRun::complete).toList();
        List<SeedRun> incomplete = runs.stream().filter(r -> !r.complete()).toList();
        List<EpochStat> perEpoch = new ArrayList<>();
        for (int e = 1; e <= epochs; e++) {
            int epoch = e;
            perEpoch.add(new EpochStat(e, Stat.of(values(complete, r -> at(r.val(), epoch, 1))),
                    Stat.of(values(complete, r -> at(r.train(), epoch, 0)))));
        }
        SeedRun first = runs.get(0);
        return new Group(first.arch(), first.depth(), complete, incomplete, Stat.of(values(complete, SeedRun::bestAcc1)),
                Stat.of(values(complete, r -> r.lastAcc1(epochs))), Stat.of(values(complete, r -> r.finalTrainLoss(epochs))),
                perEpoch);
    }

    /** Field i ({0: loss, 1: acc1}) of the epoch's row. */
    private static OptionalDouble at(Map<Integer, double[]> rows, int epoch, int i) {
        return rows.containsKey(epoch) ? OptionalDouble.of(rows.get(epoch)[i]) : OptionalDouble.empty();
    }

    private static double[] values(List<SeedRun> runs, Function<SeedRun, OptionalDouble> f) {
        return runs.stream().map(f).filter(OptionalDouble::isPresent).mapToDouble(OptionalDouble::getAsDouble).toArray();
    }

    /** Paired over the seeds where both runs are complete, in the arch's seed order. */
    private static Difference difference(Group g, Group base, String quantity, Function<SeedRun, OptionalDouble> f) {
        List<Long> seeds = new ArrayList<>();
        List<double[]> pairs = new ArrayList<>();
        for (SeedRun r : g.complete()) {
            base.complete().stream().filter(b -> b.seed() == r.seed()).findFirst().ifPresent(b -> {
                OptionalDouble x = f.apply(r);
                OptionalDouble y = f.apply(b);
                if (x.isPresent() && y.isPresent()) {
                    seeds.add(r.seed());
                    pairs.add(new double[] {x.getAsDouble(), y.getAsDouble()});
                }
            });
        }
        double[] a = pairs.stream().mapToDouble(p -> p[0]).toArray();
        double[] b = pairs.stream().mapToDouble(p -> p[1]).toArray();
        int won = (int) pairs.stream().filter(p -> p[0] > p[1]).count();
        int lost = (int) pairs.stream().filter(p -> p[0] < p[1]).count();
        return new Difference(g.depth(), g.arch(), base.arch(), quantity, List.copyOf(seeds),
                SeedStatistics.paired(a, b, LEVEL), won, lost);
    }
}
