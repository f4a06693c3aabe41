package org.leno.internal.interop;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A dense, contiguous, little-endian tensor held on the Java heap: what files hold and what
 * crosses between them and libtorch.
 */
public record TensorData(DType dtype, long[] shape, byte[] data) implements HostTensor {

    public TensorData {
        shape = shape.clone();
        long expected = numel(shape) * dtype.size();
        if (expected != data.length) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " and type "
                    + dtype + " needs " + expected + " bytes, got " + data.length);
        }
    }

    public static long numel(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n = Math.multiplyExact(n, s);
        }
        return n;
    }

    @Override
    public long numel() { return numel(shape); }

    @Override
    public void withBytes(java.util.function.Consumer<ByteBuffer> user) {
        user.accept(ByteBuffer.wrap(data).asReadOnlyBuffer());
    }

    @Override
    public long[] shape() { return shape.clone(); }

    public String shapeText() {
        return shapeText(shape);
    }

    public static String shapeText(long[] shape) {
        if (shape.length == 0) {
            return "scalar";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            b.append(i == 0 ? "" : "x").append(shape[i]);
        }
        return b.toString();
    }

    /** A heap copy of any host tensor (itself if it already is one). */
    public static TensorData copyOf(HostTensor t) {
        if (t instanceof TensorData d) {
            return d;
        }
        byte[] bytes = new byte[Math.toIntExact(t.byteSize())];
        t.withBytes(b -> b.duplicate().get(bytes));
        return new TensorData(t.dtype(), t.shape(), bytes);
    }

    public static TensorData ofFloats(long[] shape, float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new TensorData(DType.F32, shape, b.array());
    }

    public static TensorData ofLongs(long[] shape, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return new TensorData(DType.I64, shape, b.array());
    }

    public static TensorData scalarLong(long v) { return ofLongs(new long[0], v); }

    public static TensorData scalarFloat(float v) { return ofFloats(new long[0], v); }

    /** Values as doubles, for F32, F64, I64 and I32 data. */
    public double[] toDoubles() {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int n = Math.toIntExact(numel());
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (dtype) {
                case F32 -> b.getFloat(i * 4);
                case F64 -> b.getDouble(i * 8);
                case I64 -> b.getLong(i * 8);
                case I32 -> b.getInt(i * 4);
                case I16 -> b.getShort(i * 2);
                case I8 -> data[i];
                case U8, BOOL -> data[i] & 0xff;
                case F16 -> halfToFloat(b.getShort(i * 2));
                case BF16 -> Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
            };
        }
        return out;
    }

    private static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0) {
            return (sign == 0 ? 1 : -1) * mant * 0x1p-24f;
        }
        if (exp == 31) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    public float[] toFloats() {
        double[] d = toDoubles();
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorData t && t.dtype == dtype && Arrays.equals(t.shape, shape)
                && Arrays.equals(t.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "TensorData[" + dtype + " " + shapeText() + "]";
    }
}
