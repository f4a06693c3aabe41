#!/usr/bin/python3
"""The quick start in PyTorch (Debian's 1.13), as the reference program would run it: LeNo-ResNet-50
(from scripts/make_fixtures.py) on the embedded Fashion-MNIST subset, RandomResizedCrop 28 (area
0.6-1) + flip, batch 64, SGD lr 0.01 momentum 0.9 wd 5e-5, 1 loader worker, 2 threads, a checkpoint
saved after every epoch as the reference saves it. For peak-RSS and speed comparisons with
`./leno train`: scripts/peak_rss.py /usr/bin/python3 scripts/train_torch_quickstart.py [EPOCHS]
"""
import gzip
import os
import sys
import tempfile
import time

import torch
import torch.nn.functional as F
import torchvision.transforms as T
from PIL import Image

sys.path.insert(0, os.path.dirname(__file__))
from make_fixtures import LenoResNet  # noqa: E402

EMB = os.path.join(os.path.dirname(__file__), "..", "src", "main", "resources", "org", "leno", "data", "embedded")


class Embedded(torch.utils.data.Dataset):
    def __init__(self, split, tf):
        self.images = gzip.open(os.path.join(EMB, split + "-images.gz")).read()[16:]
        self.labels = gzip.open(os.path.join(EMB, split + "-labels.gz")).read()[8:]
        self.tf = tf

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        im = Image.frombytes("L", (28, 28), self.images[i * 784:(i + 1) * 784]).convert("RGB")
        return self.tf(im), self.labels[i]


epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 1
out_dir = tempfile.mkdtemp(prefix="torch_quickstart_")
torch.set_num_threads(2)
torch.manual_seed(1)
norm = T.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
train = torch.utils.data.DataLoader(Embedded("train", T.Compose([T.RandomResizedCrop(28, scale=(0.6, 1.0)),
                                    T.RandomHorizontalFlip(), T.ToTensor(), norm])), batch_size=64, shuffle=True, num_workers=1)
val = torch.utils.data.DataLoader(Embedded("val", T.Compose([T.Resize(28), T.CenterCrop(28), T.ToTensor(), norm])),
                                  batch_size=64, num_workers=1)
model = LenoResNet([3, 4, 6, 3], 10)
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-5)
for epoch in range(epochs):
    model.train()
    start = time.time()
    for x, y in train:
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    correct = 0
    with torch.no_grad():
        for x, y in val:
            correct += (model(x).argmax(1) == y).sum().item()
    acc1 = 100 * correct / len(val.dataset)
    print(f"epoch {epoch + 1}: {time.time() - start:.1f} s, val Acc@1 {acc1:.2f}")
    # as the reference's save_checkpoint does after every epoch
    torch.save({"epoch": epoch + 1, "arch": "lenoresnet50", "state_dict": model.state_dict(), "best_acc1": acc1,
                "optimizer": opt.state_dict()}, os.path.join(out_dir, "checkpoint.pth.tar"))
