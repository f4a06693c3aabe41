#!/usr/bin/python3
"""Training-trajectory fixtures: what PyTorch (Debian's python3-torch 1.13) does over K SGD steps.

Run from the repository root: /usr/bin/python3 scripts/make_trajectory_fixtures.py
Writes src/test/resources/fixtures/trajectory.pt (read by TrajectoryEquivalenceTest; the tests never
run Python).

The initial weights (fill_deterministic) and the K batches (splitmix formulas) are functions both this
script and the Java test compute, so only PyTorch's results are stored: the loss of every step and,
after step 1 and step K, the L2 norm of each parameter, momentum buffer and BatchNorm running
statistic, plus (after step 1) S values of each at the indices j*n//S. Every setting runs three times:
  fp32  - what `leno train` is compared with;
  fp64  - the same step in double precision: the trajectory without rounding error, so the distance
          of an fp32 (or bf16) run from it measures how far rounding has carried that run;
  bf16  - CPU autocast to bfloat16 (the "amp" setting), nesterov off.

With --nomkl it writes trajectory-nomkl.pt instead: the same settings in fp32 ("nomkl") and bf16 autocast
("bf16nomkl") with torch.backends.mkldnn.enabled = False, PyTorch's convolutions without oneDNN (im2col and
a matrix product). Their distance from fp64 is how far a correct path other than oneDNN's moves these
chaotic trajectories: the bound for `leno train` on its verified fallbacks (issue 31).

Why norms after step K: at 32x32 these networks start with exploding gradients (the stem's gradient is
~1e3 times the head's), and rounding flips a few ReLU masks at the 1x1 last stage, where BatchNorm has
one value per image and channel; PyTorch's own fp32 and fp64 runs are ~1% apart in their gradients
after one step and far apart in individual values after K steps, at any learning rate that trains.
Per-tensor norms (weight growth, momentum size, running statistics) stay within a few 1e-3 of the
exact trajectory, so they are what two programs can be compared on after K steps.
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
import torchvision

sys.path.insert(0, os.path.dirname(__file__))
from make_fixtures import LenoResNet, fill_deterministic, splitmix  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources", "fixtures")

STEPS = 20          # K
BATCH = 16
SIZE = 32
CLASSES = 10
LR = 0.02
MOMENTUM = 0.9
WEIGHT_DECAY = 1e-4
SAMPLES = 16        # S values kept per tensor (after step 1)
INPUT_BASE = 2 * 10**12
LABEL_BASE = 3 * 10**12


def batch(step):
    """Batch `step` (0-based): N(0,1)-like images in [-2, 2) and labels 0..9, from splitmix."""
    n = BATCH * 3 * SIZE * SIZE
    u = splitmix(np.arange(INPUT_BASE + step * n, INPUT_BASE + (step + 1) * n, dtype=np.uint64)) * 2.0
    images = torch.from_numpy(u.astype(np.float32)).view(BATCH, 3, SIZE, SIZE)
    v = splitmix(np.arange(LABEL_BASE + step * BATCH, LABEL_BASE + (step + 1) * BATCH, dtype=np.uint64))
    labels = torch.from_numpy(np.floor((v + 1.0) * 0.5 * CLASSES).astype(np.int64).clip(0, CLASSES - 1))
    return images, labels


def build(arch):
    model = torchvision.models.resnet50(num_classes=CLASSES) if arch == "resnet50" \
        else LenoResNet([3, 4, 6, 3], CLASSES)
    fill_deterministic(model)
    return model


def sample(t):
    flat = t.detach().flatten().double()
    n = flat.numel()
    idx = [min(j * n // SAMPLES, n - 1) for j in range(SAMPLES)]
    return flat[idx].float(), flat.norm().item()


def snapshot(prefix, model, optimizer, out, with_samples):
    """Per kind: norms [T] (float64) and, with_samples, values [T, S] (float32), rows in state-dict order."""
    params = dict(model.named_parameters())
    rows = {"param": [], "buffer": [], "momentum": []}
    for key, t in model.state_dict().items():
        if t.is_floating_point():
            rows["param" if key in params else "buffer"].append(sample(t))
    for p in model.parameters():
        rows["momentum"].append(sample(optimizer.state[p]["momentum_buffer"]))
    for kind, r in rows.items():
        out["%s.%s.norms" % (prefix, kind)] = torch.tensor([n for _, n in r], dtype=torch.float64)
        if with_samples:
            out["%s.%s.samples" % (prefix, kind)] = torch.stack([v for v, _ in r])


def keys(arch, out):
    model = build(arch)
    params = dict(model.named_parameters())
    sd = [k for k, t in model.state_dict().items() if t.is_floating_point()]
    out[arch + ".keys.param"] = [k for k in sd if k in params]
    out[arch + ".keys.buffer"] = [k for k in sd if k not in params]
    out[arch + ".keys.momentum"] = [k for k, _ in model.named_parameters()]


def run(arch, nesterov, precision, out):
    torch.manual_seed(0)
    model = build(arch)
    if precision == "fp64":
        model = model.double()
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM, weight_decay=WEIGHT_DECAY,
                                nesterov=nesterov)
    prefix = "%s.%s.%s" % (arch, "nesterov" if nesterov else "sgd", precision)
    losses = []
    for step in range(STEPS):
        images, labels = batch(step)
        if precision == "fp64":
            images = images.double()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision.startswith("bf16")), \
                torch.backends.mkldnn.flags(enabled=not precision.endswith("nomkl")):
            output = model(images)
            loss = F.cross_entropy(output, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if step == 0:
            snapshot(prefix + ".step1", model, optimizer, out, True)
    snapshot(prefix + ".stepK", model, optimizer, out, False)
    out[prefix + ".losses"] = torch.tensor(losses, dtype=torch.float64)
    print(prefix, "losses", " ".join("%.4f" % x for x in losses), flush=True)


def main():
    torch.set_num_threads(2)
    out = {"meta.steps": torch.tensor(STEPS), "meta.batch": torch.tensor(BATCH), "meta.size": torch.tensor(SIZE),
           "meta.classes": torch.tensor(CLASSES), "meta.samples": torch.tensor(SAMPLES),
           "meta.lr": torch.tensor(LR, dtype=torch.float64), "meta.momentum": torch.tensor(MOMENTUM, dtype=torch.float64),
           "meta.weight_decay": torch.tensor(WEIGHT_DECAY, dtype=torch.float64),
           "meta.input_base": torch.tensor(INPUT_BASE), "meta.label_base": torch.tensor(LABEL_BASE)}
    # the first batch's checksum lets the Java test confirm it builds the same batches
    images, labels = batch(0)
    out["meta.batch0_sum"] = torch.tensor(images.double().sum().item(), dtype=torch.float64)
    out["meta.batch0_labels"] = labels
    nomkl = "--nomkl" in sys.argv[1:]
    for arch in ("lenoresnet50", "resnet50"):
        keys(arch, out)
        for nesterov in (False, True):
            for precision in (("nomkl",) if nomkl else ("fp32", "fp64")):
                run(arch, nesterov, precision, out)
        run(arch, False, "bf16nomkl" if nomkl else "bf16", out)
    path = os.path.join(FIXTURES, "trajectory-nomkl.pt" if nomkl else "trajectory.pt")
    torch.save(out, path)
    print("wrote", os.path.abspath(path), os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
