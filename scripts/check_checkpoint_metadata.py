#!/usr/bin/python3
"""Checks that the checkpoints `leno train` writes, with their model card (issue 23), still serve PyTorch.

For each checkpoint of RUN_DIR (checkpoint.pth.tar, model_best.pth.tar, checkpoint_epoch*.pth.tar):
  1. torch.load reads it (PyTorch 1.13, Debian's python3-torch);
  2. its model_card is well formed: format, arch, depth, n_classes, flags, class_names, val_transform;
  3. the reference program's --resume path works: start_epoch = checkpoint['epoch'],
     best_acc1 = checkpoint['best_acc1'], model.load_state_dict(checkpoint['state_dict']) (strict) on
     the model the card names, optimizer.load_state_dict(checkpoint['optimizer']) on its SGD, and one
     training step then runs with that optimizer state;
  4. with IMAGE: the card alone rebuilds the preprocessing (torchvision Resize, CenterCrop, Normalize
     on PIL's convert("RGB")), and PyTorch's probabilities equal `./leno predict --json`'s.
Usage (repository root): /usr/bin/python3 scripts/check_checkpoint_metadata.py RUN_DIR [IMAGE]
"""
import glob
import json
import os
import subprocess
import sys

import torch
import torch.nn.functional as F
import torchvision
import torchvision.transforms as T
from PIL import Image

sys.path.insert(0, os.path.dirname(__file__))
from make_fixtures import LenoResNet, PreActResNet  # noqa: E402

BLOCKS = {50: [3, 4, 6, 3], 101: [3, 4, 23, 3], 152: [3, 8, 36, 3], 200: [3, 24, 36, 3],
          401: [4, 45, 80, 4], 500: [4, 56, 102, 4]}
INTERPOLATION = {"bilinear": T.InterpolationMode.BILINEAR, "bicubic": T.InterpolationMode.BICUBIC,
                 "nearest": T.InterpolationMode.NEAREST}


def fail(message):
    print("check_checkpoint_metadata: FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def check_card(name, card):
    want = {"format": int, "arch": str, "depth": int, "n_classes": int, "zero_init_residual": bool,
            "dropout": float, "class_names": list, "val_transform": dict}
    for key, kind in want.items():
        if not isinstance(card.get(key), kind):
            fail(f"{name}: model_card['{key}'] is {card.get(key)!r}, not a {kind.__name__}")
    if card["format"] != 1 or card["arch"] not in ("resnet", "preactresnet", "lenoresnet"):
        fail(f"{name}: model_card format {card['format']} / arch {card['arch']!r}")
    if not all(isinstance(c, str) for c in card["class_names"]) or len(card["class_names"]) > card["n_classes"]:
        fail(f"{name}: class_names {card['class_names']!r} for {card['n_classes']} classes")
    t = card["val_transform"]
    for key, kind in {"resize": int, "crop": int, "resampler": str, "interpolation": str, "mean": list, "std": list,
                      "grey_to_rgb": str}.items():
        if not isinstance(t.get(key), kind):
            fail(f"{name}: model_card['val_transform']['{key}'] is {t.get(key)!r}")


def model_of(card):
    layers, n = BLOCKS[card["depth"]], card["n_classes"]
    if card["arch"] == "lenoresnet":
        return LenoResNet(layers, n)
    if card["arch"] == "preactresnet":
        return PreActResNet(layers, n)
    return torchvision.models.resnet.ResNet(torchvision.models.resnet.Bottleneck, layers, num_classes=n)


def resume_as_the_reference(name, checkpoint):
    """The reference main.py's --resume, then one training step with the loaded optimizer state."""
    model = model_of(checkpoint["model_card"])
    start_epoch = checkpoint["epoch"]
    best_acc1 = checkpoint["best_acc1"]
    model.load_state_dict(checkpoint["state_dict"])
    optimizer = torch.optim.SGD(model.parameters(), 0.1, momentum=0.9, weight_decay=1e-4)
    optimizer.load_state_dict(checkpoint["optimizer"])
    model.train()
    size = checkpoint["model_card"]["val_transform"]["crop"]
    x = torch.randn(2, 3, size, size)
    loss = F.cross_entropy(model(x), torch.tensor([0, 1]) % checkpoint["model_card"]["n_classes"])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if not torch.isfinite(loss):
        fail(f"{name}: loss {loss.item()} after resuming")
    print(f"{name}: torch.load ok, resumed at epoch {start_epoch} (best_acc1 {float(best_acc1):.3f}), "
          f"{checkpoint['model_card']['arch']}-{checkpoint['model_card']['depth']}, one step ok")


def compare_with_leno(run, checkpoint, image):
    card = checkpoint["model_card"]
    t = card["val_transform"]
    if t["resampler"] != "pil" or t["grey_to_rgb"] != "replicate":
        print(f"skipping the probability check: resampler {t['resampler']} is not torchvision's")
        return
    preprocess = T.Compose([T.Resize(t["resize"], interpolation=INTERPOLATION[t["interpolation"]]),
                            T.CenterCrop(t["crop"]), T.ToTensor(), T.Normalize(t["mean"], t["std"])])
    model = model_of(card)
    model.load_state_dict(checkpoint["state_dict"])
    model.eval()
    with torch.no_grad():
        probs = F.softmax(model(preprocess(Image.open(image).convert("RGB"))[None]), 1)[0]
    out = subprocess.run(["./leno", "predict", "--weights", run, "--json", "--topk", str(card["n_classes"]), image],
                         capture_output=True, text=True, check=True).stdout
    leno = json.loads(out.splitlines()[0])["topk"]
    worst = max(abs(e["prob"] - probs[e["index"]].item()) for e in leno)
    names = card["class_names"]
    top = leno[0]
    if top["label"] != (names[top["index"]] if top["index"] < len(names) else str(top["index"])):
        fail(f"leno predict names class {top['index']} '{top['label']}', the card '{names[top['index']]}'")
    if worst > 1e-4:
        fail(f"probabilities differ from PyTorch's by up to {worst:.2e}")
    print(f"{image}: PyTorch and leno predict agree (max |diff| {worst:.1e}); top-1 {top['label']}")


def main():
    if len(sys.argv) not in (2, 3):
        fail("usage: check_checkpoint_metadata.py RUN_DIR [IMAGE]")
    run = sys.argv[1]
    files = [f for f in [os.path.join(run, "checkpoint.pth.tar"), os.path.join(run, "model_best.pth.tar")]
             + sorted(glob.glob(os.path.join(run, "checkpoint_epoch*.pth.tar"))) if os.path.isfile(f)]
    if not files:
        fail(f"{run}: no checkpoint")
    for f in files:
        checkpoint = torch.load(f, map_location="cpu")
        if "model_card" not in checkpoint:
            fail(f"{f}: no model_card")
        check_card(f, checkpoint["model_card"])
        resume_as_the_reference(f, checkpoint)
    if len(sys.argv) == 3:
        best = os.path.join(run, "model_best.pth.tar")  # what leno predict reads from a run folder
        used = best if os.path.isfile(best) else os.path.join(run, "checkpoint.pth.tar")
        compare_with_leno(run, torch.load(used, map_location="cpu"), sys.argv[2])
    print("check_checkpoint_metadata: OK")


if __name__ == "__main__":
    main()
