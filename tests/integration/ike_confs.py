"""fleetvpnd configurations for the IKE tests, on the test topology of
netns.py: the branch router br (203.0.113.1, LAN 192.168.10.0/24) and the
HQ router hq (203.0.113.2, LAN 192.168.20.0/24)."""

PSK = "lab-only-psk-not-secret-0123456789"


def fleet_conf(side, mode="main", ike=("aes-128", "sha1", 14),
               esp=("aes-128 sha1",), pfs="none", psk=PSK, initiate="always",
               extra_peer="", extra_tunnel="", extra_top="", local_id=None,
               remote_id=None, address=None, natt="on"):
    """A one-peer, one-tunnel configuration for router `side`."""
    me, other = ("1", "2") if side == "br" else ("2", "1")
    lan_me, lan_other = (("192.168.10.0/24", "192.168.20.0/24") if side == "br"
                         else ("192.168.20.0/24", "192.168.10.0/24"))
    lines = [
        "hostname %s" % side,
        "logging level ike debug",
        "ike retransmit 1s 2",
        extra_top,
        "ike proposal p1",
        " encryption %s" % ike[0],
        " hash %s" % ike[1],
        " group %d" % ike[2],
        "ike peer peer",
        " address %s" % (address or "203.0.113.%s" % other),
        " local-address 203.0.113.%s" % me,
        " mode %s" % mode,
        ' pre-shared-key "%s"' % psk,
        " proposal p1",
        " nat-traversal %s" % natt,
    ]
    if local_id:
        lines.append(" local-id %s" % local_id)
    if remote_id:
        lines.append(" remote-id %s" % remote_id)
    lines.append(extra_peer)
    lines.append("ipsec proposal p2")
    lines += [" esp %s" % e for e in esp]
    lines.append(" pfs %s" % pfs)
    lines += [
        "tunnel tun0",
        " peer peer",
        " proposal p2",
        " local-network %s" % lan_me,
        " remote-network %s" % lan_other,
        " initiate %s" % initiate,
        extra_tunnel,
    ]
    return "\n".join(line for line in lines if line) + "\n"
