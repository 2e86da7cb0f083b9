"""Network-namespace topology for the integration tests.

Four namespaces, named uniquely per Topology ("fv<pid>-<rand>-br" ...), so
parallel runs and leftovers of a killed run never clash:

 brhost             br (branch router)     hq (HQ router)      hqhost
 eth0 ------------- lan0                   lan0 -------------- eth0
 192.168.10.10      192.168.10.1           192.168.20.1        192.168.20.10
 2001:db8:10::10    2001:db8:10::1         2001:db8:20::1      2001:db8:20::10
                    wan0 ===== veth ====== wan0
                    203.0.113.1            203.0.113.2
                    2001:db8:1::1          2001:db8:1::2

Routers forward (IPv4 and IPv6) with rp_filter=0; hosts have default routes
via their router.  There is deliberately no route between the LANs: only an
installed tunnel (charon's table 220, later fleetvpnd) connects them.

Every process started through a Topology is tracked by PID and stopped on
close(); close() then stops whatever `ip netns pids` still lists (by PID)
and deletes the namespaces.  Usable as a context manager or through the
`topology` pytest fixture.
"""
import os
import random
import signal
import socket
import struct
import subprocess
import time

import pytest

ROLES = ("br", "hq", "brhost", "hqhost")
ROUTERS = ("br", "hq")

# role -> iface -> list of addresses (with prefix length)
ADDRS = {
    "br": {"wan0": ["203.0.113.1/24", "2001:db8:1::1/64"],
           "lan0": ["192.168.10.1/24", "2001:db8:10::1/64"]},
    "hq": {"wan0": ["203.0.113.2/24", "2001:db8:1::2/64"],
           "lan0": ["192.168.20.1/24", "2001:db8:20::1/64"]},
    "brhost": {"eth0": ["192.168.10.10/24", "2001:db8:10::10/64"]},
    "hqhost": {"eth0": ["192.168.20.10/24", "2001:db8:20::10/64"]},
}
# the far end of each veth: (role, iface) -> (role, iface)
PEERS = {
    ("br", "wan0"): ("hq", "wan0"), ("hq", "wan0"): ("br", "wan0"),
    ("br", "lan0"): ("brhost", "eth0"), ("brhost", "eth0"): ("br", "lan0"),
    ("hq", "lan0"): ("hqhost", "eth0"), ("hqhost", "eth0"): ("hq", "lan0"),
}
GATEWAYS = {"brhost": ("192.168.10.1", "2001:db8:10::1"),
            "hqhost": ("192.168.20.1", "2001:db8:20::1")}

# Handy names for tests.
BR_WAN, HQ_WAN = "203.0.113.1", "203.0.113.2"
BR_WAN6, HQ_WAN6 = "2001:db8:1::1", "2001:db8:1::2"
BR_LAN_NET, HQ_LAN_NET = "192.168.10.0/24", "192.168.20.0/24"
BR_LAN6_NET, HQ_LAN6_NET = "2001:db8:10::/64", "2001:db8:20::/64"
BR_LAN, HQ_LAN = "192.168.10.1", "192.168.20.1"
BR_HOST, HQ_HOST = "192.168.10.10", "192.168.20.10"
BR_HOST6, HQ_HOST6 = "2001:db8:10::10", "2001:db8:20::10"

IP = "/usr/sbin/ip" if os.path.exists("/usr/sbin/ip") else "ip"
TC = "/usr/sbin/tc" if os.path.exists("/usr/sbin/tc") else "tc"
TCPDUMP = "/usr/bin/tcpdump" if os.path.exists("/usr/bin/tcpdump") \
    else "tcpdump"


def connectable(path):
    """True when a UNIX stream socket at path accepts a connection."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
        return True
    except OSError:
        return False
    finally:
        s.close()


def read_pcap(path):
    """Yield (timestamp, linktype, frame bytes) of a classic pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError("%s: too short for a pcap header" % path)
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        raise ValueError("%s: not a classic pcap file (pcapng? use "
                         "tcpdump -w, not tshark/dumpcap)" % path)
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack(end + "I", data[20:24])[0] & 0x0FFFFFFF
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _orig = struct.unpack(end + "IIII",
                                               data[off:off + 16])
        off += 16
        if off + incl > len(data):
            break                       # truncated last record
        yield sec + frac / (1e9 if nano else 1e6), linktype, \
            data[off:off + incl]
        off += incl


