package org.leno.internal.data.augment;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.zip.GZIPInputStream;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.leno.internal.testing.Fixtures;

/** The fixtures of scripts/make_augment_fixtures.py: images and torchvision's outputs (HWC RGB bytes). */
final class AugmentFixtures {
    final JsonNode meta = Fixtures.json("augment/ops.json");
    final byte[] blob = readBlob();

    private static byte[] readBlob() {
        try (InputStream in = new GZIPInputStream(AugmentFixtures.class.getResourceAsStream("/fixtures/augment/ops.bin.gz"))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    JsonNode image(int index) {
        return meta.get("images").get(index);
    }

    /** Bytes at {@code offset} for image {@code index}'s size. */
    byte[] bytes(int index, long offset) {
        JsonNode img = image(index);
        int n = img.get("width").asInt() * img.get("height").asInt() * 3;
        byte[] out = new byte[n];
        System.arraycopy(blob, (int) offset, out, 0, n);
        return out;
    }

    /** A new continuous RGB Mat holding image {@code index}. */
    Mat mat(int index) {
        JsonNode img = image(index);
        Mat m = new Mat(img.get("height").asInt(), img.get("width").asInt(), opencv_core.CV_8UC3);
        ImageOps.put(m, bytes(index, img.get("offset").asLong()));
        return m;
    }
}
