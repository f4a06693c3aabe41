#!/usr/bin/python3
"""PyTorch's own training step timed as `leno bench model` times ours: forward, mean
cross-entropy, backward and SGD (momentum 0.9, weight decay 1e-4) on one random batch, after warm-up.
Usage: /usr/bin/python3 scripts/bench_torch_model.py [--arch resnet|lenoresnet] [-b 64] [--image-size 64]
       [--iters 20] [--threads 2] [--amp bf16] [--channels-last]
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F
import torchvision

sys.path.insert(0, os.path.dirname(__file__))
from make_fixtures import LenoResNet  # noqa: E402  (the LeNo family as SPEC.md defines it)

p = argparse.ArgumentParser()
p.add_argument("--arch", default="resnet")
p.add_argument("-b", "--batch-size", type=int, default=64)
p.add_argument("--image-size", type=int, default=64)
p.add_argument("--iters", type=int, default=20)
p.add_argument("--warmup", type=int, default=3)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--n-classes", type=int, default=1000)
p.add_argument("--amp", default="none")
p.add_argument("--channels-last", action="store_true")
p.add_argument("--device", default="cpu", help="cpu or cuda (for scripts/gpu_check.sh)")
p.add_argument("--profile", type=int, default=0, metavar="STEPS",
               help="after the timed steps, run STEPS more under torch.profiler and print the operators' self "
                    "time per step (to set beside `leno bench model --profile`)")
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
model = torchvision.models.resnet50(num_classes=a.n_classes) if a.arch == "resnet" else LenoResNet([3, 4, 6, 3], a.n_classes)
x = torch.randn(a.batch_size, 3, a.image_size, a.image_size)
if a.channels_last:
    model = model.to(memory_format=torch.channels_last)
    x = x.contiguous(memory_format=torch.channels_last)
y = torch.randint(a.n_classes, (a.batch_size,))
model, x, y = model.to(a.device), x.to(a.device), y.to(a.device)
scaler = torch.cuda.amp.GradScaler(enabled=a.amp == "fp16")
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
model.train()


def step():
    dtype = torch.float16 if a.amp == "fp16" else torch.bfloat16
    with torch.autocast(a.device, dtype=dtype, enabled=a.amp != "none"):
        loss = F.cross_entropy(model(x), y)
    opt.zero_grad(set_to_none=True)
    scaler.scale(loss).backward()
    scaler.step(opt)
    scaler.update()
    loss.item()  # waits for the device, as leno's step does


for _ in range(a.warmup):
    step()
start = time.time()
for _ in range(a.iters):
    step()
seconds = time.time() - start
print(json.dumps({"images_per_s": a.iters * a.batch_size / seconds, "step_s": seconds / a.iters}))
if a.profile:
    from torch.profiler import profile, ProfilerActivity
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(a.profile):
            step()
    rows = sorted(prof.key_averages(), key=lambda e: -e.self_cpu_time_total)
    total = sum(e.self_cpu_time_total for e in rows)
    print("operator self time per step, %d profiled steps (%.1f ms/step in operators)" % (a.profile, total / 1e3 / a.profile))
    for e in rows:
        ms = e.self_cpu_time_total / 1e3 / a.profile
        if ms >= 0.05:
            print("%-45s %8.1f calls/step %8.2f ms/step %5.1f%%" % (e.key, e.count / a.profile, ms, 100 * e.self_cpu_time_total / total))
