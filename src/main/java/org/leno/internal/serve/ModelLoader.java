package org.leno.internal.serve;

import java.nio.file.Path;

/** Opens the model of a run folder or checkpoint: at start, and again on {@code POST /v2/repository/models/NAME/load}. */
@FunctionalInterface
public interface ModelLoader {
    ServedModel load(Path weights);
}