def require_root():
    """Fail (not skip: a skipped test proves nothing) unless root."""
    if os.geteuid() != 0:
        pytest.fail("network-namespace tests need root (CI runs them as "
                    "root; locally: sudo /usr/bin/python3 -m pytest ...)",
                    pytrace=False)


def wait_until(pred, timeout=10.0, step=0.02, what=None):
    """Poll pred() until it returns a true value or timeout; return the
    last value.  With `what`, a timeout raises AssertionError instead."""
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= end:
            break
        time.sleep(step)
    if not v and what:
        raise AssertionError("timed out after %.1fs waiting for %s" %
                             (timeout, what))
    return v


def kill_pid(pid, sig=signal.SIGTERM, timeout=5.0, proc=None):
    """Send sig to pid, wait up to timeout for it to exit, then SIGKILL.
    Works for children (proc: their Popen, reaped) and non-children."""
    def gone():
        if proc is not None:
            return proc.poll() is not None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        # a zombie that is not ours still answers kill(0)
        try:
            with open("/proc/%d/stat" % pid) as f:
                return f.read().rsplit(")", 1)[1].split()[0] == "Z"
        except OSError:
            return True

    if gone():
        return
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return
    if wait_until(gone, timeout, 0.01):
        return
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    wait_until(gone, 5.0, 0.01)


