package org.leno.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportCommandTest {
    @Test
    void thePageGoesIntoTheRunOrTheRunsCommonParent() {
        assertThat(ReportCommand.defaultPage(List.of(Path.of("runs/a")))).isEqualTo(Path.of("runs/a/report.html"));
        assertThat(ReportCommand.defaultPage(List.of(Path.of("cmp/resnet50"), Path.of("cmp/lenoresnet50"))))
                .isEqualTo(Path.of("cmp/report.html").toAbsolutePath());
        assertThat(ReportCommand.defaultPage(List.of(Path.of("x/a"), Path.of("y/b")))).isEqualTo(Path.of("report.html"));
    }
}
