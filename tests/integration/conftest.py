"""Fixtures for the integration tests: real fleetvpnd processes, each with
its own directory, configuration and control socket, driven through the
real fleetvpn CLI.  Every process a test starts is stopped by its PID when
the test ends, whatever the outcome."""
import json
import os
import signal
import socket
import subprocess
import time

import pytest

# Network-namespace topology and strongSwan peer fixtures (docs/testing.md)
from netns import connectable  # noqa: E402,F401
from netns import topology  # noqa: E402,F401
from strongswan import charons  # noqa: E402,F401

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("FLEETVPN_BUILD", os.path.join(TOP, "build", "release"))
FLEETVPND = os.path.join(BUILD, "fleetvpnd")
FLEETVPN = os.path.join(BUILD, "fleetvpn")
DATA = os.path.join(TOP, "tests", "data")

# The demo's branch-router configuration (the foundation issue's example
# with the run-time paths of a test instance), as a format string.
with open(os.path.join(TOP, "demo", "branch.conf.in")) as _f:
    EXAMPLE = (_f.read().replace("{", "{{").replace("}", "}}")
               .replace("@DIR@", "{dir}").replace("@HOSTNAME@", "{hostname}"))


def wait_for(pred, timeout=10.0, step=0.02):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


class Daemon:
    def __init__(self, tmp_path, name):
        self.name = name
        self.dir = str(tmp_path / name)
        os.makedirs(self.dir, exist_ok=True)
        self.conf = os.path.join(self.dir, "fleetvpnd.conf")
        self.socket = os.path.join(self.dir, "ctl.sock")
        self.stderr_path = os.path.join(self.dir, "stderr.log")
        self.proc = None
        self.pid = None

    def write_conf(self, text=None, **kw):
        if text is None:
            text = EXAMPLE
        kw.setdefault("hostname", self.name)
        kw.setdefault("dir", self.dir)
        with open(self.conf, "w") as f:
            f.write(text.format(**kw))

    def start(self, wait=True):
        if not os.path.exists(self.conf):
            self.write_conf()
        self.stderr = open(self.stderr_path, "ab")
        self.proc = subprocess.Popen([FLEETVPND, "-f", "-c", self.conf],
                                     stdin=subprocess.DEVNULL,
                                     stdout=self.stderr, stderr=self.stderr)
        self.pid = self.proc.pid
        if wait:
            ok = wait_for(lambda: self.proc.poll() is not None or
                          connectable(self.socket))
            assert ok and self.proc.poll() is None, \
                "fleetvpnd did not start: " + self.log()
        return self

    def log(self):
        with open(self.stderr_path, errors="replace") as f:
            return f.read()

    def cli(self, *args, json_out=False, check=True, socket_path=None,
            timeout=30):
        cmd = [FLEETVPN, "-s", socket_path or self.socket]
        if json_out:
            cmd.append("--json")
        p = subprocess.run(cmd + list(args), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=timeout)
        if check and p.returncode != 0:
            raise AssertionError("fleetvpn %s: exit %d\n%s%s" % (
                " ".join(args), p.returncode, p.stdout, p.stderr))
        return p

    def json(self, *args):
        return json.loads(self.cli(*args, json_out=True).stdout)

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        os.kill(self.pid, sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.pid, signal.SIGKILL)
            self.proc.wait()
            raise AssertionError("fleetvpnd ignored signal %d" % sig)


@pytest.fixture
def daemons(tmp_path):
    """Factory: daemons("br") makes a Daemon; all are stopped afterwards."""
    made = []

    def make(name="fleetvpn-test"):
        d = Daemon(tmp_path, name)
        made.append(d)
        return d

    yield make
    for d in made:
        if d.proc is not None and d.proc.poll() is None:
            os.kill(d.pid, signal.SIGKILL)
            d.proc.wait()


@pytest.fixture
def daemon(daemons):
    return daemons("branch-01").start()


# fleetvpnd in a namespace; imported last: it uses the helpers above.
from fleet import fleets  # noqa: E402,F401
