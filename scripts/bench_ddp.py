#!/usr/bin/python3
"""The cost of data-parallel gradient exchange on loopback, and what --ddp-comm fp16 saves.

Usage (repository root): /usr/bin/python3 scripts/bench_ddp.py [--rounds 3] [--steps 40] [-a resnet] [--port 29517]
Each round runs, one after another (A B C A B C ...), ResNet-50 at 64x64 on --dummy data, batch 16
per process, 1 thread and 1 loader worker per process:
  A: two independent single-process runs side by side (the same work, no communication),
  B: two DDP ranks over Gloo on 127.0.0.1 (the native reducer),
  C: B with --ddp-comm fp16 (buckets all-reduced in fp16).
A step's time is each run's train_seconds (timing.tsv) over its steps, averaged over the two
processes (rank 0's for DDP ranks, which step together); the overhead of B or C is (its step - A's step) / its step, the share of the step
spent on communication. Prints medians over the rounds.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def seconds_per_step(result, steps):
    with open(os.path.join(result, "timing.tsv")) as f:
        rows = [line.split("\t") for line in f.read().splitlines()[1:]]
    return float(rows[-1][1]) / steps


def run_pair(commands, results, steps):
    procs = [subprocess.Popen(c, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for c in commands]
    for p in procs:
        _, err = p.communicate()
        if p.returncode != 0:
            sys.exit("bench_ddp: a run failed: " + err.strip()[-400:])
    # DDP ranks step together and only rank 0 writes timing.tsv
    return statistics.mean(seconds_per_step(r, steps) for r in results if os.path.exists(os.path.join(r, "timing.tsv")))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--steps", type=int, default=40)
    p.add_argument("-a", "--arch", default="resnet")
    p.add_argument("--port", type=int, default=29517)
    a = p.parse_args()
    base = ["./leno", "train", "--dummy", "-a", a.arch, "--model_depth", "50", "--train_crop_size", "64",
            "--val_resize", "64", "--val_crop_size", "64", "-b", "16", "--threads", "1", "-j", "1", "--epochs", "1",
            "--val-samples", "16", "--no-progress"]
    times = {"A": [], "B": [], "C": []}
    with tempfile.TemporaryDirectory(prefix="bench_ddp") as tmp:
        for r in range(a.rounds):
            for kind in "ABC":
                results = [os.path.join(tmp, "%s%d_%d" % (kind, r, i)) for i in range(2)]
                if kind == "A":
                    cmds = [base + ["--train-samples", str(16 * a.steps), "--seed", str(i), "--result_path", results[i]]
                            for i in range(2)]
                else:
                    port = a.port + r * 2 + (kind == "C")
                    cmds = [base + ["--train-samples", str(32 * a.steps), "--world-size", "2", "--rank", str(i),
                                    "--dist-url", "tcp://127.0.0.1:%d" % port, "--dist-backend", "gloo",
                                    "--result_path", results[i]]
                            + (["--ddp-comm", "fp16"] if kind == "C" else []) for i in range(2)]
                times[kind].append(run_pair(cmds, results, a.steps))
                print("round %d %s: %.3f s/step" % (r + 1, kind, times[kind][-1]), file=sys.stderr, flush=True)
    a_step = statistics.median(times["A"])
    print("| run | s/step (median of %d) | communication share of the step |" % a.rounds)
    print("|---|---|---|")
    print("| A: 2 independent processes | %.3f | |" % a_step)
    for kind, name in (("B", "B: 2 DDP ranks, fp32 buckets"), ("C", "C: 2 DDP ranks, --ddp-comm fp16")):
        shares = [(t - ta) / t for t, ta in zip(times[kind], times["A"])]
        print("| %s | %.3f | %.1f%% [%.1f, %.1f] |" % (name, statistics.median(times[kind]),
                                                       100 * statistics.median(shares), 100 * min(shares),
                                                       100 * max(shares)))


if __name__ == "__main__":
    main()
