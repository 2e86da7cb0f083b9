"""IKEv1 interop with a real strongSwan 5.9 (charon, kernel-libipsec) in
network namespaces: fleetvpnd initiating to strongSwan and strongSwan
initiating to fleetvpnd, main and aggressive mode, MODP and ECP groups,
with and without PFS.  Both sides must show the ISAKMP SA (same cookies)
and the IPsec SA pair with the same SPIs, crossed."""
import re

import pytest

from ike_confs import PSK, fleet_conf
from strongswan import fqdn, site_conn

# (name, fleetvpnd phase 1, fleetvpnd esp lines, pfs,
#  strongSwan IKE proposal, strongSwan ESP proposal)
TRANSFORMS = [
    ("modp2048-cbc", ("aes-128", "sha1", 14), ("aes-128 sha1",), "none",
     "aes128-sha1-modp2048", "aes128-sha1"),
    ("ecp256-gcm", ("aes-256", "sha256", 19), ("aes-128-gcm",), "none",
     "aes256-sha256-ecp256", "aes128gcm16"),
    ("modp3072-pfs", ("aes-192", "sha384", 15), ("aes-256 sha256",),
     "group 14", "aes192-sha384-modp3072", "aes256-sha256-modp2048"),
    ("ecp384-pfs-ecp", ("aes-256", "sha512", 20), ("aes-256-gcm",),
     "group 19", "aes256-sha512-ecp384", "aes256gcm16-ecp256"),
]


def check_pair(fleet, charon, conn):
    """Both sides agree: cookies, SPIs crossed, proxy IDs, states."""
    sa, child = charon.wait_established(conn)
    ike = fleet.json("show", "ike", "sa")
    ipsec = fleet.json("show", "ipsec", "sa")
    assert ike["created"] == 1 and ipsec["created"] == 1
    ours = [s for s in ike["sas"] if s["state"] == "established"][0]
    assert ours["icookie"] == "0x" + sa["initiator-spi"]
    assert ours["rcookie"] == "0x" + sa["responder-spi"]
    c = [s for s in ipsec["sas"] if s["state"] == "installed"][0]
    assert c["spi_in"] == "0x" + child["spi-out"]
    assert c["spi_out"] == "0x" + child["spi-in"]
    assert child["state"] == "INSTALLED" and child["encap"] == "yes"
    assert c["encapsulation"] == "udp-tunnel"
    return ours, c


@pytest.mark.parametrize("t", TRANSFORMS, ids=[t[0] for t in TRANSFORMS])
def test_fleet_initiates_main_mode(topology, charons, fleets, t):
    name, ike, esp, pfs, ss_ike, ss_esp = t
    hq = charons("hq", [site_conn("hq", "br", psk=PSK, proposals=ss_ike,
                                  esp_proposals=ss_esp)])
    br = fleets("br", fleet_conf("br", ike=ike, esp=esp, pfs=pfs))
    br.wait_for(br.ipsec_up, what="IPsec SA")
    ours, c = check_pair(br, hq, "br")
    assert ours["direction"] == "initiator" and ours["exchange"] == "main"
    assert ours["group"] == ike[2]
    assert c["pfs_group"] == (0 if pfs == "none" else int(pfs.split()[1]))


@pytest.mark.parametrize("t", TRANSFORMS[:3], ids=[t[0] for t in TRANSFORMS[:3]])
def test_strongswan_initiates_main_mode(topology, charons, fleets, t):
    name, ike, esp, pfs, ss_ike, ss_esp = t
    hq = fleets("hq", fleet_conf("hq", ike=ike, esp=esp, pfs=pfs,
                                 initiate="never"))
    br = charons("br", [site_conn("br", "main", psk=PSK, proposals=ss_ike,
                                  esp_proposals=ss_esp)])
    br.initiate("main")
    ours, c = check_pair(hq, br, "main")
    assert ours["direction"] == "responder"
    assert c["direction"] == "responder"


def test_aggressive_both_ways(topology, charons, fleets):
    """Aggressive mode with FQDN identities: fleetvpnd initiating, then
    strongSwan initiating to it (after a clear)."""
    hq = charons("hq", [site_conn("hq", "br-aggr", psk=PSK, aggressive=True,
                                  local_id=fqdn("hq.example.net"),
                                  remote_id=fqdn("br.example.net"),
                                  proposals="aes128-sha256-modp2048",
                                  esp_proposals="aes128gcm16")])
    br = fleets("br", fleet_conf("br", mode="aggressive",
                                 ike=("aes-128", "sha256", 14),
                                 esp=("aes-128-gcm",),
                                 local_id="fqdn:br.example.net",
                                 remote_id="fqdn:hq.example.net"))
    br.wait_for(br.ipsec_up, what="IPsec SA")
    ours, _ = check_pair(br, hq, "br-aggr")
    assert ours["exchange"] == "aggressive"
    assert ours["direction"] == "initiator"


