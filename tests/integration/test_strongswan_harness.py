"""The network-namespace harness proven with strongSwan on both ends:
charon (br) <-> charon (hq), IKEv1 with a pre-shared key, ESP through
kernel-libipsec.  Later fleetvpnd replaces one side.

With FLEETVPN_UPDATE_IKE_SEEDS=1 the Main and Aggressive Mode captures are
copied to tests/data/ike/strongswan/ and the seed .bin files regenerated.
"""
import hashlib
import importlib.util
import ipaddress
import os
import shutil
import signal
import subprocess
import time

import netns
import strongswan
from netns import Topology
from strongswan import (Child, Conn, fqdn, keyid, parse_pretty,
                        render_swanctl, sas_from_pretty, site_conn)

# The fixtures, so that this file also runs without them in conftest.py
# (where they are registered for every test file: see docs/testing.md).
topology = netns.topology
charons = strongswan.charons

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
SEED_DIR = os.path.join(TOP, "tests", "data", "ike", "strongswan")
UPDATE_SEEDS = os.environ.get("FLEETVPN_UPDATE_IKE_SEEDS") == "1"
CAPTURE_FILTER = "udp port 500 or udp port 4500 or icmp or icmp6"

_spec = importlib.util.spec_from_file_location(
    "ike_seed_extract", os.path.join(SEED_DIR, "extract.py"))
extract = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(extract)

BR_FQDN, HQ_FQDN = "branch-01.fleetvpn.test", "hq.fleetvpn.test"


def responder(charons, *extra):
    """hq as in the reference: one Main Mode and one Aggressive Mode conn
    (strongSwan picks IKEv1 PSK responder configs by exchange type)."""
    esp = "aes128-sha1,aes128gcm16"
    conns = [site_conn("hq", "br", esp_proposals=esp),
             site_conn("hq", "br-aggr", aggressive=True, esp_proposals=esp)]
    return charons("hq", conns + list(extra))


def assert_pair(br, hq, br_conn, hq_conn, timeout=10):
    """Both sides ESTABLISHED/INSTALLED with the same SPIs crossed; returns
    (br_sa, br_child, hq_sa, hq_child)."""
    bsa, bch = br.wait_established(br_conn, timeout=timeout)
    hsa, hch = hq.wait_established(hq_conn, timeout=timeout)
    for sa in (bsa, hsa):
        assert sa["version"] == "1"
    # IKEv1 cookies: the same pair on both ends, both non-zero
    assert bsa["initiator-spi"] == hsa["initiator-spi"]
    assert bsa["responder-spi"] == hsa["responder-spi"]
    assert int(bsa["initiator-spi"], 16) and int(bsa["responder-spi"], 16)
    assert bsa.get("initiator") == "yes" and "initiator" not in hsa
    assert (bsa["local-host"], bsa["remote-host"]) == \
        (netns.BR_WAN, netns.HQ_WAN)
    assert (hsa["local-host"], hsa["remote-host"]) == \
        (netns.HQ_WAN, netns.BR_WAN)
    # strongSwan fakes NAT to force UDP encapsulation (libipsec needs it):
    # IKE floats to 4500 although no NAT exists
    assert bsa["local-port"] == bsa["remote-port"] == "4500"
    assert hsa["local-port"] == hsa["remote-port"] == "4500"
    # each side randomises its own NAT-D hash: both see the OTHER behind NAT
    for sa in (bsa, hsa):
        assert sa.get("nat-remote") == "yes" and "nat-local" not in sa
    for k in ("encr-alg", "encr-keysize", "integ-alg", "prf-alg",
              "dh-group"):
        assert bsa.get(k) == hsa.get(k), k
    for ch in (bch, hch):
        assert (ch["state"], ch["protocol"], ch["mode"], ch["encap"]) == \
            ("INSTALLED", "ESP", "TUNNEL", "yes")
        assert len(ch["spi-in"]) == len(ch["spi-out"]) == 8
    assert bch["spi-in"] == hch["spi-out"]
    assert bch["spi-out"] == hch["spi-in"]
    assert bch["spi-in"] != bch["spi-out"]
    assert (bch["local-ts"], bch["remote-ts"]) == \
        ([netns.BR_LAN_NET], [netns.HQ_LAN_NET])
    assert (hch["local-ts"], hch["remote-ts"]) == \
        ([netns.HQ_LAN_NET], [netns.BR_LAN_NET])
    for k in ("encr-alg", "encr-keysize", "integ-alg", "dh-group"):
        assert bch.get(k) == hch.get(k), k
    return bsa, bch, hsa, hch


