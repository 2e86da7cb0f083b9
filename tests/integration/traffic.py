"""Traffic through the test topology: a checksum-verified TCP transfer
between the host namespaces, with a marker string in the payload that
must never appear on the outer link."""
import hashlib
import json
import subprocess
import sys

PY = "/usr/bin/python3"

SERVER = r'''
import hashlib, json, socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)   # and IPv4
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", int(sys.argv[1])))
s.listen(1)
print("ready", flush=True)
c, _ = s.accept()
h, n = hashlib.sha256(), 0
while True:
    b = c.recv(65536)
    if not b:
        break
    h.update(b)
    n += len(b)
print(json.dumps({"bytes": n, "sha256": h.hexdigest()}), flush=True)
'''

CLIENT = r'''
import socket, sys
block = (sys.argv[3] + "-").encode()
data = (block * (65536 // len(block) + 1))[:65536]
n = int(sys.argv[4])
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=30)
sent = 0
while sent < n:
    chunk = data[:min(len(data), n - sent)]
    c.sendall(chunk)
    sent += len(chunk)
c.shutdown(socket.SHUT_WR)
c.recv(1)
c.close()
'''


def payload(marker, size=65536):
    block = (marker + "-").encode()
    return (block * (size // len(block) + 1))[:size]


def tcp_transfer(topology, src_ns, dst_ns, dst_ip, nbytes,
                 marker="FLEETVPN-SECRET-MARKER", port=5201, timeout=120):
    """Send nbytes of marked data; returns (expected sha256, received
    dict {bytes, sha256})."""
    data = payload(marker)
    srv = topology.popen(dst_ns, PY, "-c", SERVER, str(port),
                         stdout=subprocess.PIPE, text=True)
    assert srv.stdout.readline().strip() == "ready"
    topology.run(src_ns, PY, "-c", CLIENT, dst_ip, str(port), marker,
                 str(nbytes), timeout=timeout)
    got = json.loads(srv.stdout.readline())
    srv.wait(timeout)
    h = hashlib.sha256()
    full, rest = divmod(nbytes, len(data))
    for _ in range(full):
        h.update(data)
    h.update(data[:rest])
    return h.hexdigest(), got


def marker_in_pcap(path, marker="FLEETVPN-SECRET-MARKER"):
    with open(path, "rb") as f:
        return marker.encode() in f.read()
