"""fleetvpnd as a process: start, query, several instances side by side,
reload (SIGHUP and CLI), debug levels, clean shutdown, detaching."""
import json
import os
import re
import signal
import stat
import subprocess
import time

from conftest import EXAMPLE, FLEETVPN, FLEETVPND, connectable, wait_for


def test_status_version_logging(daemon):
    out = daemon.cli("show", "status").stdout
    assert "fleetvpnd" in out and "on branch-01, pid %d" % daemon.pid in out
    assert "Tunnels: 1 configured, 0 up, 0 shutdown" in out
    assert "last load ok" in out
    assert re.search(r"Uptime is \d+s", out)
    st = daemon.json("show", "status")
    assert st["pid"] == daemon.pid and st["config"]["path"] == daemon.conf
    assert daemon.cli("show", "version").stdout.startswith("fleetvpnd ")
    log = daemon.cli("show", "logging").stdout
    assert "Logging buffered: 2000 entries" in log
    assert re.search(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z CFG\.001 config "
                     r"notice: configuration loaded from .*: 1 tunnel$", log,
                     re.M), log
    assert " DMN.002 daemon notice: fleetvpnd " in log
    assert "ike info" in log          # level from "logging level ike info"


def test_secrets_never_shown(daemon):
    for cmd in (["show", "running-config"], ["show", "status"],
                ["show", "logging"], ["show", "version"]):
        for j in (False, True):
            out = daemon.cli(*cmd, json_out=j).stdout
            assert "lab-only-psk" not in out, cmd
    run = daemon.cli("show", "running-config").stdout
    assert "pre-shared-key ********" in run
    assert "hostname branch-01" in run and "tunnel tun0" in run
    assert "lab-only-psk" not in daemon.log()


def test_json_for_every_show(daemon):
    for cmd in (["show", "status"], ["show", "version"],
                ["show", "running-config"], ["show", "logging"]):
        p = daemon.cli(*cmd, json_out=True)
        assert isinstance(json.loads(p.stdout), dict)


def test_abbreviations_and_unknown_commands(daemon):
    assert "hostname branch-01" in daemon.cli("sh", "run").stdout
    p = daemon.cli("show", "bogus", check=False)
    assert p.returncode == 2
    assert "unknown command" in p.stderr and "show running-config" in p.stderr
    p = daemon.cli("debug", "ike", check=False)
    assert p.returncode == 2 and "usage: debug" in p.stderr
    p = daemon.cli("debug", "nosuch", "info", check=False)
    assert p.returncode == 1 and "unknown subsystem 'nosuch'" in p.stderr
    p = subprocess.run([FLEETVPN], stderr=subprocess.PIPE, text=True)
    assert p.returncode == 2 and "usage:" in p.stderr
    p = subprocess.run([FLEETVPN, "help"], stdout=subprocess.PIPE, text=True)
    assert p.returncode == 0 and "show status" in p.stdout


def test_cli_finds_socket(daemon):
    p = subprocess.run([FLEETVPN, "-c", daemon.conf, "show", "status"],
                       stdout=subprocess.PIPE, text=True)
    assert p.returncode == 0 and "branch-01" in p.stdout
    env = dict(os.environ, FLEETVPN_SOCKET=daemon.socket)
    p = subprocess.run([FLEETVPN, "show", "status"], env=env,
                       stdout=subprocess.PIPE, text=True)
    assert p.returncode == 0 and "branch-01" in p.stdout


def test_cli_without_daemon(tmp_path):
    p = subprocess.run([FLEETVPN, "-s", str(tmp_path / "none.sock"), "show",
                        "status"], stderr=subprocess.PIPE, text=True)
    assert p.returncode == 3
    assert "cannot reach fleetvpnd" in p.stderr and "none.sock" in p.stderr


def test_socket_mode(daemon):
    assert stat.S_IMODE(os.stat(daemon.socket).st_mode) == 0o660
    assert stat.S_ISSOCK(os.stat(daemon.socket).st_mode)


def test_two_instances_side_by_side(daemons):
    a = daemons("branch-01").start()
    b = daemons("branch-02").start()
    assert "on branch-01," in a.cli("show", "status").stdout
    assert "on branch-02," in b.cli("show", "status").stdout
    # A third one on a's socket (its own pid file) must not steal it.
    c = daemons("intruder")
    c.write_conf(EXAMPLE.replace("control socket {dir}/ctl.sock",
                                 "control socket %s\npid-file {dir}/x.pid" %
                                 a.socket))
    c.start(wait=False)
    assert c.proc.wait(10) == 1
    assert "in use by a running fleetvpnd" in c.log()
    assert "on branch-01," in a.cli("show", "status").stdout


def test_same_pid_file_refused(daemons):
    a = daemons("one").start()
    b = daemons("two")
    b.write_conf(EXAMPLE.replace("state-directory {dir}/state",
                                 "state-directory {dir}/state\npid-file %s" %
                                 os.path.join(a.dir, "ctl.pid")))
    b.start(wait=False)
    assert b.proc.wait(10) == 1
    assert "already running (pid %d)" % a.pid in b.log()


