#!/usr/bin/python3
"""Checks `leno predict` against PyTorch on torchvision's resnet50 (random init, 1000 classes).

Saves the model's state dict with torch.save, writes a 224x224 image, computes PyTorch's logits
through torchvision's validation transform (Resize(224) + CenterCrop(224) of a 224x224 image do
not resample), runs ./leno predict --json on the same file and prints the relative error.
Usage (repository root): /usr/bin/python3 scripts/check_predict_vs_torch.py [WORKDIR]
"""
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch
import torchvision
import torchvision.transforms as T
from PIL import Image

work = sys.argv[1] if len(sys.argv) > 1 else "/tmp/leno-predict-check"
os.makedirs(work, exist_ok=True)
torch.manual_seed(0)
model = torchvision.models.resnet50()
model.eval()
weights = os.path.join(work, "resnet50.pth")
torch.save(model.state_dict(), weights)
image = os.path.join(work, "image.png")
Image.fromarray(np.random.default_rng(0).integers(0, 256, (224, 224, 3), dtype=np.uint8)).save(image)
tf = T.Compose([T.Resize(224), T.CenterCrop(224), T.ToTensor(),
                T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
with torch.no_grad():
    want = model(tf(Image.open(image).convert("RGB")).unsqueeze(0))[0].double()
start = time.time()
out = subprocess.run(["./leno", "predict", "-a", "resnet", "--model_depth", "50", "--weights", weights,
                      "--val_resize", "224", "--val_crop_size", "224", "--json", image],
                     check=True, capture_output=True, text=True).stdout
got = torch.tensor(json.loads(out.splitlines()[0])["logits"], dtype=torch.float64)
rel = ((got - want).abs().max() / want.abs().max()).item()
print(f"max |leno - torch| / max |torch| = {rel:.2e}  (leno predict took {time.time() - start:.1f} s)")
print("top-5 torch:", want.topk(5).indices.tolist(), " leno:", got.topk(5).indices.tolist())
sys.exit(0 if rel < 1e-4 else 1)
