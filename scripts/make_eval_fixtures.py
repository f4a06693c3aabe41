#!/usr/bin/python3
"""Makes the fixtures of `leno validate`'s tests with Debian's python3-sklearn (1.2), python3-torch (1.13)
and python3-torchvision (0.14).

Run once from the repository root: /usr/bin/python3 scripts/make_eval_fixtures.py
It writes to src/test/resources/fixtures:
- eval_metrics.json: logits and labels of 240 images over 8 classes (class 5 has images but is never
  predicted, class 6 is predicted but has no image, class 7 has neither) and every metric of the
  evaluation as scikit-learn computes it on them, with the expected calibration error of the reference
  implementation below (EvaluationMetricsTest);
- tta/<class>/*.png and tta_expected.json: three images of odd sizes and the logits torchvision's
  ResNet-50 (10 classes, the deterministic weights of make_fixtures.py) gives them after Resize(64) and
  CenterCrop(56) (plain), the crop and its mirror (flip), FiveCrop(56) and TenCrop(56), averaged over
  the crops, and a checksum of each crop's input (TtaTest).
The tests never run Python.
"""
import json
import os
import sys

import numpy as np
from sklearn.metrics import (accuracy_score, balanced_accuracy_score, confusion_matrix, log_loss,
                             precision_recall_fscore_support, top_k_accuracy_score)

sys.path.insert(0, os.path.dirname(__file__))
OUT = os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources", "fixtures")
BINS = 15


def softmax(logits):
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def reference_ece(probs, labels, bins=BINS):
    """Expected calibration error as Guo et al. (2017) compute it (their _ECELoss, in numpy): equal-width
    bins (lower, upper] of the top-1 probability, |accuracy - mean confidence| weighted by the bin's share."""
    confidences = probs.max(axis=1)
    predictions = probs.argmax(axis=1)
    accuracies = predictions == labels
    edges = np.linspace(0, 1, bins + 1)
    ece = 0.0
    for lower, upper in zip(edges[:-1], edges[1:]):
        in_bin = (confidences > lower) & (confidences <= upper)
        share = in_bin.mean()
        if share > 0:
            ece += abs(accuracies[in_bin].mean() - confidences[in_bin].mean()) * share
    return float(ece)


def metrics_fixture():
    rng = np.random.default_rng(34)
    n, k = 240, 8
    labels = rng.choice([0, 1, 2, 3, 4, 5], size=n, p=[0.3, 0.2, 0.2, 0.1, 0.1, 0.1])
    logits = rng.normal(0.0, 1.5, size=(n, k))
    logits[np.arange(n), labels] += rng.uniform(0.0, 3.0, size=n)   # right about 60% of the time
    logits[:, 5] -= 8.0                                              # class 5: images, never predicted
    logits[:, 7] -= 9.0                                              # class 7: no image, never predicted
    boosted = rng.random(n) < 0.08
    logits[boosted, 6] += 6.0                                        # class 6: no image, sometimes predicted
    logits = logits.astype(np.float32)
    x = logits.astype(np.float64)
    probs = softmax(x)
    pred = probs.argmax(axis=1)
    present = sorted(set(labels.tolist()) | set(pred.tolist()))
    p, r, f, s = precision_recall_fscore_support(labels, pred, average=None, zero_division=0)
    expected = {
        "labels": present,
        "acc1": 100 * accuracy_score(labels, pred),
        "acc5": 100 * top_k_accuracy_score(labels, probs, k=5, labels=list(range(k))),
        "nll": log_loss(labels, probs, labels=list(range(k))),
        "confusion": confusion_matrix(labels, pred).tolist(),
        "precision": p.tolist(), "recall": r.tolist(), "f1": f.tolist(), "support": s.tolist(),
        "predicted": [int((pred == c).sum()) for c in present],
        "mean_confidence": [float(probs[labels == c].max(axis=1).mean()) if (labels == c).any() else None
                            for c in present],
        "balanced_accuracy": balanced_accuracy_score(labels, pred),
        "ece": reference_ece(probs, labels),
    }
    for average in ("macro", "weighted"):
        ap, ar, af, _ = precision_recall_fscore_support(labels, pred, average=average, zero_division=0)
        expected["precision_" + average] = ap
        expected["recall_" + average] = ar
        expected["f1_" + average] = af
    fixture = {"classes": k, "labels": labels.tolist(), "logits": [row.tolist() for row in logits],
               "expected": expected}
    with open(os.path.join(OUT, "eval_metrics.json"), "w") as out:
        json.dump(fixture, out)
    print("eval_metrics.json: acc1 %.2f, macro F1 %.4f, ECE %.4f, labels %s" % (expected["acc1"], expected["f1_macro"],
                                                                                 expected["ece"], present))


def tta_fixture():
    import torch
    import torchvision
    import torchvision.transforms as T
    import torchvision.transforms.functional as TF
    from PIL import Image
    from make_fixtures import fill_deterministic

    rng = np.random.default_rng(35)
    sizes = {"a/wide.png": (83, 61), "a/square.png": (64, 64), "b/tall.png": (70, 91)}
    root = os.path.join(OUT, "tta")
    names = {}
    for name, (w, h) in sizes.items():
        os.makedirs(os.path.join(root, os.path.dirname(name)), exist_ok=True)
        # smooth enough that the crops differ by content, not only noise
        base = rng.integers(0, 256, size=(h // 8 + 1, w // 8 + 1, 3), dtype=np.uint8)
        image = Image.fromarray(base, "RGB").resize((w, h), Image.BILINEAR)
        noise = rng.integers(-20, 21, size=(h, w, 3))
        image = Image.fromarray(np.clip(np.asarray(image, dtype=np.int64) + noise, 0, 255).astype(np.uint8), "RGB")
        image.save(os.path.join(root, name))
        names[name] = image
    model = torchvision.models.resnet50(num_classes=10)
    fill_deterministic(model)
    model.eval()
    tensor = T.Compose([T.ToTensor(), T.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])])
    views = {
        "none": lambda im: [T.CenterCrop(56)(im)],
        "flip": lambda im: [T.CenterCrop(56)(im), TF.hflip(T.CenterCrop(56)(im))],
        "five-crop": lambda im: list(T.FiveCrop(56)(im)),
        "ten-crop": lambda im: list(T.TenCrop(56)(im)),
    }
    expected = {}
    for name in sizes:
        image = Image.open(os.path.join(root, name)).convert("RGB")
        resized = T.Resize(64)(image)
        expected[name] = {}
        for mode, crops in views.items():
            x = torch.stack([tensor(c) for c in crops(resized)])
            with torch.no_grad():
                expected[name][mode] = model(x).mean(dim=0).tolist()
            # each view's input, for the geometry alone: its sum, first and last value, and a weighted sum
            weights = torch.arange(x[0].numel(), dtype=torch.float64) % 97
            expected[name][mode + " inputs"] = [[v.double().sum().item(), v.flatten()[0].item(), v.flatten()[-1].item(),
                                                  (v.double().flatten() * weights).sum().item()] for v in x]
    with open(os.path.join(OUT, "tta_expected.json"), "w") as out:
        json.dump(expected, out, indent=1)
    print("tta_expected.json:", {n: [round(v, 4) for v in e["ten-crop"][:3]] for n, e in expected.items()})


if __name__ == "__main__":
    metrics_fixture()
    tta_fixture()
