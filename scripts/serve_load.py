#!/usr/bin/python3
"""Load test of `leno serve` on loopback (127.0.0.1 only), bounded in count and time, against
`leno predict` on the same folder and batch size, alternated (predict, serve, predict, serve, ...).

Each round: `leno predict -b B` over the folder, timed as a steady rate ((N - 1) images over the
time of the full folder less the time of a one-image run, so JVM start and model load drop out);
then one `leno serve --max-batch B` process, and for each client count C (default 16, then 64) C
threads posting the folder's images to POST /predictions/NAME for SECONDS each (keep-alive, one
connection per thread, each loop ends at its time or after MAX_REQUESTS requests). Reports images/s,
p50/p99 latency, the 503s (deliberate: the queue is bounded) and any other error, the server's RSS
after the first minute and at the end, and per round the ratio serve/predict. Optionally, after the
rounds: SIGTERM under load (every request the server took must be answered; exit code 0), and
kill -9 then restart (seconds until /v2/health/ready answers 200).

Usage: /usr/bin/python3 scripts/serve_load.py --weights RUN_DIR --images DIR [--batch 16]
         [--clients 16,64] [--seconds 60] [--rounds 1] [--queue 64] [--sigterm] [--restart] [--leno ./leno]
         [--serve-args "MORE FLAGS"]
Standard library only; nothing is sent anywhere but 127.0.0.1.
"""
import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
HOST = "127.0.0.1"
MAX_REQUESTS = 1_000_000
EXTRA = []  # --serve-args
EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".ppm", ".tif", ".tiff")


def image_files(folder):
    out = []
    for d, _, files in os.walk(folder):
        out += [os.path.join(d, f) for f in files if f.lower().endswith(EXTENSIONS)]
    return sorted(out)


def predict_rate(leno, weights, folder, batch, files):
    """Steady images/s of `leno predict`: (N - 1) / (time(all) - time(one image))."""
    def timed(args):
        t = time.monotonic()
        subprocess.run([leno, "predict", "--weights", weights, "-b", str(batch), "--json"] + args,
                       cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        return time.monotonic() - t
    one = timed([files[0]])
    full = timed([folder])
    return (len(files) - 1) / max(1e-9, full - one), full


class Server:
    """One `leno serve` process on an ephemeral loopback port."""

    def __init__(self, leno, weights, batch, queue, extra=EXTRA):
        self.dir = tempfile.mkdtemp(prefix="leno-serve-load-")
        self.port_file = os.path.join(self.dir, "port")
        self.log = open(os.path.join(self.dir, "requests.log"), "w")
        self.err = open(os.path.join(self.dir, "stderr.log"), "w")
        self.started = time.monotonic()
        self.proc = subprocess.Popen([leno, "serve", "--weights", "m=" + weights, "--host", HOST, "--port", "0",
                                      "--port-file", self.port_file, "--max-batch", str(batch), "--queue", str(queue)]
                                     + list(extra), cwd=ROOT, stdout=self.log, stderr=self.err)
        self.port = self.wait_port()

    def wait_port(self, timeout=300):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                sys.exit("leno serve ended with %d: %s" % (self.proc.returncode, open(self.err.name).read()[-2000:]))
            if os.path.exists(self.port_file):
                return int(open(self.port_file).read().strip())
            time.sleep(0.05)
        sys.exit("leno serve did not start within %d s" % timeout)

    def rss_mb(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=120)


def load(port, payloads, clients, seconds, on_minute=None):
    """C threads posting images for `seconds`; returns (images/s, latencies, statuses, errors)."""
    end = time.monotonic() + seconds
    lock = threading.Lock()
    latencies, statuses, errors = [], {}, []

    def client(k):
        conn = http.client.HTTPConnection(HOST, port, timeout=120)
        i = k
        for _ in range(MAX_REQUESTS):
            if time.monotonic() >= end:
                break
            body = payloads[i % len(payloads)]
            i += clients
            t = time.monotonic()
            try:
                conn.request("POST", "/predictions/m", body=body, headers={"Content-Type": "image/jpeg"})
                r = conn.getresponse()
                r.read()
                status = r.status
                if r.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, port, timeout=120)
            except (OSError, http.client.HTTPException) as e:
                with lock:
                    errors.append(type(e).__name__)
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=120)
                time.sleep(0.05)
                continue
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if status == 200:
                    latencies.append(time.monotonic() - t)
        conn.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    if on_minute is not None:
        threading.Timer(min(60, seconds / 2), on_minute).start()
    for t in threads:
        t.join()
    return len(latencies) / (time.monotonic() - started), sorted(latencies), statuses, errors


