#!/usr/bin/python3
"""Loads a checkpoint of `leno train` in PyTorch 1.13 and puts its optimizer state into PyTorch's own
optimizer over torchvision's weight-decay groups, as a user continuing the run in PyTorch would.

Usage: /usr/bin/python3 scripts/check_optimizer_state.py CHECKPOINT [--norm-weight-decay X] [--bias-weight-decay Y]
Checks: torch.load reads it; `optimizer` has PyTorch's layout (state by parameter index, param_groups
with their hyper-parameters and 'params' lists); the groups have the sizes that torchvision's
set_weight_decay gives for the model (the model of scripts/make_fixtures.py, with the checkpoint's
depth and class count); the optimizer's load_state_dict accepts it, every state tensor has its
parameter's shape, and one more step runs. Prints what it found; exits 1 on the first mismatch.
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import LenoResNet, PreActResNet  # noqa: E402  (the reference's model code)
import torchvision  # noqa: E402

BLOCKS = {50: [3, 4, 6, 3], 101: [3, 4, 23, 3], 152: [3, 8, 36, 3], 200: [3, 24, 36, 3]}


def fail(message):
    print("FAILED:", message)
    sys.exit(1)


def groups(model, weight_decay, norm_wd, bias_wd):
    """torchvision's set_weight_decay: other, norm, bias (only the groups with a decay of their own)."""
    norm_classes = (torch.nn.modules.batchnorm._BatchNorm, torch.nn.LayerNorm, torch.nn.GroupNorm)
    params = {"other": [], "norm": [], "bias": []}
    for module in model.modules():
        for name, p in module.named_parameters(recurse=False):
            if not p.requires_grad:
                continue
            if name == "bias" and bias_wd is not None:
                params["bias"].append(p)
            elif isinstance(module, norm_classes) and norm_wd is not None:
                params["norm"].append(p)
            else:
                params["other"].append(p)
    decays = {"other": weight_decay, "norm": norm_wd, "bias": bias_wd}
    return [{"params": params[k], "weight_decay": decays[k]} for k in ("other", "norm", "bias") if params[k]]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("checkpoint")
    p.add_argument("--norm-weight-decay", type=float)
    p.add_argument("--bias-weight-decay", type=float)
    a = p.parse_args()
    ckpt = torch.load(a.checkpoint, map_location="cpu")
    leno = ckpt.get("leno", {})
    depth, classes, arch = leno.get("depth", 50), leno.get("n_classes", 1000), ckpt["arch"]
    if arch == "resnet":
        model = torchvision.models.resnet50(num_classes=classes) if depth == 50 else None
    elif arch == "preactresnet":
        model = PreActResNet(BLOCKS[depth], classes)
    else:
        model = LenoResNet(BLOCKS[depth], classes)
    model.load_state_dict(ckpt["state_dict"])
    state = ckpt["optimizer"]
    print("arch %s depth %d, %d classes; optimizer param_groups: %s" % (arch, depth, classes,
          [(len(g["params"]), g.get("weight_decay")) for g in state["param_groups"]]))
    wanted = groups(model, state["param_groups"][0]["weight_decay"], a.norm_weight_decay, a.bias_weight_decay)
    if [len(g["params"]) for g in wanted] != [len(g["params"]) for g in state["param_groups"]]:
        fail("group sizes %s, torchvision's set_weight_decay gives %s"
             % ([len(g["params"]) for g in state["param_groups"]], [len(g["params"]) for g in wanted]))
    adam = "exp_avg" in next(iter(state["state"].values()), {})
    g0 = state["param_groups"][0]
    opt = (torch.optim.AdamW(wanted, lr=g0["lr"], betas=tuple(g0["betas"]), eps=g0["eps"]) if adam
           else torch.optim.SGD(wanted, lr=g0["lr"], momentum=g0["momentum"], nesterov=g0["nesterov"]))
    opt.load_state_dict(state)
    for group in opt.param_groups:
        for param in group["params"]:
            for key, value in opt.state[param].items():
                if torch.is_tensor(value) and value.dim() > 0 and value.shape != param.shape:
                    fail("state %s of a parameter has shape %s, the parameter %s" % (key, tuple(value.shape), tuple(param.shape)))
    model.train()
    loss = torch.nn.functional.cross_entropy(model(torch.randn(4, 3, 32, 32)), torch.randint(classes, (4,)))
    loss.backward()
    opt.step()
    print("ok: %s state of %d parameters loaded into torch.optim.%s and stepped"
          % ("AdamW" if adam else "SGD", len(opt.state), "AdamW" if adam else "SGD"))


if __name__ == "__main__":
    main()
