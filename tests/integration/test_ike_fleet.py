"""fleetvpnd to fleetvpnd: a branch and an HQ router in namespaces."""
import os
import signal
import time

from ike_confs import fleet_conf
from netns import read_pcap

HQ_DYNAMIC = """hostname hq
logging level ike debug
ike retransmit 1s 2
ike proposal p1
 encryption aes-256
 hash sha256
 group 14
ike peer branch-07
 address any
 mode aggressive
 local-id fqdn:hq.example.net
 remote-id fqdn:branch-07.example.net
 pre-shared-key "branch-07-key-0123456789"
 proposal p1
ike peer branch-08
 address any
 mode aggressive
 local-id fqdn:hq.example.net
 remote-id fqdn:branch-08.example.net
 pre-shared-key "branch-08-key-0123456789"
 proposal p1
ipsec proposal p2
 esp aes-256-gcm
tunnel br7
 peer branch-07
 proposal p2
 local-network 192.168.20.0/24
 remote-network 192.168.10.0/24
tunnel br8
 peer branch-08
 proposal p2
 local-network 192.168.20.0/24
 remote-network 10.8.0.0/24
"""


def pair_matches(a, b):
    """Two fleetvpnd's agree on cookies and (crossed) SPIs."""
    ia = [s for s in a.json("show", "ike", "sa")["sas"]
          if s["state"] == "established"]
    ib = [s for s in b.json("show", "ike", "sa")["sas"]
          if s["state"] == "established"]
    assert len(ia) == 1 and len(ib) == 1
    assert (ia[0]["icookie"], ia[0]["rcookie"]) == \
        (ib[0]["icookie"], ib[0]["rcookie"])
    ca = [c for c in a.json("show", "ipsec", "sa")["sas"]
          if c["state"] == "installed"]
    cb = [c for c in b.json("show", "ipsec", "sa")["sas"]
          if c["state"] == "installed"]
    assert len(ca) == 1 and len(cb) == 1
    assert ca[0]["spi_in"] == cb[0]["spi_out"]
    assert ca[0]["spi_out"] == cb[0]["spi_in"]
    return ia[0], ca[0], ib[0], cb[0]


def test_branch_and_hq_main_mode(topology, fleets):
    hq = fleets("hq", fleet_conf("hq", initiate="never",
                                 esp=("aes-128-gcm", "aes-256 sha256"),
                                 pfs="group 14"))
    br = fleets("br", fleet_conf("br", esp=("aes-256 sha256",),
                                 pfs="group 14"))
    br.wait_for(br.ipsec_up, what="branch IPsec SA")
    hq.wait_for(hq.ipsec_up, what="HQ IPsec SA")
    i_br, c_br, i_hq, c_hq = pair_matches(br, hq)
    # No NAT between them: IKE stays on 500 and ESP is not encapsulated.
    assert i_br["nat"] == "none" and i_br["local"]["port"] == 500
    assert c_br["encapsulation"] == "tunnel"
    assert c_br["transform"] == "esp-aes-256-sha256"
    assert c_hq["pfs_group"] == 14


def test_nat_traversal_force(topology, fleets, tmp_path):
    """Forced encapsulation: the branch fakes its NAT-D hash, both move to
    UDP 4500, ESP is UDP-encapsulated and the branch sends keepalives."""
    hq = fleets("hq", fleet_conf("hq", initiate="never"))
    br = fleets("br", fleet_conf("br", natt="force",
                                 extra_peer=" nat-keepalive 1s"))
    cap = topology.capture("br", "wan0", tmp_path / "ka.pcap",
                           "udp dst port 4500 and udp[4:2] == 9")
    br.wait_for(br.ipsec_up, what="IPsec SA")
    hq.wait_for(hq.ipsec_up, what="HQ IPsec SA")
    i_br, c_br, i_hq, c_hq = pair_matches(br, hq)
    assert i_br["local"]["port"] == 4500 and i_hq["local"]["port"] == 4500
    assert i_hq["nat"] == "remote"      # the branch faked its address
    assert c_br["encapsulation"] == c_hq["encapsulation"] == "udp-tunnel"
    time.sleep(2.5)
    cap.stop()
    frames = [f for _, _, f in read_pcap(str(tmp_path / "ka.pcap"))]
    assert len(frames) >= 2 and all(f[-1] == 0xff for f in frames)


