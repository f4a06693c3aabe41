#!/usr/bin/python3
"""The inference table of docs/inference.md: ResNet-50 at 224 (resize 256, centre crop 224) over a
folder of 1,030 JPEGs of 500x375, 2 threads, whole processes timed from start to the last result,
run in alternation (round after round of every column) with medians over the rounds:

  leno fp32 / leno bf16   ./leno predict over the folder (-b 32, 2 decoding threads, 2 intra-op threads)
  leno before             the same with an older build (--before DIR: a checkout whose ./leno works)
  torch                   scripts/bench_torch_predict.py: torchvision transforms, DataLoader with 2
                          workers, batch 64, eval, no_grad (Debian's python3-torch 1.13)
  leno alone fp32 / bf16  leno predict's forward alone, timed as ort times its model (random input,
                          batch 32, 2 intra-op threads, tcmalloc preloaded as ./leno does;
                          org.leno.internal.predict.ForwardRate, test scope)
  ort torch.onnx / ort leno.onnx
                          ONNX Runtime for Java, model alone (random input, batch 32, 2 intra-op
                          threads, all graph optimisations) on PyTorch's export and on `leno export`'s
                          of the same weights (org.leno.internal.export.OrtModelRate, test scope)

Ratios are medians of the per-round ratios (on a shared machine speed drifts between runs; a ratio
of runs made back to back is steadier). The work folder keeps the images, weights and ONNX files.

Usage: /usr/bin/python3 scripts/inference_table.py [--work /tmp/leno-inference] [--pairs 3] [--before DIR]
(--pairs 0 only prepares the work folder.)
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = "/usr/bin/python3"


TCMALLOC = "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4"


def run(cmd, cwd=ROOT, env=None):
    out = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    if out.returncode != 0:
        sys.exit("failed (%d): %s\n%s" % (out.returncode, " ".join(cmd), out.stderr.strip()[-2000:]))
    return out.stdout


def prepare(work):
    os.makedirs(work, exist_ok=True)
    images = os.path.join(work, "jpeg")
    if not os.path.isdir(images):
        run([PY, os.path.join(HERE, "make_jpeg_folder.py"), images, "10", "103"])
    weights = os.path.join(work, "resnet50.pth")
    torch_onnx = os.path.join(work, "resnet50_torch.onnx")
    if not os.path.exists(weights) or not os.path.exists(torch_onnx):
        run([PY, "-c", "import torch, torchvision, sys\n"
             "torch.manual_seed(0)\n"
             "m = torchvision.models.resnet50().eval()\n"
             "torch.save(m.state_dict(), sys.argv[1])\n"
             "torch.onnx.export(m, torch.randn(1, 3, 224, 224), sys.argv[2], opset_version=17,\n"
             "    input_names=['input'], output_names=['logits'], dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}})\n",
             weights, torch_onnx])
    leno_onnx = os.path.join(work, "resnet50_leno.onnx")
    run(["./leno", "export", "--weights", weights, "-a", "resnet", "--model_depth", "50", "--format", "onnx",
         "--out", leno_onnx, "--force"])
    run(["mvn", "-B", "-q", "test-compile"])
    cp_file = os.path.join(work, "test-classpath.txt")
    run(["mvn", "-B", "-q", "dependency:build-classpath", "-Dmdep.includeScope=test", "-Dmdep.outputFile=" + cp_file])
    with open(cp_file) as f:
        cp = "target/test-classes:target/classes:" + f.read().strip()
    return images, weights, torch_onnx, leno_onnx, cp


def timed(cmd, cwd, images):
    start = time.perf_counter()
    out = run(cmd, cwd)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "images_per_s": images / seconds}


def model_alone(cp, onnx):
    out = run(["java", "-cp", cp, "org.leno.internal.export.OrtModelRate", onnx, "32", "224", "5", "2"])
    return {"images_per_s": json.loads(out.strip().splitlines()[-1])["images_per_s"]}


def forward_alone(cp, weights, precision):
    # with the allocator ./leno preloads (tcmalloc, when installed): under glibc malloc the forward is 25% slower
    env = dict(os.environ, LD_PRELOAD=TCMALLOC) if os.path.exists(TCMALLOC) else None
    out = run(["java", "-cp", cp, "org.leno.internal.predict.ForwardRate", weights, "resnet", "50", precision, "32", "5", "2"],
              env=env)
    return {"images_per_s": json.loads(out.strip().splitlines()[-1])["images_per_s"]}


def cpu():
    model = flags = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name") and not model:
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags") and not flags:
                flags = line.split()
    have = [f for f in ("avx512f", "avx512_bf16", "amx_bf16") if f in flags]
    return "%s, %d cores (%s)" % (model, os.cpu_count(), ", ".join(have) or "no avx512")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--work", default="/tmp/leno-inference")
    p.add_argument("--pairs", type=int, default=3)
    p.add_argument("--before", help="a checkout of an older leno to time as 'leno before'")
    p.add_argument("--columns", help="comma-separated column names to run (default: all); "
                   "'ort torch.onnx' always runs, as a ratio's denominator")
    a = p.parse_args()
    images_dir, weights, torch_onnx, leno_onnx, cp = prepare(a.work)
    if a.pairs < 1:
        return 0
    n = sum(len([f for f in fs if f.endswith(".jpg")]) for _, _, fs in os.walk(images_dir))
    predict = ["predict", "--weights", weights, "-a", "resnet", "--model_depth", "50", "--topk", "1",
               "-b", "32", "-j", "2", "--threads", "2", images_dir]
    columns = {
        "leno fp32": lambda: timed(["./leno"] + predict, ROOT, n),
        "leno bf16": lambda: timed(["./leno"] + predict + ["--amp", "bf16"], ROOT, n),
        "torch": lambda: timed([PY, os.path.join(HERE, "bench_torch_predict.py"), images_dir, weights], ROOT, n),
        "leno alone fp32": lambda: forward_alone(cp, weights, "fp32"),
        "leno alone bf16": lambda: forward_alone(cp, weights, "bf16"),
        "ort torch.onnx": lambda: model_alone(cp, torch_onnx),
        "ort leno.onnx": lambda: model_alone(cp, leno_onnx),
    }
    if a.before:
        columns["leno before"] = lambda: timed(["./leno"] + predict, a.before, n)
    if a.columns:
        keep = set(a.columns.split(",")) | {"ort torch.onnx"}
        columns = {k: v for k, v in columns.items() if k in keep}
    rates = {k: [] for k in columns}
    for r in range(a.pairs):
        for name, measure in columns.items():
            result = measure()
            rates[name].append(result["images_per_s"])
            print("round %d  %-15s %7.2f images/s" % (r + 1, name, result["images_per_s"]), file=sys.stderr, flush=True)
    print("CPU: %s; %d JPEGs; %d rounds\n" % (cpu(), n, a.pairs))
    print("| run | images/s (median) | rounds | vs torch (median of ratios) | vs ort torch.onnx |")
    print("|---|---|---|---|---|")
    for name, values in rates.items():
        vs_torch = statistics.median(v / t for v, t in zip(values, rates["torch"])) if "torch" in rates else float("nan")
        vs_ort = statistics.median(v / t for v, t in zip(values, rates["ort torch.onnx"]))
        print("| %s | %.1f | %s | %.2fx | %.2fx |" % (name, statistics.median(values),
              ", ".join("%.1f" % v for v in values), vs_torch, vs_ort))


if __name__ == "__main__":
    sys.exit(main())
