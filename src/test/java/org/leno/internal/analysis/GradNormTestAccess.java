package org.leno.internal.analysis;

import org.leno.internal.model.ModelConfig;

/** Lets tests of other packages make a small gradient norm result. */
public final class GradNormTestAccess {
    private GradNormTestAccess() {
    }

    public static GradNormResult analyse(ModelConfig c) {
        return GradNormTest.analyse(c, false);
    }
}
