#!/usr/bin/python3
"""Makes an ImageNet-like JPEG folder for the data benchmarks: ROOT/train/<class>/*.jpg of about
500x375 (some portrait), quality 90, with smooth structure so that JPEG sizes resemble photos'.
Usage: /usr/bin/python3 scripts/make_jpeg_folder.py ROOT [CLASSES] [PER_CLASS]
"""
import os
import sys

import numpy as np
from PIL import Image

root = sys.argv[1]
classes = int(sys.argv[2]) if len(sys.argv) > 2 else 10
per_class = int(sys.argv[3]) if len(sys.argv) > 3 else 100
rng = np.random.default_rng(0)
for c in range(classes):
    d = os.path.join(root, "train", "n%08d" % c)
    os.makedirs(d, exist_ok=True)
    for i in range(per_class):
        w, h = (500, 375) if i % 4 else (375, 500)
        y, x = np.mgrid[0:h, 0:w].astype(np.float32)
        img = np.zeros((h, w, 3), np.float32)
        for ch in range(3):
            fx, fy, ph = rng.uniform(0.005, 0.05, 2).tolist() + [rng.uniform(0, 6.3)]
            img[:, :, ch] = 127 + 100 * np.sin(fx * x + ph) * np.cos(fy * y)
        img += rng.normal(0, 12, img.shape)
        Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(os.path.join(d, "img%05d.jpg" % i), quality=90)
print("wrote", classes * per_class, "images under", os.path.join(root, "train"))