def assert_tunnel_carries(topology, br, br_conn, count=3):
    """brhost pings hqhost; replies come back through the CHILD SA."""
    before = int(br.wait_established(br_conn)[1]["packets-out"])
    assert topology.ping("brhost", netns.HQ_HOST, count=count)
    _, ch = br.wait_established(br_conn)
    assert int(ch["packets-out"]) - before >= count
    assert int(ch["packets-in"]) >= count


def assert_capture(pcap, exchange, sa, child):
    """The wire: phase 1 in clear on 500 with the SA's cookies, then
    everything on 4500; ESP only as ESP-in-UDP with the CHILD SA's SPIs;
    no inner packet in clear."""
    msgs = extract.isakmp_messages(pcap)
    assert msgs, "no ISAKMP in " + pcap
    assert {m["icookie"] for m in msgs} == {sa["initiator-spi"]}
    assert msgs[0]["exchange"] == exchange and msgs[0]["rcookie"] == "0" * 16
    assert (msgs[0]["sport"], msgs[0]["dport"]) == (500, 500)
    # Quick Mode is encrypted and floated
    qm = [m for m in msgs if m["exchange"] == extract.EXCH_QUICK]
    assert len(qm) >= 3 and all(m["encrypted"] and m["sport"] == 4500
                                for m in qm)
    spis = {d["payload"][:4].hex() for d in extract.esp_in_udp(pcap)}
    assert spis == {child["spi-in"], child["spi-out"]}
    clear = [d for d in extract.udp_datagrams(pcap)
             if d["dst"] in (netns.HQ_HOST, netns.BR_HOST)]
    assert not clear
    return msgs


def seeds(pcap, exchange, stem, count, tmp_path):
    """Extract the seed messages (into tmp_path; with UPDATE_SEEDS also
    into the repository) and return them."""
    paths = extract.extract(pcap, exchange, stem, count, str(tmp_path))
    if UPDATE_SEEDS:
        shutil.copy(pcap, os.path.join(SEED_DIR, stem + ".pcap"))
        extract.extract(pcap, exchange, stem, count, SEED_DIR)
    out = []
    for p in paths:
        with open(p, "rb") as f:
            out.append(f.read())
    return out


def nat_d_faked(msg, src, dst, port=500):
    """RFC 3947 NAT-D of a SHA1 phase 1: the destination hash must be
    right; strongSwan randomises its own (source) hash.  True when so."""
    def h(ip):
        return hashlib.sha1(msg[:16] + ipaddress.ip_address(ip).packed +
                            port.to_bytes(2, "big")).digest()
    natd = [b for t, b in extract.payloads(msg) if t == 20]
    assert len(natd) == 2 and natd[0] == h(dst)
    return natd[1] != h(src)


def names(msg):
    return [extract.PAYLOAD_NAMES.get(t, t) for t, _ in extract.payloads(msg)]


def vendor_ids(msg):
    return [extract.VENDOR_IDS.get(b.hex(), b.hex())
            for t, b in extract.payloads(msg) if t == 13]


