#!/usr/bin/env python3
"""Regenerates the embedded default dataset: a stratified subset of Fashion-MNIST (MIT licence).

Reads the Debian package's IDX files (apt-get install dataset-fashion-mnist) and writes, per
class, the first 600 training images and the first 100 test images, in class-interleaved order,
as gzipped IDX files under src/main/resources/org/leno/internal/data/datasets/embedded/.
Usage (repository root): python3 scripts/make_embedded_subset.py [SOURCE_DIR]
"""
import gzip
import os
import struct
import sys

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "main", "resources", "org", "leno", "data", "datasets", "embedded")
PER_CLASS = {"train": 600, "val": 100}
FILES = {"train": "train", "val": "t10k"}


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return shape, data[4 + 4 * dims:]


def write_idx(path, shape, payload):
    header = struct.pack(">BBBB", 0, 0, 8, len(shape)) + struct.pack(">" + "I" * len(shape), *shape)
    with gzip.GzipFile(path, "wb", mtime=0) as f:
        f.write(header + payload)


def main(src):
    for split, per_class in PER_CLASS.items():
        (n, h, w), images = read_idx(os.path.join(src, FILES[split] + "-images-idx3-ubyte.gz"))
        _, labels = read_idx(os.path.join(src, FILES[split] + "-labels-idx1-ubyte.gz"))
        by_class = {c: [i for i in range(n) if labels[i] == c][:per_class] for c in range(10)}
        order = [by_class[c][k] for k in range(per_class) for c in range(10)]
        write_idx(os.path.join(OUT, split + "-images.gz"), (len(order), h, w),
                  b"".join(images[i * h * w:(i + 1) * h * w] for i in order))
        write_idx(os.path.join(OUT, split + "-labels.gz"), (len(order),), bytes(labels[i] for i in order))
        print(split, len(order), "images")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist")
