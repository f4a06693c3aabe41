package org.leno.internal.nn;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.leno.internal.interop.DType;
import org.leno.internal.interop.HostTensor;
import org.leno.internal.interop.TensorData;

/** Moves tensors between libtorch and the Java heap. */
public final class Tensors {
    private Tensors() {
    }

    public static ScalarType scalarType(DType d) {
        return switch (d) {
            case F32 -> ScalarType.Float;
            case F64 -> ScalarType.Double;
            case F16 -> ScalarType.Half;
            case BF16 -> ScalarType.BFloat16;
            case I64 -> ScalarType.Long;
            case I32 -> ScalarType.Int;
            case I16 -> ScalarType.Short;
            case I8 -> ScalarType.Char;
            case U8 -> ScalarType.Byte;
            case BOOL -> ScalarType.Bool;
        };
    }

    /**
     * The tensor's element type, asked through {@code TypeMeta.isScalarType}: the binding's
     * {@code scalar_type()} returns an enum object of its own (right {@code value}, ordinal 0), never
     * the constant itself, so {@code ==}, {@code equals} and {@code switch} on it are always false.
     */
    public static DType dtype(Tensor t) {
        var meta = t.dtype();
        for (DType d : DType.values()) {
            if (meta.isScalarType(scalarType(d))) {
                return d;
            }
        }
        throw new IllegalArgumentException("unsupported tensor type " + meta.name().getString());
    }

    /** Whether {@code t} holds elements of {@code type} (asked as {@link #dtype} asks). */
    public static boolean is(Tensor t, ScalarType type) {
        return t.scalar_type().value == type.value; // the enum's value is right, its identity not (see TensorsTest)
    }

    /** {@code t}'s strides, one JNI call per dimension (0.06 us for four, where {@code strides().vec()} takes 10 us). */
    public static long[] strides(Tensor t) {
        long[] out = new long[(int) t.dim()];
        for (int d = 0; d < out.length; d++) {
            out[d] = t.stride(d);
        }
        return out;
    }

    /**
     * Whether libtorch's {@code suggest_memory_format} would call {@code t} (4-d) channels-last: its
     * strides, not only its contiguity, which for 1x1 maps fits both layouts (ambiguous cases are NCHW).
     */
    public static boolean channelsLastLike(Tensor t) {
        long[] sizes = shape(t);
        long[] strides = strides(t);
        if (sizes.length != 4 || strides[1] == 0) {
            return false;
        }
        long min = 0;
        for (int d : new int[] {1, 3, 2, 0}) {
            if (sizes[d] == 0 || strides[d] < min || d == 0 && min == strides[1]) {
                return false;
            }
            min = strides[d] * (sizes[d] > 1 ? sizes[d] : 1);
        }
        return true;
    }

    public static long[] shape(Tensor t) {
        return t.sizes().vec().get();
    }

    /** A copy of {@code t} on the Java heap. */
    public static TensorData toHost(Tensor t) {
        return TensorData.copyOf(lazy(t));
    }

    /**
     * {@code t} as a {@link HostTensor} whose bytes are read from native memory when a writer asks
     * for them: a contiguous CPU tensor is not copied at all, any other (channels-last, on a GPU) is
     * copied for the duration of that one call. {@code t} must stay alive until the write is done.
     */
    public static HostTensor lazy(Tensor t) {
        DType dtype = dtype(t);
        long[] shape = shape(t);
        return new HostTensor() {
            @Override
            public DType dtype() { return dtype; }

            @Override
            public long[] shape() { return shape.clone(); }

            @Override
            public void withBytes(Consumer<ByteBuffer> user) {
                try (NativeScope scope = NativeScope.open()) {
                    Tensor c = t.detach().cpu().contiguous();
                    long n = c.nbytes();
                    if (n > Integer.MAX_VALUE) {
                        throw new IllegalArgumentException("tensor of shape " + TensorData.shapeText(shape)
                                + " is over 2 GiB, which our writers cannot stream");
                    }
                    ByteBuffer b = n == 0 ? ByteBuffer.allocate(0)
                            : new BytePointer(c.data_ptr()).capacity(n).asByteBuffer();
                    user.accept(b.asReadOnlyBuffer());
                }
            }
        };
    }

    /** A new libtorch tensor holding a copy of {@code d}. */
    public static Tensor fromHost(TensorData d) {
        BytePointer p = new BytePointer(d.data());
        try {
            return torch.from_blob(p, d.shape(), new TensorOptions(scalarType(d.dtype()))).clone();
        } finally {
            p.deallocate();
        }
    }

    public static float[] floats(Tensor t) {
        Tensor c = t.detach().cpu().to(ScalarType.Float).contiguous();
        float[] out = new float[Math.toIntExact(c.numel())];
        if (out.length > 0) {
            c.data_ptr_float().get(out);
        }
        return out;
    }

    public static Tensor fromFloats(float[] values, long... shape) {
        FloatPointer p = new FloatPointer(values);
        try {
            return torch.from_blob(p, shape, new TensorOptions(ScalarType.Float)).clone();
        } finally {
            p.deallocate();
        }
    }
}
