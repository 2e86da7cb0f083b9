"""Fragmentation handling, the field guide's remedies, measured on the
wire: inner MTU 1500 over an outer link of MTU 1500 with DF set.
"fragment off" answers ICMP fragmentation-needed with the MTU that fits,
"fragment post" fragments the outer packet instead, "fragment pre" the
inner one when DF allows, "df-bit" sets the outer DF bit, and "tcp-mss
auto" rewrites the MSS of SYN and SYN-ACK so bulk TCP needs no
fragments."""
import re

import pytest

from scapy.all import IP, TCP, rdpcap

from ike_confs import fleet_conf
from traffic import tcp_transfer

# AES-128-GCM, raw ESP, IPv4: 1500 - IP 20 - ESP 8 - IV 8 - ICV 16 =
# 1448 bytes, padded to 4 with 2 trailer bytes: 1446 inner bytes fit.
INNER_MAX = 1446


def confs(frag, mss="off", df="copy"):
    tun = " mtu 1500\n tcp-mss %s\n fragment %s\n df-bit %s\n" % (
        mss, frag, df)
    hq = fleet_conf("hq", initiate="never", esp=("aes-128-gcm",),
                    extra_tunnel=tun)
    br = fleet_conf("br", initiate="on-demand", esp=("aes-128-gcm",),
                    extra_tunnel=tun)
    return hq, br


def tun_out(fleet):
    return fleet.json("show", "tunnel")["interfaces"][0]["out"]


def test_fragment_off_sends_icmp_with_the_mtu(topology, fleets):
    hq, br = confs("off")
    fleets("hq", hq)
    b = fleets("br", br)
    assert topology.wait_ping("brhost", "192.168.20.10")
    p = topology.run("brhost", "ping", "-n", "-c", "1", "-W", "2", "-M", "do",
                     "-s", "1472", "192.168.20.10", check=False)
    assert p.returncode != 0
    assert re.search(r"Frag needed and DF set \(mtu = %d\)" % INNER_MAX,
                     p.stdout), p.stdout
    out = tun_out(b)
    assert out["drops"]["too-big"] == 1 and out["icmp_too_big"] == 1
    # The host learnt the path MTU; what fits goes through.
    assert topology.ping("brhost", "192.168.20.10", size=INNER_MAX - 28)


def test_fragment_post_fragments_after_encryption(topology, fleets,
                                                  tmp_path):
    hq, br = confs("post")
    fleets("hq", hq)
    b = fleets("br", br)
    assert topology.wait_ping("brhost", "192.168.20.10")
    cap = topology.capture("br", "wan0", tmp_path / "wan.pcap", "ip")
    p = topology.run("brhost", "ping", "-n", "-c", "2", "-W", "2", "-M", "do",
                     "-s", "1472", "192.168.20.10", check=False)
    cap.stop()
    assert p.returncode == 0, p.stdout
    assert tun_out(b)["fragments"] >= 2
    frags = [x for x in rdpcap(str(tmp_path / "wan.pcap"))
             if IP in x and x[IP].src == "203.0.113.1" and
             (x[IP].flags.MF or x[IP].frag)]
    assert len(frags) >= 2
    assert all(len(x[IP]) <= 1500 for x in frags)


def syn_mss(path, flags):
    for p in rdpcap(path):
        if TCP in p and p[TCP].flags & 0x12 == flags:
            return dict(o for o in p[TCP].options if o[0] == "MSS")["MSS"]
    return None


def test_tcp_mss_auto(topology, fleets, tmp_path):
    hq, br = confs("off", mss="auto")
    h = fleets("hq", hq)
    b = fleets("br", br)
    assert topology.wait_ping("brhost", "192.168.20.10")
    lan_hq = topology.capture("hqhost", "eth0", tmp_path / "hq.pcap",
                              "tcp[tcpflags] & tcp-syn != 0")
    lan_br = topology.capture("brhost", "eth0", tmp_path / "br.pcap",
                              "tcp[tcpflags] & tcp-syn != 0")
    want, got = tcp_transfer(topology, "brhost", "hqhost", "192.168.20.10",
                             8 * 1024 * 1024)
    lan_hq.stop()
    lan_br.stop()
    assert got["sha256"] == want
    # The SYN left brhost with 1460 and reached hqhost clamped; the
    # SYN-ACK likewise in the other direction.
    assert syn_mss(str(tmp_path / "hq.pcap"), 0x02) == INNER_MAX - 40
    assert syn_mss(str(tmp_path / "br.pcap"), 0x12) == INNER_MAX - 40
    # Each side clamps what it sends into the tunnel: br the SYN, hq the
    # SYN-ACK; what arrives is already small enough to leave alone.
    assert tun_out(b)["mss_rewrites"] >= 1
    assert tun_out(h)["mss_rewrites"] >= 1
    # And the bulk transfer needed no fragment and no ICMP.
    for f in (b, h):
        out = tun_out(f)
        assert out["fragments"] == 0 and out["drops"]["too-big"] == 0


def outer_esp(path):
    return [x for x in rdpcap(path) if IP in x and
            x[IP].src == "203.0.113.1" and x[IP].proto == 50]


def test_fragment_pre_fragments_before_encryption(topology, fleets,
                                                  tmp_path):
    hq, br = confs("pre")
    fleets("hq", hq)
    b = fleets("br", br)
    assert topology.wait_ping("brhost", "192.168.20.10")
    cap = topology.capture("br", "wan0", tmp_path / "wan.pcap", "ip")
    # DF set or not, the inner packet is cut in two, each piece
    # encrypted: the outer packets are whole.
    p = topology.run("brhost", "ping", "-n", "-c", "2", "-W", "2", "-M",
                     "do", "-s", "1472", "192.168.20.10", check=False)
    cap.stop()
    assert p.returncode == 0, p.stdout
    esp = outer_esp(str(tmp_path / "wan.pcap"))
    assert len(esp) >= 4 and all(not (x[IP].flags.MF or x[IP].frag)
                                 for x in esp)
    assert all(len(x[IP]) <= 1500 for x in esp)
    assert tun_out(b)["fragments"] >= 4
    assert tun_out(b)["icmp_too_big"] == 0


def test_fragment_off_fragments_inner_without_df(topology, fleets):
    hq, br = confs("off")
    fleets("hq", hq)
    b = fleets("br", br)
    assert topology.wait_ping("brhost", "192.168.20.10")
    p = topology.run("brhost", "ping", "-n", "-c", "2", "-W", "2", "-M",
                     "dont", "-s", "1472", "192.168.20.10", check=False)
    assert p.returncode == 0, p.stdout
    out = tun_out(b)
    assert out["fragments"] >= 4 and out["icmp_too_big"] == 0


@pytest.mark.parametrize("df,inner,want", [("copy", "do", True),
                                           ("copy", "dont", False),
                                           ("clear", "do", False),
                                           ("set", "dont", True)])
def test_df_bit_policy(topology, fleets, tmp_path, df, inner, want):
    hq, br = confs("post", df=df)
    fleets("hq", hq)
    fleets("br", br)
    assert topology.wait_ping("brhost", "192.168.20.10")
    cap = topology.capture("br", "wan0", tmp_path / "wan.pcap", "ip")
    assert topology.run("brhost", "ping", "-n", "-c", "2", "-W", "2", "-M",
                        inner, "192.168.20.10", check=False).returncode == 0
    cap.stop()
    esp = outer_esp(str(tmp_path / "wan.pcap"))
    assert len(esp) >= 2
    assert all(bool(x[IP].flags.DF) == want for x in esp)
