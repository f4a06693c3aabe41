package org.leno.data;

import java.io.IOException;
import java.nio.file.Path;

/** Lets tests in other packages write small random images. */
public final class DataPipelineTestAccess {
    private DataPipelineTestAccess() {
    }

    public static void writeImage(Path file, int w, int h, int seed) throws IOException {
        DataPipelineTest.writeImage(file, w, h, seed);
    }
}
