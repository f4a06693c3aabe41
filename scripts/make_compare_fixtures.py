#!/usr/bin/python3
"""Fixture runs of a multi-seed `leno compare` and the statistics expected of them, computed with numpy
and scipy (independently of the Java code that src/test/java/org/leno/internal/report/ComparisonTest.java checks).

Usage (repository root): /usr/bin/python3 scripts/make_compare_fixtures.py
Writes src/test/resources/fixtures/compare/<arch><depth>/seed<S>/ and .../compare_expected.json.

The logs and gradient-norm curves are SYNTHETIC (drawn from a fixed numpy generator in the formats that
`leno train` and `leno gradnorm` write), not the output of training: they test the arithmetic and the
page, not the models. Built in:
  - depth 50: resnet, preactresnet, lenoresnet, seeds 0 1 2, 3 epochs;
    lenoresnet50/seed1/val.log has no row for epoch 2 (a complete run with a missing epoch),
    preactresnet50/seed2/train.log ends in a half-written line (incomplete: left out of everything);
  - depth 101: resnet, preactresnet, lenoresnet, seed 0 only (one seed: no sd, no interval).
"""
import json
import os
import shutil

import numpy as np
from scipy import stats

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "src/test/resources/fixtures/compare")
ARCHS = ["resnet", "preactresnet", "lenoresnet"]
EPOCHS = 3
BLOCKS = {50: [3, 4, 6, 3], 101: [3, 4, 23, 3]}
PLAN = {50: [0, 1, 2], 101: [0]}
MISSING_VAL_EPOCH = ("lenoresnet", 50, 1, 2)
TRUNCATED_TRAIN = ("preactresnet", 50, 2)
TEMPLATE = os.path.join(ROOT, "src/test/resources/fixtures/runs/resnet50/args.json")


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def logs(rng, arch, depth, seed):
    """Per epoch (train loss, train acc1, val loss, val acc1), rounded as the trainer writes them."""
    skill = {"resnet": 0.0, "preactresnet": 1.5, "lenoresnet": 3.0}[arch] + (2.0 if depth == 101 else 0.0)
    rows = []
    for e in range(1, EPOCHS + 1):
        train_loss = round(1.6 / e + rng.normal(0, 0.05), 4)
        train_acc = round(45 + 10 * e + skill + rng.normal(0, 2), 2)
        val_loss = round(1.5 / e + rng.normal(0, 0.08), 4)
        val_acc = round(50 + 8 * e + skill + rng.normal(0, 4) + 3 * seed, 2)
        rows.append((e, train_loss, train_acc, val_loss, val_acc))
    return rows


def curve(rng, depth, scale):
    lines = ["block,stage,transition,in_norm,out_norm,ratio"]
    block = 0
    for stage, n in enumerate(BLOCKS[depth], start=1):
        for k in range(n):
            block += 1
            out_norm = float(rng.uniform(0.5, 2.0))
            ratio = float(np.exp(rng.normal(np.log(scale), 0.25)))
            lines.append("%d,%d,%d,%.9g,%.9g,%.9g" % (block, stage, 1 if k == 0 else 0, out_norm * ratio, out_norm, ratio))
    return "\n".join(lines) + "\n"


def run(rng, template, arch, depth, seed):
    name = "%s%d" % (arch, depth)
    folder = os.path.join(OUT, name, "seed%d" % seed)
    args = dict(template, arch=arch, model_depth=depth, seed=seed, epochs=EPOCHS, lr_steps=[2],
                result_path="results/compare/%s/seed%d" % (name, seed), resume="auto")
    write(os.path.join(folder, "args.json"), json.dumps(args, separators=(",", ":")) + "\n")
    rows = logs(rng, arch, depth, seed)
    train = ["epoch\tloss\tacc1\tacc5\tlr"] + ["%d\t%.4f\t%.2f\t%.2f\t%.6f" % (e, tl, ta, min(100, ta + 30), 0.1 if e < 2 else 0.01)
                                               for e, tl, ta, _, _ in rows]
    val = ["epoch\tloss\tacc1\tacc5"] + ["%d\t%.4f\t%.2f\t%.2f" % (e, vl, va, min(100, va + 30))
                                         for e, _, _, vl, va in rows if (arch, depth, seed, e) != MISSING_VAL_EPOCH]
    train_text = "\n".join(train) + "\n"
    if (arch, depth, seed) == TRUNCATED_TRAIN:
        train_text = "\n".join(train[:-1]) + "\n" + train[-1][:6]
    write(os.path.join(folder, "train.log"), train_text)
    write(os.path.join(folder, "val.log"), "\n".join(val) + "\n")
    gradnorm = os.path.join(folder, "gradnorm")
    init_scale = {"resnet": 1.1, "preactresnet": 1.05, "lenoresnet": 1.0}[arch]
    write(os.path.join(gradnorm, "init", name + ".csv"), curve(rng, depth, init_scale))
    best = max(range(len(val) - 1), key=lambda i: float(val[i + 1].split("\t")[2]))
    index = ["label\tepoch\tfile\tcsv"]
    for label, epoch, scale in (("checkpoint_epoch1", 1, 1.3), ("model_best", best + 1, 1.6)):
        csv = "%s_%s.csv" % (name, label)
        write(os.path.join(gradnorm, csv), curve(rng, depth, scale * init_scale))
        index.append("%s\t%d\t%s\t%s" % (label, epoch, os.path.join(args["result_path"], label + ".pth.tar"), csv))
    write(os.path.join(gradnorm, name + "_checkpoints.tsv"), "\n".join(index) + "\n")
    return rows