def test_hq_with_dynamic_branches_by_fqdn(topology, fleets):
    hq = fleets("hq", HQ_DYNAMIC)
    br = fleets("br", fleet_conf("br", mode="aggressive",
                                 ike=("aes-256", "sha256", 14),
                                 esp=("aes-256-gcm",),
                                 psk="branch-07-key-0123456789",
                                 local_id="fqdn:branch-07.example.net",
                                 remote_id="fqdn:hq.example.net"))
    br.wait_for(br.ipsec_up, what="branch IPsec SA")
    hq.wait_for(hq.ipsec_up, what="HQ IPsec SA")
    pair_matches(br, hq)
    sa = hq.json("show", "ike", "sa")["sas"][0]
    assert sa["peer"] == "branch-07" and sa["exchange"] == "aggressive"
    tun = {t["name"]: t for t in hq.json("show", "ipsec", "sa")["tunnels"]}
    assert tun["br7"]["oper"] == "up" and tun["br8"]["oper"] == "down"


def test_unknown_identity_refused(topology, fleets):
    hq = fleets("hq", HQ_DYNAMIC)
    br = fleets("br", fleet_conf("br", mode="aggressive",
                                 ike=("aes-256", "sha256", 14),
                                 local_id="fqdn:intruder.example.net",
                                 remote_id="fqdn:hq.example.net"))
    hq.wait_for(lambda: hq.json("show", "ike", "statistics")["unknown_peer"]
                >= 1, what="unknown peer counted")
    assert "identity fqdn:intruder.example.net: no ike peer matches" in \
        hq.cli("show", "logging", "ike").stdout
    assert br.json("show", "ike", "sa")["created"] == 0


def test_initial_contact_after_restart(topology, fleets):
    hq = fleets("hq", fleet_conf("hq", initiate="never"))
    br = fleets("br", fleet_conf("br"))
    br.wait_for(br.ipsec_up, what="IPsec SA")
    hq.wait_for(hq.ipsec_up, what="HQ IPsec SA")
    old = hq.json("show", "ipsec", "sa")["sas"][0]["spi_in"]
    os.kill(br.proc.pid, signal.SIGKILL)     # no Delete sent
    br.proc.wait()
    br.start()
    br.wait_for(br.ipsec_up, what="IPsec SA after restart")
    hq.wait_for(lambda: hq.json("show", "ike", "sa")["created"] == 1 and
                [c["spi_in"] for c in hq.json("show", "ipsec", "sa")["sas"]]
                != [old], what="HQ to drop the stale SAs")
    ike = hq.json("show", "ike", "sa")
    assert ike["created"] == 1
    assert len(hq.json("show", "ipsec", "sa")["sas"]) == 1


def test_rekey_without_gap(topology, fleets):
    """Phase 1 and phase 2 at their shortest lifetime (60 s): both are
    replaced before they expire, and the tunnel never goes down."""
    life = " lifetime 60s"
    hq = fleets("hq", fleet_conf("hq", initiate="never"))
    br = fleets("br", fleet_conf("br").replace(
        " group 14\n", " group 14\n" + life + "\n").replace(
        " pfs none\n", " pfs none\n" + life + "\n"))
    br.wait_for(br.ipsec_up, what="IPsec SA")
    first = br.json("show", "ipsec", "sa")["sas"][0]
    first_ike = br.json("show", "ike", "sa")["sas"][0]["icookie"]
    assert first["lifetime"] == 60
    br.wait_for(lambda: any(c["spi_in"] != first["spi_in"] and
                            c["state"] == "installed"
                            for c in br.json("show", "ipsec", "sa")["sas"]),
                timeout=70, what="the rekeyed IPsec SA")
    br.wait_for(lambda: any(s["icookie"] != first_ike and
                            s["state"] == "established"
                            for s in br.json("show", "ike", "sa")["sas"]),
                timeout=20, what="the rekeyed ISAKMP SA")
    log = br.cli("show", "logging").stdout
    assert "TUN.002" not in log                 # never down
    assert "IKE.023" in log                     # rekey started
    pair_matches_after = [c for c in hq.json("show", "ipsec", "sa")["sas"]
                          if c["state"] == "installed"]
    assert any(c["spi_out"] != first["spi_in"] for c in pair_matches_after)


