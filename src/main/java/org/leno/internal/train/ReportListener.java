package org.leno.internal.train;

import java.io.PrintStream;
import java.util.List;
import org.leno.internal.report.Report;

/** --report: rewrites report.html in --result_path after every epoch, on rank 0; a failure is one line, not the run's end. */
final class ReportListener implements TrainingListener {
    private final ResultFiles files;
    private final PrintStream out;
    private final Report report = new Report();

    ReportListener(ResultFiles files, PrintStream out) {
        this.files = files;
        this.out = out;
    }

    @Override
    public void onEpoch(EpochEvent e, Control run) {
        try {
            report.rewrite(List.of(files.dir()), files.layout().report());
        } catch (RuntimeException ex) {
            out.println("=> report.html not written: " + ex.getMessage());
        }
    }
}
