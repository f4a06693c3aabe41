package org.leno.internal.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.leno.internal.report.Report;
import org.leno.internal.run.RunLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(mixinStandardHelpOptions = true, name = "report",
        description = "Write one self-contained HTML page (works offline) comparing training runs: a summary table, "
                + "loss, Acc@1 and learning rate per epoch, gradient norm ratios per block (RUN/gradnorm/*.csv from "
                + "leno gradnorm, RUN/gradnorm.tsv from train --track-gradnorm) and their evolution.")
final class ReportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN", arity = "1..*", description = "Result folders of leno train (--result_path).")
    List<Path> runs;

    @Option(names = "--out", paramLabel = "FILE",
            description = "The page to write (default: RUN/report.html for one run, else report.html in the runs' common parent folder).")
    Path out;

    @Override
    public Integer call() {
        Path page = out != null ? out : defaultPage(runs);
        Report.write(runs, page);
        System.out.println("wrote " + page.toAbsolutePath().normalize());
        return 0;
    }

    static Path defaultPage(List<Path> runs) {
        if (runs.size() == 1) {
            return new RunLayout(runs.get(0)).report();
        }
        List<Path> parents = runs.stream().map(r -> r.toAbsolutePath().normalize().getParent()).distinct().toList();
        return parents.size() == 1 && parents.get(0) != null ? new RunLayout(parents.get(0)).report() : Path.of(RunLayout.REPORT);
    }
}
