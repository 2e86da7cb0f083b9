#!/usr/bin/python3
"""Extract the unencrypted ISAKMP messages of the strongSwan captures.

    extract.py [--dir DIR]
    extract.py --describe [--dir DIR | FILE.pcap ...]

Reads DIR/mm.pcap (Main Mode) and DIR/am.pcap (Aggressive Mode), classic
pcap as written by `tcpdump -w` (any byte order, micro- or nanosecond
stamps; Ethernet, Linux cooked v1/v2 or raw IP; IPv4 or IPv6), and writes
the ISAKMP messages (IP/UDP headers stripped, and on UDP 4500 the 4-byte
non-ESP marker) as mm1.bin..mm4.bin and am1.bin, am2.bin into DIR.
--describe prints each ISAKMP message of the captures (DIR's, or the
files given) with its payloads, vendor IDs and phase 1 transforms instead.
DIR defaults to this script's folder.  Python 3 standard library only;
tests/integration/test_strongswan_harness.py imports it.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

EXCH_MAIN, EXCH_AGGRESSIVE, EXCH_INFO, EXCH_QUICK = 2, 4, 5, 32
EXCH_NAMES = {EXCH_MAIN: "ID_PROT", EXCH_AGGRESSIVE: "AGGRESSIVE",
              EXCH_INFO: "INFORMATIONAL", EXCH_QUICK: "QUICK_MODE",
              6: "TRANSACTION"}
PAYLOAD_NAMES = {1: "SA", 2: "P", 3: "T", 4: "KE", 5: "ID", 6: "CERT",
                 7: "CR", 8: "HASH", 9: "SIG", 10: "No", 11: "N", 12: "D",
                 13: "V", 14: "ATTR", 15: "SAK", 20: "NAT-D", 21: "NAT-OA",
                 130: "NAT-D(draft)", 131: "NAT-OA(draft)", 132: "FRAG"}
VENDOR_IDS = {
    "09002689dfd6b712": "XAuth",
    "afcad71368a1f1c96b8696fc77570100": "DPD (RFC 3706)",
    "4a131c81070358455c5728f20e95452f": "NAT-T (RFC 3947)",
    "4485152d18b6bbcd0be8a8469579ddcc": "NAT-T draft-00",
    "16f6ca16e4a4066d83821a0f0aeaa862": "NAT-T draft-01",
    "cd60464335df21f87cfdb2fc68b6a448": "NAT-T draft-02",
    "90cb80913ebb696e086381b5ec427b1f": "NAT-T draft-02\\n",
    "7d9419a65310ca6f2c179d9215529d56": "NAT-T draft-03",
    "4048b7d56ebce88525e7de7f00d6c2d3": "FRAGMENTATION",
    "4048b7d56ebce88525e7de7f00d6c2d380000000": "FRAGMENTATION (flags)",
    "12f5f28c457168a9702d9fe274cc0100": "Cisco Unity",
    "882fe56d6fd20dbc2251613b2ebe5beb": "strongSwan",
}
ISAKMP_HDR = 28


# -- pcap -------------------------------------------------------------------
# The reader lives with the test harness; this script borrows it.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "integration"))
from netns import read_pcap  # noqa: E402


def _l3(linktype, frame):
    """(ethertype, network-layer bytes) of a frame, or None."""
    if linktype == 1:                   # Ethernet
        et, off = struct.unpack("!H", frame[12:14])[0], 14
        while et in (0x8100, 0x88A8) and len(frame) >= off + 4:
            et, off = struct.unpack("!H", frame[off + 2:off + 4])[0], off + 4
        return et, frame[off:]
    if linktype == 113:                 # Linux cooked v1
        return struct.unpack("!H", frame[14:16])[0], frame[16:]
    if linktype == 276:                 # Linux cooked v2
        return struct.unpack("!H", frame[0:2])[0], frame[20:]
    if linktype in (101, 12, 14):       # raw IP
        v = frame[0] >> 4 if frame else 0
        return (0x0800 if v == 4 else 0x86DD), frame
    return None


def udp_datagrams(path):
    """Yield dicts ts, src, dst, sport, dport, payload for each UDP packet
    (unfragmented) of a pcap."""
    import ipaddress
    for ts, lt, frame in read_pcap(path):
        l3 = _l3(lt, frame)
        if l3 is None:
            continue
        et, pkt = l3
        if et == 0x0800 and len(pkt) >= 20:
            ihl = (pkt[0] & 0x0F) * 4
            total = struct.unpack("!H", pkt[2:4])[0]
            frag = struct.unpack("!H", pkt[6:8])[0]
            if pkt[9] != 17 or frag & 0x3FFF:
                continue
            src = ipaddress.IPv4Address(pkt[12:16])
            dst = ipaddress.IPv4Address(pkt[16:20])
            udp = pkt[ihl:total]
        elif et == 0x86DD and len(pkt) >= 40:
            if pkt[6] != 17:            # no extension headers expected
                continue
            plen = struct.unpack("!H", pkt[4:6])[0]
            src = ipaddress.IPv6Address(pkt[8:24])
            dst = ipaddress.IPv6Address(pkt[24:40])
            udp = pkt[40:40 + plen]
        else:
            continue
        if len(udp) < 8:
            continue
        sport, dport, ulen = struct.unpack("!HHH", udp[:6])
        yield dict(ts=ts, src=str(src), dst=str(dst), sport=sport,
                   dport=dport, payload=udp[8:ulen])


# -- ISAKMP -------------------------------------------------------------------
def parse_header(msg):
    if len(msg) < ISAKMP_HDR:
        raise ValueError("ISAKMP message shorter than its header")
    icky, rcky = msg[0:8], msg[8:16]
    np, ver, exch, flags = msg[16], msg[17], msg[18], msg[19]
    msgid, length = struct.unpack("!II", msg[20:28])
    return dict(icookie=icky.hex(), rcookie=rcky.hex(), next_payload=np,
                version=ver, exchange=exch, flags=flags, msgid=msgid,
                length=length, encrypted=bool(flags & 1))


def payloads(msg):
    """[(type, body)] of an unencrypted ISAKMP message; ValueError when
    the chain does not add up to the header's length."""
    h = parse_header(msg)
    if h["encrypted"]:
        raise ValueError("encrypted message: payloads are not visible")
    if h["length"] != len(msg):
        raise ValueError("header length %d, message %d bytes" %
                         (h["length"], len(msg)))
    out = []
    np, off = h["next_payload"], ISAKMP_HDR
    while np != 0:
        if off + 4 > len(msg):
            raise ValueError("payload header beyond the message")
        nxt, plen = msg[off], struct.unpack("!H", msg[off + 2:off + 4])[0]
        if plen < 4 or off + plen > len(msg):
            raise ValueError("bad payload length %d at %d" % (plen, off))
        out.append((np, msg[off + 4:off + plen]))
        np, off = nxt, off + plen
    if off != len(msg):
        raise ValueError("%d bytes after the last payload" % (len(msg) - off))
    return out