# -- the four namespaces alone ------------------------------------------------
def test_topology_addresses_isolation_and_cleanup():
    netns.require_root()
    with Topology() as t, Topology() as t2:
        assert t.prefix != t2.prefix
        names_ = set(t.ns.values())
        listed = subprocess.run(["ip", "netns", "list"], text=True,
                                stdout=subprocess.PIPE).stdout
        assert all(n in listed for n in names_)
        out = t.run("br", "ip", "-br", "addr", "show", "wan0").stdout
        assert "203.0.113.1/24" in out and "2001:db8:1::1/64" in out
        assert "tentative" not in t.run("hqhost", "ip", "addr").stdout
        assert t.run("br", "sysctl", "-n", "net.ipv4.ip_forward",
                     "net.ipv4.conf.all.rp_filter",
                     "net.ipv4.conf.wan0.rp_filter",
                     "net.ipv4.conf.lan0.rp_filter",
                     "net.ipv6.conf.all.forwarding").stdout.split() == \
            ["1", "0", "0", "0", "1"]
        assert t.ping("brhost", netns.BR_LAN)
        assert t.ping("brhost", netns.BR_HOST6.replace("::10", "::1"))
        assert t.ping("br", netns.HQ_WAN) and t.ping("br", netns.HQ_WAN6)
        # no route between the LANs without a tunnel
        assert not t.ping("brhost", netns.HQ_HOST, timeout=1)
        # block_udp drops both ways and is counted; unblock restores
        t.block_udp("br", [500])
        sleeper = t.popen("hq", "sleep", "60")
        send = ("import socket; s = socket.socket(socket.AF_INET, "
                "socket.SOCK_DGRAM); s.bind(('', 500)); "
                "s.sendto(b'x', ('%s', 500))")
        t.run("br", "/usr/bin/python3", "-c", send % netns.HQ_WAN)
        t.run("hq", "/usr/bin/python3", "-c", send % netns.BR_WAN)
        assert t.tc_dropped("br") == 1 and t.tc_dropped("hq") == 1
        assert t.ping("br", netns.HQ_WAN)     # other traffic passes
        t.unblock()
        assert "htb" not in t.run("br", "tc", "qdisc", "show",
                                  "dev", "wan0").stdout
    # close(): tracked processes stopped by PID, namespaces deleted
    assert sleeper.returncode == -signal.SIGTERM
    listed = subprocess.run(["ip", "netns", "list"], text=True,
                            stdout=subprocess.PIPE).stdout
    assert not any(n in listed for n in names_ | set(t2.ns.values()))


def test_swanctl_rendering_and_parsing():
    conn = Conn("c1", "203.0.113.1", "203.0.113.2",
                [Child("c1", "10.0.0.0/8", "10.1.0.0/16",
                       esp_proposals=["aes128gcm16", "aes128-sha1"],
                       rekey_time=60)],
                local_id=keyid(b"\x01\xab"), remote_id=fqdn("x.test"),
                psk='q"uote', dpd_delay=2, aggressive=True)
    text = render_swanctl([conn])
    assert 'id = "keyid:#01ab"' in text and 'id = "fqdn:x.test"' in text
    assert 'secret = "q\\"uote"' in text
    assert "esp_proposals = aes128gcm16,aes128-sha1" in text
    assert "rekey_time = 60s" in text and "dpd_delay = 2s" in text
    assert "aggressive = yes" in text
    pretty = ("list-sa event {\n  c1 {\n    state = ESTABLISHED\n"
              "    child-sas {\n      c1-7 {\n        name = c1\n"
              "        local-ts = [\n          10.0.0.0/8\n        ]\n"
              "      }\n    }\n  }\n}\nlist-sas reply {\n}\n")
    (sa,) = sas_from_pretty(pretty)
    assert sa["name"] == "c1" and sa["state"] == "ESTABLISHED"
    assert sa["children"] == [{"name": "c1", "id": "c1-7",
                               "local-ts": ["10.0.0.0/8"]}]
    assert [m for m, _ in parse_pretty(pretty)] == ["list-sa event",
                                                    "list-sas reply"]


