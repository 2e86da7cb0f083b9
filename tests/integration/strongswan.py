"""strongSwan charon (Debian 12, 5.9.8, kernel-libipsec) as an IKEv1 test
peer inside a Topology router namespace.

Each Charon runs /usr/lib/ipsec/charon in its router's network namespace
AND in a private mount namespace where a per-instance directory is bound
over /run: the Debian build hard-codes /var/run/charon.pid, so a second
charon would otherwise refuse to start, and the vici socket lands in that
directory too (swanctl reaches it with --uri unix://DIR/charon.vici).
Everything charon reads is generated here: a stand-alone strongswan.conf
(STRONGSWAN_CONF; /etc/strongswan.* is not read) and a swanctl.conf built
from Conn/Child objects.  See docs/testing.md.
"""
import os
import shutil
import signal
import subprocess
import tempfile

import pytest

import netns
from netns import connectable, wait_until

CHARON = "/usr/lib/ipsec/charon"
SWANCTL = "/usr/sbin/swanctl"
PSK = "lab-only-psk-not-secret-0123456789"

# kernel-libipsec BEFORE kernel-netlink: userspace ESP (TUN ipsec0) wins
# over XFRM (this kernel has no ESP); kernel-netlink still does addresses
# and routes.  openssl covers AES/SHA/MODP/ECP, gcm the AEAD wrapper.
PLUGINS = ("random nonce openssl hmac gcm kernel-libipsec kernel-netlink "
           "socket-default vici")

LOG_LEVELS = {"default": 1, "ike": 2, "knl": 2, "cfg": 2, "enc": 2,
              "net": 1, "esp": 1}


# -- swanctl.conf model -------------------------------------------------------
def _dur(v):
    return "%ds" % v if isinstance(v, int) else str(v)


def _val(v):
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (list, tuple)):
        return ",".join(str(x) for x in v)
    return str(v)


def _quote(s):
    return '"%s"' % str(s).replace("\\", "\\\\").replace('"', '\\"')


def fqdn(name):
    """FQDN identity (ID_FQDN) in strongSwan syntax."""
    return "fqdn:" + name


def user_fqdn(name):
    """user@FQDN identity (ID_USER_FQDN)."""
    return "email:" + name


def keyid(value):
    """KEY_ID identity; bytes or hex string ("#..."), else the raw text."""
    if isinstance(value, bytes):
        return "keyid:#" + value.hex()
    return "keyid:" + value


class Child:
    """One children.<name> section.  Durations: int seconds or "30m"."""

    def __init__(self, name, local_ts, remote_ts, esp_proposals="aes128-sha1",
                 mode="tunnel", start_action="none", dpd_action=None,
                 close_action=None, rekey_time=None, life_time=None,
                 rand_time=None, rekey_bytes=None, life_bytes=None,
                 rekey_packets=None, life_packets=None, **extra):
        self.name = name
        self.opts = {
            "local_ts": local_ts, "remote_ts": remote_ts,
            "esp_proposals": esp_proposals, "mode": mode,
            "start_action": start_action, "dpd_action": dpd_action,
            "close_action": close_action,
            "rekey_time": rekey_time, "life_time": life_time,
            "rand_time": rand_time, "rekey_bytes": rekey_bytes,
            "life_bytes": life_bytes, "rekey_packets": rekey_packets,
            "life_packets": life_packets,
        }
        self.opts.update(extra)

    def render(self, ind):
        out = ["%s%s {" % (ind, self.name)]
        for k, v in self.opts.items():
            if v is None:
                continue
            if k.endswith("_time"):
                v = _dur(v)
            out.append("%s    %s = %s" % (ind, k, _val(v)))
        out.append(ind + "}")
        return out


