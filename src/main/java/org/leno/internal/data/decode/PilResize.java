package org.leno.internal.data.decode;

import java.nio.IntBuffer;
import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;
import org.bytedeco.javacpp.IntPointer;
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

    /** Values per band of the transposed image (4 MB of ints): bounds the memory of a large source. */
    private static final int BAND_VALUES = 1 << 20;
    /** Planes larger than this (in ints) are not kept between calls. */
    private static final long KEPT_VALUES = 4L << 20;

    /**
     * Each loader thread's int rows, reused: a 224-pixel crop would otherwise allocate ~3 MB per image,
     * which the launcher's small young generation pays for in collections that stop every thread.
     */
    private static final ThreadLocal<Planes> PLANES = ThreadLocal.withInitial(Planes::new);

    private PilResize() {
    }

    /**
     * {@code src} (8-bit, 1 or 3 channels, any row stride) resized to w x h as a new Mat. Both passes
     * run along whole rows, each its own int array, the loop shape the JIT vectorises: the horizontal
     * pass on bands of the image transposed by OpenCV (pixels stay whole), each transposed back for
     * the vertical pass.
     */
    static Mat resize(Mat src, int w, int h, Filter filter) {
        return resize(src, w, h, filter, BAND_VALUES);
    }

    /** As {@link #resize(Mat, int, int, Filter)} with bands of at most bandValues ints (at least one row). */
    static Mat resize(Mat src, int w, int h, Filter filter, int bandValues) {
        int inW = src.cols();
        int inH = src.rows();
        int ch = src.channels();
        if (inW == w && inH == h) {
            return src.clone();
        }
        Planes planes = PLANES.get();
        try {
            Coefficients vertical = Coefficients.of(inH, h, filter);
            Plane rows;
            if (w != inW) {
                int first = vertical.first();
                rows = horizontal(src, first, vertical.last() - first, Coefficients.of(inW, w, filter), planes,
                        bandValues);
                vertical = vertical.shifted(-first);
            } else {
                rows = intRows(src, 0, planes.rows.sized(inH, inW * ch));
            }
            return byteMat(h != inH ? pass(rows, vertical, h, planes.out) : rows, ch);
        } finally {
            planes.trim();
        }
    }

    /** Pillow's horizontal pass over rows first..first+count of src, band by band. */
    private static Plane horizontal(Mat src, int first, int count, Coefficients c, Planes planes, int bandValues) {
        int w = c.min.length;
        int ch = src.channels();
        int band = Math.max(1, Math.min(count, bandValues / (src.cols() * ch)));
        Plane rows = planes.rows.sized(count, w * ch);
        for (int y = 0; y < count; y += band) {
            int n = Math.min(band, count - y);
            try (Mat part = src.rowRange(first + y, first + y + n); Mat columns = new Mat()) {
                opencv_core.transpose(part, columns);
                Plane transposed = planes.columns.sized(columns.rows(), n * ch);
                Plane resized = pass(intRows(columns, 0, transposed), c, w, planes.resized);
                try (Mat back = matOf(resized, ch); Mat bandRows = new Mat()) {
                    opencv_core.transpose(back, bandRows);
                    intRows(bandRows, y, rows);
                }
            }
        }
        return rows;
    }

    /** The rows of an 8-bit or 32-bit integer Mat as rows from..from+rows of {@code into} (sized for them). */
    private static Plane intRows(Mat mat, int from, Plane into) {
        int length = mat.cols() * mat.channels();
        try (Mat converted = new Mat()) {
            Mat ints = mat;
            if (mat.depth() != opencv_core.CV_32S || !mat.isContinuous()) {
                mat.convertTo(converted, opencv_core.CV_32S);
                ints = converted;
            }
            IntBuffer data = ints(ints, mat.rows() * length);
            for (int y = 0; y < mat.rows(); y++) {
                data.get(into.rows[from + y], 0, length);
            }
        }
        return into;
    }

    /** The values of a continuous 32-bit Mat as a buffer (bulk copies to and from arrays run as memcpy). */
    private static IntBuffer ints(Mat mat, int count) {
        return new IntPointer(mat.data()).capacity(count).asBuffer();
    }

    private static Mat matOf(Plane plane, int ch) {
        Mat ints = new Mat(plane.count, plane.length / ch, opencv_core.CV_32SC(ch));
        IntBuffer data = ints(ints, plane.count * plane.length);
        for (int y = 0; y < plane.count; y++) {
            data.put(plane.rows[y], 0, plane.length);
        }
        return ints;
    }

    private static Mat byteMat(Plane rows, int ch) {
        try (Mat ints = matOf(rows, ch)) {
            Mat bytes = new Mat();
            ints.convertTo(bytes, opencv_core.CV_8U);
            return bytes;
        }
    }

    /** Pillow's pass across the rows of {@code in}: outRows rows, each clipped to 0-255. */
    private static Plane pass(Plane in, Coefficients c, int outRows, Plane into) {
        int length = in.length;
        Plane out = into.sized(outRows, length);
        for (int y = 0; y < outRows; y++) {
            int[] acc = out.rows[y];
            int k0 = y * c.size;
            int taps = c.count[y];
            if (taps == 0) {
                Arrays.fill(acc, 0, length, HALF);
            } else {
                start(acc, in.rows[c.min[y]], c.weights[k0], length);
            }
            for (int t = 1; t < taps - 1; t++) {
                accumulate(acc, in.rows[c.min[y] + t], c.weights[k0 + t], length);
            }
            if (taps > 1) {
                finish(acc, in.rows[c.min[y] + taps - 1], c.weights[k0 + taps - 1], length);
            } else {
                clip8(acc, length);
            }
        }
        return out;
    }

    /** The last tap, then out of fixed point and clamped to 0-255 as {@link #clip8} (one pass instead of two). */
    private static void finish(int[] acc, int[] row, int weight, int length) {
        for (int i = 0; i < length; i++) {
            acc[i] = clip8(acc[i] + row[i] * weight);
        }
    }

    /** The first tap: the rounding half plus the first weighted row (one pass instead of a fill and an add). */
    private static void start(int[] acc, int[] row, int weight, int length) {
        for (int i = 0; i < length; i++) {
            acc[i] = HALF + row[i] * weight;
        }
    }

    private static void accumulate(int[] acc, int[] row, int weight, int length) {
        for (int i = 0; i < length; i++) {
            acc[i] += row[i] * weight;
        }
    }

    private static void clip8(int[] acc, int length) {
        for (int i = 0; i < length; i++) {
            acc[i] = clip8(acc[i]);
        }
    }

    /** A sum shifted out of fixed point and clamped to 0-255, without branches (so loops over it vectorise). */
    private static int clip8(int sum) {
        int v = sum >> PRECISION_BITS;
        v &= ~(v >> 31);
        v |= (255 - v) >> 31;
        return v & 255;
    }

    /** Rows of ints, grown as needed and reused; count x length of them are in use. */
    private static final class Plane {
        private int[][] rows = new int[0][];
        private int count;
        private int length;

        Plane sized(int count, int length) {
            if (rows.length < count) {
                rows = Arrays.copyOf(rows, count);
            }
            for (int y = 0; y < count; y++) {
                if (rows[y] == null || rows[y].length < length) {
                    rows[y] = new int[length];
                }
            }
            this.count = count;
            this.length = length;
            return this;
        }

        void trimAbove(long values) {
            long held = 0;
            for (int[] row : rows) {
                held += row == null ? 0 : row.length;
            }
            if (held > values) {
                rows = new int[0][];
            }
            count = 0;
        }
    }

    /** A thread's planes: the transposed band, its horizontal pass, the rows it gives, the output. */
    private static final class Planes {
        final Plane columns = new Plane();
        final Plane resized = new Plane();
        final Plane rows = new Plane();
        final Plane out = new Plane();

        void trim() {
            for (Plane p : new Plane[] {columns, resized, rows, out}) {
                p.trimAbove(KEPT_VALUES);
            }
        }
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