# -- charon <-> charon --------------------------------------------------------
def test_main_mode_aes128_sha1_modp2048(topology, charons, tmp_path):
    hq = responder(charons)
    br = charons("br", [site_conn("br", "main", esp_proposals="aes128-sha1")])
    pcap = str(tmp_path / "mm.pcap")
    cap = topology.capture("br", "wan0", pcap, CAPTURE_FILTER)
    br.initiate("main")
    bsa, bch, hsa, hch = assert_pair(br, hq, "main", "br")
    assert (bsa["encr-alg"], bsa["encr-keysize"], bsa["integ-alg"],
            bsa["prf-alg"], bsa["dh-group"]) == \
        ("AES_CBC", "128", "HMAC_SHA1_96", "PRF_HMAC_SHA1", "MODP_2048")
    assert (bch["encr-alg"], bch["encr-keysize"], bch["integ-alg"]) == \
        ("AES_CBC", "128", "HMAC_SHA1_96")
    assert "dh-group" not in bch                    # no PFS
    assert (bsa["local-id"], bsa["remote-id"]) == (netns.BR_WAN, netns.HQ_WAN)
    assert "selected proposal: IKE:AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/" \
        "MODP_2048" in br.log()
    assert "remote host is behind NAT" in br.log()
    assert_tunnel_carries(topology, br, "main")
    # routes go to table 220, via charon's TUN device
    route = topology.run("br", "ip", "route", "show", "table", "220").stdout
    assert "192.168.20.0/24 dev ipsec0" in route
    assert "src 192.168.10.1" in route
    assert cap.stop() > 0
    msgs = assert_capture(pcap, extract.EXCH_MAIN, bsa, bch)
    mm = seeds(pcap, extract.EXCH_MAIN, "mm", 4, tmp_path)
    assert [extract.parse_header(m)["exchange"] for m in mm] == [2] * 4
    assert names(mm[0])[0] == "SA" and set(names(mm[0])[1:]) == {"V"}
    assert names(mm[2]) == names(mm[3]) == ["KE", "No", "NAT-D", "NAT-D"]
    assert nat_d_faked(mm[2], netns.BR_WAN, netns.HQ_WAN)
    assert nat_d_faked(mm[3], netns.HQ_WAN, netns.BR_WAN)
    assert "NAT-T (RFC 3947)" in vendor_ids(mm[0])
    # one proposal, one transform: AES-CBC(7)/128, SHA1(2), PSK(1),
    # group 14, lifetime in seconds (TV attribute)
    (sa_body,) = [b for t, b in extract.payloads(mm[0]) if t == 1]
    ((pnum, proto, tnum, tid, attrs),) = extract.sa_transforms(sa_body)
    assert (pnum, proto, tid) == (1, 1, 1)
    assert dict(attrs)[1] == 7 and dict(attrs)[14] == 128
    assert (dict(attrs)[2], dict(attrs)[3], dict(attrs)[4]) == (2, 1, 14)
    assert dict(attrs)[11] == 1 and dict(attrs)[12] > 0
    assert "NAT-T (RFC 3947)" in vendor_ids(mm[1])
    # message 5 on: encrypted, on 4500 behind the non-ESP marker
    mm5 = [m for m in msgs if m["exchange"] == extract.EXCH_MAIN][4]
    assert mm5["encrypted"] and mm5["dport"] == 4500


def test_aggressive_mode_fqdn_aes128gcm16(topology, charons, tmp_path):
    hq = responder(charons, site_conn(
        "hq", "br-fqdn", aggressive=True, esp_proposals="aes128gcm16",
        local_id=fqdn(HQ_FQDN), remote_id=fqdn(BR_FQDN)))
    br = charons("br", [site_conn(
        "br", "aggr", aggressive=True, esp_proposals="aes128gcm16",
        local_id=fqdn(BR_FQDN), remote_id=fqdn(HQ_FQDN))])
    pcap = str(tmp_path / "am.pcap")
    cap = topology.capture("br", "wan0", pcap, CAPTURE_FILTER)
    br.initiate("aggr")
    bsa, bch, hsa, hch = assert_pair(br, hq, "aggr", "br-fqdn")
    assert (bsa["local-id"], bsa["remote-id"]) == (BR_FQDN, HQ_FQDN)
    assert (hsa["local-id"], hsa["remote-id"]) == (HQ_FQDN, BR_FQDN)
    assert (bch["encr-alg"], bch["encr-keysize"]) == ("AES_GCM_16", "128")
    assert "integ-alg" not in bch                   # AEAD
    assert "AGGRESSIVE request 0 [ SA KE No ID V V V V V ]" in br.log()
    assert_tunnel_carries(topology, br, "aggr")
    assert cap.stop() > 0
    msgs = assert_capture(pcap, extract.EXCH_AGGRESSIVE, bsa, bch)
    am = seeds(pcap, extract.EXCH_AGGRESSIVE, "am", 2, tmp_path)
    assert names(am[0]) == ["SA", "KE", "No", "ID"] + ["V"] * 5
    assert names(am[1])[:4] == ["SA", "KE", "No", "ID"]
    assert names(am[1])[-3:] == ["NAT-D", "NAT-D", "HASH"]
    assert nat_d_faked(am[1], netns.HQ_WAN, netns.BR_WAN)
    # the ID payload carries the FQDN (type 2) in clear
    (idp,) = [b for t, b in extract.payloads(am[0]) if t == 5]
    assert idp[0] == 2 and idp[4:] == BR_FQDN.encode()
    # message 3 is encrypted and already on 4500
    am3 = [m for m in msgs if m["exchange"] == extract.EXCH_AGGRESSIVE][2]
    assert am3["encrypted"] and am3["dport"] == 4500


