#!/usr/bin/python3
"""Makes the interchange and forward-equivalence test fixtures with Debian's python3-torch (1.13).

Run once from the repository root: /usr/bin/python3 scripts/make_fixtures.py
The tests never run Python; they read what this script wrote to src/test/resources/fixtures.
"""
import collections
import io
import json
import os
import pickle
import struct
import zipfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources", "fixtures")


def values(t):
    return {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape),
            "values": t.detach().flatten().double().tolist()}


def interchange_fixtures():
    torch.manual_seed(0)
    base = torch.randn(4, 6)
    plain = {
        "a.weight": torch.randn(2, 3),
        "a.bias": torch.arange(3, dtype=torch.float32),
        "bn.num_batches_tracked": torch.tensor(7),
        "f64": torch.randn(2, 2, dtype=torch.float64),
        "f16": torch.tensor([0.5, -2.0, 65504.0, 1e-4], dtype=torch.float16),
        "bf16": torch.tensor([1.5, -3.25], dtype=torch.bfloat16),
        "i32": torch.tensor([-1, 2, 2147483647], dtype=torch.int32),
        "u8": torch.tensor([0, 255, 7], dtype=torch.uint8),
        "flag": torch.tensor([True, False]),
        "view.transposed": base.t(),          # non-contiguous view of a shared storage
        "view.slice": base[1:3, 2:5],         # offset view of the same storage
        "scalar": torch.tensor(3.25),
    }
    torch.save(plain, os.path.join(OUT, "plain_state_dict.pt"))

    seq = nn.Sequential(nn.Conv2d(3, 4, 3, bias=False), nn.BatchNorm2d(4), nn.Linear(5, 2))
    with torch.no_grad():
        seq[1].running_mean.uniform_()
        seq[1].num_batches_tracked += 3
    ordered = seq.state_dict()                # an OrderedDict with _metadata
    torch.save(ordered, os.path.join(OUT, "ordered_state_dict.pt"))

    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    wrapped = nn.DataParallel(model)          # keys get the "module." prefix, as in the reference
    opt = torch.optim.SGD(wrapped.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    loss = wrapped(torch.randn(4, 3)).pow(2).sum()
    loss.backward()
    opt.step()
    checkpoint = {"epoch": 3, "arch": "lenoresnet", "state_dict": wrapped.state_dict(),
                  "best_acc1": torch.tensor(12.5), "val_acc1": 11.0, "optimizer": opt.state_dict()}
    torch.save(checkpoint, os.path.join(OUT, "reference_checkpoint.pth.tar"))

    tensors = {"x.weight": torch.randn(3, 2), "x.count": torch.tensor([5, 6], dtype=torch.int64)}
    write_safetensors(tensors, os.path.join(OUT, "weights.safetensors"))

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned > /tmp/leno_pwned",))
    with zipfile.ZipFile(os.path.join(OUT, "malicious.pt"), "w") as z:
        z.writestr("archive/data.pkl", pickle.dumps({"w": Evil()}, protocol=2))
        z.writestr("archive/version", "3\n")

    expected = {
        "plain": {k: values(v) for k, v in plain.items()},
        "ordered": {k: values(v) for k, v in ordered.items()},
        "ordered_keys": list(ordered.keys()),
        "checkpoint_state_dict": {k[len("module."):]: values(v) for k, v in checkpoint["state_dict"].items()},
        "checkpoint_momentum": {str(k): values(v["momentum_buffer"]) for k, v in opt.state_dict()["state"].items()},
        "safetensors": {k: values(v) for k, v in tensors.items()},
    }
    with open(os.path.join(OUT, "interchange_expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


def write_safetensors(tensors, path):
    names = {torch.float32: "F32", torch.int64: "I64"}
    header, data, offset = {"__metadata__": {"format": "pt"}}, b"", 0
    for k, t in tensors.items():
        raw = t.contiguous().numpy().tobytes()
        header[k] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        data += raw
        offset += len(raw)
    h = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + data)


# --- deterministic weights, the same formula as the Java test's -------------------------------
M64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def splitmix(idx):
    with np.errstate(over="ignore"):
        z = idx.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * (2.0 ** -53) * 2.0 - 1.0


def fill_deterministic(model):
    offset = 0
    with torch.no_grad():
        for key, t in model.state_dict().items():
            if not t.is_floating_point():
                continue
            n = t.numel()
            u = splitmix(np.arange(offset, offset + n, dtype=np.uint64))
            offset += n
            if key.endswith("running_var"):
                v = 1.0 + 0.25 * (u + 1.0)
            elif key.endswith("running_mean") or key.endswith("bias"):
                v = 0.1 * u
            elif t.dim() == 1:
                v = 1.0 + 0.1 * u
            else:
                fan_in = t[0].numel()
                v = u * np.sqrt((6.0 if t.dim() == 4 else 1.0) / fan_in)
            t.copy_(torch.from_numpy(v.astype(np.float32)).view_as(t))


def deterministic_input(shape):
    n = int(np.prod(shape))
    u = splitmix(np.arange(10**12, 10**12 + n, dtype=np.uint64)) * 2.0
    return torch.from_numpy(u.astype(np.float32)).view(*shape)


# --- the two non-torchvision families, written from SPEC.md §1 ---------------------------------
def conv1x1(i, o, s=1):
    return nn.Conv2d(i, o, 1, s, bias=False)


def conv3x3(i, o, s=1):
    return nn.Conv2d(i, o, 3, s, 1, bias=False)


class PreActBlock(nn.Module):
    def __init__(self, inp, planes, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(inp)
        self.conv1 = conv1x1(inp, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes, stride)
        self.bn3 = nn.BatchNorm2d(planes)
        self.conv3 = conv1x1(planes, planes * 4)
        self.downsample = None
        if stride != 1 or inp != planes * 4:
            self.downsample = nn.Sequential(conv1x1(inp, planes * 4, stride), nn.BatchNorm2d(planes * 4))

    def forward(self, x):
        a = F.relu(self.bn1(x))
        shortcut = self.downsample(a) if self.downsample is not None else x
        out = F.relu(self.bn2(self.conv1(a)))
        out = F.relu(self.bn3(self.conv2(out)))
        return self.conv3(out) + shortcut


class PreActResNet(nn.Module):
    def __init__(self, layers, n_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        inp = 64
        for s, (n, planes) in enumerate(zip(layers, [64, 128, 256, 512])):
            blocks = []
            for i in range(n):
                blocks.append(PreActBlock(inp, planes, (1 if s == 0 else 2) if i == 0 else 1))
                inp = planes * 4
            setattr(self, "layer%d" % (s + 1), nn.Sequential(*blocks))
        self.bn = nn.BatchNorm2d(2048)
        self.fc = nn.Linear(2048, n_classes)

    def forward(self, x):
        x = self.maxpool(self.conv1(x))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = F.relu(self.bn(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class LenoBlock(nn.Module):
    def __init__(self, inp, planes, stride, index, count):
        super().__init__()
        self.start, self.second = index == 0, index == 1
        self.end = index == count - 1 and not self.start
        if not self.start and not self.second:
            self.bn0 = nn.BatchNorm2d(inp)
        self.conv1 = conv1x1(inp, planes)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes, stride)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = conv1x1(planes, planes * 4)
        if self.start or self.end:
            self.bn3 = nn.BatchNorm2d(planes * 4)
        if self.start:
            self.downsample = nn.Sequential(nn.MaxPool2d(3, 2, 1), conv1x1(inp, planes * 4), nn.BatchNorm2d(planes * 4))

    def branch(self, t):
        t = F.relu(self.bn1(self.conv1(t)))
        t = F.relu(self.bn2(self.conv2(t)))
        return self.conv3(t)

    def forward(self, x):
        if self.start:
            return self.bn3(self.branch(x)) + self.downsample(x)
        if self.second:
            x = F.relu(x, inplace=True)   # the reference's in-place ReLU: the skip carries relu(x)
            out = x + self.branch(x)
        else:
            out = x + self.branch(F.relu(self.bn0(x)))
        return F.relu(self.bn3(out)) if self.end else out


class LenoResNet(nn.Module):
    def __init__(self, layers, n_classes):
        super().__init__()
        self.conv1_1 = conv3x3(3, 64)
        self.conv1_2 = conv3x3(64, 64, 2)
        self.bn1 = nn.BatchNorm2d(64)
        inp = 64
        for s, (n, planes) in enumerate(zip(layers, [64, 128, 256, 512])):
            blocks = []
            for i in range(n):
                blocks.append(LenoBlock(inp, planes, 2 if i == 0 else 1, i, n))
                inp = planes * 4
            setattr(self, "layer%d" % (s + 1), nn.Sequential(*blocks))
        self.fc = nn.Linear(2048, n_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1_2(self.conv1_1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def forward_fixtures():
    x = deterministic_input((2, 3, 64, 64))
    out = {"input_shape": [2, 3, 64, 64], "n_classes": 10}
    models = {
        "resnet50": torchvision.models.resnet50(num_classes=10),
        "preactresnet50": PreActResNet([3, 4, 6, 3], 10),
        "lenoresnet50": LenoResNet([3, 4, 6, 3], 10),
    }
    for name, m in models.items():
        fill_deterministic(m)
        m.eval()
        with torch.no_grad():
            ev = m(x.clone())
        m.train()
        with torch.no_grad():
            tr = m(x.clone())
        out[name] = {"eval": ev.flatten().tolist(), "train": tr.flatten().tolist(),
                     "keys": list(m.state_dict().keys())}
        print(name, "eval logits[0,:3]", ev[0, :3].tolist())
    with open(os.path.join(OUT, "forward_expected.json"), "w") as f:
        json.dump(out, f)


def predict_fixtures():
    """Images and the logits torchvision's resnet50 (deterministic weights, 10 classes) gives them
    through the validation transform at size 64 (no resampling: Resize(64) and CenterCrop(64) of a
    64x64 image are the identity)."""
    from PIL import Image
    import torchvision.transforms as T
    rng = np.random.default_rng(5)
    rgb = rng.integers(0, 256, size=(64, 64, 3), dtype=np.uint8)
    images = {
        "rgb.png": Image.fromarray(rgb, "RGB"),
        "grey.png": Image.fromarray(rgb[:, :, 1], "L"),
        "rgba.png": Image.fromarray(np.dstack([rgb, rng.integers(0, 256, size=(64, 64), dtype=np.uint8)]), "RGBA"),
    }
    model = torchvision.models.resnet50(num_classes=10)
    fill_deterministic(model)
    model.eval()
    tf = T.Compose([T.Resize(64), T.CenterCrop(64), T.ToTensor(),
                    T.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])])
    expected = {}
    for name, im in images.items():
        im.save(os.path.join(OUT, name))
        x = tf(Image.open(os.path.join(OUT, name)).convert("RGB")).unsqueeze(0)
        with torch.no_grad():
            expected[name] = model(x)[0].tolist()
    with open(os.path.join(OUT, "predict_expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


def evaluate_fixture():
    """Loss, Acc@1 and Acc@5 of LeNo-ResNet-50 (deterministic weights, 10 classes) on the embedded
    validation set, through the validation transform at 28 (Resize(28) + CenterCrop(28) of a 28x28
    image: no resampling), as `leno train -e` must report them."""
    import gzip
    import torchvision.transforms as T
    from PIL import Image
    base = os.path.join(os.path.dirname(__file__), "..", "src", "main", "resources", "org", "leno", "data", "embedded")
    images = gzip.open(os.path.join(base, "val-images.gz")).read()[16:]
    labels = gzip.open(os.path.join(base, "val-labels.gz")).read()[8:]
    tf = T.Compose([T.Resize(28), T.CenterCrop(28), T.ToTensor(),
                    T.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])])
    x = torch.stack([tf(Image.frombytes("L", (28, 28), images[i * 784:(i + 1) * 784]).convert("RGB"))
                     for i in range(len(labels))])
    y = torch.tensor(list(labels))
    model = LenoResNet([3, 4, 6, 3], 10)
    fill_deterministic(model)
    model.eval()
    with torch.no_grad():
        out = model(x)
        loss = F.cross_entropy(out, y).item()
    top5 = out.topk(5, 1).indices
    acc1 = (top5[:, 0] == y).float().mean().item() * 100
    acc5 = (top5 == y[:, None]).any(1).float().mean().item() * 100
    with open(os.path.join(OUT, "evaluate_expected.json"), "w") as f:
        json.dump({"loss": loss, "acc1": acc1, "acc5": acc5, "images": len(labels)}, f, indent=1)
    print("evaluate: loss %.4f acc1 %.2f acc5 %.2f" % (loss, acc1, acc5))


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    interchange_fixtures()
    forward_fixtures()
    predict_fixtures()
    evaluate_fixture()
    print("fixtures written to", os.path.abspath(OUT))