class Topology:
    """The four-namespace test network.  ns arguments are roles ("br", "hq",
    "brhost", "hqhost") or the real namespace names (self.ns[role])."""

    def __init__(self, prefix=None, ipv6=True):
        auto = prefix is None
        for _ in range(20):
            if auto:
                prefix = "fv%d-%02x" % (os.getpid(), random.randrange(256))
            self.ns = {r: "%s-%s" % (prefix, r) for r in ROLES}
            if not auto or not any(os.path.exists("/run/netns/" + n)
                                   for n in self.ns.values()):
                break
        self.prefix = prefix
        self.created = []
        self.procs = []         # [(Popen, description)], stopped on close
        self.captures = []
        self.blocked = set()    # (role, iface) with a drop qdisc
        self.closed = False
        try:
            self._build(ipv6)
        except BaseException:
            self.close()
            raise

    # -- set-up ------------------------------------------------------------
    def _build(self, ipv6):
        for r in ROLES:
            if os.path.exists("/run/netns/" + self.ns[r]):
                raise RuntimeError("namespace %s exists already" % self.ns[r])
        for r in ROLES:
            self._ip("netns", "add", self.ns[r])
            self.created.append(self.ns[r])
            # before any interface exists, so that they all inherit the
            # defaults: no DAD (addresses, link-local too, usable at once)
            # and, on routers, forwarding with rp_filter off
            keys = ["net.ipv6.conf.all.accept_dad=0",
                    "net.ipv6.conf.default.accept_dad=0"]
            if r in ROUTERS:
                keys += ["net.ipv4.ip_forward=1",
                         "net.ipv4.conf.all.rp_filter=0",
                         "net.ipv4.conf.default.rp_filter=0"]
                if ipv6:
                    keys.append("net.ipv6.conf.all.forwarding=1")
            self.run(r, "sysctl", "-q", "-w", *keys)
        # One `ip -batch` per namespace keeps the set-up to a few execs.
        # Distinct ifindexes on the two ends of each veth: the kernel treats
        # a carrier change as urgent only when ifindex != iflink; with equal
        # numbers (both "2" in fresh namespaces) link-watch delays it up to
        # 1 s and IPv6 stays tentative (NS unanswered) for that long.
        self._batch("br", [
            "link set lo up",
            "link add wan0 index 10 mtu 1500 type veth peer name wan0 "
            "netns %s index 11 mtu 1500" % self.ns["hq"],
            "link add lan0 index 20 type veth peer name eth0 netns %s "
            "index 21" % self.ns["brhost"],
        ])
        self._batch("hq", [
            "link set lo up",
            "link add lan0 index 30 type veth peer name eth0 netns %s "
            "index 31" % self.ns["hqhost"],
        ])
        for r in ROLES:
            cmds = [] if r in ("br", "hq") else ["link set lo up"]
            for iface, addrs in ADDRS[r].items():
                for a in addrs:
                    if ":" in a:
                        if not ipv6:
                            continue
                        cmds.append("addr add %s dev %s nodad" % (a, iface))
                    else:
                        cmds.append("addr add %s dev %s" % (a, iface))
                cmds.append("link set %s up" % iface)
            if r in GATEWAYS:
                cmds.append("route add default via %s" % GATEWAYS[r][0])
                if ipv6:
                    cmds.append("route add default via %s" %
                                GATEWAYS[r][1])
            self._batch(r, cmds)
        if ipv6:
            wait_until(lambda: not any(
                self._ip("-n", self.ns[r], "-6", "addr", "show",
                         "tentative").stdout.strip() for r in ROLES),
                5.0, 0.01, "IPv6 addresses to leave the tentative state")
        for r in ROUTERS:
            # inherited from default already; spelled out, as in the doc
            self.run(r, "sysctl", "-q", "-w", *["net.ipv4.conf.%s.rp_filter=0"
                                                % i for i in ADDRS[r]])

    def _ip(self, *args, check=True):
        return subprocess.run([IP] + list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, check=check,
                              timeout=30)

    def _batch(self, ns, lines):
        p = subprocess.run([IP, "-n", self.name(ns), "-batch", "-"],
                           input="\n".join(lines) + "\n", text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=30)
        if p.returncode != 0:
            raise RuntimeError("ip -n %s -batch failed: %s\n%s" %
                               (self.name(ns), p.stderr, "\n".join(lines)))

    # -- helpers -------------------------------------------------------------
    def name(self, ns):
        """Real namespace name of a role (or a real name of ours)."""
        if ns in self.ns:
            return self.ns[ns]
        if ns in self.ns.values():
            return ns
        raise KeyError("not a namespace of this topology: %r" % (ns,))

    def role(self, ns):
        n = self.name(ns)
        return next(r for r, v in self.ns.items() if v == n)

    def addr(self, ns, iface, family=4):
        """First address (without prefix length) of a role's interface."""
        for a in ADDRS[self.role(ns)][iface]:
            if (":" in a) == (family == 6):
                return a.split("/")[0]
        raise KeyError((ns, iface, family))

    def netns_cmd(self, ns, *cmd):
        return [IP, "netns", "exec", self.name(ns)] + [str(c) for c in cmd]

    def run(self, ns, *cmd, check=True, timeout=30, input=None):
        """Run cmd in ns; CompletedProcess with text stdout/stderr.  check:
        raise AssertionError with both outputs on a non-zero exit."""
        argv = self.netns_cmd(ns, *cmd)
        try:
            p = subprocess.run(argv, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True,
                               errors="replace", timeout=timeout, input=input,
                               stdin=None if input is not None
                               else subprocess.DEVNULL)
        except subprocess.TimeoutExpired as e:
            raise AssertionError("timed out after %ss: %s" %
                                 (timeout, " ".join(argv))) from e
        if check and p.returncode != 0:
            raise AssertionError("exit %d: %s\n--- stdout\n%s--- stderr\n%s" %
                                 (p.returncode, " ".join(argv), p.stdout,
                                  p.stderr))
        return p

    def popen(self, ns, *cmd, **kw):
        """Start cmd in ns (ip netns exec execs it: Popen.pid is the
        command's own PID).  Stopped by PID on close()."""
        kw.setdefault("stdin", subprocess.DEVNULL)
        p = subprocess.Popen(self.netns_cmd(ns, *cmd), **kw)
        self.procs.append((p, " ".join(str(c) for c in cmd)))
        return p

    def stop(self, proc, sig=signal.SIGTERM, timeout=5.0):
        """Stop one tracked process by its PID; returns its exit status."""
        kill_pid(proc.pid, sig, timeout, proc)
        self.procs = [(p, d) for p, d in self.procs if p is not proc]
        return proc.returncode

    def ping(self, ns, dst, count=1, timeout=2, size=None, check=False):
        """Ping dst from ns; True when all count replies came back (each
        probe waits at most `timeout` s)."""
        cmd = ["ping", "-n", "-q", "-c", str(count), "-W", str(timeout)]
        if count > 1:
            cmd += ["-i", "0.2"]
        if size is not None:
            cmd += ["-s", str(size)]
        if ":" in dst:
            cmd.insert(1, "-6")
        p = self.run(ns, *cmd, dst, check=check,
                     timeout=count * (timeout + 1) + 5)
        return p.returncode == 0

    def wait_ping(self, ns, dst, timeout=10.0):
        """Ping until one answer arrives (e.g. right after an SA is up)."""
        return wait_until(lambda: self.ping(ns, dst, 1, 1), timeout, 0)

    def set_link(self, ns, iface, up):
        self.run(ns, IP, "link", "set", iface, "up" if up else "down")

    # -- packet capture ------------------------------------------------------
    def capture(self, ns, iface, path, bpf_filter="", snaplen=0,
                timeout=10.0):
        """Start tcpdump on ns:iface writing classic pcap to path; returns
        a Capture once tcpdump is listening.  Capture.stop() (or close())
        sends SIGINT by PID so the file is flushed and complete."""
        errpath = str(path) + ".stderr"
        err = open(errpath, "wb")
        # -Z root: do not drop to user tcpdump, which could not write path;
        # --immediate-mode: without it packets wait in the ring buffer and
        # a SIGINT soon after the traffic loses them ("15 packets received
        # by filter", "0 packets captured"); -U: write each packet at once;
        # -n: no DNS; -s 0: whole packets
        cmd = [TCPDUMP, "-i", iface, "-n", "--immediate-mode", "-U",
               "-Z", "root",
               "-s", str(snaplen), "-w", str(path)]
        if bpf_filter:
            cmd.append(bpf_filter)
        proc = self.popen(ns, *cmd, stdout=subprocess.DEVNULL, stderr=err)
        err.close()
        cap = Capture(self, proc, str(path), errpath)
        self.captures.append(cap)

        def listening():
            if proc.poll() is not None:
                raise AssertionError("tcpdump exited %s: %s" %
                                     (proc.returncode, cap.stderr()))
            return "listening on" in cap.stderr()
        wait_until(listening, timeout, 0.01, "tcpdump to listen")
        return cap

    # -- simulated outages ---------------------------------------------------
    def block_udp(self, ns, ports, iface="wan0", direction="both"):
        """Silently drop UDP packets to or from `ports` (IPv4 and IPv6) on
        ns:iface.  Egress is filtered on iface itself; "in" on the far end
        of the veth (its egress is our ingress).  direction: out|in|both.

        How: an htb root qdisc whose class 1:2 holds a `pfifo limit 0`
        (drops everything) and u32 filters steering the ports there.  This
        kernel has neither the gact (drop) action nor netem/flower, and
        iptables/nft are not installed; htb+pfifo+u32 are built in.  A
        dropped UDP send is not reported to the sender (no IP_RECVERR), so
        the peer just looks unreachable.  `set_link(ns, "wan0", False)` is
        the blunter alternative (also removes routes: charon notices)."""
        if isinstance(ports, int):
            ports = [ports]
        role = self.role(ns)
        targets = []
        if direction in ("out", "both"):
            targets.append((role, iface))
        if direction in ("in", "both"):
            targets.append(PEERS[(role, iface)])
        for r, i in targets:
            if (r, i) in self.blocked:
                self._tc_unblock(r, i)
            self._tc_block(r, i, ports)

    def _tc_block(self, role, iface, ports):
        tc = [TC, "-force", "-batch", "-"]
        lines = [
            "qdisc add dev %s root handle 1: htb default 1 r2q 100000" % iface,
            "class add dev %s parent 1: classid 1:1 htb rate 100gbit" % iface,
            "class add dev %s parent 1: classid 1:2 htb rate 100gbit" % iface,
            "qdisc add dev %s parent 1:2 handle 2: pfifo limit 0" % iface,
        ]
        for port in ports:
            # one priority per protocol: the kernel wants that
            for prio, fam, proto in ((1, "ip", "ip"), (2, "ipv6", "ip6")):
                for d in ("sport", "dport"):
                    lines.append(
                        "filter add dev %s parent 1: protocol %s prio %d u32 "
                        "match %s protocol 17 0xff match %s %s %d 0xffff "
                        "flowid 1:2" % (iface, fam, prio, proto, proto, d,
                                        port))
        self.run(role, *tc, input="\n".join(lines) + "\n")
        self.blocked.add((role, iface))

    def _tc_unblock(self, role, iface):
        self.run(role, TC, "qdisc", "del", "dev", iface, "root", check=False)
        self.blocked.discard((role, iface))

    def unblock(self, ns=None, iface="wan0"):
        """Remove what block_udp installed: everywhere, or on ns:iface and
        the far end of its veth."""
        for r, i in list(self.blocked):
            if ns is None or (r, i) == (self.role(ns), iface) or \
                    (r, i) == PEERS[(self.role(ns), iface)]:
                self._tc_unblock(r, i)

    def tc_dropped(self, ns, iface="wan0"):
        """Packets dropped so far by block_udp on ns:iface."""
        out = self.run(ns, TC, "-s", "qdisc", "show", "dev", iface).stdout
        n = 0
        for block in out.split("qdisc ")[1:]:
            if block.startswith("pfifo 2:") and "dropped " in block:
                n += int(block.split("dropped ")[1].split(",")[0])
        return n

    # -- tear-down -----------------------------------------------------------
    def close(self):
        if self.closed:
            return
        self.closed = True
        errors = []
        for cap in list(self.captures):
            try:
                cap.stop()
            except Exception as e:     # keep tearing down
                errors.append("capture %s: %s" % (cap.path, e))
        for proc, _ in reversed(self.procs):
            kill_pid(proc.pid, signal.SIGTERM, 5.0, proc)
        self.procs = []
        for n in reversed(self.created):
            for _ in range(3):
                p = self._ip("netns", "pids", n, check=False)
                pids = [int(x) for x in p.stdout.split()]
                if not pids:
                    break
                for pid in pids:
                    kill_pid(pid, signal.SIGTERM, 2.0)
            p = self._ip("netns", "del", n, check=False)
            if p.returncode != 0:
                errors.append("ip netns del %s: %s" % (n, p.stderr.strip()))
        self.created = []
        if errors:
            raise RuntimeError("; ".join(errors))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


