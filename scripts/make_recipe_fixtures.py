#!/usr/bin/python3
"""The modern recipe's pieces in PyTorch 1.13, for RecipeEquivalenceTest: AdamW and SGD over torchvision's
weight-decay parameter groups, label smoothing, gradient clipping and the EMA of the weights.

Run from the repository root: /usr/bin/python3 scripts/make_recipe_fixtures.py
Writes src/test/resources/fixtures/recipes.pt (the tests never run Python).

LeNo-ResNet-50 (10 classes) with the deterministic weights of make_fixtures.py, in float64 (so that the
comparison is of formulas, not of rounding), trains 3 steps in train mode on batches of 8 images at 32x32
from make_trajectory_fixtures.py's formulas: loss = CrossEntropyLoss(label_smoothing), backward,
clip_grad_norm_(model.parameters()), optimizer.step(), zero_grad(set_to_none=True), then the EMA update
(torchvision's ExponentialMovingAverage, every step). Stored per case: the losses and clipped norms, and
after step 3 each parameter's and each EMA entry's norm and 16 sampled values.

A tiny model (Conv2d(3, 4, 3) with bias, BatchNorm2d(4), flatten, Linear(4 * 6 * 6, 3)), in float64, for
the optimizer's state_dict: PyTorch's state after 2 steps of each optimizer (AdamW and SGD over
norm/bias groups) and its weights after a 3rd step, so that a test can load PyTorch's state into ours and
continue, and compare our state_dict with PyTorch's.
"""
import copy
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
import make_trajectory_fixtures as T  # noqa: E402
from make_fixtures import LenoResNet, fill_deterministic  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources", "fixtures", "recipes.pt")
T.BATCH = 8
STEPS = 3

CASES = {
    "adamw": dict(optimizer="adamw", lr=1e-3, weight_decay=0.05, norm_wd=0.0, bias_wd=0.0, smoothing=0.1, clip=1.0,
                  ema_decay=0.9),
    "sgd": dict(optimizer="sgd", lr=0.02, weight_decay=1e-4, norm_wd=0.0, bias_wd=None, smoothing=0.1, clip=0.5,
                nesterov=True, ema_decay=0.5),
    "adamw_plain": dict(optimizer="adamw", lr=3e-4, weight_decay=0.01, norm_wd=None, bias_wd=None, smoothing=0.0,
                        clip=0.0, ema_decay=None),
}


def set_weight_decay(model, weight_decay, norm_weight_decay=None, custom_keys_weight_decay=None):
    """torchvision 0.14 references/classification/utils.py's set_weight_decay."""
    norm_classes = (torch.nn.modules.batchnorm._BatchNorm, torch.nn.LayerNorm, torch.nn.GroupNorm,
                    torch.nn.modules.instancenorm._InstanceNorm, torch.nn.LocalResponseNorm)
    params = {"other": [], "norm": []}
    params_weight_decay = {"other": weight_decay, "norm": norm_weight_decay}
    custom_keys = []
    if custom_keys_weight_decay is not None:
        for key, wd in custom_keys_weight_decay:
            params[key] = []
            params_weight_decay[key] = wd
            custom_keys.append(key)

    def _add_params(module, prefix=""):
        for name, p in module.named_parameters(recurse=False):
            if not p.requires_grad:
                continue
            is_custom_key = False
            for key in custom_keys:
                target_name = f"{prefix}.{name}" if prefix != "" and "." in key else name
                if key == target_name:
                    params[key].append(p)
                    is_custom_key = True
                    break
            if not is_custom_key:
                if norm_weight_decay is not None and isinstance(module, norm_classes):
                    params["norm"].append(p)
                else:
                    params["other"].append(p)
        for child_name, child_module in module.named_children():
            child_prefix = f"{prefix}.{child_name}" if prefix != "" else child_name
            _add_params(child_module, prefix=child_prefix)

    _add_params(model)
    return [{"params": params[k], "weight_decay": params_weight_decay[k]} for k in params if len(params[k]) > 0]


class ExponentialMovingAverage(torch.optim.swa_utils.AveragedModel):
    """torchvision 0.14 references/classification/utils.py's ExponentialMovingAverage."""

    def __init__(self, model, decay, device="cpu"):
        def ema_avg(avg_model_param, model_param, num_averaged):
            return decay * avg_model_param + (1 - decay) * model_param

        super().__init__(model, device, ema_avg, use_buffers=True)


