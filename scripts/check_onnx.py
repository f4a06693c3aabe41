#!/usr/bin/python3
"""Checks files of `leno export --format onnx` with Debian's python3-onnx, and against PyTorch.

  /usr/bin/python3 scripts/check_onnx.py FILE.onnx... [--weights W [--ema]]
  /usr/bin/python3 scripts/check_onnx.py --roundtrip WORKDIR [--quick]

Each file: onnx.checker.check_model(path, full_check=True) (operator schemas, types and shape
inference), then its opset, input, output and metadata_props are printed. With torch installed
and --weights (the state dict or checkpoint the file was exported from; --ema for its model_ema),
PyTorch's model of the file's metadata (arch, depth, n_classes: torchvision's resnet, or
make_fixtures.py's PreActResNet and LenoResNet written from SPEC.md) is loaded with those weights,
and its eval logits on a batch of 4 are compared with the file's graph, evaluated node by node by
a small interpreter on torch.nn.functional (independent of the Java exporter and of ONNX
Runtime): max |difference| must be at most 1e-4.

--roundtrip: for resnet and preactresnet 50 and 101 and lenoresnet 50, 101 and 200 (with --quick
only the 50s), PyTorch makes deterministic weights with non-trivial BatchNorm statistics and
torch.saves them, ./leno export writes the ONNX file, and the file is checked as above.
Exit status 0 when every file passes.
"""
import argparse
import json
import os
import subprocess
import sys

import onnx
from onnx import numpy_helper

TOLERANCE = 1e-4
SIZE = 64
ROUNDTRIP = [("resnet", 50), ("resnet", 101), ("preactresnet", 50), ("preactresnet", 101),
             ("lenoresnet", 50), ("lenoresnet", 101), ("lenoresnet", 200)]
DEPTHS = {50: [3, 4, 6, 3], 101: [3, 4, 23, 3], 152: [3, 8, 36, 3], 200: [3, 24, 36, 3]}


def check(path):
    onnx.checker.check_model(path, full_check=True)
    model = onnx.load(path)
    meta = {p.key: p.value for p in model.metadata_props}
    dims = lambda v: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]
    print(f"{path}: checker ok (full_check): IR {model.ir_version}, opset "
          f"{[o.version for o in model.opset_import]}, {len(model.graph.node)} nodes, "
          f"input {model.graph.input[0].name} {dims(model.graph.input[0])}, "
          f"output {model.graph.output[0].name} {dims(model.graph.output[0])}")
    print("  metadata: " + json.dumps(meta))
    return model, meta


def interpret(model, x):
    """The graph's output for input x, each node computed with torch.nn.functional."""
    import torch
    import torch.nn.functional as F
    values = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in model.graph.initializer}
    values[model.graph.input[0].name] = x
    for n in model.graph.node:
        a = {at.name: onnx.helper.get_attribute_value(at) for at in n.attribute}
        i = [values[name] for name in n.input]
        if n.op_type == "Conv":
            assert len(set(a["pads"])) == 1 and a.get("group", 1) == 1
            y = F.conv2d(i[0], i[1], i[2] if len(i) > 2 else None, a["strides"], a["pads"][0], a.get("dilations", [1, 1]))
        elif n.op_type == "BatchNormalization":
            y = F.batch_norm(i[0], i[3], i[4], i[1], i[2], False, 0.0, a.get("epsilon", 1e-5))
        elif n.op_type == "Relu":
            y = F.relu(i[0])
        elif n.op_type == "Add":
            y = i[0] + i[1]
        elif n.op_type == "MaxPool":
            assert len(set(a["pads"])) == 1
            y = F.max_pool2d(i[0], a["kernel_shape"], a["strides"], a["pads"][0], ceil_mode=bool(a.get("ceil_mode", 0)))
        elif n.op_type == "GlobalAveragePool":
            y = i[0].mean((2, 3), keepdim=True)
        elif n.op_type == "Flatten":
            y = torch.flatten(i[0], a.get("axis", 1))
        elif n.op_type == "Gemm":
            assert a.get("transB") == 1 and a.get("transA", 0) == 0
            y = a.get("alpha", 1.0) * (i[0] @ i[1].t()) + a.get("beta", 1.0) * i[2]
        else:
            raise ValueError(f"node {n.name}: operator {n.op_type} is not one the exporter writes")
        values[n.output[0]] = y
    return values[model.graph.output[0].name]


