"""fleetvpnd -t: the issue's example loads as written, and every bad
configuration is refused with FILE:LINE and a message naming the problem."""
import glob
import os
import re
import subprocess

import pytest

from conftest import DATA, EXAMPLE, FLEETVPND

BAD = sorted(glob.glob(os.path.join(DATA, "conf-bad", "*.conf")))
GOOD = sorted(glob.glob(os.path.join(DATA, "conf-good", "*.conf")))


def check(path):
    return subprocess.run([FLEETVPND, "-t", "-c", path], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=30)


def test_example_passes_as_written():
    path = os.path.join(DATA, "conf-good", "example-branch.conf")
    p = check(path)
    assert p.returncode == 0, p.stderr
    assert "configuration OK (1 tunnel)" in p.stdout


@pytest.mark.parametrize("path", GOOD, ids=os.path.basename)
def test_good_configs_pass(path):
    p = check(path)
    assert p.returncode == 0, p.stderr


def test_unknown_keyword_on_line_7(tmp_path):
    lines = EXAMPLE.format(hostname="branch-01", dir="/tmp").splitlines()
    lines.insert(6, "frobnicate on")
    path = tmp_path / "broken.conf"
    path.write_text("\n".join(lines) + "\n")
    p = check(str(path))
    assert p.returncode == 1
    first = p.stderr.splitlines()[0]
    assert first.startswith("%s:7: unknown keyword 'frobnicate'" % path), first


def test_at_least_25_bad_configs():
    assert len(BAD) >= 25


@pytest.mark.parametrize("path", BAD, ids=os.path.basename)
def test_bad_config_refused_with_line_and_message(path):
    with open(path) as f:
        m = re.match(r"# expect: (\d+): (.*)$", f.readline().rstrip("\n"))
    assert m, "first line must be '# expect: LINE: TEXT'"
    line, text = m.group(1), m.group(2)
    p = check(path)
    assert p.returncode == 1
    first = p.stderr.splitlines()[0]
    assert first.startswith("%s:%s: " % (path, line)), first
    assert text in first, first


def test_missing_file():
    p = check("/nonexistent/fleetvpnd.conf")
    assert p.returncode == 1
    assert "/nonexistent/fleetvpnd.conf: cannot open" in p.stderr


def test_daemon_refuses_to_start_on_bad_config(daemons):
    d = daemons("bad")
    d.write_conf(EXAMPLE.replace(" mtu 1400", " mtu 99999"))
    p = subprocess.run([FLEETVPND, "-f", "-c", d.conf], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=30)
    assert p.returncode == 1
    assert re.search(r"fleetvpnd\.conf:\d+: mtu", p.stderr), p.stderr
    assert "not started" in p.stderr
    assert not os.path.exists(d.socket)


def test_usage_errors():
    p = subprocess.run([FLEETVPND, "-x"], stderr=subprocess.PIPE, text=True)
    assert p.returncode == 2 and "usage:" in p.stderr
    p = subprocess.run([FLEETVPND, "extra"], stderr=subprocess.PIPE, text=True)
    assert p.returncode == 2
    p = subprocess.run([FLEETVPND, "-V"], stdout=subprocess.PIPE, text=True)
    assert p.returncode == 0 and p.stdout.startswith("fleetvpnd ")


def test_shipped_example_passes():
    p = check(os.path.join(DATA, "..", "..", "deploy", "fleetvpnd.conf.example"))
    assert p.returncode == 0, p.stderr
