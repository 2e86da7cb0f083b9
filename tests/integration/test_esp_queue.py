"""On demand: the first packets routed into a tunnel without an SA start
the negotiation and wait in a bounded queue; they leave once the SA is
there, what does not fit is counted as queue-full, and nothing waits
forever."""
import time

from ike_confs import fleet_conf


def tun_out(fleet):
    return fleet.json("show", "tunnel")["interfaces"][0]["out"]


def test_first_packets_wait_for_the_sa(topology, fleets):
    fleets("hq", fleet_conf("hq", initiate="never"))
    br = fleets("br", fleet_conf("br", initiate="on-demand"))
    assert br.json("show", "ipsec", "sa")["created"] == 0
    # Ten echo requests in 20 ms: all are queued, none lost.
    p = topology.run("brhost", "ping", "-n", "-q", "-c", "10", "-i", "0.002",
                     "-W", "5", "192.168.20.10", check=False)
    assert "10 packets transmitted, 10 received" in p.stdout, p.stdout
    out = tun_out(br)
    assert out["drops"]["queue-full"] == 0
    assert out["packets"] == 10


def test_queue_is_bounded_and_expires(topology, fleets):
    # No HQ: the negotiation cannot finish.
    br = fleets("br", fleet_conf("br", initiate="on-demand"))
    topology.run("brhost", "ping", "-n", "-q", "-c", "40", "-i", "0.002",
                 "-W", "1", "192.168.20.10", check=False)
    out = tun_out(br)
    assert out["drops"]["queue-full"] == 40 - 32
    assert out["drops"]["queue-expired"] == 0
    # Ten seconds on, the next packet finds the 32 expired.
    time.sleep(10.5)
    topology.run("brhost", "ping", "-n", "-q", "-c", "1", "-W", "1",
                 "192.168.20.10", check=False)
    out = tun_out(br)
    assert out["drops"]["queue-expired"] == 32
    assert out["drops"]["queue-full"] == 40 - 32
    assert br.proc.poll() is None
