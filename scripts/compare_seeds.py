#!/usr/bin/python3
"""`leno train` and the reference loop in PyTorch (scripts/train_torch_reference.py) side by side over seeds.

Usage (repository root):
  /usr/bin/python3 scripts/make_fashion_imagefolder.py /tmp/fmnist 600
  /usr/bin/python3 scripts/compare_seeds.py --data /tmp/fmnist --seeds 0 1 2 10 11 12 --epochs 3 \\
      [--lr 0.02] [--crop-scale 0.08 1] [--out /tmp/seeds]
Runs both programs once per seed (LeNo-ResNet-50, batch 64, momentum 0.9, weight decay 1e-4, crop 32,
val 36/32, 2 loader workers, 2 threads) and prints, per epoch, each program's train loss and val Acc@1
for every seed with their mean and standard deviation. Runs already in --out are reused.
"""
import argparse
import os
import statistics
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def read_log(path):
    with open(path) as f:
        rows = [line.rstrip("\n").split("\t") for line in f][1:]
    return {int(r[0]): (float(r[1]), float(r[2])) for r in rows}


def run(cmd, log):
    with open(log, "w") as f:
        subprocess.run(cmd, check=True, stdout=f, stderr=subprocess.STDOUT, cwd=ROOT)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 10, 11, 12])
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--lr", type=float, default=0.02)
    p.add_argument("--crop-scale", type=float, nargs=2, default=[0.08, 1.0])
    p.add_argument("--out", default="/tmp/leno_seeds")
    a = p.parse_args()
    tag = "lr%g_scale%g-%g" % (a.lr, *a.crop_scale)
    results = {"leno": {}, "torch": {}}
    for seed in a.seeds:
        for program in ("leno", "torch"):
            out = os.path.join(a.out, tag, "%s_seed%d" % (program, seed))
            if not os.path.exists(os.path.join(out, "val.log")) or len(read_log(os.path.join(out, "val.log"))) < a.epochs:
                os.makedirs(out, exist_ok=True)
                if program == "leno":
                    cmd = ["./leno", "train", "--data", a.data, "-a", "lenoresnet", "--model_depth", "50", "--n_classes",
                           "10", "--epochs", str(a.epochs), "-b", "64", "--lr", str(a.lr), "--momentum", "0.9", "--wd",
                           "1e-4", "--train_crop_size", "32", "--crop-scale", *map(str, a.crop_scale), "--val_resize",
                           "36", "--val_crop_size", "32", "-j", "2", "--threads", "2", "--seed", str(seed),
                           "--result_path", out, "--no-progress"]
                else:
                    cmd = ["/usr/bin/python3", "scripts/train_torch_reference.py", "--data", a.data, "--out", out,
                           "--seed", str(seed), "--epochs", str(a.epochs), "--lr", str(a.lr), "--crop-scale",
                           *map(str, a.crop_scale)]
                print("running", program, "seed", seed, file=sys.stderr, flush=True)
                run(cmd, os.path.join(out, "stdout.txt"))
            train, val = read_log(os.path.join(out, "train.log")), read_log(os.path.join(out, "val.log"))
            results[program][seed] = {e: (train[e][0], val[e][1]) for e in range(1, a.epochs + 1)}
    print("LeNo-ResNet-50, %s, seeds %s" % (tag, " ".join(map(str, a.seeds))))
    print("| epoch | program | train loss per seed | mean +- sd | val Acc@1 per seed | mean +- sd |")
    print("|---|---|---|---|---|---|")
    for e in range(1, a.epochs + 1):
        for program in ("leno", "torch"):
            loss = [results[program][s][e][0] for s in a.seeds]
            acc = [results[program][s][e][1] for s in a.seeds]
            print("| %d | %s | %s | %.2f +- %.2f | %s | %.1f +- %.1f |" % (
                e, "leno" if program == "leno" else "PyTorch 1.13", ", ".join("%.2f" % v for v in loss),
                statistics.mean(loss), statistics.stdev(loss), ", ".join("%.1f" % v for v in acc),
                statistics.mean(acc), statistics.stdev(acc)))


if __name__ == "__main__":
    main()
