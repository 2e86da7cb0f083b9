#!/usr/bin/python3
"""Tunnel throughput: fleetvpnd <-> fleetvpnd against the named baseline,
strongSwan (charon with kernel-libipsec, its userspace ESP) <-> strongSwan,
in the same four-namespace topology as the integration tests, measured
in the same run with iperf3 (TCP, brhost -> hqhost through the tunnel).

strongSwan's libipsec only does UDP-encapsulated ESP, so fleetvpnd is
measured both ways: with NAT-T forced (the like-for-like comparison the
ratio is taken from) and with raw ESP (what it runs between two of its
own routers).  Each figure is the median of --runs iperf3 runs.  Peak
resident memory (VmHWM) of the daemons is reported alongside.

    bench/throughput.py [--seconds 5] [--runs 3] [--build build/release]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--build", default=os.path.join(TOP, "build", "release"))
    ap.add_argument("--cipher", action="append",
                    help="only this one (aes128gcm16, aes128-sha1)")
    ap.add_argument("--json", help="also write the results here")
    return ap.parse_args()


ARGS = parse_args()
os.environ["FLEETVPN_BUILD"] = os.path.abspath(ARGS.build)

import conftest  # noqa: E402,F401  (before fleet: fleet imports it)
from fleet import Fleet  # noqa: E402
from ike_confs import PSK, fleet_conf  # noqa: E402
from netns import Topology, wait_until  # noqa: E402
from strongswan import Charon, site_conn  # noqa: E402

HQHOST = "192.168.20.10"
# (label, fleetvpnd esp, strongSwan esp)
CIPHERS = [("aes128gcm16", "aes-128-gcm", "aes128gcm16"),
           ("aes128-sha1", "aes-128 sha1", "aes128-sha1")]


def peak_rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def iperf(topo, seconds, runs):
    """Median receiver-side throughput in Mbit/s over `runs` runs."""
    srv = topo.popen("hqhost", "iperf3", "-s", "-1", "-p", "5299",
                     stdout=subprocess.DEVNULL)
    rates = []
    try:
        for i in range(runs):
            if i:
                srv = topo.popen("hqhost", "iperf3", "-s", "-1", "-p",
                                 "5299", stdout=subprocess.DEVNULL)
            wait_until(lambda: "5299" in topo.run(
                "hqhost", "ss", "-ltn").stdout, 5.0, 0.02,
                "iperf3 to listen")
            p = topo.run("brhost", "iperf3", "-c", HQHOST, "-p", "5299",
                         "-t", str(seconds), "-O", "1", "-J",
                         timeout=seconds + 30)
            r = json.loads(p.stdout)
            rates.append(r["end"]["sum_received"]["bits_per_second"] / 1e6)
            srv.wait(10)
    finally:
        if srv.poll() is None:
            topo.stop(srv)
    return statistics.median(rates), rates


def run_fleet(work, esp, natt):
    with Topology(ipv6=False) as topo:
        d = os.path.join(work, "fleet-%s-%s" % (esp.replace(" ", "-"), natt))
        hq = Fleet(topo, "hq", d + "/hq",
                   fleet_conf("hq", initiate="never", esp=(esp,), natt=natt))
        br = Fleet(topo, "br", d + "/br",
                   fleet_conf("br", initiate="always", esp=(esp,),
                              natt=natt))
        try:
            hq.start()
            br.start()
            br.wait_for(br.ipsec_up, 20, "the tunnel")
            assert topo.wait_ping("brhost", HQHOST, 10), br.log()[-3000:]
            med, rates = iperf(topo, ARGS.seconds, ARGS.runs)
            enc = br.json("show", "ipsec", "sa")["sas"][0]["encapsulation"]
            rss = max(peak_rss_kb(br.proc.pid), peak_rss_kb(hq.proc.pid))
        finally:
            br.stop()
            hq.stop()
    return {"mbps": med, "runs": rates, "encapsulation": enc,
            "peak_rss_kb": rss}


def run_strongswan(work, ss_esp):
    with Topology(ipv6=False) as topo:
        d = os.path.join(work, "strongswan-" + ss_esp)
        hq = Charon(topo, "hq", d + "/hq",
                    [site_conn("hq", "br", psk=PSK,
                               proposals="aes128-sha1-modp2048",
                               esp_proposals=ss_esp)])
        br = Charon(topo, "br", d + "/br",
                    [site_conn("br", "main", psk=PSK,
                               proposals="aes128-sha1-modp2048",
                               esp_proposals=ss_esp)])
        try:
            hq.start()
            hq.load()
            br.start()
            br.load()
            br.initiate("main")
            br.wait_established("main", timeout=20)
            assert topo.wait_ping("brhost", HQHOST, 10)
            med, rates = iperf(topo, ARGS.seconds, ARGS.runs)
            rss = max(peak_rss_kb(br.pid), peak_rss_kb(hq.pid))
        finally:
            br.stop()
            hq.stop()
    return {"mbps": med, "runs": rates, "encapsulation": "udp",
            "peak_rss_kb": rss}


def main():
    if os.geteuid() != 0:
        sys.exit("throughput: needs root (network namespaces)")
    results = []
    print("tunnel throughput, iperf3 TCP brhost -> hqhost, %d x %d s, "
          "median (Mbit/s)" % (ARGS.runs, ARGS.seconds))
    with tempfile.TemporaryDirectory(prefix="fvbench-") as work:
        for label, esp, ss_esp in CIPHERS:
            if ARGS.cipher and label not in ARGS.cipher:
                continue
            ss = run_strongswan(work, ss_esp)
            fu = run_fleet(work, esp, "force")
            fr = run_fleet(work, esp, "on")
            ratio = fu["mbps"] / ss["mbps"] if ss["mbps"] else 0.0
            results.append({"cipher": label, "strongswan": ss,
                            "fleetvpn_udp": fu, "fleetvpn_esp": fr,
                            "ratio": ratio})
            print("  %-12s strongSwan libipsec %7.0f   fleetvpnd UDP-ESP "
                  "%7.0f (%.2fx)   fleetvpnd ESP %7.0f (%.2fx)" % (
                      label, ss["mbps"], fu["mbps"], ratio, fr["mbps"],
                      fr["mbps"] / ss["mbps"] if ss["mbps"] else 0.0))
            print("  %-12s peak RSS per daemon: charon %d KiB, fleetvpnd "
                  "%d KiB" % ("", ss["peak_rss_kb"],
                              max(fu["peak_rss_kb"], fr["peak_rss_kb"])))
    if ARGS.json:
        with open(ARGS.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