IKE_ATTRS = {1: "encr", 2: "hash", 3: "auth", 4: "group", 11: "life-type",
             12: "life-duration", 14: "key-length"}


def sa_transforms(body):
    """Phase 1 SA payload body -> [(proposal#, protocol, transform#,
    transform id, [(attribute type, value)])]; value is an int for TV
    (AF=1) attributes and bytes for TLV ones."""
    doi, _sit = struct.unpack("!II", body[:8])
    if doi != 1:
        raise ValueError("DOI %d, not IPsec" % doi)
    out = []
    p = body[8:]
    while p:
        pnext, _, plen, pnum, proto, spisize, ntr = \
            struct.unpack("!BBHBBBB", p[:8])
        if plen < 8 or plen > len(p):
            raise ValueError("bad proposal length %d" % plen)
        tr = p[8 + spisize:plen]
        for _ in range(ntr):
            _tnext, _, tlen, tnum, tid, _ = struct.unpack("!BBHBBH", tr[:8])
            if tlen < 8 or tlen > len(tr):
                raise ValueError("bad transform length %d" % tlen)
            attrs, al = tr[8:tlen], []
            while attrs:
                at, av = struct.unpack("!HH", attrs[:4])
                if at & 0x8000:
                    al.append((at & 0x7FFF, av))
                    attrs = attrs[4:]
                else:
                    al.append((at, attrs[4:4 + av]))
                    attrs = attrs[4 + av:]
            out.append((pnum, proto, tnum, tid, al))
            tr = tr[tlen:]
        p = p[plen:]
        if pnext == 0:
            break
    return out


