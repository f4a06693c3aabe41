#!/usr/bin/python3
"""Runs a command and reports its peak memory, sampled every 50 ms over the whole process tree
(a PyTorch DataLoader's workers are processes, ours are threads, so one process's maximum RSS is
not the same measure for both):

  peak RSS     the largest single process (what /usr/bin/time -v reports)
  tree RSS     the sum over the process and its descendants at one moment
  tree PSS     the same with shared pages split between the processes that share them (the fair sum)

plus the largest mappings of that process at its peak ([heap] is glibc's main arena, [anon] the
JVM heap, other arenas and tcmalloc's spans). Usage: scripts/peak_rss.py COMMAND [ARGS...]
Command output is passed through; the report goes to stderr. SERIES=1 adds one sample per second;
INTERVAL=seconds changes the sampling period (default 0.05). Reading /proc/PID/smaps_rollup of a
large process costs CPU: on 2 cores it slowed both our and PyTorch's quick start by 20-30%, so
take wall-clock times from runs without it.
"""
import collections
import os
import subprocess
import sys
import time


def tree(pid):
    out = [pid]
    try:
        for t in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{t}/children") as f:
                for c in f.read().split():
                    out += tree(int(c))
    except OSError:
        pass
    return out


def rollup(pid):
    d = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                p = line.split()
                if len(p) >= 3 and p[0].endswith(":"):
                    d[p[0][:-1]] = int(p[1])
    except OSError:
        pass
    return d


def mappings(pid):
    agg = collections.Counter()
    cur = None
    try:
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                p = line.split()
                if not p[0].endswith(":") and "-" in p[0]:
                    name = p[5] if len(p) > 5 else "[anon]"
                    cur = os.path.basename(name) if name.startswith("/") else name
                elif p[0] == "Rss:":
                    agg[cur] += int(p[1])
    except OSError:
        pass
    return agg


def main():
    interval = float(os.environ.get("INTERVAL", "0.05"))
    proc = subprocess.Popen(sys.argv[1:])
    peak = peak_sum = peak_pss = 0
    peak_detail = None
    series = []
    while proc.poll() is None:
        pids = tree(proc.pid)
        rs = [rollup(x) for x in pids]
        total = sum(r.get("Rss", 0) for r in rs)
        pss = sum(r.get("Pss", 0) for r in rs)
        big = max(range(len(rs)), key=lambda i: rs[i].get("Rss", 0))
        if rs[big].get("Rss", 0) > peak:
            peak = rs[big]["Rss"]
            peak_detail = mappings(pids[big])
        peak_sum = max(peak_sum, total)
        peak_pss = max(peak_pss, pss)
        series.append((time.time(), total))
        time.sleep(interval)
    mb = 1024
    print(f"peak RSS {peak / mb:.0f} MB, tree RSS {peak_sum / mb:.0f} MB, tree PSS {peak_pss / mb:.0f} MB "
          f"(exit {proc.returncode})", file=sys.stderr)
    for name, kb in (peak_detail or collections.Counter()).most_common(6):
        print(f"  {kb / mb:8.1f} MB  {name}", file=sys.stderr)
    if os.environ.get("SERIES") and series:
        t0, last = series[0][0], -1
        for t, total in series:
            if int(t - t0) != last:
                last = int(t - t0)
                print(f"  t={t - t0:5.1f}s {total / mb:6.0f} MB", file=sys.stderr)
    sys.exit(proc.returncode)


if __name__ == "__main__":
    main()