def torch_model(meta):
    import torchvision
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import make_fixtures
    arch, layers, n = meta["arch"], DEPTHS[int(meta["depth"])], int(meta["n_classes"])
    if arch == "resnet":
        return torchvision.models.resnet.ResNet(torchvision.models.resnet.Bottleneck, layers, num_classes=n)
    if arch == "preactresnet":
        return make_fixtures.PreActResNet(layers, n)
    if arch == "lenoresnet":
        return make_fixtures.LenoResNet(layers, n)
    raise ValueError(f"unknown arch {arch}")


def state_dict(path, ema):
    import torch
    obj = torch.load(path, map_location="cpu")
    if ema:
        obj = {k: v for k, v in obj["model_ema"].items() if k != "n_averaged"}
    elif "state_dict" in obj:
        obj = obj["state_dict"]
    if all(k.startswith("module.") for k in obj):
        obj = {k[len("module."):]: v for k, v in obj.items()}
    return obj


def compare(path, model, meta, weights, ema):
    import torch
    net = torch_model(meta)
    net.load_state_dict(state_dict(weights, ema))
    net.eval()
    dims = model.graph.input[0].type.tensor_type.shape.dim
    size = dims[2].dim_value or SIZE
    x = torch.from_numpy(__import__("numpy").random.default_rng(0).uniform(-2, 2, (4, 3, size, size)).astype("float32"))
    with torch.no_grad():
        want = net(x)
        got = interpret(model, x)
    diff = (got - want).abs().max().item()
    ok = diff <= TOLERANCE
    print(f"  vs PyTorch ({meta['arch']}{meta['depth']}, batch 4, {size}x{size}): max |logit| "
          f"{want.abs().max().item():.3g}, max diff {diff:.2e} {'ok' if ok else 'FAIL'}")
    return ok


def deterministic_weights(arch, depth, path):
    """PyTorch's model with the fixtures' weights and BatchNorm statistics of one batch (variance
    raised by the squared mean, so that float32 rounding is not amplified), saved as a state dict."""
    import torch
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import make_fixtures
    net = torch_model({"arch": arch, "depth": depth, "n_classes": 5})
    make_fixtures.fill_deterministic(net)
    bns = [m for m in net.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    for m in bns:
        m.momentum = 1.0
    net.train()
    with torch.no_grad():
        net(make_fixtures.deterministic_input((8, 3, SIZE, SIZE)))
        for m in bns:
            m.running_var += m.running_mean ** 2
    torch.save(net.state_dict(), path)


def roundtrip(work, quick):
    os.makedirs(work, exist_ok=True)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ok = True
    for arch, depth in [c for c in ROUNDTRIP if not quick or c[1] == 50]:
        weights = os.path.join(work, f"{arch}{depth}.pt")
        out = os.path.join(work, f"{arch}{depth}.onnx")
        deterministic_weights(arch, depth, weights)
        subprocess.run([os.path.join(root, "leno"), "export", "-a", arch, "--model_depth", str(depth), "--n_classes", "5",
                        "--weights", weights, "--val-resize", str(SIZE), "--val-crop-size", str(SIZE),
                        "--out", out, "--force"], check=True)
        model, meta = check(out)
        ok = compare(out, model, meta, weights, False) and ok
    return ok


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("files", nargs="*")
    p.add_argument("--weights")
    p.add_argument("--ema", action="store_true")
    p.add_argument("--roundtrip", metavar="WORKDIR")
    p.add_argument("--quick", action="store_true")
    args = p.parse_args()
    ok = True
    if args.roundtrip:
        ok = roundtrip(args.roundtrip, args.quick)
    for f in args.files:
        model, meta = check(f)
        if args.weights:
            try:
                import torch  # noqa: F401
            except ImportError:
                print("  torch is not installed: no comparison with PyTorch")
                continue
            ok = compare(f, model, meta, args.weights, args.ema) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