def test_ipv6_outer_with_user_fqdn_and_key_id(topology, fleets):
    """IKE over IPv6 (4-in-6 tunnel), identities of the other two kinds."""
    def v6(side, me, other, lid, rid, initiate):
        return fleet_conf(side, initiate=initiate, local_id=lid,
                          remote_id=rid).replace(
            " address 203.0.113.%s" % other,
            " address 2001:db8:1::%s" % other).replace(
            " local-address 203.0.113.%s" % me,
            " local-address 2001:db8:1::%s" % me)
    hq = fleets("hq", v6("hq", 2, 1, '"key-id:hq key"',
                         "user-fqdn:ops@br.example.net", "never"))
    br = fleets("br", v6("br", 1, 2, "user-fqdn:ops@br.example.net",
                         '"key-id:hq key"', "always"))
    br.wait_for(br.ipsec_up, what="IPsec SA over IPv6")
    hq.wait_for(hq.ipsec_up, what="HQ IPsec SA over IPv6")
    i_br, c_br, i_hq, _ = pair_matches(br, hq)
    assert i_br["remote"]["address"] == "2001:db8:1::2"
    detail = hq.json("show", "ike", "sa", "detail")["sas"][0]
    assert detail["remote_id"] == "user-fqdn:ops@br.example.net"
    detail = br.json("show", "ike", "sa", "detail")["sas"][0]
    assert detail["remote_id"] == "key-id:hq key"


def test_responder_lifetime(topology, fleets):
    """The responder's shorter IPsec lifetime reaches the initiator."""
    hq = fleets("hq", fleet_conf("hq", initiate="never").replace(
        " pfs none\n", " pfs none\n lifetime 30m\n"))
    br = fleets("br", fleet_conf("br"))
    br.wait_for(br.ipsec_up, what="IPsec SA")
    hq.wait_for(hq.ipsec_up, what="HQ IPsec SA")
    assert br.json("show", "ipsec", "sa")["sas"][0]["lifetime"] == 1800
    assert hq.json("show", "ipsec", "sa")["sas"][0]["lifetime"] == 1800
    assert "IKE.026" in br.cli("show", "logging", "ike").stdout


def test_dpd_restart(topology, fleets):
    """dpd ... restart: after the peer died, negotiate again by ourselves
    once it is back."""
    hq = fleets("hq", fleet_conf("hq", initiate="never"))
    br = fleets("br", fleet_conf("br", initiate="on-demand",
                                 extra_peer=" dpd 1s 2 restart"))
    br.cli("clear", "ike", "sa")       # nothing yet; a no-op
    hq_conf = fleet_conf("hq", initiate="always")
    hq.write_conf(hq_conf)
    hq.cli("reload")                   # HQ initiates, the branch answers
    br.wait_for(br.ipsec_up, what="IPsec SA")
    os.kill(hq.proc.pid, signal.SIGKILL)
    hq.proc.wait()
    br.wait_for(lambda: br.json("show", "ike", "statistics")["dpd_dead"] == 1,
                timeout=15, what="DPD")
    hq.write_conf(fleet_conf("hq", initiate="never"))
    hq.start()
    br.wait_for(br.ipsec_up, timeout=30, what="the restart to bring it back")
    assert "restarting its SAs" in br.cli("show", "logging", "ike").stdout
