#!/usr/bin/python3
"""Hostile requests against `leno serve`, on loopback (127.0.0.1) only, every loop bounded.

Starts `leno serve` (a bearer token, a 4 MB body limit, a 10 s deadline) on an ephemeral port and,
while a prober asks GET /v2/health/ready every 200 ms, sends: non-images, a truncated JPEG, a
decompression-bomb PNG (a 100000 x 100000 header over a few KB), a 2 GB Content-Length with a slow
body, an over-long chunked body, a body trickling below the minimum rate, 1,000 idle connections
and 1,000 slowloris headers, malformed and deeply nested JSON, wrong tensor shapes, datatypes and
values, unknown models, path traversal in model names, a huge header, and a missing or wrong token.
Each case must get its status within its time; at the end the server must still be ready, its RSS
bounded, and SIGTERM must end it with 0. Prints one line per case and exits 1 if any failed.

Usage: /usr/bin/python3 scripts/serve_hostile.py --weights RUN_DIR [--image SOME.jpg] [--leno ./leno] [--skip-forward]
         [--serve-args "MORE FLAGS"]
   or: /usr/bin/python3 scripts/serve_hostile.py --port PORT --token TOKEN   (a server already running on 127.0.0.1)
Standard library only.
"""
import argparse
import base64
import http.client
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
HOST = "127.0.0.1"
TOKEN = "hostile-test-token"
FAILED = []


def png(width, height, raw_rows):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw_rows, 9)) + chunk(b"IEND", b""))


def small_png():
    return png(8, 8, b"".join(b"\x00" + bytes((x * 30 + y * 7) % 256 for x in range(24)) for y in range(8)))


def bomb_png():
    # the header claims 10^10 pixels; the data is a few KB of zlib (it would inflate to 30 GB)
    return png(100_000, 100_000, bytes(1_000_000))


def raw_exchange(port, data, timeout=15, read=True):
    """Sends bytes as they are; returns (status, body, seconds) of the first answer, status None if none."""
    t = time.monotonic()
    with socket.create_connection((HOST, port), timeout=timeout) as s:
        try:
            s.sendall(data)
        except OSError:
            pass
        buf = b""
        try:
            while read and not (b"\r\n\r\n" in buf and body_complete(buf)):
                got = s.recv(65536)
                if not got:
                    break
                buf += got
        except OSError:
            pass
    return parse(buf) + (time.monotonic() - t,)


def body_complete(buf):
    head, _, body = buf.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return True


def parse(buf):
    if not buf.startswith(b"HTTP/1.1 "):
        return None, buf[:200]
    head, _, body = buf.partition(b"\r\n\r\n")
    return int(head[9:12]), body


def request(port, method, path, body=None, headers=None, token=TOKEN, timeout=30):
    h = dict(headers or {})
    if token is not None:
        h["Authorization"] = "Bearer " + token
    t = time.monotonic()
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        return r.status, r.read(), time.monotonic() - t
    finally:
        conn.close()


def check(name, got, want, within, body=b""):
    status, seconds = got
    ok = status in want and seconds <= within
    if ok and status is not None and status >= 400:
        ok = one_line_json_error(body)
    print("%-58s %-5s %s in %.2f s (want %s within %g s)" % (name, "ok" if ok else "FAIL", status, seconds,
                                                            "/".join(map(str, want)), within))
    if not ok:
        FAILED.append(name)


def one_line_json_error(body):
    try:
        return b"\n" not in body.strip() and "error" in json.loads(body) and b"Exception" not in body
    except ValueError:
        return False


