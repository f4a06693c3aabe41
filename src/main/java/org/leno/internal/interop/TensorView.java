package org.leno.internal.interop;

import java.util.Arrays;

/**
 * A tensor as a pickle describes it: {@code size} and {@code stride} (in elements) over a storage
 * from {@code offset}. Nothing is copied until {@link #materialise}, which checks the view first.
 */
record TensorView(Storage storage, long offset, long[] size, long[] stride) {
    /** PyTorch's own limit on dimensions. */
    static final int MAX_DIMS = 64;

    /** The bytes of one storage record, read once and shared by the views of it. */
    record Storage(String key, DType dtype, byte[] data) {
        long numel() { return data.length / dtype.size(); }
    }

    DType dtype() { return storage.dtype(); }

    /**
     * The view as a dense tensor. A view no larger than its storage costs at most that much (none
     * when it is the whole storage); one that repeats elements may hold at most {@code maxBytes}.
     * {@code source} names the file and {@code name} the tensor in errors, {@code why} says where
     * {@code maxBytes} comes from.
     */
    TensorData materialise(String source, String name, long maxBytes, String why, ReadBudget budget) {
        String what = source + ": " + name;
        int es = dtype().size();
        long numel = checkedNumel(what);
        if (numel == 0) {
            return new TensorData(dtype(), size, new byte[0]);
        }
        long last = offset;
        for (int d = 0; d < size.length; d++) {
            last = addExact(last, multiplyExact(size[d] - 1, stride[d], what), what);
        }
        if (last >= storage.numel()) {
            throw new InterchangeException(what + " reaches element " + last + " of storage "
                    + storage.key() + ", which holds " + storage.numel());
        }
        long bytes = numel * es;
        if (isContiguous() && offset == 0 && numel == storage.numel()) {
            return new TensorData(dtype(), size, storage.data());
        }
        if (numel > storage.numel() && bytes > maxBytes) {
            throw new InterchangeException(what + " is a " + TensorData.shapeText(size) + " view repeating "
                    + storage.numel() + " stored element(s) into " + ReadLimits.megabytes(bytes) + ", more than the "
                    + ReadLimits.megabytes(maxBytes) + " it may take (" + why + ")");
        }
        if (bytes > Integer.MAX_VALUE - 16) {
            throw new InterchangeException(what + " has " + numel + " elements, over the 2 GiB a tensor may have here");
        }
        budget.charge(bytes, "copying " + name);
        return new TensorData(dtype(), size, isContiguous() ? slice(bytes) : gather(numel));
    }

    private long checkedNumel(String what) {
        if (size.length > MAX_DIMS || stride.length != size.length) {
            throw new InterchangeException(what + " has " + size.length + " sizes and " + stride.length
                    + " strides (at most " + MAX_DIMS + " dimensions)");
        }
        if (offset < 0 || Arrays.stream(size).anyMatch(s -> s < 0) || Arrays.stream(stride).anyMatch(s -> s < 0)) {
            throw new InterchangeException(what + " has a negative size, stride or offset (sizes "
                    + Arrays.toString(size) + ", strides " + Arrays.toString(stride) + ", offset " + offset + ")");
        }
        long n = 1;
        for (long s : size) {
            n = multiplyExact(n, s, what);
        }
        return multiplyExact(n, dtype().size(), what) / dtype().size();
    }

    private boolean isContiguous() {
        long expected = 1;
        for (int d = size.length - 1; d >= 0; d--) {
            if (size[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= size[d];
        }
        return true;
    }

    private byte[] slice(long bytes) {
        int es = dtype().size();
        return Arrays.copyOfRange(storage.data(), (int) (offset * es), (int) (offset * es + bytes));
    }

    /** Copies the view element by element, the innermost dimension as a run when its stride is 1. */
    private byte[] gather(long numel) {
        int es = dtype().size();
        byte[] out = new byte[(int) (numel * es)];
        byte[] data = storage.data();
        int rank = size.length;
        long inner = rank == 0 ? 1 : size[rank - 1];
        long innerStride = rank == 0 ? 0 : stride[rank - 1];
        long[] index = new long[Math.max(0, rank - 1)];
        int written = 0;
        for (long row = 0; row < numel / inner; row++) {
            long pos = offset;
            for (int d = 0; d < index.length; d++) {
                pos += index[d] * stride[d];
            }
            if (innerStride == 1) {
                System.arraycopy(data, (int) (pos * es), out, written, (int) (inner * es));
                written += (int) (inner * es);
            } else {
                for (long i = 0; i < inner; i++) {
                    System.arraycopy(data, (int) ((pos + i * innerStride) * es), out, written, es);
                    written += es;
                }
            }
            for (int d = index.length - 1; d >= 0; d--) {
                if (++index[d] < size[d]) {
                    break;
                }
                index[d] = 0;
            }
        }
        return out;
    }

    private static long multiplyExact(long a, long b, String what) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new InterchangeException(what + " has an absurd size (" + a + " x " + b + " overflows)");
        }
    }

    private static long addExact(long a, long b, String what) {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException e) {
            throw new InterchangeException(what + " has an absurd extent (" + a + " + " + b + " overflows)");
        }
    }
}
