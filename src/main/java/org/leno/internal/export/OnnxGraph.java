package org.leno.internal.export;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.leno.internal.export.proto.OnnxProto.AttributeProto;
import org.leno.internal.export.proto.OnnxProto.GraphProto;
import org.leno.internal.export.proto.OnnxProto.ModelProto;
import org.leno.internal.export.proto.OnnxProto.NodeProto;
import org.leno.internal.export.proto.OnnxProto.OperatorSetIdProto;
import org.leno.internal.export.proto.OnnxProto.StringStringEntryProto;
import org.leno.internal.export.proto.OnnxProto.TensorProto;
import org.leno.internal.export.proto.OnnxProto.TensorShapeProto;
import org.leno.internal.export.proto.OnnxProto.TypeProto;
import org.leno.internal.export.proto.OnnxProto.ValueInfoProto;

/**
 * Builds one ONNX graph of float32 tensors: initializers, nodes of the default operator set, one
 * input and one output. Every node and value gets a unique name.
 */
final class OnnxGraph {
    /** ONNX 1.12: IR version 8 with operator set 17, which our onnx.proto and Debian's checker know. */
    static final long IR_VERSION = 8;
    static final long OPSET = 17;

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Set<String> names = new HashSet<>();

    OnnxGraph(String name) {
        graph.setName(name);
    }

    /** A float32 constant (little-endian raw data), named {@code name}. */
    String initializer(String name, long[] shape, float[] values) {
        claim(name);
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name)
                .setDataType(TensorProto.DataType.FLOAT.getNumber()).setRawData(ByteString.copyFrom(bytes.array()));
        for (long d : shape) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        return name;
    }

    /** A node whose single output is named {@code output}; returns that name. */
    String node(String op, String output, List<String> inputs, AttributeProto... attributes) {
        claim(output);
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(output).addOutput(output).addAllInput(inputs);
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        return output;
    }

    /**
     * The graph's float32 input; a dimension given as a string is symbolic (any size), as a
     * {@code Long} fixed.
     */
    void input(String name, Object... dims) {
        claim(name);
        graph.addInput(value(name, dims));
    }

    void output(String name, Object... dims) {
        graph.addOutput(value(name, dims));
    }

    ModelProto model(String producerVersion, String doc, Map<String, String> metadata) {
        ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("leno").setProducerVersion(producerVersion).setDocString(doc).setGraph(graph);
        metadata.forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return m.build();
    }

    static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto real(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    private static ValueInfoProto value(String name, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof String symbol) {
                dim.setDimParam(symbol);
            } else {
                dim.setDimValue((Long) d);
            }
            shape.addDim(dim);
        }
        TypeProto.Tensor tensor = TypeProto.Tensor.newBuilder()
                .setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(shape).build();
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tensor)).build();
    }

    private void claim(String name) {
        if (!names.add(name)) {
            throw new IllegalStateException("ONNX graph: the name " + name + " is used twice");
        }
    }
}