class Prober(threading.Thread):
    """GET /v2/health/ready every 200 ms; keeps the worst latency and the failures."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.stop, self.worst, self.failures, self.count = port, threading.Event(), 0.0, 0, 0

    def run(self):
        for _ in range(100_000):
            if self.stop.is_set():
                return
            try:
                status, _, s = request(self.port, "GET", "/v2/health/ready", token=None, timeout=5)
                self.worst = max(self.worst, s)
                self.failures += status != 200
            except OSError:
                self.failures += 1
            self.count += 1
            time.sleep(0.2)


def rss_mb(pid):
    if pid is None:
        return float("nan")
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def hold_connections(port, n, first_bytes, seconds, trickle):
    """n connections that send first_bytes then (if trickle) a byte a second, for `seconds`, each checked
    every second for whether the server closed it; returns (held, closed by the server)."""
    socks = []
    for _ in range(n):
        try:
            s = socket.create_connection((HOST, port), timeout=5)
            if first_bytes:
                s.sendall(first_bytes)
            s.setblocking(False)
            socks.append(s)
        except OSError:
            break
    closed = set()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(1)
        for i, s in enumerate(socks):
            if i in closed:
                continue
            try:
                if trickle:
                    s.send(b"a")
                if s.recv(1) == b"":
                    closed.add(i)
            except BlockingIOError:
                pass
            except OSError:
                closed.add(i)
    for s in socks:
        s.close()
    return len(socks), len(closed)


def cases(port, image, forward):
    j = {"Content-Type": "application/json"}
    st, body, s = request(port, "POST", "/predictions/m", b"this is not an image at all")
    check("non-image body", (st, s), [400], 10, body)
    st, body, s = request(port, "POST", "/predictions/m", image[: len(image) // 2])
    check("truncated image", (st, s), [400], 10, body)
    st, body, s = request(port, "POST", "/predictions/m", b"\xff\xd8\xff\xe0" + os.urandom(4000))
    check("JPEG header, random rest", (st, s), [400], 10, body)
    st, body, s = request(port, "POST", "/predictions/m", bomb_png())
    check("decompression-bomb PNG (100000x100000 header)", (st, s), [400], 10, body)
    st, body, s = raw_exchange(port, b"POST /predictions/m HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN.encode()
                               + b"\r\nContent-Length: 2000000000\r\n\r\nslow")
    check("2 GB Content-Length, slow body", (st, s), [413], 5, body)
    chunk = b"10000\r\n" + b"a" * 65536 + b"\r\n"
    st, body, s = raw_exchange(port, b"POST /predictions/m HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN.encode()
                               + b"\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk * 80 + b"0\r\n\r\n")
    check("chunked body over the limit", (st, s), [413, None], 10, body)
    st, body, s = trickle_body(port)
    check("body trickling (10 bytes/s), cut at the deadline", (st, s), [408, None], 15, body)
    st, body, s = request(port, "POST", "/v2/models/m/infer", b'{"inputs": [{"name": "x",', j)
    check("malformed JSON", (st, s), [400], 5, body)
    st, body, s = request(port, "POST", "/v2/models/m/infer", b"[" * 100_000 + b"]" * 100_000, j)
    check("JSON nested 100,000 deep", (st, s), [400], 5, body)
    for name, inp in [("wrong shape", {"name": "x", "datatype": "FP32", "shape": [1, 3, 7], "data": [0.0] * 21}),
                      ("shape and data disagree", {"name": "x", "datatype": "FP32", "shape": [1, 3, 24, 24], "data": [0.0]}),
                      ("huge shape", {"name": "x", "datatype": "FP32", "shape": [2 ** 40, 3, 2 ** 20, 2 ** 20], "data": [1]}),
                      ("wrong datatype", {"name": "x", "datatype": "INT64", "shape": [1], "data": [1]}),
                      ("strings as FP32", {"name": "x", "datatype": "FP32", "shape": [1], "data": ["a"]}),
                      ("BYTES not base64", {"name": "x", "datatype": "BYTES", "shape": [1], "data": ["%%%"]}),
                      ("BYTES not an image", {"name": "x", "datatype": "BYTES", "shape": [1],
                                              "data": [base64.b64encode(b"nope").decode()]})]:
        st, body, s = request(port, "POST", "/v2/models/m/infer", json.dumps({"inputs": [inp]}).encode(), j)
        check("tensor: " + name, (st, s), [400], 5, body)
    st, body, s = request(port, "POST", "/v2/models/m/infer", b'{"inputs": [{"name": "x", "datatype": "FP32", '
                          b'"shape": [1, 3, 1, 1], "data": [NaN, 1, 2]}]}', j)
    check("tensor: NaN", (st, s), [400], 5, body)
    st, body, s = request(port, "POST", "/predictions/nosuchmodel", image)
    check("unknown model", (st, s), [404], 5, body)
    for path in ["/predictions/..%2F..%2Fetc%2Fpasswd", "/v2/models/..%2f..%2fetc/infer", "/predictions/%2e%2e",
                 "/v2/models/m%00/infer"]:
        st, body, s = request(port, "POST", path, image)
        check("path traversal " + path, (st, s), [400, 404], 5, body)
    st, body, s = raw_exchange(port, b"GET /../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n")
    check("raw ../ path", (st, s), [400, 404, 401], 5, body)
    st, body, s = raw_exchange(port, b"GET /v2/health/live HTTP/1.1\r\nHost: x\r\nX-A: " + b"a" * 100_000 + b"\r\n\r\n")
    check("100 KB header", (st, s), [431, 400, None], 5, body)
    st, body, s = raw_exchange(port, b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + os.urandom(100))
    check("TLS hello to plain HTTP", (st, s), [400, None], 5, body)
    st, body, s = request(port, "POST", "/predictions/m", image, token=None)
    check("missing token", (st, s), [401], 5, body)
    st, body, s = request(port, "POST", "/predictions/m", image, token=TOKEN[:-1] + "X")
    check("wrong token", (st, s), [401], 5, body)
    st, body, s = request(port, "GET", "/metrics", token="")
    check("empty token on /metrics", (st, s), [401], 5, body)
    if forward:
        st, body, s = request(port, "POST", "/predictions/m", image)
        check("a good image still answers", (st, s), [200], 30, body)


def trickle_body(port):
    """Content-Length 1 MB, then 10 bytes a second for at most 20 s: the server must cut it off."""
    t = time.monotonic()
    with socket.create_connection((HOST, port), timeout=25) as s:
        s.sendall(b"POST /predictions/m HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN.encode()
                  + b"\r\nContent-Length: 1000000\r\n\r\n")
        s.settimeout(1)
        buf = b""
        for _ in range(20):
            try:
                s.sendall(b"0123456789")
            except OSError:
                break
            try:
                got = s.recv(65536)
                if not got:
                    break
                buf += got
                if b"\r\n\r\n" in buf:
                    break
            except socket.timeout:
                pass
            except OSError:
                break
    status, body = parse(buf)
    return status, body, time.monotonic() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights")
    ap.add_argument("--image", help="a real image to use where one is needed (default: a small generated PNG)")
    ap.add_argument("--port", type=int)
    ap.add_argument("--token", default=TOKEN)
    ap.add_argument("--leno", default=os.path.join(ROOT, "leno"))
    ap.add_argument("--skip-forward", action="store_true",
                    help="leave out the two cases a forward pass answers (for a machine whose forward is broken)")
    ap.add_argument("--serve-args", default="", help="more flags for leno serve, e.g. '--max-batch 4'")
    args = ap.parse_args()
    image = open(args.image, "rb").read() if args.image else small_png()
    proc = None
    if args.port is None:
        tmp = tempfile.mkdtemp(prefix="leno-serve-hostile-")
        token_file, port_file = os.path.join(tmp, "token"), os.path.join(tmp, "port")
        open(token_file, "w").write(TOKEN + "\n")
        proc = subprocess.Popen([args.leno, "serve", "--weights", "m=" + args.weights, "--host", HOST, "--port", "0",
                                 "--port-file", port_file, "--token-file", token_file, "--max-body-bytes", "4000000",
                                 "--timeout-ms", "10000"] + args.serve_args.split(), cwd=ROOT, stdout=open(os.path.join(tmp, "requests.log"), "w"),
                                stderr=open(os.path.join(tmp, "stderr.log"), "w"))
        for _ in range(6000):
            if os.path.exists(port_file) or proc.poll() is not None:
                break
            time.sleep(0.05)
        if proc.poll() is not None:
            sys.exit("leno serve ended: " + open(os.path.join(tmp, "stderr.log")).read()[-2000:])
        port = int(open(port_file).read())
        print("leno serve on 127.0.0.1:%d, logs in %s" % (port, tmp))
    else:
        port, globals()["TOKEN"] = args.port, args.token
    pid = proc.pid if proc else None
    rss_start = rss_mb(pid)
    prober = Prober(port)
    prober.start()
    cases(port, image, not args.skip_forward)
    held, closed = hold_connections(port, 1000, b"", 12, False)
    print("%-58s %s (held %d, closed by the server %d)" % ("1,000 idle connections for 12 s", "done", held, closed))
    held, closed = hold_connections(port, 1000, b"POST /predictions/m HTTP/1.1\r\nHost: x\r\nX-Slow: ", 15, True)
    print("%-58s %s (held %d, closed by the server %d)" % ("1,000 slowloris headers, a byte a second, 15 s", "done",
                                                           held, closed))
    if not args.skip_forward:
        st, body, s = request(port, "POST", "/predictions/m", image)
        check("a good image after the connection floods", (st, s), [200], 30, body)
    prober.stop.set()
    prober.join()
    ok = prober.failures == 0 and prober.worst < 2.0
    print("%-58s %-5s %d probes, %d failed, slowest %.2f s" % ("/v2/health/ready throughout", "ok" if ok else "FAIL",
                                                              prober.count, prober.failures, prober.worst))
    if not ok:
        FAILED.append("readiness")
    print("RSS: %.0f MB at the start, %.0f MB at the end" % (rss_start, rss_mb(pid)))
    if proc is not None:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=120)
        print("%-58s %-5s exit code %d" % ("SIGTERM", "ok" if code == 0 else "FAIL", code))
        if code != 0:
            FAILED.append("sigterm")
    print("failed: " + (", ".join(FAILED) if FAILED else "none"))
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
