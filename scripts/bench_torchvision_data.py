#!/usr/bin/python3
"""torchvision's ImageFolder + DataLoader with the reference's training transform, timed as
`leno bench data` times ours: images/s over --batches batches after one warm-up batch.
The augmentation flags build torchvision's ClassificationPresetTrain (references/classification/
presets.py of torchvision 0.14): RandomResizedCrop, flip, the auto-augment policy (with the same
interpolation), PILToTensor, ConvertImageDtype, Normalize, RandomErasing; --mixup-alpha and
--cutmix-alpha run RandomMixup/RandomCutmix (p=1, one of them per batch) in the collate
function, in the workers, as the reference's train.py does.
Usage: /usr/bin/python3 scripts/bench_torchvision_data.py ROOT [--workers 2] [-b 256] [--crop 224] [--batches 20]
       [--auto-augment ra|ta_wide|augmix|imagenet|cifar10|svhn] [--ra-magnitude 9] [--augmix-severity 3]
       [--random-erase P] [--mixup-alpha A] [--cutmix-alpha A] [--interpolation bilinear|bicubic|nearest]
"""
import argparse
import json
import math
import time

import torch
import torchvision.datasets as datasets
import torchvision.transforms as T
from torch.utils.data.dataloader import default_collate
from torchvision.transforms import autoaugment
from torchvision.transforms.functional import InterpolationMode

p = argparse.ArgumentParser()
p.add_argument("root")
p.add_argument("--workers", type=int, default=2)
p.add_argument("-b", "--batch-size", type=int, default=256)
p.add_argument("--crop", type=int, default=224)
p.add_argument("--batches", type=int, default=20)
p.add_argument("--auto-augment", default=None)
p.add_argument("--ra-magnitude", type=int, default=9)
p.add_argument("--augmix-severity", type=int, default=3)
p.add_argument("--random-erase", type=float, default=0.0)
p.add_argument("--mixup-alpha", type=float, default=0.0)
p.add_argument("--cutmix-alpha", type=float, default=0.0)
p.add_argument("--interpolation", default="bilinear")
a = p.parse_args()
torch.set_num_threads(1)


def preset_train(crop, interpolation, policy, ra_magnitude, augmix_severity, random_erase):
    """ClassificationPresetTrain of torchvision 0.14's references/classification/presets.py."""
    trans = [T.RandomResizedCrop(crop, interpolation=interpolation), T.RandomHorizontalFlip(0.5)]
    if policy is not None:
        if policy == "ra":
            trans.append(autoaugment.RandAugment(interpolation=interpolation, magnitude=ra_magnitude))
        elif policy == "ta_wide":
            trans.append(autoaugment.TrivialAugmentWide(interpolation=interpolation))
        elif policy == "augmix":
            trans.append(autoaugment.AugMix(interpolation=interpolation, severity=augmix_severity))
        else:
            trans.append(autoaugment.AutoAugment(policy=autoaugment.AutoAugmentPolicy(policy), interpolation=interpolation))
    trans += [T.PILToTensor(), T.ConvertImageDtype(torch.float),
              T.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])]
    if random_erase > 0:
        trans.append(T.RandomErasing(p=random_erase))
    return T.Compose(trans)


class RandomMixup(torch.nn.Module):
    """references/classification/transforms.py RandomMixup with p=1 (one-hot targets, batch rolled by 1)."""

    def __init__(self, num_classes, alpha):
        super().__init__()
        self.num_classes, self.alpha = num_classes, alpha

    def forward(self, batch, target):
        target = torch.nn.functional.one_hot(target, num_classes=self.num_classes).to(dtype=batch.dtype)
        batch_rolled, target_rolled = batch.roll(1, 0), target.roll(1, 0)
        lam = float(torch._sample_dirichlet(torch.tensor([self.alpha, self.alpha]))[0])
        batch_rolled.mul_(1.0 - lam)
        batch.mul_(lam).add_(batch_rolled)
        target_rolled.mul_(1.0 - lam)
        target.mul_(lam).add_(target_rolled)
        return batch, target


class RandomCutmix(torch.nn.Module):
    """references/classification/transforms.py RandomCutmix with p=1."""

    def __init__(self, num_classes, alpha):
        super().__init__()
        self.num_classes, self.alpha = num_classes, alpha

    def forward(self, batch, target):
        target = torch.nn.functional.one_hot(target, num_classes=self.num_classes).to(dtype=batch.dtype)
        batch_rolled, target_rolled = batch.roll(1, 0), target.roll(1, 0)
        lam = float(torch._sample_dirichlet(torch.tensor([self.alpha, self.alpha]))[0])
        H, W = batch.shape[-2:]
        r_x, r_y = torch.randint(W, (1,)), torch.randint(H, (1,))
        r = 0.5 * math.sqrt(1.0 - lam)
        r_w_half, r_h_half = int(r * W), int(r * H)
        x1, y1 = int(torch.clamp(r_x - r_w_half, min=0)), int(torch.clamp(r_y - r_h_half, min=0))
        x2, y2 = int(torch.clamp(r_x + r_w_half, max=W)), int(torch.clamp(r_y + r_h_half, max=H))
        batch[:, :, y1:y2, x1:x2] = batch_rolled[:, :, y1:y2, x1:x2]
        lam = float(1.0 - (x2 - x1) * (y2 - y1) / (W * H))
        target_rolled.mul_(1.0 - lam)
        target.mul_(lam).add_(target_rolled)
        return batch, target


tf = preset_train(a.crop, InterpolationMode(a.interpolation), a.auto_augment, a.ra_magnitude, a.augmix_severity,
                  a.random_erase)
ds = datasets.ImageFolder(a.root + "/train", tf)
collate_fn = None
mixes = []
if a.mixup_alpha > 0:
    mixes.append(RandomMixup(len(ds.classes), a.mixup_alpha))
if a.cutmix_alpha > 0:
    mixes.append(RandomCutmix(len(ds.classes), a.cutmix_alpha))
if mixes:
    choice = T.RandomChoice(mixes)
    collate_fn = lambda batch: choice(*default_collate(batch))  # noqa: E731
loader = torch.utils.data.DataLoader(ds, batch_size=a.batch_size, shuffle=True, num_workers=a.workers,
                                     collate_fn=collate_fn)
done, images, start = 0, 0, 0.0
while done <= a.batches:
    for x, y in loader:
        if done == 0:
            start = time.time()
        else:
            images += x.shape[0]
        done += 1
        if done > a.batches:
            break
rate = images / (time.time() - start)
print(json.dumps({"images_per_s": rate, "images": images}))