class Capture:
    def __init__(self, topo, proc, path, errpath):
        self.topo, self.proc, self.path, self.errpath = \
            topo, proc, path, errpath

    def stderr(self):
        try:
            with open(self.errpath, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def stop(self):
        """SIGINT by PID (tcpdump then flushes and writes its counters);
        returns the number of packets captured (from tcpdump's summary)."""
        if self.proc.poll() is None:
            self.topo.stop(self.proc, signal.SIGINT, 5.0)
        if self in self.topo.captures:
            self.topo.captures.remove(self)
        for line in self.stderr().splitlines():
            if line.endswith("packets captured"):
                return int(line.split()[0])
        return None


def stale_namespaces():
    """fv* namespaces whose creating process (the pid in the name) is gone:
    leftovers of a killed run.  For manual clean-up only (see
    docs/testing.md); tests never delete namespaces they did not create."""
    import re
    out = subprocess.run([IP, "netns", "list"], stdout=subprocess.PIPE,
                         text=True).stdout
    stale = []
    for line in out.splitlines():
        name = line.split()[0] if line.split() else ""
        m = re.match(r"fv(\d+)-[0-9a-f]{2}-(br|hq|brhost|hqhost)$", name)
        if m and not os.path.exists("/proc/%s" % m.group(1)):
            stale.append(name)
    return stale


@pytest.fixture
def topology():
    """A fresh four-namespace Topology, torn down after the test."""
    require_root()
    t = Topology()
    try:
        yield t
    finally:
        t.close()


if __name__ == "__main__":
    # python3 tests/integration/netns.py [--clean]: list (and remove) the
    # namespaces of killed runs, stopping their processes by PID.
    import sys
    for n in stale_namespaces():
        print(n)
        if "--clean" in sys.argv:
            pids = subprocess.run([IP, "netns", "pids", n],
                                  stdout=subprocess.PIPE,
                                  text=True).stdout.split()
            for pid in pids:
                kill_pid(int(pid), signal.SIGTERM, 2.0)
            subprocess.run([IP, "netns", "del", n])