def test_ecp256_with_pfs_modp2048(topology, charons):
    ike, esp = "aes256-sha256-ecp256", "aes256-sha256-modp2048"
    hq = charons("hq", [site_conn("hq", "br", proposals=ike,
                                  esp_proposals=esp)])
    br = charons("br", [site_conn("br", "pfs", proposals=ike,
                                  esp_proposals=esp)])
    br.initiate("pfs")
    bsa, bch, hsa, hch = assert_pair(br, hq, "pfs", "br")
    assert (bsa["encr-alg"], bsa["encr-keysize"], bsa["integ-alg"],
            bsa["prf-alg"], bsa["dh-group"]) == \
        ("AES_CBC", "256", "HMAC_SHA2_256_128", "PRF_HMAC_SHA2_256",
         "ECP_256")
    assert (bch["encr-alg"], bch["encr-keysize"], bch["integ-alg"],
            bch["dh-group"]) == ("AES_CBC", "256", "HMAC_SHA2_256_128",
                                 "MODP_2048")
    # PFS: Quick Mode carries a KE payload
    assert "QUICK_MODE request" in br.log()
    assert "[ HASH SA No KE ID ID ]" in br.log()
    assert_tunnel_carries(topology, br, "pfs")


def test_dpd_detects_blocked_peer_then_recovers(topology, charons):
    # dpd_delay 1s / dpd_timeout 3s: br clears the SA ~4s after the block
    hq = charons("hq", [site_conn("hq", "br")])
    br = charons("br", [site_conn("br", "dpd", dpd_delay=1, dpd_timeout=3,
                                  child_opts={"dpd_action": "clear"})])
    br.initiate("dpd")
    assert_pair(br, hq, "dpd", "br")
    t0 = time.monotonic()
    topology.block_udp("br", [500, 4500])
    br.wait_for(lambda sas: not any(sa["name"] == "dpd" for sa in sas),
                timeout=15, what="DPD to clear the IKE SA")
    took = time.monotonic() - t0
    assert 1.0 < took < 10, took
    assert topology.tc_dropped("br") > 0            # R_U_THERE dropped
    assert "DPD check timed out" in br.log() or \
        "deleting IKE_SA" in br.log()
    assert not topology.ping("brhost", netns.HQ_HOST, timeout=1)
    topology.unblock()
    br.initiate("dpd")
    bsa = assert_pair(br, hq, "dpd", "br")[0]
    assert_tunnel_carries(topology, br, "dpd", count=1)
    br.terminate(ike="dpd")
    assert br.list_sas() == []
    # hq got the Delete and dropped that IKE SA too
    hq.wait_for(lambda sas: all(sa["initiator-spi"] != bsa["initiator-spi"]
                                for sa in sas),
                timeout=5, what="the Delete to reach hq")


def test_committed_seeds_are_complete_messages():
    """The seed files for the ISAKMP codec tests parse as unencrypted
    phase 1 messages of one exchange each."""
    for stem, exch, count in (("mm", 2, 4), ("am", 4, 2)):
        cookies = set()
        for i in range(1, count + 1):
            with open(os.path.join(SEED_DIR, "%s%d.bin" % (stem, i)),
                      "rb") as f:
                msg = f.read()
            h = extract.parse_header(msg)
            assert (h["exchange"], h["encrypted"], h["version"],
                    h["msgid"]) == (exch, False, 0x10, 0)
            assert h["length"] == len(msg)
            assert extract.payloads(msg)
            assert (h["rcookie"] == "0" * 16) == (i == 1)
            cookies.add(h["icookie"])
        assert len(cookies) == 1
