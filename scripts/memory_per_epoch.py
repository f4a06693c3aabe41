#!/usr/bin/python3
"""Runs a training command and records, at the end of every epoch (each new line of RESULT/val.log),
the memory of each of its Java processes (one; or, with --multiprocessing-distributed, process 0 the
launcher and 1.. the ranks):

  rss_mb            the process's resident set (/proc/PID/status VmRSS) at the epoch's end: libtorch,
                    tcmalloc, the JVM, all
  peak_rss_mb       the largest resident set sampled (every 0.5 s) during that epoch
  heap_used_mb      the Java heap in use, and
  heap_committed_mb what the JVM has committed for it (jcmd GC.heap_info)
  nmt_committed_mb  all memory the JVM itself has committed (Native Memory Tracking, jcmd VM.native_memory;
                    it does not see libtorch's or OpenCV's allocations, RSS does)

The command gets -XX:NativeMemoryTracking=summary through LENO_JAVA_OPTS (the launcher passes it on to
its workers too). Usage: scripts/memory_per_epoch.py RESULT_DIR OUT.tsv -- ./leno train ... --result_path RESULT_DIR
Prints, at the end, epoch 10 (or the last) against epoch 3 for each process.
"""
import os
import re
import subprocess
import sys
import time


def descendants(pid):
    out = []
    try:
        for t in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{t}/children") as f:
                for c in f.read().split():
                    out += [int(c)] + descendants(int(c))
    except OSError:
        pass
    return out


def is_java(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip() == "java"
    except OSError:
        return False


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def jcmd(pid, what):
    return subprocess.run(["jcmd", str(pid), what], capture_output=True, text=True, timeout=60).stdout


def heap(pid):
    text = jcmd(pid, "GC.heap_info")
    used = committed = 0.0
    for m in re.finditer(r"total (\d+)K, used (\d+)K", text):
        committed += int(m.group(1)) / 1024
        used += int(m.group(2)) / 1024
    return used, committed


def nmt_committed(pid):
    m = re.search(r"Total: reserved=(\d+)KB, committed=(\d+)KB", jcmd(pid, "VM.native_memory summary"))
    return int(m.group(2)) / 1024 if m else float("nan")


def epochs_done(result):
    try:
        with open(os.path.join(result, "val.log")) as f:
            return max(0, len([l for l in f if l.strip()]) - 1)
    except OSError:
        return 0


def main():
    result, out_path = sys.argv[1], sys.argv[2]
    cmd = sys.argv[sys.argv.index("--") + 1:]
    env = dict(os.environ)
    env["LENO_JAVA_OPTS"] = (env.get("LENO_JAVA_OPTS", "") + " -XX:NativeMemoryTracking=summary").strip()
    proc = subprocess.Popen(cmd, env=env)
    rows, seen, peaks = [], 0, {}
    while proc.poll() is None:
        done = epochs_done(result)
        for pid in [p for p in descendants(proc.pid) + [proc.pid] if is_java(p)]:
            try:
                peaks[(done + 1, pid)] = max(peaks.get((done + 1, pid), 0), rss_mb(pid))
            except OSError:
                pass
        if done > seen:
            seen = done
            javas = [p for p in descendants(proc.pid) + [proc.pid] if is_java(p)]
            for rank, pid in enumerate(sorted(javas)):
                try:
                    used, committed = heap(pid)
                    rss = rss_mb(pid)
                    if rss != rss:
                        continue
                    peak = max(peaks.get((done, pid), 0), rss)
                    rows.append((done, rank, pid, rss, peak, used, committed, nmt_committed(pid)))
                except (OSError, subprocess.SubprocessError):
                    pass
        time.sleep(0.5)
    with open(out_path, "w") as f:
        f.write("epoch\tprocess\tpid\trss_mb\tpeak_rss_mb\theap_used_mb\theap_committed_mb\tnmt_committed_mb\n")
        for r in rows:
            f.write("%d\t%d\t%d\t%.0f\t%.0f\t%.1f\t%.1f\t%.0f\n" % r)
    by = {}
    for r in rows:
        if r[3] != r[3]:  # the process was exiting: no figure
            continue
        by.setdefault(r[1], {})[r[0]] = r
    for rank, series in sorted(by.items()):
        last = max(series)
        if 3 in series and last > 3:
            a, b = series[3], series[last]
            print("process %d: RSS at the end of epoch 3 %.0f MB, of epoch %d %.0f MB (%+.1f%%); peak RSS %.0f -> %.0f MB "
                  "(%+.1f%%); Java heap committed %.1f -> %.1f MB, used %.1f -> %.1f MB; JVM native (NMT) %.0f -> %.0f MB"
                  % (rank, a[3], last, b[3], 100 * (b[3] / a[3] - 1), a[4], b[4], 100 * (b[4] / a[4] - 1),
                     a[6], b[6], a[5], b[5], a[7], b[7]))
    sys.exit(proc.returncode)


if __name__ == "__main__":
    main()
