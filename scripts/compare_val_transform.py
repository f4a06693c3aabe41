#!/usr/bin/python3
"""How far are our validation tensors from torchvision's (PIL, antialiased)?
Runs `./leno bench val-transform` on ROOT's first images, applies torchvision's
Resize(256) + CenterCrop(224) + ToTensor + Normalize to the same files, and prints the mean and
max absolute difference in grey levels (0-255) for our INTER_AREA shrinking and for the
interpolation's own OpenCV filter (INTER_LINEAR, INTER_CUBIC, INTER_NEAREST_EXACT).
Usage (repository root): /usr/bin/python3 scripts/compare_val_transform.py ROOT [N] [bilinear|bicubic|nearest]
"""
import json
import os
import struct
import subprocess
import sys

import numpy as np
import torchvision.transforms as T
from PIL import Image

root = sys.argv[1]
n = sys.argv[2] if len(sys.argv) > 2 else "50"
mode = sys.argv[3] if len(sys.argv) > 3 else "bilinear"
out = "/tmp/leno_val_tensors.safetensors"
subprocess.run(["./leno", "bench", "val-transform", "--data", root, "--out", out, "--limit", n, "--interpolation", mode],
               check=True)
raw = open(out, "rb").read()
hlen = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + hlen])
data = raw[8 + hlen:]
std = np.array([0.229, 0.224, 0.225]).reshape(3, 1, 1)
tf = T.Compose([T.Resize(256, interpolation=T.InterpolationMode(mode)), T.CenterCrop(224), T.ToTensor(),
                T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
for shrink in ("pil", "opencv"):
    diffs = []
    for key, meta in header.items():
        if not key.startswith(shrink + "/"):
            continue
        b, e = meta["data_offsets"]
        ours = np.frombuffer(data[b:e], dtype=np.float32).reshape(meta["shape"])
        theirs = tf(Image.open(os.path.join(root, key[len(shrink) + 1:])).convert("RGB")).numpy()
        diffs.append(np.abs(ours - theirs) * std * 255)
    d = np.stack(diffs)
    print(f"{mode} {shrink:6s}: mean |ours - torchvision| = {d.mean():.3f} grey levels, max {d.max():.1f} ({len(diffs)} images)")
