"""Rekey under load: a continuous ping across several forced rekeys loses
nothing, the new SAs carry the traffic, and the tunnel's totals keep
counting across the SA changes."""
import re
import subprocess
import time

import pytest

from ike_confs import PSK, fleet_conf
from strongswan import site_conn
from traffic import tcp_transfer

REKEYS = 4
INTERVAL = 0.02         # 50 pings a second
COUNT = 300             # 6 s of pings: the rekeys happen inside


def ping_across_rekeys(topology, rekeying):
    """Start the ping, force REKEYS rekeys through `rekeying`, return
    (transmitted, received)."""
    ping = topology.popen("brhost", "ping", "-n", "-q", "-i", str(INTERVAL),
                          "-c", str(COUNT), "-W", "2", "192.168.20.10",
                          stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(0.5)
        for _ in range(REKEYS):
            assert rekeying.json("rekey", "ipsec", "sa", "tun0")[
                "rekeyed"] == 1
            time.sleep(1.2)
        out, _ = ping.communicate(timeout=COUNT * INTERVAL + 20)
    finally:
        if ping.poll() is None:
            topology.stop(ping)
    m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
    assert m, out
    return int(m.group(1)), int(m.group(2))


def spis(fleet):
    return {(s["spi_in"], s["spi_out"])
            for s in fleet.json("show", "ipsec", "sa")["sas"]}


@pytest.mark.parametrize("esp", ["aes-128-gcm", "aes-256 sha256"])
def test_fleet_to_fleet_rekey_loses_nothing(topology, fleets, esp):
    hq = fleets("hq", fleet_conf("hq", initiate="never", esp=(esp,)))
    br = fleets("br", fleet_conf("br", initiate="always", esp=(esp,)))
    br.wait_for(br.ipsec_up, what="the tunnel")
    assert topology.wait_ping("brhost", "192.168.20.10")
    before = spis(br)
    sent, got = ping_across_rekeys(topology, br)
    assert (sent, got) == (COUNT, COUNT), br.log()[-4000:]
    # The old pairs are gone, the last new one carries the traffic.
    br.wait_for(lambda: len(spis(br)) == 1, 10, "the old SAs to go")
    assert spis(br).isdisjoint(before)
    for f in (br, hq):
        tun = f.json("show", "tunnel")["interfaces"][0]
        # the totals of all the SAs, not of the last one only
        assert tun["out"]["packets"] >= COUNT
        assert tun["in"]["packets"] >= COUNT
        sa = f.json("show", "ipsec", "sa", "detail")["sas"][0]
        assert sa["packets_out"] < COUNT
        assert tun["in"]["drops"]["replay"] == 0
        assert tun["in"]["drops"]["unknown-spi"] == 0


def test_rekey_with_strongswan_loses_nothing(topology, charons, fleets):
    charons("hq", [site_conn("hq", "br", psk=PSK,
                             proposals="aes128-sha1-modp2048",
                             esp_proposals="aes128gcm16")])
    br = fleets("br", fleet_conf("br", initiate="always",
                                 esp=("aes-128-gcm",)))
    br.wait_for(br.ipsec_up, what="the tunnel")
    assert topology.wait_ping("brhost", "192.168.20.10")
    before = spis(br)
    sent, got = ping_across_rekeys(topology, br)
    assert (sent, got) == (COUNT, COUNT), br.log()[-4000:]
    br.wait_for(lambda: len(spis(br)) == 1, 10, "the old SAs to go")
    assert spis(br).isdisjoint(before)


def test_kilobyte_lifetime_rekeys_under_load(topology, fleets):
    """An SA good for 1000 KB is replaced as the volume runs out: a 4 MB
    transfer goes through several SAs, intact and without a stall."""
    def conf(side, initiate):
        return fleet_conf(side, initiate=initiate).replace(
            " pfs none\n", " pfs none\n lifetime 1000 kilobytes\n")
    hq = fleets("hq", conf("hq", "never"))
    br = fleets("br", conf("br", "always"))
    br.wait_for(br.ipsec_up, what="the tunnel")
    assert topology.wait_ping("brhost", "192.168.20.10")
    before = spis(br)
    want, got = tcp_transfer(topology, "brhost", "hqhost", "192.168.20.10",
                             4 * 1024 * 1024, timeout=60)
    assert got == {"bytes": 4 * 1024 * 1024, "sha256": want}
    # 4 MB through SAs of 1000 KB: at least four of them
    assert br.log().count("IKE.015") >= 4
    assert spis(br).isdisjoint(before)
    for f in (br, hq):
        tun = f.json("show", "tunnel")["interfaces"][0]
        assert tun["out"]["drops"]["seq-exhausted"] == 0
        assert tun["in"]["drops"]["unknown-spi"] == 0
        # no SA carried more than its volume (the last packet may cross)
        for sa in f.json("show", "ipsec", "sa", "detail")["sas"]:
            assert sa["bytes_out"] <= 1000 * 1024 + 1500