def snapshot(prefix, named, out):
    norms, samples = [], []
    for _, t in named:
        values, norm = T.sample(t.double() if t.is_floating_point() else t.double())
        norms.append(norm)
        samples.append(values.double())
    out[prefix + ".norms"] = torch.tensor(norms, dtype=torch.float64)
    out[prefix + ".samples"] = torch.stack(samples)


def run(name, c, out):
    torch.manual_seed(0)
    model = LenoResNet([3, 4, 6, 3], 10)
    fill_deterministic(model)
    model = model.double().train()
    custom = [("bias", c["bias_wd"])] if c["bias_wd"] is not None else None
    groups = set_weight_decay(model, c["weight_decay"], norm_weight_decay=c["norm_wd"], custom_keys_weight_decay=custom)
    if c["optimizer"] == "adamw":
        opt = torch.optim.AdamW(groups, lr=c["lr"], weight_decay=c["weight_decay"])
    else:
        opt = torch.optim.SGD(groups, lr=c["lr"], momentum=0.9, weight_decay=c["weight_decay"], nesterov=c["nesterov"])
    ema = ExponentialMovingAverage(model, c["ema_decay"]) if c["ema_decay"] else None
    criterion = torch.nn.CrossEntropyLoss(label_smoothing=c["smoothing"])
    losses, norms = [], []
    for step in range(STEPS):
        images, labels = T.batch(step)
        loss = criterion(model(images.double()), labels)
        loss.backward()
        if c["clip"] > 0:
            norms.append(torch.nn.utils.clip_grad_norm_(model.parameters(), c["clip"]).item())
        opt.step()
        opt.zero_grad(set_to_none=True)
        if ema is not None:
            ema.update_parameters(model)
        losses.append(loss.item())
        if step == STEPS - 1:
            snapshot(name + ".params", model.named_parameters(), out)
            if ema is not None:
                snapshot(name + ".ema", [kv for kv in ema.module.state_dict().items()], out)
                out[name + ".ema_n_averaged"] = ema.n_averaged.clone()
    out[name + ".losses"] = torch.tensor(losses, dtype=torch.float64)
    out[name + ".clip_norms"] = torch.tensor(norms, dtype=torch.float64)
    out[name + ".group_sizes"] = torch.tensor([len(g["params"]) for g in groups])
    print(name, "losses", ["%.6f" % x for x in losses], "groups", [len(g["params"]) for g in groups], flush=True)


def tiny_model():
    torch.manual_seed(3)
    return torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, bias=True), torch.nn.BatchNorm2d(4), torch.nn.Flatten(),
                               torch.nn.Linear(4 * 6 * 6, 3)).double()


def tiny(name, make_optimizer, out):
    model = tiny_model()
    for i, (k, p) in enumerate(model.named_parameters()):
        n = p.numel()
        with torch.no_grad():
            p.copy_(torch.linspace(-0.5, 0.5, n, dtype=torch.float64).view_as(p) * (1 + 0.1 * i))
    groups = set_weight_decay(model, 0.01, norm_weight_decay=0.0, custom_keys_weight_decay=[("bias", 0.001)])
    opt = make_optimizer(groups)
    x = torch.linspace(-1, 1, 2 * 3 * 8 * 8, dtype=torch.float64).view(2, 3, 8, 8)
    y = torch.tensor([0, 2])
    out["tiny_x"], out["tiny_y"] = x, y
    for step in range(3):
        if step == 2:
            out[name + ".state"] = copy.deepcopy(opt.state_dict())  # state_dict() holds the live buffers
            out[name + ".weights2"] = {k: v.clone() for k, v in model.state_dict().items()}
        F.cross_entropy(model(x), y).backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
    out[name + ".weights3"] = {k: v.clone() for k, v in model.state_dict().items()}


def main():
    torch.set_num_threads(2)
    out = {"meta.batch": torch.tensor(T.BATCH), "meta.steps": torch.tensor(STEPS)}
    for name, c in CASES.items():
        run(name, c, out)
    tiny("tiny_adamw", lambda g: torch.optim.AdamW(g, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01), out)
    tiny("tiny_sgd", lambda g: torch.optim.SGD(g, lr=0.1, momentum=0.9, weight_decay=0.01, nesterov=True), out)
    torch.save(out, OUT)
    print("wrote", os.path.abspath(OUT), os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
