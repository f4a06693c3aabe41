package org.leno.internal.nn;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A child JVM's first load of libtorch, for {@link FirstLoadTest}: {@code natives} through
 * {@link Natives#load()} (the path of the library's entry points), {@code javacpp} through JavaCPP's own
 * order (the negative control).
 */
public final class FirstLoadProbe {
    private FirstLoadProbe() {
    }

    public static void main(String[] args) {
        if (args.length == 1 && args[0].equals("javacpp")) {
            Loader.load(torch.class);
        } else {
            Natives.load();
        }
        try (Tensor t = torch.ones(3)) {
            System.out.println("sum " + t.sum().item_float());
        }
    }
}
