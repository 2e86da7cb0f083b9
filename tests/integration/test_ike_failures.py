"""What goes wrong, and how fleetvpnd tells: proposal mismatches in each
phase, a wrong pre-shared key, an unreachable peer, a dead peer, and a
Delete from the peer.  Each failure must show in the counters operators
read (success, failure, hash err, timeout, resend) and in the event log."""
import os
import signal
import time

from ike_confs import PSK, fleet_conf
from strongswan import site_conn


def phase(fleet, n):
    return fleet.json("show", "ike", "statistics")["phase%d" % n]


def log_has(fleet, text):
    return text in fleet.cli("show", "logging", "ike").stdout


def test_phase1_mismatch_we_initiate(topology, charons, fleets):
    charons("hq", [site_conn("hq", "br", psk=PSK,
                             proposals="aes256-sha512-modp4096")])
    br = fleets("br", fleet_conf("br"))
    br.wait_for(lambda: phase(br, 1)["failure"] >= 1, what="phase-1 failure")
    assert br.json("show", "ike", "sa")["created"] == 0
    assert log_has(br, "Receive notification data from 203.0.113.2:500: "
                   "NO-PROPOSAL-CHOSEN (14)")
    assert log_has(br, "IKE.027")


def test_phase1_mismatch_they_initiate(topology, charons, fleets):
    hq = fleets("hq", fleet_conf("hq", initiate="never"))
    br = charons("br", [site_conn("br", "main", psk=PSK,
                                  proposals="aes256-sha512-modp4096")])
    br.initiate("main", check=False, timeout=5)
    hq.wait_for(lambda: phase(hq, 1)["failure"] >= 1, what="phase-1 failure")
    log = hq.cli("show", "logging", "ike").stdout
    assert "IKE.010 ike warn: phase 1 proposal mismatch with " \
        "203.0.113.1:500 (peer): ours: aes-128/sha1/group 14/28800s; " \
        "peer's: aes-256/sha512/group 16/" in log, log
    assert "Send notification to 203.0.113.1:500: NO-PROPOSAL-CHOSEN" in log
    assert hq.json("show", "ike", "sa")["created"] == 0


def test_phase2_mismatch_we_initiate(topology, charons, fleets):
    charons("hq", [site_conn("hq", "br", psk=PSK,
                             proposals="aes128-sha1-modp2048",
                             esp_proposals="aes256-sha512")])
    br = fleets("br", fleet_conf("br"))
    br.wait_for(lambda: phase(br, 2)["failure"] >= 1, what="phase-2 failure")
    assert phase(br, 1)["success"] == 1
    assert br.json("show", "ipsec", "sa")["created"] == 0
    assert log_has(br, "NO-PROPOSAL-CHOSEN")


def test_phase2_mismatch_they_initiate(topology, charons, fleets):
    hq = fleets("hq", fleet_conf("hq", initiate="never"))
    br = charons("br", [site_conn("br", "main", psk=PSK,
                                  proposals="aes128-sha1-modp2048",
                                  esp_proposals="aes256-sha512")])
    br.initiate("main", check=False, timeout=5)
    hq.wait_for(lambda: phase(hq, 2)["failure"] >= 1, what="phase-2 failure")
    assert phase(hq, 1)["success"] == 1
    log = hq.cli("show", "logging", "ike").stdout
    assert "phase 2 proposal mismatch with peer (tunnel tun0): ours: " \
        "esp-aes-128-sha1/pfs none; peer's: esp-aes-256-sha512/pfs none" \
        in log, log


def test_wrong_psk_is_a_hash_error(topology, charons, fleets):
    hq = fleets("hq", fleet_conf("hq", initiate="never"))
    br = charons("br", [site_conn("br", "main", psk="not-the-right-key-at-all",
                                  proposals="aes128-sha1-modp2048")])
    br.initiate("main", check=False, timeout=5)
    hq.wait_for(lambda: phase(hq, 1)["hash_err"] >= 1, what="hash error")
    p1 = phase(hq, 1)
    assert p1["failure"] >= 1 and p1["success"] == 0
    assert hq.json("show", "ike", "sa")["created"] == 0
    assert log_has(hq, "IKE.009 ike error: hash error in phase 1")


