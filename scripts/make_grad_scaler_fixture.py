"""Drives PyTorch 1.13's torch.cuda.amp.GradScaler over a scripted sequence of finite, infinite,
NaN and overflowing gradients and records what it does, for GradScalerTest.

On a machine without CUDA, torch 1.13 cannot run GradScaler's two kernels
(_amp_foreach_non_finite_check_and_unscale_ and _amp_update_scale_ have CUDA kernels only), and the
class disables itself. So the class's own Python code (its state machine, the fp64 reciprocal of the
scale, the skipped step, update(), state_dict()) runs as shipped (scale() asserts CUDA, so its
two-line body is inlined; _MultiDeviceReplicator loses its is_cuda assertion), kept enabled and with the two
kernels replaced by Python transcriptions of aten/src/ATen/native/cuda/AmpKernels.cu (1.13):
  unscale: found_inf = 1 if any element is not finite; grad = grad * inv_scale (float32)
  update:  if found_inf: scale = float(scale * backoff); tracker = 0
           else: t = tracker + 1; if t == interval: (scale = float(scale * growth) if finite); tracker = 0
                 else tracker = t
Usage: /usr/bin/python3 scripts/make_grad_scaler_fixture.py src/test/resources/fixtures/grad_scaler_sequence.json
"""
import json
import math
import sys

import torch
import torch.cuda.amp.grad_scaler as grad_scaler
from torch.cuda.amp import GradScaler


def non_finite_check_and_unscale_(grads, found_inf, inv_scale):
    for g in grads:
        if not bool(torch.isfinite(g).all()):
            found_inf.fill_(1.0)
        g.mul_(inv_scale)


def update_scale_(scale, growth_tracker, found_inf, growth_factor, backoff_factor, growth_interval):
    s = float(scale.item())  # float32 value as a Python float (exact)
    if found_inf.item():
        scale.fill_(torch.tensor(s * backoff_factor, dtype=torch.float64).float().item())
        growth_tracker.fill_(0)
    else:
        successful = int(growth_tracker.item()) + 1
        if successful == growth_interval:
            new_scale = torch.tensor(s * growth_factor, dtype=torch.float64).float().item()
            if math.isfinite(new_scale):
                scale.fill_(new_scale)
            growth_tracker.fill_(0)
        else:
            growth_tracker.fill_(successful)
    return scale


torch._amp_foreach_non_finite_check_and_unscale_ = non_finite_check_and_unscale_
torch._amp_update_scale_ = update_scale_
grad_scaler.amp_definitely_not_available = lambda: False  # keep the class enabled without CUDA


class CpuReplicator(grad_scaler._MultiDeviceReplicator):
    """The per-device cache of the scale and found_inf tensors, without its is_cuda assertion."""

    def __init__(self, master_tensor):
        self.master = master_tensor
        self._per_device_tensors = {}


grad_scaler._MultiDeviceReplicator = CpuReplicator


def scripted(kind, step, n):
    """The loss's coefficients (the gradient of the unscaled loss) at a step."""
    base = [0.25 * ((step * 7 + i * 3) % 11 - 5) + 0.125 for i in range(n)]
    if kind == "inf":
        base[step % n] = float("inf")
    elif kind == "nan":
        base[(step + 1) % n] = float("nan")
    elif kind == "overflow":  # finite, but scale * value overflows float32
        base[step % n] = 3.0e38 / 2.0 ** 10
    return base


def run(name, kinds, record_every=1, **scaler_args):
    n = 4
    p = torch.nn.Parameter(torch.tensor([0.5, -1.0, 2.0, 0.0]))
    opt = torch.optim.SGD([p], lr=0.125)
    scaler = GradScaler(**scaler_args)
    assert scaler.is_enabled()
    # scale() asserts a CUDA tensor; its body for one tensor is these two lines
    scaler._lazy_init_scale_growth_tracker(torch.device("cpu"))
    steps = []
    for step, kind in enumerate(kinds):
        c = torch.tensor(scripted(kind, step, n))
        opt.zero_grad()
        scale_before = scaler.get_scale()
        loss = (p * c).sum()
        (loss * scaler._scale.to(device=loss.device, non_blocking=True)).backward()
        scaled_grad = p.grad.clone()
        before = p.detach().clone()
        scaler.step(opt)
        stepped = not torch.equal(before, p.detach())
        scaler.update()
        state = scaler.state_dict()
        if step % record_every and kind == "ok" and kinds[step - 1] == "ok" and step < len(kinds) - 2:
            continue
        steps.append({"index": step, "kind": kind, "scale_used": scale_before,
                      "scaled_grad": [repr_float(v) for v in scaled_grad.tolist()],
                      "stepped": stepped, "param": p.detach().tolist(),
                      "scale": state["scale"], "growth_tracker": state["_growth_tracker"]})
    return {"name": name, "init": scaler_args, "steps": steps, "state_dict": scaler.state_dict()}


def repr_float(v):
    return v if math.isfinite(v) else str(v)


def main(out):
    kinds_short = (["ok"] * 3 + ["inf"] + ["ok"] * 4 + ["nan", "nan"] + ["ok"] * 7 + ["overflow"] + ["ok"] * 3)
    # growth from 2^16 for 30 finite steps of interval 3: 2^26 ... then overflow backs it off
    kinds_growth = ["ok"] * 30 + ["overflow"] + ["ok"] * 5 + ["inf"] + ["ok"] * 3
    # PyTorch's defaults: 2000 finite steps double the scale; one inf in the middle restarts the count
    kinds_default = ["ok"] * 1500 + ["inf"] + ["ok"] * 2001
    sequences = [
        run("interval3", kinds_short, init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5, growth_interval=3),
        run("growth", kinds_growth, init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5, growth_interval=3),
        run("defaults", kinds_default, record_every=250),
    ]
    with open(out, "w") as f:
        json.dump({"torch": torch.__version__, "sequences": sequences}, f, separators=(",", ":"))


if __name__ == "__main__":
    main(sys.argv[1])