def summary(values):
    v = np.array(values, dtype=float)
    return {"n": len(v), "mean": float(v.mean()) if len(v) else None, "sd": float(v.std(ddof=1)) if len(v) > 1 else None}


def expected(all_rows):
    complete = {k: r for k, r in all_rows.items() if k != TRUNCATED_TRAIN}
    groups, differences = [], []
    for depth, seeds in PLAN.items():
        for arch in ARCHS:
            runs = {s: complete[(arch, depth, s)] for s in seeds if (arch, depth, s) in complete}
            def val_rows(s):
                return [r for r in runs[s] if (arch, depth, s, r[0]) != MISSING_VAL_EPOCH]
            per_epoch = []
            for e in range(1, EPOCHS + 1):
                per_epoch.append({"epoch": e,
                                  "val_acc1": summary([r[4] for s in runs for r in val_rows(s) if r[0] == e]),
                                  "train_loss": summary([r[1] for s in runs for r in runs[s] if r[0] == e])})
            groups.append({"arch": arch, "depth": depth, "seeds": sorted(runs),
                           "best_val_acc1": summary([max(r[4] for r in val_rows(s)) for s in runs]),
                           "last_val_acc1": summary([runs[s][-1][4] for s in runs]),
                           "final_train_loss": summary([runs[s][-1][1] for s in runs]),
                           "per_epoch": per_epoch})
        for arch in ARCHS[1:]:
            for quantity in ("best_val_acc1", "last_val_acc1"):
                pairs = []
                for s in seeds:
                    if (arch, depth, s) in complete and ("resnet", depth, s) in complete:
                        a = [r for r in complete[(arch, depth, s)] if (arch, depth, s, r[0]) != MISSING_VAL_EPOCH]
                        b = complete[("resnet", depth, s)]
                        pick = (lambda rows: max(r[4] for r in rows)) if quantity == "best_val_acc1" else (lambda rows: rows[-1][4])
                        pairs.append((s, pick(a) - pick(b)))
                d = np.array([p[1] for p in pairs])
                entry = {"depth": depth, "arch": arch, "baseline": "resnet", "quantity": quantity,
                         "seeds": [p[0] for p in pairs], "n": len(d), "mean": float(d.mean()),
                         "won": int((d > 0).sum()), "lost": int((d < 0).sum())}
                if len(d) > 1:
                    sem = d.std(ddof=1) / np.sqrt(len(d))
                    low, high = stats.t.interval(0.95, len(d) - 1, loc=d.mean(), scale=sem)
                    entry.update(sd=float(d.std(ddof=1)), ci_low=float(low), ci_high=float(high))
                else:
                    entry.update(sd=None, ci_low=None, ci_high=None)
                differences.append(entry)
    quantiles = [{"p": p, "df": df, "t": float(stats.t.ppf(p, df))}
                 for p in (0.6, 0.9, 0.975, 0.995, 0.9995) for df in (1, 2, 3, 4, 5, 7, 10, 19, 30, 31, 50, 120, 1000)]
    return {"source": "scripts/make_compare_fixtures.py (numpy %s, scipy %s)" % (np.__version__, __import__("scipy").__version__),
            "epochs": EPOCHS, "incomplete": [list(TRUNCATED_TRAIN)], "groups": groups, "differences": differences,
            "t_quantiles": quantiles}


def main():
    with open(TEMPLATE) as f:
        template = json.load(f)
    shutil.rmtree(OUT, ignore_errors=True)
    rng = np.random.default_rng(25)
    all_rows = {}
    for depth, seeds in PLAN.items():
        for seed in seeds:
            for arch in ARCHS:
                all_rows[(arch, depth, seed)] = run(rng, template, arch, depth, seed)
    write(os.path.join(OUT, "compare_expected.json"), json.dumps(expected(all_rows), indent=1) + "\n")


if __name__ == "__main__":
    main()
