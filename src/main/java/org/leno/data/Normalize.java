package org.leno.data;

import org.bytedeco.opencv.opencv_core.Mat;

/** [0,1] scaling and ImageNet normalisation of an 8-bit RGB image into CHW float planes. */
final class Normalize {
    private Normalize() {
    }

    static void toChw(Mat rgb, float[] out, int offset) {
        int w = rgb.cols();
        int h = rgb.rows();
        int plane = w * h;
        byte[] pixels = new byte[plane * 3];
        Mat continuous = rgb.isContinuous() ? rgb : rgb.clone();
        continuous.data().get(pixels);
        // the same float32 operations as ToTensor + Normalize: x / 255, minus mean, divided by std
        for (int c = 0; c < 3; c++) {
            float mean = ValTransform.MEAN[c];
            float std = ValTransform.STD[c];
            int base = offset + c * plane;
            for (int i = 0; i < plane; i++) {
                out[base + i] = ((pixels[i * 3 + c] & 0xff) / 255f - mean) / std;
            }
        }
        if (continuous != rgb) {
            continuous.close();
        }
    }
}
