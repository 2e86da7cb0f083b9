"""An independent ESP implementation (scapy) decrypts what fleetvpnd sends
and fleetvpnd takes what scapy encrypts, with the keys of the test-only
"ipsec key-export".  Replayed, truncated and tampered packets are dropped
and counted by reason, and traffic keeps flowing."""
import json
import os
import subprocess

import pytest

from ike_confs import fleet_conf

PY = "/usr/bin/python3"
HERE = os.path.dirname(os.path.abspath(__file__))
SCAPY = os.path.join(HERE, "esp_scapy.py")


def keys_of(path, direction):
    with open(path) as f:
        return [json.loads(l) for l in f if json.loads(l)["dir"] == direction]


def drops(fleet):
    return fleet.json("show", "tunnel")["interfaces"][0]["in"]["drops"]


def scapy_send(topology, keys, spi, seq, mode, text):
    topology.run("hq", PY, SCAPY, "send", keys, spi, str(seq), mode,
                 "203.0.113.2", "203.0.113.1", "192.168.20.10",
                 "192.168.10.10", text, timeout=60)


@pytest.mark.parametrize("esp,natt", [("aes-128-gcm", "on"),
                                      ("aes-256 sha1", "on"),
                                      ("aes-128-gcm", "force")])
def test_scapy_both_ways(topology, fleets, tmp_path, esp, natt):
    keys = str(tmp_path / "keys.jsonl")
    hq = fleets("hq", fleet_conf("hq", initiate="never", esp=(esp,)))
    br = fleets("br", fleet_conf("br", initiate="on-demand", esp=(esp,),
                                 natt=natt,
                                 extra_top="ipsec key-export %s" % keys))
    assert "ESP.002" in br.cli("show", "logging").stdout
    cap = topology.capture("br", "wan0", tmp_path / "out.pcap",
                           "esp or udp port 4500")
    assert topology.wait_ping("brhost", "192.168.20.10")
    topology.run("brhost", "ping", "-n", "-c", "3", "-i", "0.2", "-p",
                 "4641535445535421", "192.168.20.10")
    cap.stop()
    out = keys_of(keys, "out")[0]
    # scapy decrypts our outbound packets: ICMP with our pattern.
    p = topology.run("br", PY, SCAPY, "decrypt", str(tmp_path / "out.pcap"),
                     keys, out["spi"], timeout=60)
    pkts = json.loads(p.stdout)
    assert len(pkts) >= 4
    assert all(x["src"] == "192.168.10.10" and x["proto"] == 1
               for x in pkts)
    assert any("4641535445535421" in x["payload"] for x in pkts)
    # We decrypt what scapy encrypts to our inbound SPI.
    inn = keys_of(keys, "in")[0]
    before = br.json("show", "tunnel")["interfaces"][0]["in"]["packets"]
    icap = topology.capture("brhost", "eth0", tmp_path / "lan.pcap",
                            "icmp")
    scapy_send(topology, keys, inn["spi"], 500, "good", "SCAPY-GOOD")
    br.wait_for(lambda: br.json("show", "tunnel")["interfaces"][0]["in"]
                ["packets"] > before, what="scapy's packet taken")
    icap.stop()
    with open(str(tmp_path / "lan.pcap"), "rb") as f:
        assert b"SCAPY-GOOD" in f.read()
    # Replay, truncation, tampering: dropped, counted, harmless.
    d0 = drops(br)
    scapy_send(topology, keys, inn["spi"], 501, "replay", "SCAPY-REPLAY")
    br.wait_for(lambda: drops(br)["replay"] == d0["replay"] + 1,
                what="replay counted")
    scapy_send(topology, keys, inn["spi"], 502, "tamper", "SCAPY-TAMPER")
    br.wait_for(lambda: drops(br)["integrity-failure"] ==
                d0["integrity-failure"] + 1, what="tamper counted")
    scapy_send(topology, keys, inn["spi"], 503, "truncate", "SCAPY-TRUNC")
    br.wait_for(lambda: sum(drops(br).values()) >= sum(d0.values()) + 3,
                what="truncation counted")
    assert topology.ping("brhost", "192.168.20.10", count=3)
    assert hq.proc.poll() is None and br.proc.poll() is None
