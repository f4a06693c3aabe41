package org.leno.internal.cli;

import java.util.concurrent.Callable;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.leno.internal.nn.Natives;
import picocli.CommandLine.Command;

/** Loads the native libraries once, so that their first unpacking happens outside real work. */
@Command(name = "warm", hidden = true, description = "Unpack and load the native libraries.")
final class WarmCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        Natives.load();
        Loader.load(opencv_imgcodecs.class);
        Loader.load(opencv_imgproc.class);
        System.out.println("natives ready in " + Loader.getCacheDir());
        return 0;
    }
}
