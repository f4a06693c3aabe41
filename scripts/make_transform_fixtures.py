#!/usr/bin/python3
"""Distribution of torchvision's training transform on fixed images, for TransformDistributionTest.

Run from the repository root: /usr/bin/python3 scripts/make_transform_fixtures.py
Writes src/test/resources/fixtures/transform/{photo.png, stats.pt}; the tests never run Python.

For each case, DRAWS outputs of RandomResizedCrop(size, scale 0.08-1, ratio 3/4-4/3, bilinear) ->
RandomHorizontalFlip -> ToTensor -> Normalize (the reference's train transform, on PIL images as its
ImageFolder loads them) give, per output pixel, the mean, the variance and the fourth central moment
(from which the test takes the standard errors); at 224 pixels the three are averaged over 8x8 blocks.
Per draw, each channel's mean and mean square over the image (whose spread across draws gives the
exact standard error of their averages, however correlated neighbouring pixels are).
"""
import gzip
import hashlib
import json
import os

import numpy as np
import torch
import torchvision.transforms as T
from PIL import Image

ROOT = os.path.join(os.path.dirname(__file__), "..")
OUT = os.path.join(ROOT, "src", "test", "resources", "fixtures", "transform")
EMBEDDED = os.path.join(ROOT, "src", "main", "resources", "org", "leno", "data", "embedded")
DRAWS = 4000


def photo():
    """A 500x375 RGB image with smooth shading, edges and texture (PNG, so every decoder agrees)."""
    h, w = 375, 500
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 128 + 100 * np.sin(x / 37.0) * np.cos(y / 53.0)
    g = 255 * (x / w) * (y / h)
    b = 60 + 120 * ((x // 25 + y // 25) % 2)
    disc = (x - 330) ** 2 + (y - 150) ** 2 < 70 ** 2
    r[disc], g[disc], b[disc] = 250, 30, 40
    stripes = (y > 250) & (x < 200)
    r[stripes] = 128 + 120 * np.sign(np.sin(x[stripes] * 1.3))
    img = np.stack([r, g, b], axis=2)
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")


def fashion_image():
    """The first image of the embedded training subset, as the Java side reads it."""
    raw = gzip.open(os.path.join(EMBEDDED, "train-images.gz")).read()[16:16 + 784]
    return Image.frombytes("L", (28, 28), raw).convert("RGB")


def moments(image, size, block):
    tf = T.Compose([T.RandomResizedCrop(size), T.RandomHorizontalFlip(), T.ToTensor(),
                    T.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])])
    s1 = torch.zeros(3, size, size, dtype=torch.float64)
    s2 = torch.zeros_like(s1)
    s3 = torch.zeros_like(s1)
    s4 = torch.zeros_like(s1)
    per_draw = torch.zeros(DRAWS, 6, dtype=torch.float64)
    for d in range(DRAWS):
        x = tf(image).double()
        per_draw[d, :3] = x.mean(dim=(1, 2))
        per_draw[d, 3:] = (x * x).mean(dim=(1, 2))
        s1 += x
        s2 += x * x
        s3 += x ** 3
        s4 += x ** 4
    m = s1 / DRAWS
    e2, e3, e4 = s2 / DRAWS, s3 / DRAWS, s4 / DRAWS
    var = e2 - m * m
    m4 = e4 - 4 * m * e3 + 6 * m * m * e2 - 3 * m ** 4
    pool = torch.nn.functional.avg_pool2d
    if block > 1:
        m, var, m4 = (pool(t.unsqueeze(0), block).squeeze(0) for t in (m, var, m4))
    return m.float(), var.float(), m4.float(), per_draw


RESIZE_CASES = [  # image, crop box (left, top, right, bottom), output (w, h), filter
    ("photo", (10, 20, 310, 260), (224, 224), "bilinear"),
    ("photo", (0, 0, 500, 375), (256, 192), "bilinear"),
    ("photo", (100, 50, 160, 90), (224, 224), "bilinear"),
    ("photo", (0, 0, 500, 375), (224, 224), "bicubic"),
    ("photo", (37, 11, 400, 300), (224, 168), "bicubic"),
    ("photo", (200, 100, 230, 170), (64, 200), "bicubic"),
    ("fashion", (3, 4, 20, 17), (32, 32), "bilinear"),
    ("fashion", (0, 0, 28, 28), (28, 13), "bilinear"),
]


def resize_cases(images):
    """SHA-256 and mean of PIL's resize of each crop, as RandomResizedCrop and Resize call it."""
    filters = {"bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC}
    out = []
    for name, box, size, flt in RESIZE_CASES:
        pixels = np.asarray(images[name].crop(box).resize(size, filters[flt]))
        out.append({"image": name, "box": list(box), "size": list(size), "filter": flt,
                    "sha256": hashlib.sha256(pixels.tobytes()).hexdigest(), "mean": float(pixels.mean())})
    return out


def main():
    torch.manual_seed(0)
    os.makedirs(OUT, exist_ok=True)
    photo().save(os.path.join(OUT, "photo.png"))
    out = {"draws": torch.tensor(DRAWS)}
    for name, image, size, block in (("fashion32", fashion_image(), 32, 1),
                                     ("photo224", Image.open(os.path.join(OUT, "photo.png")).convert("RGB"), 224, 8)):
        m, v, m4, per_draw = moments(image, size, block)
        out[name + ".mean"], out[name + ".var"], out[name + ".m4"] = m, v, m4
        out[name + ".global_mean"] = per_draw.mean(dim=0)
        out[name + ".global_var"] = per_draw.var(dim=0, unbiased=False)
        out[name + ".block"] = torch.tensor(block)
        print(name, "mean of means %.4f, mean variance %.4f" % (m.mean().item(), v.mean().item()), flush=True)
    torch.save(out, os.path.join(OUT, "stats.pt"))
    images = {"photo": Image.open(os.path.join(OUT, "photo.png")).convert("RGB"), "fashion": fashion_image()}
    with open(os.path.join(OUT, "resize_cases.json"), "w") as f:
        json.dump(resize_cases(images), f, indent=1)
    print("wrote", os.path.abspath(OUT))


if __name__ == "__main__":
    main()
