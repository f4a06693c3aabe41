package org.leno.internal.interop;

import java.util.Arrays;
import java.util.Optional;

/** Element types that state dicts and checkpoints carry, with their names in each file format. */
public enum DType {
    F32(4, "FloatStorage", "F32", "float32"),
    F64(8, "DoubleStorage", "F64", "float64"),
    F16(2, "HalfStorage", "F16", "float16"),
    BF16(2, "BFloat16Storage", "BF16", "bfloat16"),
    I64(8, "LongStorage", "I64", "int64"),
    I32(4, "IntStorage", "I32", "int32"),
    I16(2, "ShortStorage", "I16", "int16"),
    I8(1, "CharStorage", "I8", "int8"),
    U8(1, "ByteStorage", "U8", "uint8"),
    BOOL(1, "BoolStorage", "BOOL", "bool");

    private final int size;
    private final String torchStorage;
    private final String safetensorsName;
    private final String pythonName;

    DType(int size, String torchStorage, String safetensorsName, String pythonName) {
        this.size = size;
        this.torchStorage = torchStorage;
        this.safetensorsName = safetensorsName;
        this.pythonName = pythonName;
    }

    public int size() { return size; }
    public String torchStorage() { return torchStorage; }
    public String safetensorsName() { return safetensorsName; }
    public String pythonName() { return pythonName; }

    public static Optional<DType> fromTorchStorage(String name) {
        return Arrays.stream(values()).filter(d -> d.torchStorage.equals(name)).findFirst();
    }

    public static Optional<DType> fromSafetensors(String name) {
        return Arrays.stream(values()).filter(d -> d.safetensorsName.equals(name)).findFirst();
    }
}
