#!/usr/bin/env python3
"""A stand-in for the control plane's callback endpoint in the lab tests.

Stores every POST as OUT/<seq>.json (method, path, lower-cased headers, receive
time) plus OUT/<seq>.body (the raw body) and answers 200. It checks nothing
itself: the bats test verifies signatures and contents from the files.

    callback_receiver.py --bind 198.18.0.1 --port 5099 --out DIR
"""

import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 1 << 20  # the contract's 1 MiB cap


class Store:
    def __init__(self, out_dir: str) -> None:
        self.out_dir = out_dir
        self.lock = threading.Lock()
        self.seq = 0

    def save(self, meta: dict, body: bytes) -> None:
        with self.lock:
            self.seq += 1
            base = os.path.join(self.out_dir, f"{self.seq:04d}")
        with open(base + ".body", "wb") as f:
            f.write(body)
        # The .json appears last and atomically: a reader that sees it sees the body.
        tmp = base + ".json.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(meta, f, indent=1)
        os.replace(tmp, base + ".json")


def make_handler(store: Store):
    class Handler(BaseHTTPRequestHandler):
        server_version = "vpnlens-lab-receiver/1"

        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._answer(413, b'{"error":"too large"}')
                return
            body = self.rfile.read(length)
            meta = {
                "method": "POST",
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "receivedAt": time.time(),
            }
            store.save(meta, body)
            self._answer(200, b"{}")

        def _answer(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt: str, *args) -> None:
            sys.stderr.write("receiver: " + (fmt % args) + "\n")

    return Handler


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bind", default="198.18.0.1")
    parser.add_argument("--port", type=int, default=5099)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    server = ThreadingHTTPServer((args.bind, args.port), make_handler(Store(args.out)))
    sys.stderr.write(f"receiver: listening on {args.bind}:{args.port}, storing in {args.out}\n")
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