def test_reload_with_broken_file_keeps_running_config(daemon):
    before = daemon.cli("show", "running-config").stdout
    good = open(daemon.conf).read()
    with open(daemon.conf, "a") as f:
        f.write("tunnel tun1\n peer nosuchpeer\n")
    os.kill(daemon.pid, signal.SIGHUP)
    assert wait_for(lambda: "CFG.003" in daemon.cli("show", "logging").stdout)
    log = daemon.cli("show", "logging").stdout
    assert re.search(r"CFG\.002 config error: %s:\d+: " % re.escape(daemon.conf),
                     log), log
    assert "reload (SIGHUP) rejected" in log and "running configuration kept" in log
    assert daemon.cli("show", "running-config").stdout.splitlines()[1:] == \
        before.splitlines()[1:]
    st = daemon.json("show", "status")["config"]
    assert st["last_result"] == "failed" and st["error_count"] >= 1
    # The CLI's reload reports the errors and fails.
    p = daemon.cli("reload", check=False)
    assert p.returncode == 1 and "running configuration kept" in p.stderr
    assert daemon.conf + ":" in p.stderr
    # Fixed: the reload applies, and status says so.
    with open(daemon.conf, "w") as f:
        f.write(good.replace("logging level ike info", "logging level ike debug"))
    out = daemon.cli("reload").stdout
    assert "logging level ike debug (was info)" in out
    assert daemon.json("show", "status")["config"]["last_result"] == "ok"
    assert daemon.proc.poll() is None


def test_reload_path_change_needs_restart(daemon):
    text = open(daemon.conf).read().replace("ctl.sock", "other.sock")
    open(daemon.conf, "w").write(text)
    out = daemon.cli("reload").stdout
    assert "takes effect at restart" in out
    assert connectable(daemon.socket)
    assert "ctl.sock" in daemon.cli("show", "running-config").stdout


def test_debug_levels(daemon):
    out = daemon.cli("debug", "ike", "debug").stdout
    assert "ike log level is now debug" in out
    assert "ike debug (debug)" in daemon.cli("show", "logging").stdout
    daemon.cli("debug", "all", "warn")
    lv = {l["subsystem"]: l for l in daemon.json("show", "logging")["levels"]}
    assert lv["ike"]["level"] == "warn" and lv["ike"]["debug_override"]
    daemon.cli("debug", "all", "default")
    lv = {l["subsystem"]: l for l in daemon.json("show", "logging")["levels"]}
    assert lv["ike"]["level"] == "info" and lv["esp"]["level"] == "notice"
    assert not lv["ike"]["debug_override"]


def test_show_logging_filters(daemon):
    daemon.cli("debug", "ike", "debug")
    entries = daemon.json("show", "logging", "last", "2")["entries"]
    assert len(entries) == 2
    assert entries[-1]["seq"] > entries[0]["seq"]
    entries = daemon.json("show", "logging", "log")["entries"]
    assert entries and all(e["subsystem"] == "log" for e in entries)
    daemon.cli("clear", "logging")
    entries = daemon.json("show", "logging")["entries"]
    assert [e["code"] for e in entries[:1]] == ["LOG.003"]


def test_sigterm_clean_shutdown(daemon):
    pidfile = os.path.join(daemon.dir, "ctl.pid")
    assert open(pidfile).read().strip() == str(daemon.pid)
    assert daemon.stop() == 0
    assert not os.path.exists(daemon.socket)
    assert not os.path.exists(pidfile)
    assert "DMN.003 daemon notice: stopping on Terminated" in daemon.log()
    assert "DMN.004" in daemon.log()


def test_detached_start_and_stop(daemons):
    d = daemons("bg")
    d.write_conf()
    p = subprocess.run([FLEETVPND, "-c", d.conf], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    pid = int(open(os.path.join(d.dir, "ctl.pid")).read())
    try:
        assert connectable(d.socket)     # ready before the parent returned
        assert d.json("show", "status")["pid"] == pid
        # A second detached start reports the failure through the parent.
        p = subprocess.run([FLEETVPND, "-c", d.conf], stderr=subprocess.PIPE,
                           text=True, timeout=30)
        assert p.returncode == 1 and "already running (pid %d)" % pid in p.stderr
    finally:
        os.kill(pid, signal.SIGTERM)
    assert wait_for(lambda: not os.path.exists(d.socket))
    assert wait_for(lambda: not os.path.exists("/proc/%d" % pid) or
                    open("/proc/%d/stat" % pid).read().split()[2] == "Z")


def test_stale_socket_and_pidfile_taken_over(daemons):
    d = daemons("stale").start()
    os.kill(d.pid, signal.SIGKILL)
    d.proc.wait()
    assert os.path.exists(d.socket)      # left behind by the crash
    d.start()
    assert "on stale," in d.cli("show", "status").stdout