class Conn:
    """One connections.<name> section plus its PSK in secrets.  IDs are
    strongSwan identity strings: an address, fqdn("x"), keyid(b"..")."""

    def __init__(self, name, local_addrs, remote_addrs, children=(),
                 local_id=None, remote_id=None, psk=PSK, version=1,
                 aggressive=False, proposals="aes128-sha1-modp2048",
                 dpd_delay=None, dpd_timeout=None, rekey_time=None,
                 reauth_time=None, over_time=None, rand_time=None,
                 encap=None, fragmentation=None, keyingtries=None,
                 unique=None, local_port=None, remote_port=None, **extra):
        self.name = name
        self.children = list(children)
        self.local_id = local_id if local_id is not None else local_addrs
        self.remote_id = remote_id if remote_id is not None else remote_addrs
        self.psk = psk
        self.opts = {
            "version": version, "local_addrs": local_addrs,
            "remote_addrs": remote_addrs, "local_port": local_port,
            "remote_port": remote_port, "aggressive": aggressive,
            "proposals": proposals, "dpd_delay": dpd_delay,
            "dpd_timeout": dpd_timeout, "rekey_time": rekey_time,
            "reauth_time": reauth_time, "over_time": over_time,
            "rand_time": rand_time, "encap": encap,
            "fragmentation": fragmentation, "keyingtries": keyingtries,
            "unique": unique,
        }
        self.opts.update(extra)

    def child(self, name=None):
        if name is None:
            return self.children[0]
        return next(c for c in self.children if c.name == name)

    def render(self):
        out = ["    %s {" % self.name]
        for k, v in self.opts.items():
            if v is None:
                continue
            if k.endswith("_time") or k in ("dpd_delay", "dpd_timeout"):
                v = _dur(v)
            out.append("        %s = %s" % (k, _val(v)))
        for side, ident in (("local", self.local_id),
                            ("remote", self.remote_id)):
            out += ["        %s {" % side,
                    "            auth = psk",
                    "            id = %s" % _quote(ident),
                    "        }"]
        out.append("        children {")
        for c in self.children:
            out += c.render(" " * 12)
        out += ["        }", "    }"]
        return out


def render_swanctl(conns):
    out = ["# generated by tests/integration/strongswan.py", "connections {"]
    for c in conns:
        out += c.render()
    out += ["}", "secrets {"]
    for c in conns:
        if c.psk is None:
            continue
        out += ["    ike-%s {" % c.name,
                "        id-local = %s" % _quote(c.local_id),
                "        id-remote = %s" % _quote(c.remote_id),
                "        secret = %s" % _quote(c.psk),
                "    }"]
    out.append("}")
    return "\n".join(out) + "\n"


def render_strongswan_conf(logfile, settings=None, log_levels=None):
    """Stand-alone strongswan.conf (no include of /etc/strongswan.d).
    settings: extra charon.* options, e.g. {"retransmit_tries": 2}; a dict
    value becomes a subsection."""
    levels = dict(LOG_LEVELS)
    levels.update(log_levels or {})
    charon = {
        "load": PLUGINS,
        # PSK + Aggressive Mode as responder is refused without this
        "i_dont_care_about_security_and_use_aggressive_mode_psk": "yes",
        "install_routes": "yes",
        "routing_table": 220,
        "routing_table_prio": 220,
        # defaults, spelled out: fleetvpnd tests use the same ports
        "port": 500,
        "port_nat_t": 4500,
    }
    charon.update(settings or {})

    def section(name, d, ind):
        lines = ["%s%s {" % (ind, name)]
        for k, v in d.items():
            if isinstance(v, dict):
                lines += section(k, v, ind + "    ")
            else:
                lines.append("%s    %s = %s" % (ind, k, _val(v)))
        lines.append(ind + "}")
        return lines

    filelog = {"charon": dict({"path": logfile, "time_format": "%b %e %T",
                               "ike_name": "yes", "append": "no",
                               "flush_line": "yes"}, **levels)}
    charon["filelog"] = filelog
    # keep the host's syslog clean
    charon["syslog"] = {"daemon": {"default": -1}}
    plugins = charon.setdefault("plugins", {})
    plugins.setdefault("kernel-libipsec", {}).setdefault("allow_peer_ts",
                                                          "no")
    lines = ["# generated by tests/integration/strongswan.py"]
    lines += section("charon", charon, "")
    # swanctl reads this file too: keep it from loading (and complaining
    # about) the default plugin list; PSK loading needs no crypto plugin
    lines += section("swanctl", {"load": "random"}, "")
    return "\n".join(lines) + "\n"


