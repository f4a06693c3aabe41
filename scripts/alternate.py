#!/usr/bin/python3
"""Alternated speed comparisons: A B A B ... for many pairs, each program timing its own training
steps after warm-up and printing {"images_per_s": ...}; the figure quoted is the MEDIAN OF THE
PAIRWISE RATIOS A/B (on a shared machine absolute speed drifts by tens of percent between runs,
and only the ratio of two runs made back to back is worth anything). Standard library only.

  torch: the table of `leno bench model` against PyTorch (scripts/bench_torch_model.py, Debian's
         /usr/bin/python3 with torch 1.13) for ResNet-50 and LeNo-ResNet-50, fp32 and bf16 autocast.
         Each round runs leno, PyTorch NCHW and PyTorch channels-last in turn; a round's ratio is
         leno over the better PyTorch run of that round.
  pair:  any two commands that print {"images_per_s": ...}, e.g. two builds of leno, or one
         build with and without an option (the before/after of a change).

Usage:
  /usr/bin/python3 scripts/alternate.py torch [--pairs 7] [-b 64] [--image-size 64] [--threads 2]
        [--iters 10] [--models resnet,lenoresnet] [--amps none,bf16] [--leno ./leno] [--leno-args "..."]
  /usr/bin/python3 scripts/alternate.py pair --a 'CMD A' --b 'CMD B' [--pairs 7]
  Both take --wait-idle LOAD: first wait until the 1-minute load average is below LOAD.
Prints each run as it finishes on stderr, then a Markdown table on stdout.
"""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def images_per_s(command):
    """Runs one command, returns the images_per_s of the last JSON line it printed."""
    out = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if out.returncode != 0:
        sys.exit("failed (%d): %s\n%s" % (out.returncode, " ".join(command), out.stderr.strip()[-2000:]))
    for line in reversed(out.stdout.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)["images_per_s"]
    sys.exit("no JSON line with images_per_s from: " + " ".join(command))


def wait_idle(limit, minutes=20):
    """Waits until the 1-minute load average is below `limit`, polling every 60 s for up to `minutes`."""
    for _ in range(minutes + 1):
        load = float(open("/proc/loadavg").read().split()[0])
        if load < limit:
            print("1-minute load %.2f: starting" % load, file=sys.stderr, flush=True)
            return True
        print("1-minute load %.2f >= %.2f: waiting" % (load, limit), file=sys.stderr, flush=True)
        time.sleep(60)
    print("WARNING: the machine never got idle (1-minute load >= %.2f for %d minutes); measuring anyway"
          % (limit, minutes), file=sys.stderr, flush=True)
    return False


def summary(ratios):
    return statistics.median(ratios), min(ratios), max(ratios)


def alternate(commands, pairs, label):
    """Runs the commands in turn, `pairs` rounds; returns the images/s of each command per round."""
    runs = [[] for _ in commands]
    for r in range(pairs):
        for i, c in enumerate(commands):
            runs[i].append(images_per_s(c))
        print("%s round %d/%d: %s" % (label, r + 1, pairs, "  ".join("%.1f" % x[-1] for x in runs)),
              file=sys.stderr, flush=True)
    return runs


def torch_table(a):
    print("| model | precision | leno images/s (median) | PyTorch images/s, better layout (median) "
          "| leno/PyTorch, median of %d pairwise ratios [min, max] |" % a.pairs)
    print("|---|---|---|---|---|")
    for model in a.models.split(","):
        for amp in a.amps.split(","):
            common = ["-b", str(a.batch_size), "--image-size", str(a.image_size), "--threads", str(a.threads),
                      "--iters", str(a.iters), "--amp", amp]
            leno = [a.leno, "bench", "model", "-a", model, "--model_depth", "50", "--no-peak", "--json"] \
                + common + shlex.split(a.leno_args)
            torch = ["/usr/bin/python3", os.path.join(HERE, "bench_torch_model.py"), "--arch", model] + common
            runs = alternate([leno, torch, torch + ["--channels-last"]], a.pairs, "%s %s" % (model, amp))
            best_torch = [max(n, c) for n, c in zip(runs[1], runs[2])]
            med, lo, hi = summary([l / t for l, t in zip(runs[0], best_torch)])
            print("| %s-50 | %s | %.1f | %.1f | **%.2fx** [%.2f, %.2f] |" % (
                "LeNo-ResNet" if model == "lenoresnet" else "ResNet", "fp32" if amp == "none" else "bf16 autocast",
                statistics.median(runs[0]), statistics.median(best_torch), med, lo, hi), flush=True)


def pair_table(a):
    runs = alternate([shlex.split(a.a), shlex.split(a.b)], a.pairs, "A/B")
    med, lo, hi = summary([x / y for x, y in zip(runs[0], runs[1])])
    print("| A images/s (median) | B images/s (median) | A/B, median of %d pairwise ratios [min, max] |" % a.pairs)
    print("|---|---|---|")
    print("| %.1f | %.1f | **%.3fx** [%.3f, %.3f] |" % (statistics.median(runs[0]), statistics.median(runs[1]), med, lo, hi))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="mode", required=True)
    t = sub.add_parser("torch")
    t.add_argument("--pairs", type=int, default=7)
    t.add_argument("-b", "--batch-size", type=int, default=64)
    t.add_argument("--image-size", type=int, default=64)
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--iters", type=int, default=10)
    t.add_argument("--models", default="resnet,lenoresnet")
    t.add_argument("--amps", default="none,bf16")
    t.add_argument("--leno", default="./leno")
    t.add_argument("--leno-args", default="")
    q = sub.add_parser("pair")
    q.add_argument("--a", required=True)
    q.add_argument("--b", required=True)
    q.add_argument("--pairs", type=int, default=7)
    for parser in (t, q):
        parser.add_argument("--wait-idle", type=float, metavar="LOAD",
                            help="first wait (up to 20 minutes) until the 1-minute load average is below LOAD")
    a = p.parse_args()
    if a.pairs < 1:
        sys.exit("--pairs must be at least 1")
    if a.wait_idle is not None and not wait_idle(a.wait_idle):
        print("(measured on a busy machine: the 1-minute load never fell below %.2f)" % a.wait_idle)
    torch_table(a) if a.mode == "torch" else pair_table(a)


if __name__ == "__main__":
    main()
