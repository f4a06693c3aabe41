#!/usr/bin/python3
"""The reference training program's loop in PyTorch (Debian's 1.13), for side-by-side runs with `leno train`.

LeNo-ResNet-50 (scripts/make_fixtures.py) with the reference's initialisation (conv Kaiming-normal
fan_out, BatchNorm weight 1 bias 0, Linear PyTorch's default), torchvision's ImageFolder and
transforms (RandomResizedCrop + flip; Resize + CenterCrop), SGD with momentum and weight decay,
MultiStepLR stepped after each epoch, mean cross-entropy. Writes train.log and val.log in the
reference's format (epoch loss acc1 acc5 [lr]) to --out.

Usage: /usr/bin/python3 scripts/train_torch_reference.py --data DIR --out DIR --seed S [--epochs 3]
       [--lr 0.02] [--wd 1e-4] [-b 64] [--crop 32] [--crop-scale 0.08 1] [--val-resize 36] [--val-crop 32]
       [--workers 2] [--threads 2]
"""
import argparse
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.datasets as datasets
import torchvision.transforms as T

sys.path.insert(0, os.path.dirname(__file__))
from make_fixtures import LenoResNet  # noqa: E402


def reference_init(model):
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.constant_(m.weight, 1)
            nn.init.constant_(m.bias, 0)


def accuracy(output, target, topk=(1, 5)):
    pred = output.topk(max(topk), 1).indices
    correct = pred.eq(target[:, None])
    return [correct[:, :k].any(1).float().sum().item() * 100.0 / target.size(0) for k in topk]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--lr", type=float, default=0.02)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--wd", type=float, default=1e-4)
    p.add_argument("-b", "--batch-size", type=int, default=64)
    p.add_argument("--crop", type=int, default=32)
    p.add_argument("--crop-scale", type=float, nargs=2, default=[0.08, 1.0])
    p.add_argument("--val-resize", type=int, default=36)
    p.add_argument("--val-crop", type=int, default=32)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--n-classes", type=int, default=10)
    a = p.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    os.makedirs(a.out, exist_ok=True)
    norm = T.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
    train_set = datasets.ImageFolder(os.path.join(a.data, "train"), T.Compose(
        [T.RandomResizedCrop(a.crop, scale=tuple(a.crop_scale)), T.RandomHorizontalFlip(), T.ToTensor(), norm]))
    val_set = datasets.ImageFolder(os.path.join(a.data, "val"), T.Compose(
        [T.Resize(a.val_resize), T.CenterCrop(a.val_crop), T.ToTensor(), norm]))
    train = torch.utils.data.DataLoader(train_set, batch_size=a.batch_size, shuffle=True, num_workers=a.workers)
    val = torch.utils.data.DataLoader(val_set, batch_size=a.batch_size, num_workers=a.workers)
    model = LenoResNet([3, 4, 6, 3], a.n_classes)
    reference_init(model)
    opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=a.momentum, weight_decay=a.wd)
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[30, 60, 80], gamma=0.1)
    logs = {name: open(os.path.join(a.out, name + ".log"), "w") for name in ("train", "val")}
    logs["train"].write("epoch\tloss\tacc1\tacc5\tlr\n")
    logs["val"].write("epoch\tloss\tacc1\tacc5\n")
    for epoch in range(a.epochs):
        model.train()
        sums, n = [0.0, 0.0, 0.0], 0
        lr = opt.param_groups[0]["lr"]
        for x, y in train:
            out = model(x)
            loss = F.cross_entropy(out, y)
            acc1, acc5 = accuracy(out, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sums = [sums[0] + loss.item() * y.size(0), sums[1] + acc1 * y.size(0), sums[2] + acc5 * y.size(0)]
            n += y.size(0)
        sched.step()
        logs["train"].write("%d\t%.4f\t%.2f\t%.2f\t%.6f\n" % (epoch + 1, sums[0] / n, sums[1] / n, sums[2] / n, lr))
        model.eval()
        vs, vn = [0.0, 0.0, 0.0], 0
        with torch.no_grad():
            for x, y in val:
                out = model(x)
                acc1, acc5 = accuracy(out, y)
                vs = [vs[0] + F.cross_entropy(out, y).item() * y.size(0), vs[1] + acc1 * y.size(0), vs[2] + acc5 * y.size(0)]
                vn += y.size(0)
        logs["val"].write("%d\t%.4f\t%.2f\t%.2f\n" % (epoch + 1, vs[0] / vn, vs[1] / vn, vs[2] / vn))
        for f in logs.values():
            f.flush()
        print("epoch %d: train loss %.4f, val Acc@1 %.2f" % (epoch + 1, sums[0] / n, vs[1] / vn), flush=True)


if __name__ == "__main__":
    main()
