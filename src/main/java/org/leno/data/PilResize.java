package org.leno.data;

import java.util.function.DoubleUnaryOperator;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Pillow's resampling of 8-bit images (libImaging/Resample.c), which torchvision's transforms use
 * on the PIL images the reference loads: a separable filter whose support widens with the shrink
 * factor (so shrinking is antialiased), horizontal pass first, coefficients in 22-bit fixed point.
 * The result is byte for byte PIL's {@code Image.resize(size, BILINEAR or BICUBIC)}.
 */
final class PilResize {
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final int HALF = 1 << (PRECISION_BITS - 1);

    /** A resampling filter: its kernel and the half-width of its support at scale 1. */
    enum Filter {
        BILINEAR(x -> {
            double a = Math.abs(x);
            return a < 1.0 ? 1.0 - a : 0.0;
        }, 1.0),
        BICUBIC(x -> {
            double a = Math.abs(x);
            double c = -0.5;
            if (a < 1.0) {
                return ((c + 2.0) * a - (c + 3.0)) * a * a + 1;
            }
            return a < 2.0 ? (((a - 5) * a + 8) * a - 4) * c : 0.0;
        }, 2.0);

        private final DoubleUnaryOperator kernel;
        private final double support;

        Filter(DoubleUnaryOperator kernel, double support) {
            this.kernel = kernel;
            this.support = support;
        }
    }

    private PilResize() {
    }

    /** {@code src} (8-bit, 1 or 3 channels, any row stride) resized to w x h as a new Mat. */
    static Mat resize(Mat src, int w, int h, Filter filter) {
        int inW = src.cols();
        int inH = src.rows();
        int ch = src.channels();
        if (inW == w && inH == h) {
            return src.clone();
        }
        byte[] in = pixels(src);
        Coefficients vertical = Coefficients.of(inH, h, filter);
        byte[] rows = in;
        int width = inW;
        if (w != inW) {
            int first = vertical.first();
            int last = vertical.last();
            rows = horizontal(in, inW, ch, first, last - first, Coefficients.of(inW, w, filter), w);
            vertical = vertical.shifted(-first);
            width = w;
        }
        byte[] out = h != inH ? vertical(rows, width, ch, vertical, h) : rows;
        Mat dst = new Mat(h, w, opencv_core.CV_8UC(ch));
        dst.data().put(out, 0, out.length);
        return dst;
    }

    private static byte[] pixels(Mat src) {
        int rowBytes = src.cols() * src.channels();
        byte[] out = new byte[rowBytes * src.rows()];
        BytePointer data = src.data();
        long step = src.step();
        if (step == rowBytes) {
            data.get(out, 0, out.length);
        } else {
            for (int y = 0; y < src.rows(); y++) {
                data.position(y * step).get(out, y * rowBytes, rowBytes);
            }
            data.position(0);
        }
        return out;
    }

    private static byte[] horizontal(byte[] in, int inW, int ch, int firstRow, int rowCount, Coefficients c, int outW) {
        byte[] out = new byte[rowCount * outW * ch];
        int[] weights = c.weights;
        for (int y = 0; y < rowCount; y++) {
            int inRow = (y + firstRow) * inW * ch;
            int o = y * outW * ch;
            for (int x = 0; x < outW; x++) {
                int n = c.count[x];
                int k0 = x * c.size;
                int p = inRow + c.min[x] * ch;
                if (ch == 3) {
                    int r = HALF;
                    int g = HALF;
                    int b = HALF;
                    for (int t = 0; t < n; t++, p += 3) {
                        int k = weights[k0 + t];
                        r += (in[p] & 0xff) * k;
                        g += (in[p + 1] & 0xff) * k;
                        b += (in[p + 2] & 0xff) * k;
                    }
                    out[o++] = clip8(r);
                    out[o++] = clip8(g);
                    out[o++] = clip8(b);
                } else {
                    for (int j = 0; j < ch; j++) {
                        int acc = HALF;
                        for (int t = 0; t < n; t++) {
                            acc += (in[p + t * ch + j] & 0xff) * weights[k0 + t];
                        }
                        out[o++] = clip8(acc);
                    }
                }
            }
        }
        return out;
    }

    private static byte[] vertical(byte[] in, int width, int ch, Coefficients c, int outH) {
        int rowBytes = width * ch;
        byte[] out = new byte[outH * rowBytes];
        int[] acc = new int[rowBytes];
        for (int y = 0; y < outH; y++) {
            java.util.Arrays.fill(acc, HALF);
            int min = c.min[y];
            int k0 = y * c.size;
            for (int t = 0; t < c.count[y]; t++) {
                int k = c.weights[k0 + t];
                int p = (min + t) * rowBytes;
                for (int i = 0; i < rowBytes; i++) {
                    acc[i] += (in[p + i] & 0xff) * k;
                }
            }
            int o = y * rowBytes;
            for (int i = 0; i < rowBytes; i++) {
                out[o + i] = clip8(acc[i]);
            }
        }
        return out;
    }

    private static byte clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    /** Per output position: the first input index, the number of taps and their fixed-point weights. */
    private record Coefficients(int[] min, int[] count, int[] weights, int size) {
        static Coefficients of(int inSize, int outSize, Filter filter) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support * filterScale;
            int size = (int) Math.ceil(support) * 2 + 1;
            int[] min = new int[outSize];
            int[] count = new int[outSize];
            int[] weights = new int[outSize * size];
            double[] k = new double[size];
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                double ss = 1.0 / filterScale;
                int lo = Math.max((int) (center - support + 0.5), 0);
                int hi = Math.min((int) (center + support + 0.5), inSize) - lo;
                double sum = 0;
                for (int x = 0; x < hi; x++) {
                    k[x] = filter.kernel.applyAsDouble((x + lo - center + 0.5) * ss);
                    sum += k[x];
                }
                for (int x = 0; x < hi; x++) {
                    double w = sum != 0.0 ? k[x] / sum : k[x];
                    weights[xx * size + x] = w < 0 ? (int) (-0.5 + w * (1 << PRECISION_BITS))
                            : (int) (0.5 + w * (1 << PRECISION_BITS));
                }
                min[xx] = lo;
                count[xx] = hi;
            }
            return new Coefficients(min, count, weights, size);
        }

        int first() { return min[0]; }

        int last() { return min[min.length - 1] + count[count.length - 1]; }

        Coefficients shifted(int by) {
            int[] m = min.clone();
            for (int i = 0; i < m.length; i++) {
                m[i] += by;
            }
            return new Coefficients(m, count, weights, size);
        }
    }
}
