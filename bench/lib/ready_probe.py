#!/usr/bin/env python3
"""The true ready time of a tunnel: an ICMP echo to PEER every 10 ms, from before the up command
starts, until the first reply. Run inside the node's network namespace, as root (raw socket).

    ready_probe.py --peer 198.19.1.1 --out FILE [--interval 0.01] [--timeout 900]

Send errors (no route yet, no interface yet) are expected: they are the tunnel not being ready.
While there is no route the probe does not spin: it sleeps on a netlink socket and sends again the
moment a link, address or route changes in the namespace (and at least once a second), so it
costs nothing while other protocols are measured and still sends within microseconds of the
tunnel's route appearing; from then on, every 10 ms. On the first echo reply from PEER carrying
this probe's identifier, writes {"peer", "firstReplyMs", "sentMs", "seq", "sent", "startedMs"}
(epoch milliseconds) to FILE and exits 0; exits 1 without writing when the timeout passes first.
"""

import argparse
import json
import os
import select
import signal
import socket
import struct
import sys
import time

ICMP_ECHO_REQUEST = 8
ICMP_ECHO_REPLY = 0
# rtnetlink multicast groups: links, IPv4 addresses, IPv4 routes
RTMGRP_LINK = 0x1
RTMGRP_IPV4_IFADDR = 0x10
RTMGRP_IPV4_ROUTE = 0x40
NO_ROUTE_RECHECK_S = 1.0


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def echo_request(ident: int, seq: int) -> bytes:
    payload = b"vpnlens-ready-probe"
    header = struct.pack("!BBHHH", ICMP_ECHO_REQUEST, 0, 0, ident, seq)
    return struct.pack("!BBHHH", ICMP_ECHO_REQUEST, 0, checksum(header + payload), ident, seq) + payload


def parse_reply(packet: bytes, ident: int):
    """The sequence number of an echo reply to this probe, or None."""
    ihl = (packet[0] & 0x0F) * 4
    if len(packet) < ihl + 8:
        return None
    kind, _code, _sum, reply_ident, seq = struct.unpack("!BBHHH", packet[ihl:ihl + 8])
    if kind != ICMP_ECHO_REPLY or reply_ident != ident:
        return None
    return seq


def now_ms() -> float:
    return time.time() * 1000.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--interval", type=float, default=0.01)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    sock.setblocking(False)
    changes = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    changes.bind((0, RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE))
    changes.setblocking(False)
    ident = os.getpid() & 0xFFFF
    started = time.monotonic()
    started_ms = now_ms()
    sent_at = {}
    seq = 0
    next_send = started
    while time.monotonic() - started < args.timeout:
        now = time.monotonic()
        if now >= next_send:
            seq = (seq + 1) & 0xFFFF
            sent_at[seq] = now_ms()
            try:
                sock.sendto(echo_request(ident, seq), (args.peer, 0))
                next_send += args.interval
                if next_send < now:
                    next_send = now + args.interval
            except OSError:
                # no route or no interface yet: not ready; wait for the namespace to change
                next_send = now + NO_ROUTE_RECHECK_S
        readable, _, _ = select.select([sock, changes], [], [], max(0.0, next_send - time.monotonic()))
        if changes in readable:
            while True:
                try:
                    changes.recv(65536)
                except BlockingIOError:
                    break
            next_send = min(next_send, time.monotonic())
        if sock not in readable:
            continue
        try:
            packet, (source, _port) = sock.recvfrom(2048)
        except OSError:
            continue
        reply_seq = parse_reply(packet, ident)
        if source != args.peer or reply_seq is None or reply_seq not in sent_at:
            continue
        result = {
            "peer": args.peer,
            "firstReplyMs": round(now_ms(), 3),
            "sentMs": round(sent_at[reply_seq], 3),
            "seq": reply_seq,
            "sent": len(sent_at),
            "startedMs": round(started_ms, 3),
        }
        tmp = args.out + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(result, f)
        os.replace(tmp, args.out)
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
