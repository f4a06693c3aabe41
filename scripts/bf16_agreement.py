#!/usr/bin/python3
"""Top-1 agreement of `leno predict --amp bf16` with float32 on the quick start's validation set
(the embedded 1,000 Fashion-MNIST images, written out as PNG files), for each run folder given;
also each precision's accuracy against the labels and the largest logit difference relative to
the largest float32 logit. Standard library only.

Usage: /usr/bin/python3 scripts/bf16_agreement.py RUN_DIR [RUN_DIR...]
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from make_embedded_subset import read_idx  # noqa: E402
from make_fashion_imagefolder import png  # noqa: E402

EMBEDDED = os.path.join(ROOT, "src", "main", "resources", "org", "leno", "data", "datasets", "embedded")


def write_val(folder):
    (n, h, w), images = read_idx(os.path.join(EMBEDDED, "val-images.gz"))
    _, labels = read_idx(os.path.join(EMBEDDED, "val-labels.gz"))
    truth = {}
    for i in range(n):
        path = os.path.join(folder, "%04d.png" % i)
        png(path, images[i * h * w:(i + 1) * h * w], w, h)
        truth[path] = labels[i]
    return truth


def predict(run, folder, amp):
    out = subprocess.run(["./leno", "predict", "--weights", run, "--json", "--topk", "1", "--amp", amp, folder],
                         cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if out.returncode != 0:
        sys.exit("leno predict failed: " + out.stderr.strip()[-2000:])
    return {r["file"]: r for r in map(json.loads, out.stdout.splitlines())}


def main():
    with tempfile.TemporaryDirectory() as folder:
        truth = write_val(folder)
        print("| run | images | top-1 agreement bf16 vs fp32 | acc fp32 | acc bf16 | max logit diff / max logit |")
        print("|---|---|---|---|---|---|")
        for run in sys.argv[1:]:
            fp32 = predict(run, folder, "none")
            bf16 = predict(run, folder, "bf16")
            agree = sum(fp32[f]["topk"][0]["index"] == bf16[f]["topk"][0]["index"] for f in truth)
            acc32 = sum(fp32[f]["topk"][0]["index"] == truth[f] for f in truth)
            acc16 = sum(bf16[f]["topk"][0]["index"] == truth[f] for f in truth)
            scale = max(abs(v) for f in truth for v in fp32[f]["logits"])
            diff = max(abs(a - b) for f in truth for a, b in zip(fp32[f]["logits"], bf16[f]["logits"]))
            n = len(truth)
            print("| %s | %d | %d (%.1f%%) | %.1f%% | %.1f%% | %.4f |" % (run, n, agree, 100 * agree / n,
                  100 * acc32 / n, 100 * acc16 / n, diff / scale))


if __name__ == "__main__":
    sys.exit(main())