# -- swanctl output -----------------------------------------------------------
def parse_pretty(text):
    """Parse `swanctl ... --pretty` (vici messages pretty-printed: "name {",
    "}", "key = value", "key = [" items "]") into a list of
    (message-name, dict).  Values stay strings; lists become lists."""
    msgs = []
    stack = []
    cur_list = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if cur_list is not None:
            if line == "]":
                cur_list = None
            else:
                cur_list.append(line)
            continue
        if line.endswith("{") and " = " not in line:
            d = {}
            name = line[:-1].strip()
            if stack:
                stack[-1][name] = d
            else:
                msgs.append((name, d))
            stack.append(d)
        elif line == "}":
            if stack:
                stack.pop()
        elif " = " in line and stack:
            k, v = line.split(" = ", 1)
            if v == "[":
                cur_list = []
                stack[-1][k.strip()] = cur_list
            else:
                stack[-1][k.strip()] = v
        elif line.endswith("=") and stack:      # empty value
            stack[-1][line[:-1].strip()] = ""
        # anything else (log lines) is ignored
    return msgs


def sas_from_pretty(text):
    """list-sa events -> list of IKE SA dicts: the vici keys (dashes, e.g.
    "initiator-spi", "encr-alg") plus "name" and "children" (list of CHILD
    SA dicts with "name" = config name and "id" = "name-uniqueid")."""
    sas = []
    for msg, body in parse_pretty(text):
        if msg != "list-sa event":
            continue
        for name, sa in body.items():
            sa = dict(sa)
            sa["name"] = name
            children = []
            for cid, ch in (sa.pop("child-sas", None) or {}).items():
                ch = dict(ch)
                ch["id"] = cid
                ch.setdefault("name", cid.rsplit("-", 1)[0])
                children.append(ch)
            sa["children"] = children
            sas.append(sa)
    return sas


