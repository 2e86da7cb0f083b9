"""Traffic flows: ping and a checksum-verified TCP transfer through the
tunnel, fleetvpnd with strongSwan in both roles and fleetvpnd with
fleetvpnd; the payload never appears in clear on the outer link."""
import pytest

from ike_confs import PSK, fleet_conf
from strongswan import site_conn
from traffic import marker_in_pcap, tcp_transfer

MB = 1024 * 1024


def through(topology, tmp_path, fleet, what):
    """Ping both ways, move 4 MB each way, check the outer link."""
    cap = topology.capture("br", "wan0", tmp_path / "wan.pcap",
                           "esp or udp port 4500")
    assert topology.wait_ping("brhost", "192.168.20.10", timeout=15), \
        fleet.log()[-3000:]
    assert topology.ping("brhost", "192.168.20.10", count=5)
    assert topology.ping("hqhost", "192.168.10.10", count=5)
    want, got = tcp_transfer(topology, "brhost", "hqhost", "192.168.20.10",
                             4 * MB)
    assert got == {"bytes": 4 * MB, "sha256": want}, what
    want, got = tcp_transfer(topology, "hqhost", "brhost", "192.168.10.10",
                             4 * MB)
    assert got == {"bytes": 4 * MB, "sha256": want}, what
    cap.stop()
    assert not marker_in_pcap(str(tmp_path / "wan.pcap")), \
        "clear text on the outer link"
    tun = fleet.json("show", "tunnel")["interfaces"][0]
    assert tun["out"]["packets"] > 1000 and tun["in"]["packets"] > 1000
    sa = fleet.json("show", "ipsec", "sa", "detail")["sas"][0]
    assert sa["packets_in"] > 1000 and sa["packets_out"] > 1000


@pytest.mark.parametrize("esp,ss_esp", [("aes-128-gcm", "aes128gcm16"),
                                        ("aes-128 sha1", "aes128-sha1")])
def test_fleet_initiates_to_strongswan(topology, charons, fleets, tmp_path,
                                       esp, ss_esp):
    charons("hq", [site_conn("hq", "br", psk=PSK,
                             proposals="aes128-sha1-modp2048",
                             esp_proposals=ss_esp)])
    br = fleets("br", fleet_conf("br", initiate="on-demand", esp=(esp,)))
    through(topology, tmp_path, br, esp)


def test_strongswan_initiates_to_fleet(topology, charons, fleets, tmp_path):
    hq = fleets("hq", fleet_conf("hq", initiate="never",
                                 esp=("aes-256 sha256",)))
    br = charons("br", [site_conn("br", "main", psk=PSK,
                                  proposals="aes128-sha1-modp2048",
                                  esp_proposals="aes256-sha256",
                                  child_opts={"start_action": "trap"})])
    br.initiate("main")
    through(topology, tmp_path, hq, "strongSwan initiator")


@pytest.mark.parametrize("esp", ["aes-256-gcm", "aes-128 sha256",
                                 "3des sha1"])
def test_fleet_to_fleet(topology, fleets, tmp_path, esp):
    hq = fleets("hq", fleet_conf("hq", initiate="never", esp=(esp,)))
    fleets("br", fleet_conf("br", initiate="on-demand", esp=(esp,)))
    through(topology, tmp_path, hq, esp)
    assert hq.json("show", "ipsec", "sa")["sas"][0]["encapsulation"] == \
        "tunnel"        # no NAT between two fleetvpnd: raw ESP
