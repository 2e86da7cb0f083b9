"""Traffic over an IPv6 outer link (4-in-6): raw ESP and ESP in UDP,
the payload never in clear on the wire, and "fragment post" leaving the
fragmenting of an oversized outer packet to the kernel's IPv6 layer."""
import pytest
from scapy.all import ESP, UDP, IPv6, IPv6ExtHdrFragment, rdpcap

from ike_confs import fleet_conf
from traffic import marker_in_pcap, tcp_transfer

MB = 1024 * 1024


def v6conf(side, natt, extra_tunnel=""):
    me, other = ("1", "2") if side == "br" else ("2", "1")
    return fleet_conf(side, initiate="on-demand" if side == "br" else "never",
                      natt=natt, extra_tunnel=extra_tunnel).replace(
        " address 203.0.113.%s" % other,
        " address 2001:db8:1::%s" % other).replace(
        " local-address 203.0.113.%s" % me,
        " local-address 2001:db8:1::%s" % me)


@pytest.mark.parametrize("natt", ["on", "force"])
def test_traffic_over_ipv6(topology, fleets, tmp_path, natt):
    hq = fleets("hq", v6conf("hq", natt))
    br = fleets("br", v6conf("br", natt))
    cap = topology.capture("br", "wan0", tmp_path / "wan.pcap", "ip6")
    assert topology.wait_ping("brhost", "192.168.20.10", timeout=15), \
        br.log()[-3000:]
    assert topology.ping("hqhost", "192.168.10.10", count=3)
    want, got = tcp_transfer(topology, "brhost", "hqhost", "192.168.20.10",
                             2 * MB)
    assert got == {"bytes": 2 * MB, "sha256": want}
    cap.stop()
    pcap = str(tmp_path / "wan.pcap")
    assert not marker_in_pcap(pcap), "clear text on the outer link"
    outer = [p for p in rdpcap(pcap) if IPv6 in p and
             (ESP in p or (UDP in p and p[UDP].dport == 4500))]
    assert len(outer) > 500
    if natt == "force":
        assert all(UDP in p for p in outer)
    else:
        assert all(p[IPv6].nh == 50 for p in outer), [
            p.summary() for p in outer if p[IPv6].nh != 50][:5]
    sa = br.json("show", "ipsec", "sa")["sas"][0]
    assert sa["encapsulation"] == ("udp-tunnel" if natt == "force"
                                   else "tunnel")
    tun = hq.json("show", "tunnel")["interfaces"][0]
    assert tun["in"]["packets"] > 500
    assert sum(tun["in"]["drops"].values()) == 0


def test_fragment_post_over_ipv6(topology, fleets, tmp_path):
    tun = " mtu 1500\n fragment post\n tcp-mss off\n"
    fleets("hq", v6conf("hq", "on", tun))
    br = fleets("br", v6conf("br", "on", tun))
    assert topology.wait_ping("brhost", "192.168.20.10", timeout=15)
    cap = topology.capture("br", "wan0", tmp_path / "wan.pcap", "ip6")
    p = topology.run("brhost", "ping", "-n", "-c", "2", "-W", "2", "-M", "do",
                     "-s", "1472", "192.168.20.10", check=False)
    cap.stop()
    assert p.returncode == 0, p.stdout
    frags = [x for x in rdpcap(str(tmp_path / "wan.pcap"))
             if IPv6ExtHdrFragment in x and x[IPv6].src == "2001:db8:1::1"]
    assert len(frags) >= 4                 # two pings, two pieces each
    assert all(len(x[IPv6]) <= 1500 for x in frags)
    assert br.json("show", "tunnel")["interfaces"][0]["out"][
        "fragments"] >= 4


def test_ipv6_inside_ipv4(topology, fleets, tmp_path):
    """6-in-4: IPv6 LANs through an IPv4 outer link, TCP MSS clamped for
    the longer IPv6 header."""
    def conf(side):
        c = fleet_conf(side, initiate="on-demand" if side == "br" else
                       "never", extra_tunnel=" tcp-mss auto\n")
        for a, b in (("192.168.10.0/24", "2001:db8:10::/64"),
                     ("192.168.20.0/24", "2001:db8:20::/64")):
            c = c.replace(a, b)
        return c
    fleets("hq", conf("hq"))
    br = fleets("br", conf("br"))
    cap = topology.capture("br", "wan0", tmp_path / "wan.pcap", "ip")
    assert topology.wait_ping("brhost", "2001:db8:20::10", timeout=15), \
        br.log()[-3000:]
    want, got = tcp_transfer(topology, "brhost", "hqhost", "2001:db8:20::10",
                             MB)
    assert got == {"bytes": MB, "sha256": want}
    cap.stop()
    assert not marker_in_pcap(str(tmp_path / "wan.pcap"))
    out = br.json("show", "tunnel")["interfaces"][0]["out"]
    assert out["packets"] > 300 and out["mss_rewrites"] >= 1
    assert br.json("show", "ipsec", "sa", "detail")["sas"][0][
        "local_network"] == "2001:db8:10::/64"
