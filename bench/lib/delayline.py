#!/usr/bin/env python3
"""A user-space delay line between two network namespaces (these kernels have neither netem nor fq): a TUN device
in each namespace, and this relay holding every packet for DELAY_MS/2 in each direction before writing it to the
other side, so the round trip gains DELAY_MS. Packets are kept in order (a FIFO per direction: the delay is
constant), nothing is dropped here; queuing and shaping happen in the kernels' qdiscs (bench/citizenship puts
tbf on the server's TUN device). Stdlib only.

usage: delayline.py NS_A TUN_A NS_B TUN_B DELAY_MS [--ready FILE]
Creates TUN_A in NS_A and TUN_B in NS_B (addresses and routes are the caller's), writes FILE when it is up, and runs
until SIGTERM. The caller verifies the delay with ping.
"""
import collections
import ctypes
import fcntl
import os
import select
import signal
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)


def setns(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, f"setns {path}: {os.strerror(e)}")
    finally:
        os.close(fd)


def open_tun(ns, name):
    """Opens (creating) TUN device `name` inside network namespace `ns`; the descriptor keeps working afterwards."""
    setns(f"/run/netns/{ns}")
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def main():
    args = sys.argv[1:]
    ready = None
    if "--ready" in args:
        i = args.index("--ready")
        ready = args[i + 1]
        del args[i:i + 2]
    ns_a, tun_a, ns_b, tun_b, delay_ms = args
    one_way = float(delay_ms) / 2000.0
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    a = open_tun(ns_a, tun_a)
    b = open_tun(ns_b, tun_b)
    libc.setns(home, CLONE_NEWNET)
    other = {a: b, b: a}
    queues = {a: collections.deque(), b: collections.deque()}   # packets waiting to be written to that fd
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    if ready:
        with open(ready, "w") as f:
            f.write(str(os.getpid()))
    poll = select.epoll()
    poll.register(a, select.EPOLLIN)
    poll.register(b, select.EPOLLIN)
    while not stop:
        now = time.monotonic()
        due = min((q[0][0] for q in queues.values() if q), default=None)
        timeout = -1 if due is None else max(0.0, due - now)
        try:
            events = poll.poll(timeout if timeout >= 0 else 0.5)
        except InterruptedError:
            continue
        now = time.monotonic()
        for fd, _ in events:
            # Drain what is there: each packet leaves one_way from now.
            for _ in range(256):
                try:
                    pkt = os.read(fd, 65536)
                except BlockingIOError:
                    break
                queues[other[fd]].append((now + one_way, pkt))
        now = time.monotonic()
        for fd, q in queues.items():
            while q and q[0][0] <= now:
                try:
                    os.write(fd, q.popleft()[1])
                except BlockingIOError:
                    break   # the kernel's input queue is full: a drop, as a wire would have
                except OSError:
                    pass


if __name__ == "__main__":
    main()
