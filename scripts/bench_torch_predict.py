#!/usr/bin/python3
"""PyTorch's side of the inference table (docs/inference.md): classifies every JPEG under DIR with
ResNet-50 as a user of PyTorch would script it: torchvision's transforms (resize 256, centre crop
224, normalise), a DataLoader with 2 workers and batch 64, eval mode, no_grad, 2 intra-op threads;
prints one line per image (file, top class) and at the end {"images": N, "images_per_s": ...}
over the whole loop (the caller times the whole process too).

Usage: /usr/bin/python3 scripts/bench_torch_predict.py DIR WEIGHTS.pth [--channels-last] [--workers 2] [-b 64]
WEIGHTS is a torchvision ResNet-50 state dict (scripts/inference_table.py writes one).
"""
import argparse
import json
import os
import sys
import time

import torch
import torchvision
from PIL import Image
from torchvision import transforms


class Files(torch.utils.data.Dataset):
    def __init__(self, root, transform):
        self.paths = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs
                            if f.lower().endswith((".jpg", ".jpeg", ".png")))
        self.transform = transform

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        with open(self.paths[i], "rb") as f:
            return self.transform(Image.open(f).convert("RGB")), i


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("weights")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("-b", "--batch-size", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--channels-last", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    start = time.perf_counter()
    model = torchvision.models.resnet50()
    model.load_state_dict(torch.load(a.weights, map_location="cpu"))
    model.eval()
    if a.channels_last:
        model = model.to(memory_format=torch.channels_last)
    normalize = transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
    data = Files(a.dir, transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224),
                                            transforms.ToTensor(), normalize]))
    loader = torch.utils.data.DataLoader(data, batch_size=a.batch_size, num_workers=a.workers)
    n = 0
    with torch.no_grad():
        for x, idx in loader:
            if a.channels_last:
                x = x.to(memory_format=torch.channels_last)
            top = model(x).argmax(1)
            for i, t in zip(idx.tolist(), top.tolist()):
                print(data.paths[i], t)
            n += len(idx)
    seconds = time.perf_counter() - start
    print(json.dumps({"images": n, "images_per_s": n / seconds}))


if __name__ == "__main__":
    sys.exit(main())