def describe(msg):
    """"ID_PROT [ SA V V ]"-style summary (like charon's log) plus vendor
    ID names, for humans."""
    h = parse_header(msg)
    name = EXCH_NAMES.get(h["exchange"], str(h["exchange"]))
    if h["encrypted"]:
        return "%s msgid %08x encrypted, %d bytes" % (name, h["msgid"],
                                                      h["length"])
    pl = payloads(msg)
    names = [PAYLOAD_NAMES.get(t, str(t)) for t, _ in pl]
    vids = [VENDOR_IDS.get(b.hex(), b.hex()) for t, b in pl if t == 13]
    s = "%s msgid %08x [ %s ] %d bytes" % (name, h["msgid"],
                                           " ".join(names), h["length"])
    if vids:
        s += "\n      vendor IDs: " + ", ".join(vids)
    for t, b in pl:
        if t == 1 and h["exchange"] in (EXCH_MAIN, EXCH_AGGRESSIVE):
            for pnum, _proto, tnum, tid, al in sa_transforms(b):
                s += "\n      proposal %d transform %d (id %d): %s" % (
                    pnum, tnum, tid, " ".join(
                        "%s=%s" % (IKE_ATTRS.get(a, a), v) for a, v in al))
    return s


def isakmp_messages(path):
    """ISAKMP messages of a capture in order: dicts with the UDP fields,
    the header fields (parse_header) and data = the ISAKMP bytes.  UDP 4500
    datagrams need the 4-byte zero non-ESP marker (RFC 3948); ESP and
    NAT-keepalives (one 0xff byte) there are skipped."""
    out = []
    for d in udp_datagrams(path):
        p = d["payload"]
        if 500 in (d["sport"], d["dport"]):
            data = p
        elif 4500 in (d["sport"], d["dport"]):
            if len(p) < 4 or p[:4] != b"\0\0\0\0":
                continue
            data = p[4:]
        else:
            continue
        if len(data) < ISAKMP_HDR:
            continue
        m = dict(d)
        m.update(parse_header(data))
        m["data"] = data
        out.append(m)
    return out


def esp_in_udp(path):
    """UDP 4500 datagrams carrying ESP (non-zero first 4 bytes = SPI)."""
    return [d for d in udp_datagrams(path)
            if 4500 in (d["sport"], d["dport"]) and len(d["payload"]) > 8
            and d["payload"][:4] != b"\0\0\0\0"]


def phase1_messages(path, exchange):
    """The unencrypted messages of the first IKE SA's phase 1 with this
    exchange type, in order, retransmissions (identical bytes) dropped;
    checks that the direction alternates."""
    msgs = [m for m in isakmp_messages(path)
            if m["exchange"] == exchange and not m["encrypted"]]
    if not msgs:
        return []
    ick = msgs[0]["icookie"]
    seen, out = set(), []
    for m in msgs:
        if m["icookie"] != ick or m["data"] in seen:
            continue
        seen.add(m["data"])
        if out and (m["src"], m["dst"]) == (out[-1]["src"], out[-1]["dst"]):
            raise ValueError("two messages in a row from %s" % m["src"])
        out.append(m)
    return out


SEEDS = (("mm.pcap", EXCH_MAIN, "mm", 4), ("am.pcap", EXCH_AGGRESSIVE, "am",
                                             2))


def extract(pcap, exchange, stem, count, outdir):
    """Write stem1.bin..stem<count>.bin; returns their paths."""
    msgs = phase1_messages(pcap, exchange)
    if len(msgs) < count:
        raise ValueError("%s: %d unencrypted %s messages, need %d" %
                         (pcap, len(msgs), EXCH_NAMES[exchange], count))
    paths = []
    for i, m in enumerate(msgs[:count], 1):
        payloads(m["data"])             # must be a complete message
        p = os.path.join(outdir, "%s%d.bin" % (stem, i))
        with open(p, "wb") as f:
            f.write(m["data"])
        paths.append(p)
    return paths


def describe_pcap(path):
    print("%s:" % path)
    for m in isakmp_messages(path):
        print("  %s:%d -> %s:%d  %s" % (m["src"], m["sport"], m["dst"],
                                        m["dport"], describe(m["data"])))
    print("  ESP-in-UDP packets: %d" % len(esp_in_udp(path)))


def main(argv):
    d = HERE
    if "--dir" in argv:
        i = argv.index("--dir")
        d = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    if "--describe" in argv:
        files = [a for a in argv if a != "--describe"]
        if not files:
            files = [os.path.join(d, p) for p, _, _, _ in SEEDS
                     if os.path.exists(os.path.join(d, p))]
        for path in files:
            describe_pcap(path)
        return
    for pcap, exch, stem, count in SEEDS:
        for p in extract(os.path.join(d, pcap), exch, stem, count, d):
            print("wrote %s (%d bytes)" % (p, os.path.getsize(p)))


if __name__ == "__main__":
    main(sys.argv[1:])
