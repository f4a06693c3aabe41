package org.leno.cli;

import org.leno.model.Arch;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The default of -a/--arch in the commands that take several families: every family {@link Arch} registers. */
final class FamilyDefaults implements IDefaultValueProvider {
    @Override
    public String defaultValue(ArgSpec arg) {
        return arg instanceof OptionSpec o && o.longestName().equals("--arch") ? String.join(",", Arch.ids()) : null;
    }
}