# -- the daemon ---------------------------------------------------------------
class Charon:
    """One charon in topology namespace `ns`.  workdir keeps strongswan.conf,
    swanctl.conf, charon.log (filelog) and charon.stderr for post-mortems;
    the /run replacement (pid file, vici socket) is a short temp dir
    because unix socket paths are limited to 107 bytes."""

    def __init__(self, topo, ns, workdir, conns=(), settings=None,
                 log_levels=None, name=None):
        self.topo = topo
        self.ns = ns
        self.name = name or topo.role(ns)
        self.workdir = os.path.abspath(str(workdir))
        if self.workdir == "/run" or self.workdir.startswith(("/run/",
                                                               "/var/run/")):
            raise ValueError("workdir must not be under /run: charon's /run "
                             "is replaced by its own directory")
        os.makedirs(self.workdir, exist_ok=True)
        self.conns = list(conns)
        self.settings = dict(settings or {})
        self.log_levels = log_levels
        self.conf = os.path.join(self.workdir, "strongswan.conf")
        self.swanctl_conf = os.path.join(self.workdir, "swanctl.conf")
        self.logfile = os.path.join(self.workdir, "charon.log")
        self.stderr_path = os.path.join(self.workdir, "charon.stderr")
        self.rundir = None
        self.vici = None
        self.proc = None
        self.pid = None

    def __repr__(self):
        return "<Charon %s in %s pid %s>" % (self.name, self.topo.name(
            self.ns), self.pid)

    def add(self, *conns):
        self.conns += conns
        return self

    def conn(self, name):
        return next(c for c in self.conns if c.name == name)

    def write_config(self):
        with open(self.conf, "w") as f:
            f.write(render_strongswan_conf(self.logfile, self.settings,
                                           self.log_levels))
        with open(self.swanctl_conf, "w") as f:
            f.write(render_swanctl(self.conns))

    def start(self, timeout=10.0):
        self.write_config()
        self.rundir = tempfile.mkdtemp(prefix="fvss-%s-" % self.name,
                                       dir="/tmp")
        self.vici = os.path.join(self.rundir, "charon.vici")
        err = open(self.stderr_path, "ab")
        self.proc = self.topo.popen(
            self.ns, "unshare", "-m", "--propagation", "private", "sh", "-c",
            'mount --bind "$1" /run && exec env STRONGSWAN_CONF="$2" "$3"',
            "sh", self.rundir, self.conf, CHARON,
            stdout=err, stderr=subprocess.STDOUT)
        err.close()
        # ip netns exec, unshare, sh and env all exec: this is charon's PID
        self.pid = self.proc.pid

        def ready():
            if self.proc.poll() is not None:
                raise AssertionError("charon %s exited %s:\n%s\n%s" % (
                    self.name, self.proc.returncode, self.stderr(),
                    self.log()[-3000:]))
            return connectable(self.vici)
        wait_until(ready, timeout, 0.01, "charon %s's vici socket" %
                   self.name)
        pidfile = os.path.join(self.rundir, "charon.pid")

        def pid_written():
            # created first, written after: empty for a moment
            with open(pidfile) as f:
                return f.read().split()

        if os.path.exists(pidfile):
            got = int(wait_until(pid_written, timeout, 0.01,
                                 "charon's pid file")[0])
            assert got == self.pid, "charon pid %d, expected %d" % (
                got, self.pid)
        return self

    def stderr(self):
        try:
            with open(self.stderr_path, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def log(self):
        """The instance's charon.log (filelog, ike/knl/cfg/enc level 2)."""
        try:
            with open(self.logfile, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def swanctl(self, *args, check=True, timeout=30):
        cmd = [SWANCTL] + [str(a) for a in args] + ["--uri",
                                                    "unix://" + self.vici]
        env = dict(os.environ, STRONGSWAN_CONF=self.conf)
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True,
                               errors="replace", timeout=timeout, env=env,
                               stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as e:
            raise AssertionError("timed out after %ss: %s\n--- charon %s log "
                                 "tail\n%s" % (timeout, " ".join(cmd),
                                               self.name, self.log()[-4000:])
                                 ) from e
        if check and p.returncode != 0:
            raise AssertionError(
                "exit %d: %s\n--- stdout\n%s--- stderr\n%s--- charon %s log "
                "tail\n%s" % (p.returncode, " ".join(cmd), p.stdout, p.stderr,
                              self.name, self.log()[-4000:]))
        return p

    def load(self, conns=None):
        """(Re)write swanctl.conf and load connections and secrets."""
        if conns is not None:
            self.conns = list(conns)
        self.write_config()
        # --load-all also tries the credential folders next to the file
        # ("opening directory ... failed"): harmless, so load just these.
        self.swanctl("--load-conns", "--file", self.swanctl_conf)
        self.swanctl("--load-creds", "--noprompt", "--clear", "--file",
                     self.swanctl_conf)
        return self

    def initiate(self, ike=None, child=None, timeout=20, check=True):
        """swanctl --initiate (blocks until established or failed)."""
        args = ["--initiate", "--timeout", str(int(timeout))]
        if child is None and ike is not None:
            child = self.conn(ike).child().name
        if ike:
            args += ["--ike", ike]
        if child:
            args += ["--child", child]
        return self.swanctl(*args, check=check, timeout=timeout + 10)

    def terminate(self, ike=None, child=None, timeout=10, force=False,
                  check=True):
        args = ["--terminate", "--timeout", str(int(timeout))]
        if ike:
            args += ["--ike", ike]
        if child:
            args += ["--child", child]
        if force:
            args.append("--force")
        return self.swanctl(*args, check=check, timeout=timeout + 10)

    def list_sas(self, ike=None):
        """Current IKE SAs as dicts (see sas_from_pretty)."""
        args = ["--list-sas", "--pretty", "--noblock"]
        if ike:
            args += ["--ike", ike]
        return sas_from_pretty(self.swanctl(*args).stdout)

    def ike_sa(self, ike):
        """The ESTABLISHED IKE SA of conn `ike`, or None."""
        for sa in self.list_sas(ike):
            if sa["name"] == ike and sa.get("state") == "ESTABLISHED":
                return sa
        return None

    def wait_for(self, predicate, timeout=10.0, what=None, step=0.05):
        """Poll predicate(list_sas()) until true; returns its value."""
        return wait_until(lambda: predicate(self.list_sas()), timeout, step,
                          what and "%s on charon %s (log: %s)" % (
                              what, self.name, self.logfile))

    def wait_established(self, ike, child=None, timeout=10.0):
        """Wait until IKE SA `ike` is ESTABLISHED with CHILD SA `child` (the
        conn's first child by default) INSTALLED; returns (sa, child_sa)."""
        if child is None:
            child = self.conn(ike).child().name

        def up(sas):
            for sa in sas:
                if sa["name"] != ike or sa.get("state") != "ESTABLISHED":
                    continue
                for ch in sa["children"]:
                    if ch["name"] == child and ch.get("state") == "INSTALLED":
                        return sa, ch
            return None
        return self.wait_for(up, timeout, "%s/%s up" % (ike, child))

    def stop(self, timeout=10.0):
        """SIGTERM by PID, wait, SIGKILL if needed; returns exit status."""
        if self.proc is None:
            return None
        self.topo.stop(self.proc, signal.SIGTERM, timeout)
        if self.rundir:
            # the bind mount died with charon's mount namespace
            shutil.rmtree(self.rundir, ignore_errors=True)
            self.rundir = None
        return self.proc.returncode

    close = stop


# -- ready-made site-to-site connections between br and hq --------------------
SIDES = {
    "br": dict(local_addrs=netns.BR_WAN, remote_addrs=netns.HQ_WAN,
               local_ts=netns.BR_LAN_NET, remote_ts=netns.HQ_LAN_NET),
    "hq": dict(local_addrs=netns.HQ_WAN, remote_addrs=netns.BR_WAN,
               local_ts=netns.HQ_LAN_NET, remote_ts=netns.BR_LAN_NET),
}


def site_conn(side, name, child=None, local_id=None, remote_id=None,
              esp_proposals="aes128-sha1", child_opts=None, **kw):
    """Conn from router `side` ("br" or "hq") to the other one over wan0,
    IDs = addresses unless given, one tunnel child `child` (default: name)
    between the two LANs.  Other keywords go to Conn."""
    s = SIDES[side]
    ch = Child(child or name, s["local_ts"], s["remote_ts"],
               esp_proposals=esp_proposals, **(child_opts or {}))
    return Conn(name, s["local_addrs"], s["remote_addrs"], [ch],
                local_id=local_id, remote_id=remote_id, **kw)


@pytest.fixture
def charons(topology, tmp_path):
    """Factory: charons("br", [conns], settings={...}) starts a charon in
    that router namespace and loads its conns; all are stopped by PID when
    the test ends (before the topology is torn down)."""
    made = []

    def make(ns, conns=(), settings=None, log_levels=None, load=True,
             name=None):
        c = Charon(topology, ns, tmp_path / (name or ns), conns, settings,
                   log_levels, name)
        made.append(c)
        c.start()
        if load:
            c.load()
        return c

    try:
        yield make
    finally:
        for c in reversed(made):
            c.stop()
