"""fleetvpnd inside a router namespace of the test topology.

    def test_x(topology, fleets):
        br = fleets("br", BRANCH.format(...))
        br.wait_for(lambda: br.json("show", "ipsec", "sa")["created"] > 0)

The daemon runs in the namespace (its IKE sockets and TUN devices live
there); its control socket is a file in the test's directory, so the CLI
runs from the root namespace.  Every daemon is stopped by its PID when the
test ends, before the topology goes.
"""
import json
import os
import signal
import subprocess
import time

import pytest

from conftest import FLEETVPN, FLEETVPND, connectable, wait_for


class Fleet:
    def __init__(self, topo, ns, workdir, conf_text):
        self.topo = topo
        self.ns = ns
        self.dir = str(workdir)
        os.makedirs(self.dir, exist_ok=True)
        self.conf = os.path.join(self.dir, "fleetvpnd.conf")
        self.socket = os.path.join(self.dir, "ctl.sock")
        self.logpath = os.path.join(self.dir, "fleetvpnd.log")
        self.proc = None
        self.write_conf(conf_text)

    def write_conf(self, text):
        head = ("control socket %s\nstate-directory %s/state\n"
                "logging buffered 10000\n" % (self.socket, self.dir))
        with open(self.conf, "w") as f:
            f.write(head + text)

    def start(self, timeout=10.0):
        self.logf = open(self.logpath, "ab")
        self.proc = self.topo.popen(self.ns, FLEETVPND, "-f", "-c", self.conf,
                                    stdout=self.logf, stderr=self.logf)
        ok = wait_for(lambda: self.proc.poll() is not None or
                      connectable(self.socket), timeout)
        assert ok and self.proc.poll() is None, \
            "fleetvpnd did not start:\n" + self.log()
        return self

    def log(self):
        with open(self.logpath, errors="replace") as f:
            return f.read()

    def cli(self, *args, json_out=False, check=True):
        cmd = [FLEETVPN, "-s", self.socket] + (["--json"] if json_out else [])
        p = subprocess.run(cmd + list(args), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=30)
        if check and p.returncode != 0:
            raise AssertionError("fleetvpn %s: exit %d\n%s%s\n--- log\n%s" %
                                 (" ".join(args), p.returncode, p.stdout,
                                  p.stderr, self.log()[-4000:]))
        return p

    def json(self, *args):
        return json.loads(self.cli(*args, json_out=True).stdout)

    def wait_for(self, pred, timeout=15.0, what="condition"):
        if not wait_for(pred, timeout, 0.05):
            raise AssertionError("timed out waiting for %s\n--- log\n%s" %
                                 (what, self.log()[-6000:]))

    def ipsec_up(self, n=1):
        return self.json("show", "ipsec", "sa")["created"] >= n

    def ike_up(self, n=1):
        return self.json("show", "ike", "sa")["created"] >= n

    def stop(self, sig=signal.SIGTERM):
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        return self.topo.stop(self.proc, sig)


@pytest.fixture
def fleets(topology, tmp_path):
    """Factory: fleets("br", conf_text) starts fleetvpnd in that router
    namespace (conf_text without control socket and state directory, which
    the fixture adds).  All are stopped by PID at the end."""
    made = []

    def make(ns, conf_text, start=True, name=None):
        f = Fleet(topology, ns, tmp_path / ("fleet-" + (name or ns)),
                  conf_text)
        made.append(f)
        if start:
            f.start()
        return f

    try:
        yield make
    finally:
        for f in reversed(made):
            f.stop()
