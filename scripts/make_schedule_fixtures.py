#!/usr/bin/python3
"""Learning-rate sequences of PyTorch 1.13's schedulers, composed as torchvision's classification train.py does.

Run from the repository root: /usr/bin/python3 scripts/make_schedule_fixtures.py
Writes src/test/resources/fixtures/schedules.json for ScheduleTest (the tests never run Python).

Per epoch (torchvision): the main scheduler (MultiStepLR, StepLR, CosineAnnealingLR(T_max = epochs -
warm-up), ExponentialLR) after an optional warm-up (LinearLR(start_factor=decay) or ConstantLR(factor=decay)
for the warm-up epochs) inside SequentialLR, stepped after every epoch; the rate of epoch e is the one in
force during it. Per update (--sched-on-updates): the same schedulers built in updates (every epoch count
times the updates per epoch, ExponentialLR's gamma to the power 1/updates), stepped after every update.
The reference's compatibility mode steps MultiStepLR at the start of each epoch instead.
"""
import json
import os

import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources", "fixtures", "schedules.json")

CASES = [
    dict(kind="multistep", epochs=90, milestones=[30, 60, 80], reduce=0.1),
    dict(kind="multistep", epochs=12, milestones=[6, 9], reduce=0.1, warmup=2, method="linear", decay=0.01),
    dict(kind="step", epochs=10, step_size=3, gamma=0.5, warmup=2, method="constant", decay=0.1),
    dict(kind="cosine", epochs=10, lr_min=0.001, warmup=3, method="linear", decay=0.01),
    dict(kind="cosine", epochs=10),
    dict(kind="exponential", epochs=8, gamma=0.9, warmup=1, method="linear", decay=0.1),
    dict(kind="cosine", epochs=6, lr_min=0.0, warmup=2, method="linear", decay=0.01, updates=5),
    dict(kind="multistep", epochs=6, milestones=[3, 5], reduce=0.1, warmup=1, method="constant", decay=0.1, updates=4),
    dict(kind="exponential", epochs=4, gamma=0.8, updates=3),
    dict(kind="step", epochs=5, step_size=2, gamma=0.1, warmup=1, method="linear", decay=0.01, updates=3),
    dict(kind="multistep", epochs=7, milestones=[3, 5], reduce=0.1, compat=True),
]


def build(opt, c, unit):
    """The schedulers of case c, with every epoch count times `unit` (1: per epoch, updates: per update)."""
    warmup = c.get("warmup", 0)
    if c["kind"] == "multistep":
        main = torch.optim.lr_scheduler.MultiStepLR(opt, [m * unit for m in c["milestones"]], gamma=c["reduce"])
    elif c["kind"] == "step":
        main = torch.optim.lr_scheduler.StepLR(opt, step_size=c["step_size"] * unit, gamma=c["gamma"])
    elif c["kind"] == "cosine":
        main = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=(c["epochs"] - warmup) * unit,
                                                          eta_min=c.get("lr_min", 0.0))
    else:
        main = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=c["gamma"] ** (1.0 / unit))
    if warmup == 0:
        return main
    if c["method"] == "linear":
        first = torch.optim.lr_scheduler.LinearLR(opt, start_factor=c["decay"], total_iters=warmup * unit)
    else:
        first = torch.optim.lr_scheduler.ConstantLR(opt, factor=c["decay"], total_iters=warmup * unit)
    return torch.optim.lr_scheduler.SequentialLR(opt, schedulers=[first, main], milestones=[warmup * unit])


def sequence(c, base=0.1):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base, momentum=0.9)
    unit = c.get("updates", 1)
    sched = build(opt, c, unit)
    rates = []
    for _ in range(c["epochs"] * unit):
        if c.get("compat"):
            sched.step()  # the reference steps at the start of the epoch
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        if not c.get("compat"):
            sched.step()
    return rates


def main():
    import warnings
    warnings.filterwarnings("ignore")
    out = []
    for c in CASES:
        out.append(dict(c, base=0.1, rates=sequence(c)))
        print(c["kind"], c.get("updates", 1), ["%.5g" % r for r in out[-1]["rates"][:12]])
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