def pct(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(p * len(sorted_values)))] * 1000 if sorted_values else float("nan")


def sigterm_under_load(args, payloads):
    server = Server(args.leno, args.weights, args.batch, args.queue)
    result = {}
    threading.Timer(5, lambda: server.proc.send_signal(signal.SIGTERM)).start()
    _, lat, statuses, errors = load(server.port, payloads, 16, 15)
    result["exit_code"] = server.proc.wait(timeout=120)
    result["statuses"] = statuses
    result["connection_errors_after_stop"] = len(errors)
    lines = [json.loads(l) for l in open(server.log.name) if l.startswith("{")]
    result["logged"] = len(lines)
    result["logged_not_200_or_503"] = sum(1 for l in lines if l["status"] not in (200, 503))
    # every answer the server wrote (its log) reached its client, and nothing else was answered
    result["client_answers_equal_log_lines"] = sum(statuses.values()) == len(lines)
    return result


def restart_time(args):
    server = Server(args.leno, args.weights, args.batch, args.queue)
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait()
    t = time.monotonic()
    again = Server(args.leno, args.weights, args.batch, args.queue)
    for _ in range(6000):
        try:
            conn = http.client.HTTPConnection(HOST, again.port, timeout=5)
            conn.request("GET", "/v2/health/ready")
            if conn.getresponse().status == 200:
                break
        except OSError:
            pass
        time.sleep(0.05)
    ready = time.monotonic() - t
    again.stop()
    return ready


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", required=True)
    ap.add_argument("--images", required=True)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--queue", type=int, default=64)
    ap.add_argument("--clients", default="16,64")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--sigterm", action="store_true")
    ap.add_argument("--restart", action="store_true")
    ap.add_argument("--leno", default=os.path.join(ROOT, "leno"))
    ap.add_argument("--serve-args", default="", help="more flags for leno serve, e.g. '--decode-threads 1'")
    args = ap.parse_args()
    EXTRA.extend(args.serve_args.split())
    files = image_files(args.images)
    if not files:
        sys.exit("no image under " + args.images)
    payloads = [open(f, "rb").read() for f in files]
    clients = [int(c) for c in args.clients.split(",")]
    rows = []
    for rnd in range(1, args.rounds + 1):
        base, full = predict_rate(args.leno, args.weights, args.images, args.batch, files)
        print("round %d: leno predict -b %d: %.2f images/s steady (%.1f s for %d images)"
              % (rnd, args.batch, base, full, len(files)), file=sys.stderr)
        server = Server(args.leno, args.weights, args.batch, args.queue)
        for c in clients:
            rss = {}
            rate, lat, statuses, errors = load(server.port, payloads, c, args.seconds,
                                               on_minute=lambda: rss.setdefault("minute", server.rss_mb()))
            rss["end"] = server.rss_mb()
            other = {s: n for s, n in statuses.items() if s not in (200, 503)}
            row = {"round": rnd, "clients": c, "serve_images_per_s": round(rate, 2), "predict_images_per_s": round(base, 2),
                   "ratio": round(rate / base, 3), "p50_ms": round(pct(lat, 0.5), 1), "p99_ms": round(pct(lat, 0.99), 1),
                   "status_503": statuses.get(503, 0), "other_errors": sum(other.values()) + len(errors),
                   "rss_mb_first_minute": round(rss.get("minute", float("nan"))), "rss_mb_end": round(rss["end"])}
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)
        code = server.stop()
        if code != 0:
            print("leno serve exited %d after SIGTERM" % code, file=sys.stderr)
    print("| clients | serve images/s | predict images/s | serve/predict (median over rounds) | p50 ms | p99 ms | 503s | other errors |")
    print("|---|---|---|---|---|---|---|---|")
    for c in clients:
        mine = [r for r in rows if r["clients"] == c]
        print("| %d | %.2f | %.2f | %.3f | %.0f | %.0f | %d | %d |" % (
            c, statistics.median(r["serve_images_per_s"] for r in mine),
            statistics.median(r["predict_images_per_s"] for r in mine), statistics.median(r["ratio"] for r in mine),
            statistics.median(r["p50_ms"] for r in mine), statistics.median(r["p99_ms"] for r in mine),
            sum(r["status_503"] for r in mine), sum(r["other_errors"] for r in mine)))
    if args.sigterm:
        print("SIGTERM under load: " + json.dumps(sigterm_under_load(args, payloads)))
    if args.restart:
        print("kill -9, restart: ready again after %.1f s" % restart_time(args))


if __name__ == "__main__":
    main()