def test_wrong_psk_aggressive_initiator(topology, charons, fleets):
    charons("hq", [site_conn("hq", "br", psk="not-the-right-key-at-all",
                             aggressive=True,
                             proposals="aes128-sha1-modp2048")])
    br = fleets("br", fleet_conf("br", mode="aggressive"))
    br.wait_for(lambda: phase(br, 1)["hash_err"] >= 1, what="hash error")
    assert log_has(br, "HASH_R does not verify")
    assert br.json("show", "ike", "sa")["created"] == 0


def test_unreachable_peer(topology, fleets):
    """Nobody answers: resends, then "no answer" and a timeout."""
    br = fleets("br", fleet_conf("br"))
    br.wait_for(lambda: phase(br, 1)["timeout"] >= 1, timeout=20,
                what="phase-1 timeout")
    p1 = phase(br, 1)
    assert p1["resend"] >= 2 and p1["failure"] >= 1
    log = br.cli("show", "logging", "ike").stdout
    assert "IKE.007 ike info: phase 1 message to 203.0.113.2:500 resent " \
        "(1/2)" in log
    assert "IKE.008 ike warn: no answer from 203.0.113.2:500 in phase 1" in log
    # An always-on tunnel keeps trying.
    br.wait_for(lambda: phase(br, 1)["timeout"] >= 2, timeout=30,
                what="a retry")


def test_dead_peer_detected(topology, charons, fleets):
    hq = charons("hq", [site_conn("hq", "br", psk=PSK,
                                  proposals="aes128-sha1-modp2048")])
    br = fleets("br", fleet_conf("br", extra_peer=" dpd 1s 2 clear",
                                 initiate="on-demand"))
    br.cli("debug", "ike", "debug")
    # on-demand: bring it up by hand through strongSwan's side instead
    hq.initiate("br")
    br.wait_for(br.ipsec_up, what="IPsec SA")
    os.kill(hq.pid, signal.SIGKILL)    # no Delete: only DPD can tell
    br.wait_for(lambda: br.json("show", "ipsec", "sa")["created"] == 0,
                timeout=15, what="DPD to clear the SAs")
    assert br.json("show", "ike", "sa")["created"] == 0
    stats = br.json("show", "ike", "statistics")
    assert stats["dpd_dead"] == 1 and stats["dpd_probes"] >= 2
    assert log_has(br, "IKE.011 ike warn: dead peer 203.0.113.2")
    assert "tunnel tun0 down: dead peer" in br.cli("show", "logging").stdout


def test_delete_from_peer(topology, charons, fleets):
    hq = charons("hq", [site_conn("hq", "br", psk=PSK,
                                  proposals="aes128-sha1-modp2048")])
    br = fleets("br", fleet_conf("br", initiate="on-demand"))
    hq.initiate("br")
    br.wait_for(br.ipsec_up, what="IPsec SA")
    hq.terminate(child="br")
    t0 = time.monotonic()
    br.wait_for(lambda: br.json("show", "ipsec", "sa")["created"] == 0,
                timeout=5, what="the Delete to remove the IPsec SA")
    assert time.monotonic() - t0 < 2
    assert log_has(br, "IKE.021")
    hq.terminate(ike="br")
    br.wait_for(lambda: br.json("show", "ike", "sa")["created"] == 0,
                timeout=5, what="the Delete to remove the ISAKMP SA")


def test_clear_tells_the_peer(topology, charons, fleets):
    hq = charons("hq", [site_conn("hq", "br", psk=PSK,
                                  proposals="aes128-sha1-modp2048")])
    br = fleets("br", fleet_conf("br", initiate="on-demand"))
    hq.initiate("br")
    br.wait_for(br.ipsec_up, what="IPsec SA")
    out = br.cli("clear", "ipsec", "sa", "tun0").stdout
    assert "Cleared 1 IPsec SA" in out
    hq.wait_for(lambda sas: not sas or not sas[0]["children"],
                what="strongSwan to drop the CHILD SA")
    br.cli("clear", "ike", "sa")
    hq.wait_for(lambda sas: not sas, what="strongSwan to drop the IKE SA")
    assert br.json("show", "ike", "statistics")["delete_sent"] >= 2
