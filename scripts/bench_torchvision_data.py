#!/usr/bin/python3
"""torchvision's ImageFolder + DataLoader with the reference's training transform, timed as
`leno bench data` times ours: images/s over --batches batches after one warm-up batch.
Usage: /usr/bin/python3 scripts/bench_torchvision_data.py ROOT [--workers 2] [-b 256] [--crop 224] [--batches 20]
"""
import argparse
import json
import time

import torch
import torchvision.datasets as datasets
import torchvision.transforms as T

p = argparse.ArgumentParser()
p.add_argument("root")
p.add_argument("--workers", type=int, default=2)
p.add_argument("-b", "--batch-size", type=int, default=256)
p.add_argument("--crop", type=int, default=224)
p.add_argument("--batches", type=int, default=20)
a = p.parse_args()
torch.set_num_threads(1)
tf = T.Compose([T.RandomResizedCrop(a.crop), T.RandomHorizontalFlip(), T.ToTensor(),
                T.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])])
ds = datasets.ImageFolder(a.root + "/train", tf)
loader = torch.utils.data.DataLoader(ds, batch_size=a.batch_size, shuffle=True, num_workers=a.workers)
done, images, start = 0, 0, 0.0
while done <= a.batches:
    for x, y in loader:
        if done == 0:
            start = time.time()
        else:
            images += x.shape[0]
        done += 1
        if done > a.batches:
            break
rate = images / (time.time() - start)
print(json.dumps({"images_per_s": rate, "images": images}))
