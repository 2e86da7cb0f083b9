"""The control socket under malformed, oversized and abusive clients: each
gets a clear error (or is dropped), is counted, and the daemon keeps
serving everybody else."""
import json
import socket
import struct
import time

import pytest

from conftest import wait_for


def frame(body, typ=1, magic=b"FV", version=1, length=None):
    if isinstance(body, str):
        body = body.encode()
    n = len(body) if length is None else length
    return magic + bytes([version, typ]) + struct.pack(">I", n) + body


def request(argv):
    return frame(json.dumps({"argv": argv}))


def connect(daemon):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(daemon.socket)     # blocking: waits while the backlog is full
    s.settimeout(10)
    return s


def read_frame(s):
    hdr = b""
    while len(hdr) < 8:
        chunk = s.recv(8 - len(hdr))
        if not chunk:
            return None, None
        hdr += chunk
    assert hdr[:3] == b"FV\x01"
    n = struct.unpack(">I", hdr[4:])[0]
    body = b""
    while len(body) < n:
        chunk = s.recv(n - len(body))
        assert chunk
        body += chunk
    return hdr[3], json.loads(body)


def closed(s):
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True


MALFORMED = [
    ("bad magic", frame("{}", magic=b"XX"), "bad magic"),
    ("bad version", frame("{}", version=7), "unsupported protocol version"),
    ("reply type", frame("{}", typ=2), "not a request"),
    ("unknown type", frame("{}", typ=9), "unknown message type"),
    ("oversized", frame(b"", length=100000), "request too large (100000 bytes"),
    ("bad json", frame('{"argv": [show]}'), "bad JSON"),
    ("not an object", frame('["show"]'), 'no "argv" array'),
    ("argv not array", frame('{"argv": "show status"}'), 'no "argv" array'),
    ("empty argv", frame('{"argv": []}'), "1 to 32 words"),
    ("too many words", request(["x"] * 33), "1 to 32 words"),
    ("word too long", request(["show", "a" * 300]), "at most 256 bytes"),
    ("number word", frame('{"argv": ["show", 5]}'), "non-empty strings"),
    ("empty word", request(["show", ""]), "non-empty strings"),
    ("nul in word", frame('{"argv": ["show\\u0000", "status"]}'),
     "non-empty strings"),
    ("deep nesting", frame('{"argv": ' + "[" * 100 + "]" * 100 + "}"),
     "nested too deeply"),
    ("trailing junk", frame('{"argv": ["show", "status"]} x'), "trailing data"),
]


@pytest.mark.parametrize("name,data,why", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_request(daemon, name, data, why):
    before = daemon.json("show", "status")["control"]["malformed"]
    s = connect(daemon)
    s.sendall(data)
    typ, body = read_frame(s)
    assert typ == 3
    assert body["error"] == "malformed request"
    assert why in body["reason"], body
    assert closed(s)
    s.close()
    st = daemon.json("show", "status")["control"]
    assert st["malformed"] == before + 1
    log = daemon.cli("show", "logging", "control").stdout
    assert "CTL.002 control warn: malformed control request" in log
    assert daemon.proc.poll() is None


def test_pipelined_requests(daemon):
    s = connect(daemon)
    s.sendall(request(["show", "version"]) + request(["sh", "st"]) +
              request(["show", "nothing"]))
    t1, b1 = read_frame(s)
    t2, b2 = read_frame(s)
    t3, b3 = read_frame(s)
    assert (t1, t2, t3) == (2, 2, 3)
    assert b1["name"] == "fleetvpnd" and b2["hostname"] == "branch-01"
    assert b3["error"] == "unknown command" and b3["command"] == "show nothing"
    # The connection stays usable after an unknown command.
    s.sendall(request(["show", "version"]))
    assert read_frame(s)[0] == 2
    s.close()


def test_request_split_in_pieces(daemon):
    data = request(["show", "status"])
    s = connect(daemon)
    for i in range(len(data)):
        s.send(data[i:i + 1])
        time.sleep(0.001)
    typ, body = read_frame(s)
    assert typ == 2 and body["hostname"] == "branch-01"
    s.close()


def test_truncated_then_closed(daemon):
    for cut in (3, 8, 20):
        s = connect(daemon)
        s.sendall(request(["show", "status"])[:cut])
        s.close()
    # The daemon sees the closes in its own time; only this call remains.
    assert wait_for(lambda: daemon.json("show", "status")["control"][
        "clients"] == 1, timeout=5)


def test_client_limit(daemon):
    socks = [connect(daemon) for _ in range(70)]
    time.sleep(0.3)
    # The daemon still answers (through a freed slot) and counts refusals.
    for s in socks:
        s.close()
    time.sleep(0.3)
    st = daemon.json("show", "status")["control"]
    assert st["refused"] >= 6
    assert "CTL.005" in daemon.cli("show", "logging", "control").stdout


def test_slow_client_does_not_block_others(daemon):
    slow = connect(daemon)
    slow.sendall(b"FV\x01")        # a partial header, then silence
    t0 = time.monotonic()
    assert "branch-01" in daemon.cli("show", "status").stdout
    assert time.monotonic() - t0 < 5
    slow.close()


def test_large_reply(daemon):
    daemon.cli("debug", "all", "debug")
    for _ in range(30):
        daemon.cli("debug", "all", "debug")
    body = daemon.json("show", "logging")
    assert len(body["entries"]) > 300
