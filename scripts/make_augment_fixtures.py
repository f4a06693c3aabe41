#!/usr/bin/python3
"""Makes the augmentation fixtures with Debian's python3-torchvision (0.14): every operation of
the auto-augment op spaces applied by torchvision's own `_apply_op` to uint8 tensors, the
magnitude bins of each policy, and op/magnitude draw counts of each policy.

Run once from the repository root: /usr/bin/python3 scripts/make_augment_fixtures.py
Writes src/test/resources/fixtures/augment/{ops.json, ops.bin.gz, draws.json}; the tests never
run Python.
"""
import collections
import gzip
import json
import os

import numpy as np
import torch
import torchvision.transforms.autoaugment as aa
from torchvision.transforms import InterpolationMode

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources", "fixtures", "augment")


def scene(w, h, seed):
    """A small photo-like RGB image: sky gradient, an anti-aliased sun, a textured ground below a
    wavy horizon, a sharp-edged house with a window, and mild noise; channels do not span 0-255."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.stack([60 + 110 * y / h, 90 + 90 * y / h, 200 - 70 * y / h], -1)
    d = np.hypot(x - 0.72 * w, y - 0.22 * h)
    sun = np.clip(0.16 * min(w, h) + 1 - d, 0, 1)[..., None]
    img = img * (1 - sun) + np.array([245.0, 215.0, 120.0]) * sun
    ground = y > 0.6 * h + 0.06 * h * np.sin(x / w * 7)
    tex = 18 * np.sin(x * 0.9 + y * 0.4) * np.cos(y * 1.3)
    img[ground] = np.stack([75 + tex, 115 + 0.5 * tex, 45 + 0.2 * tex], -1)[ground]
    house = (x > 0.15 * w) & (x < 0.45 * w) & (y > 0.4 * h) & (y < 0.8 * h)
    img[house] = [150, 60, 50]
    window = (x > 0.22 * w) & (x < 0.32 * w) & (y > 0.5 * h) & (y < 0.62 * h)
    img[window] = [235, 230, 200]
    img += rng.normal(0, 3, img.shape)
    return np.clip(np.rint(img), 12, 248).astype(np.uint8)


def flat(w, h):
    """Degenerate channels: red constant (equalize/autocontrast leave it), green two values, blue a ramp."""
    img = np.zeros((h, w, 3), np.uint8)
    img[..., 0] = 90
    img[..., 1] = np.where(np.arange(w)[None, :] < w // 3, 40, 200)
    img[..., 2] = (np.arange(h * w).reshape(h, w) * 7 % 256).astype(np.uint8)
    return img


IMAGES = [("scene_32x24", scene(32, 24, 1)), ("scene_24x36", scene(24, 36, 2)), ("scene_40x40", scene(40, 40, 3)),
          ("flat_12x8", flat(12, 8))]

GEOMETRIC = [("ShearX", [0.27, -0.66]), ("ShearY", [0.3, -0.99]), ("TranslateX", [13.0, -7.9]),
             ("TranslateY", [9.0, -11.0]), ("Rotate", [27.0, -113.4, 3.0])]
PIXEL = [("Brightness", [0.27, -0.6, 0.99, -0.99]), ("Color", [0.27, -0.9, 0.6]), ("Contrast", [0.27, -0.5, 0.9]),
         ("Sharpness", [0.27, -0.9, 0.99]), ("Posterize", [0.0, 1.0, 2.0, 4.0, 7.0, 8.0]),
         ("Solarize", [255.0, 246.5, 128.0, 0.0]), ("AutoContrast", [0.0]), ("Equalize", [0.0]), ("Invert", [0.0]),
         ("Identity", [0.0])]


def op_fixtures():
    blob = bytearray()
    images = []
    for name, arr in IMAGES:
        images.append({"name": name, "width": arr.shape[1], "height": arr.shape[0], "offset": len(blob)})
        blob += arr.tobytes()
    cases = []
    for index, (_, arr) in enumerate(IMAGES):
        chw = torch.from_numpy(arr).permute(2, 0, 1).contiguous()
        runs = [(op, m, mode) for op, ms in GEOMETRIC for m in ms for mode in ("nearest", "bilinear")]
        runs += [(op, m, "nearest") for op, ms in PIXEL for m in ms]
        for op, m, mode in runs:
            out = aa._apply_op(chw, op, m, interpolation=InterpolationMode(mode), fill=None)
            assert out.dtype == torch.uint8 and out.shape == chw.shape
            cases.append({"image": index, "op": op, "magnitude": m, "interpolation": mode, "offset": len(blob)})
            blob += out.permute(1, 2, 0).contiguous().numpy().tobytes()
    return images, cases, bytes(blob)


def values(t):
    return [float(v) for v in t.flatten().tolist()] if t.ndim > 0 else []


def tables():
    """Each policy's op space as torchvision builds it: op -> [signed, magnitudes...]."""
    out = {}
    for h, w in ((224, 224), (36, 24)):
        for label, space in (("ra", aa.RandAugment()._augmentation_space(31, (h, w))),
                             ("ta_wide", aa.TrivialAugmentWide()._augmentation_space(31)),
                             ("augmix", aa.AugMix()._augmentation_space(10, (h, w))),
                             ("autoaugment", aa.AutoAugment()._augmentation_space(10, (h, w)))):
            out[f"{label}/{h}x{w}"] = {op: {"signed": s, "magnitudes": values(m)} for op, (m, s) in space.items()}
    return out


def draws(n=20000, h=32, w=48):
    """Counts of what each policy applies: torchvision's _apply_op is replaced by a recorder."""
    calls = []
    real = aa._apply_op

    def record(img, op_name, magnitude, interpolation, fill):
        calls.append(f"{op_name}:{magnitude:.6g}")
        return img

    aa._apply_op = record
    try:
        torch.manual_seed(0)
        img = torch.zeros(3, h, w, dtype=torch.uint8)
        out = {}
        policies = {"ra": aa.RandAugment(), "ra_m15": aa.RandAugment(magnitude=15), "ta_wide": aa.TrivialAugmentWide(),
                    "augmix": aa.AugMix(), "augmix_s1": aa.AugMix(severity=1)}
        for p in aa.AutoAugmentPolicy:
            policies[p.value] = aa.AutoAugment(p)
        for label, policy in policies.items():
            per_call = collections.Counter()
            per_image = collections.Counter()
            for _ in range(n):
                calls.clear()
                policy(img)
                per_call.update(calls)
                per_image["|".join(calls) if not label.startswith("augmix") else f"n={len(calls)}"] += 1
            out[label] = {"images": n, "calls": dict(per_call), "per_image": dict(per_image)}
        return {"height": h, "width": w, "policies": out}
    finally:
        aa._apply_op = real


def main():
    os.makedirs(OUT, exist_ok=True)
    images, cases, blob = op_fixtures()
    with gzip.open(os.path.join(OUT, "ops.bin.gz"), "wb", compresslevel=9) as f:
        f.write(blob)
    meta = {"torchvision": __import__("torchvision").__version__, "images": images, "cases": cases, "tables": tables()}
    with open(os.path.join(OUT, "ops.json"), "w") as f:
        json.dump(meta, f, indent=None, separators=(",", ":"))
    with open(os.path.join(OUT, "draws.json"), "w") as f:
        json.dump(draws(), f, indent=None, separators=(",", ":"), sort_keys=True)
    print("wrote", len(cases), "op cases,", len(blob), "bytes of images, tables and draws to", OUT)


if __name__ == "__main__":
    main()
