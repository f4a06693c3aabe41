package org.leno.internal.data.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import org.assertj.core.data.Offset;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.leno.internal.data.decode.ImageDecoder;
import org.leno.internal.data.decode.Interpolation;
import org.leno.internal.data.decode.Resampler;
import org.leno.internal.data.decode.UnreadableImageException;
import org.leno.internal.testing.Fixtures;

class ValTransformTest {

    /** A 6-wide, 4-high RGB image with pixel (y, x, c) = 10 * y + 2 * x + 50 * c. */
    static byte[] pixels() {
        byte[] b = new byte[4 * 6 * 3];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 6; x++) {
                for (int c = 0; c < 3; c++) {
                    b[(y * 6 + x) * 3 + c] = (byte) (10 * y + 2 * x + 50 * c);
                }
            }
        }
        return b;
    }

    static float expected(int y, int x, int c) {
        int v = (y < 0 || y >= 4 || x < 0 || x >= 6) ? 0 : 10 * y + 2 * x + 50 * c;
        return (v / 255f - ValTransform.MEAN[c]) / ValTransform.STD[c];
    }

    static void check(int crop, int top, int left) {
        try (BytePointer p = new BytePointer(pixels()); Mat img = new Mat(4, 6, opencv_core.CV_8UC3, p)) {
            float[] out = ValTransform.of(4, crop).apply(img);
            assertThat(out).hasSize(3 * crop * crop);
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < crop; i++) {
                    for (int j = 0; j < crop; j++) {
                        assertThat(out[c * crop * crop + i * crop + j]).as("c%d y%d x%d", c, i, j)
                                .isCloseTo(expected(top + i, left + j, c), Offset.offset(1e-6f));
                    }
                }
            }
        }
    }

    @Test
    void centreCropOfAnUnresizedImageEqualsTheHandComputedTensor() {
        check(2, 1, 2);
    }

    @Test
    void centreCropOffsetsRoundHalfToEvenAsPythonDoes() {
        check(3, 0, 2); // round(0.5) = 0 and round(1.5) = 2
    }

    @Test
    void aCropLargerThanTheImageZeroPadsAsCenterCropDoes() {
        check(8, -2, -1);
    }

    @Test
    void shorterSideIsResizedAndLongerTruncatedAsTorchvision() {
        try (BytePointer p = new BytePointer(pixels()); Mat img = new Mat(4, 6, opencv_core.CV_8UC3, p);
             Mat resized = Resampler.PIL.resize(img, 3, 2, Interpolation.BILINEAR)) {
            assertThat(resized.cols()).isEqualTo(3);
            assertThat(resized.rows()).isEqualTo(2);
        }
        // 6x4 image, resize 3: shorter side 4 -> 3, longer 6 -> int(3 * 6 / 4) = 4
        try (BytePointer p = new BytePointer(pixels()); Mat img = new Mat(4, 6, opencv_core.CV_8UC3, p)) {
            float[] out = ValTransform.of(3, 3).apply(img);
            assertThat(out).hasSize(27);
        }
    }

    @Test
    void decodesGreyAndAlphaImagesToRgbAsPil() {
        ImageDecoder decoder = ImageDecoder.withDefaultLimit();
        try (Mat rgb = decoder.decode(Fixtures.path("rgb.png")); Mat grey = decoder.decode(Fixtures.path("grey.png"));
             Mat rgba = decoder.decode(Fixtures.path("rgba.png"))) {
            assertThat(grey.channels()).isEqualTo(3);
            byte[] a = new byte[64 * 64 * 3];
            byte[] g = new byte[64 * 64 * 3];
            byte[] t = new byte[64 * 64 * 3];
            rgb.data().get(a);
            grey.data().get(g);
            rgba.data().get(t);
            assertThat(t).isEqualTo(a); // alpha dropped, channels in RGB order
            for (int i = 0; i < 64 * 64; i++) {
                assertThat(g[3 * i]).isEqualTo(a[3 * i + 1]); // grey is the green plane, replicated
                assertThat(g[3 * i + 2]).isEqualTo(a[3 * i + 1]);
            }
        }
    }

    @Test
    void refusesADecompressionBombFromItsHeader() {
        byte[] png = pngHeader(40_000, 40_000);
        assertThatThrownBy(() -> ImageDecoder.withDefaultLimit().decode(png, "bomb.png"))
                .isInstanceOf(UnreadableImageException.class)
                .hasMessageContaining("bomb.png: PNG header claims 40000x40000 pixels");
        assertThatThrownBy(() -> ImageDecoder.withDefaultLimit().decode(new byte[0], "empty.jpg")).hasMessage("empty.jpg: empty file");
    }

    static byte[] pngHeader(int w, int h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        ByteBuffer ihdr = ByteBuffer.allocate(17);
        ihdr.put("IHDR".getBytes()).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        out.writeBytes(ByteBuffer.allocate(4).putInt(13).array());
        out.writeBytes(ihdr.array());
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        return out.toByteArray();
    }
}