def test_strongswan_initiates_aggressive_to_dynamic_peer(topology, charons,
                                                         fleets):
    """HQ fleetvpnd with an `address any` peer found by its FQDN."""
    hq = fleets("hq", fleet_conf("hq", mode="aggressive", address="any",
                                 ike=("aes-256", "sha256", 19),
                                 esp=("aes-256-gcm",),
                                 local_id="fqdn:hq.example.net",
                                 remote_id="fqdn:branch-07.example.net",
                                 initiate="never"))
    br = charons("br", [site_conn("br", "dyn", psk=PSK, aggressive=True,
                                  local_id=fqdn("branch-07.example.net"),
                                  remote_id=fqdn("hq.example.net"),
                                  proposals="aes256-sha256-ecp256",
                                  esp_proposals="aes256gcm16")])
    br.initiate("dyn")
    ours, _ = check_pair(hq, br, "dyn")
    assert ours["exchange"] == "aggressive" and ours["direction"] == "responder"
    detail = hq.json("show", "ike", "sa", "detail")["sas"][0]
    assert detail["remote_id"] == "fqdn:branch-07.example.net"


def test_show_shapes_against_live_peer(topology, charons, fleets):
    hq = charons("hq", [site_conn("hq", "br", psk=PSK,
                                  proposals="aes128-sha1-modp2048",
                                  esp_proposals="aes128-sha1")])
    br = fleets("br", fleet_conf("br"))
    br.wait_for(br.ipsec_up, what="IPsec SA")
    check_pair(br, hq, "br")
    ike = br.cli("show", "ike", "sa").stdout
    assert ike.startswith("ISAKMP SA - 1 configured, 1 created\n")
    for line in ("Local address is 203.0.113.1, port is 4500",
                 "Remote address is 203.0.113.2, port is 4500",
                 "Exchange type is main mode", "NAT-Traversal RFC3947",
                 "State is established", "Encryption algorithm is aes-128",
                 "Hash algorithm is sha1", "#ph1 success: 1, #ph1 failure: 0",
                 "#ph2 hash err: 0, #ph2 timeout: 0, #ph2 resend: 0"):
        assert line in ike, ike
    assert re.search(r"DH group is modp2048, lifetime is \d+ seconds", ike)
    ipsec = br.cli("show", "ipsec", "sa").stdout
    assert ipsec.startswith("IPsec SA - 1 configured, 1 created\n")
    assert "Local network is 192.168.10.0/24, remote network is " \
        "192.168.20.0/24" in ipsec
    assert re.search(r"Inbound:  ESP, SPI is 0x[0-9a-f]{8}\(\d+\)", ipsec)
    assert "Transform is esp-aes-128-sha1, PFS none" in ipsec
    log = br.cli("show", "logging", "ike").stdout
    for code in ("IKE.001", "IKE.002", "IKE.003", "IKE.004", "IKE.012",
                 "IKE.015"):
        assert " %s " % code in log, code
    assert "Begin IKE phase 1 negotiation, destination 203.0.113.2:500" in log
    stats = br.json("show", "ike", "statistics")
    assert stats["phase1"]["success"] == 1 and stats["phase2"]["success"] == 1
    st = br.json("show", "status")
    assert st["tunnels"]["up"] == 1 and st["sas"]["ipsec_created"] == 1


def test_shutdown_sends_deletes(topology, charons, fleets):
    """A clean stop tells the peer: strongSwan drops both SAs at once."""
    hq = charons("hq", [site_conn("hq", "br", psk=PSK,
                                  proposals="aes128-sha1-modp2048",
                                  esp_proposals="aes128-sha1")])
    br = fleets("br", fleet_conf("br"))
    br.wait_for(br.ipsec_up, what="IPsec SA")
    hq.wait_established("br")
    assert br.stop() == 0
    hq.wait_for(lambda sas: not sas, timeout=5,
                what="strongSwan to drop the SAs on our Delete")
    assert "received DELETE for ESP CHILD_SA" in hq.log() or \
        "received DELETE" in hq.log()
