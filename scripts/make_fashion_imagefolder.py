#!/usr/bin/env python3
"""Writes Fashion-MNIST (Debian's dataset-fashion-mnist) as an ImageFolder of PNG files.

Usage: python3 scripts/make_fashion_imagefolder.py OUT [TRAIN_PER_CLASS] [SOURCE_DIR]
OUT/train/<class>/<index>.png holds the first TRAIN_PER_CLASS (default 600) training images of each
class, OUT/val/<class>/<index>.png all 10,000 test images. Needs only the standard library.
"""
import os
import struct
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_embedded_subset import read_idx  # noqa: E402  (one reader of the IDX format)

CLASSES = ["0_tshirt", "1_trouser", "2_pullover", "3_dress", "4_coat", "5_sandal", "6_shirt", "7_sneaker", "8_bag",
           "9_boot"]


def png(path, pixels, width, height):
    """An 8-bit greyscale PNG."""
    raw = b"".join(b"\x00" + pixels[y * width:(y + 1) * width] for y in range(height))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def main():
    out = sys.argv[1]
    per_class = int(sys.argv[2]) if len(sys.argv) > 2 else 600
    src = sys.argv[3] if len(sys.argv) > 3 else "/usr/share/datasets/fashion-mnist"
    for split, prefix, limit in (("train", "train", per_class), ("val", "t10k", None)):
        (n, h, w), images = read_idx(os.path.join(src, prefix + "-images-idx3-ubyte.gz"))
        _, labels = read_idx(os.path.join(src, prefix + "-labels-idx1-ubyte.gz"))
        counts = [0] * 10
        for c in CLASSES:
            os.makedirs(os.path.join(out, split, c), exist_ok=True)
        for i in range(n):
            c = labels[i]
            if limit is not None and counts[c] >= limit:
                continue
            counts[c] += 1
            png(os.path.join(out, split, CLASSES[c], "%05d.png" % i), images[i * h * w:(i + 1) * h * w], w, h)
        print(split, sum(counts), "images")


if __name__ == "__main__":
    main()
