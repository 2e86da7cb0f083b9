#!/usr/bin/python3
"""Write the IKEv1 seed messages of tests/data/ike/ (and the fuzz corpus).

Built here with struct, independently of engine/ike/ike_build.c, from the
layouts of RFC 2408 (ISAKMP), 2407 (IPsec DOI), 2409 (IKE), 3947 (NAT-T)
and 3706 (DPD), so the unit test parsing them checks the parser against
the RFCs rather than against our own builder.  Deterministic: no random
bytes, the same files on every run.

    tests/data/ike/make_seeds.py [OUTDIR...]
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# Payload types, exchanges (RFC 2408 3.1, 3.2; RFC 3947)
SA, P, T, KE, ID, HASH, NONCE, N, D, VID, NAT_D = 1, 2, 3, 4, 5, 8, 10, 11, 12, 13, 20
MAIN, AGGR, INFO, QUICK = 2, 4, 5, 32

ICOOKIE = bytes.fromhex("0123456789abcdef")
RCOOKIE = bytes.fromhex("fedcba9876543210")
VID_RFC3947 = bytes.fromhex("4a131c81070358455c5728f20e95452f")
VID_DPD = bytes.fromhex("afcad71368a1f1c96b8696fc77570100")


def basic(t, v):
    return struct.pack("!HH", 0x8000 | t, v)


def tlv(t, v):
    return struct.pack("!HH", t, len(v)) + v


def sub(nxt, body):
    """A proposal or transform: generic header, then its body."""
    return struct.pack("!BBH", nxt, 0, 4 + len(body)) + body


def chain(plds):
    """(type, body) pairs to the bytes of a chain; returns (first, bytes)."""
    out = b""
    for i, (_, body) in enumerate(plds):
        nxt = plds[i + 1][0] if i + 1 < len(plds) else 0
        out += struct.pack("!BBH", nxt, 0, 4 + len(body)) + body
    return plds[0][0], out


def message(exch, plds, rcookie=RCOOKIE, msgid=0, flags=0):
    first, body = chain(plds)
    hdr = ICOOKIE + rcookie + struct.pack("!BBBBII", first, 0x10, exch,
                                          flags, msgid, 28 + len(body))
    return hdr + body


def sa_body(doi, sit, props):
    """props: (proto, spi, [(id, attrs)...]) in order."""
    out = struct.pack("!II", doi, sit)
    for pi, (proto, spi, xforms) in enumerate(props):
        xs = b""
        for ti, (xid, attrs) in enumerate(xforms):
            nxt = T if ti + 1 < len(xforms) else 0
            xs += sub(nxt, struct.pack("!BBH", ti + 1, xid, 0) + attrs)
        nxt = P if pi + 1 < len(props) else 0
        out += sub(nxt, struct.pack("!BBBB", pi + 1, proto, len(spi),
                                    len(xforms)) + spi + xs)
    return out


def p1_xform(enc, keylen, hsh, group):
    a = basic(1, enc)
    if keylen:
        a += basic(14, keylen)
    a += basic(2, hsh) + basic(3, 1) + basic(4, group)
    # life duration 86400 does not fit 16 bits: a 4-byte TLV (RFC 2407 4.5)
    return (1, a + basic(11, 1) + tlv(12, struct.pack("!I", 86400)))


def p1_sa():
    xforms = [p1_xform(7, 256, 2, 14), p1_xform(7, 128, 4, 14),
              p1_xform(7, 128, 2, 14), p1_xform(5, 0, 2, 14)]
    return sa_body(1, 1, [(1, b"", xforms)])


def filled(n, seed):
    return bytes((seed + 7 * i) & 0xff for i in range(n))


def mm1():
    return message(MAIN, [(SA, p1_sa()), (VID, VID_RFC3947), (VID, VID_DPD)],
                   rcookie=bytes(8))


def mm3():
    return message(MAIN, [(KE, filled(256, 1)), (NONCE, filled(32, 2)),
                          (NAT_D, filled(20, 3)), (NAT_D, filled(20, 4))])


def id_body(idtype, proto, port, data):
    return struct.pack("!BBH", idtype, proto, port) + data


def am1():
    return message(AGGR, [(SA, p1_sa()), (KE, filled(256, 5)),
                          (NONCE, filled(16, 6)),
                          (ID, id_body(2, 17, 500, b"vpn.example.com")),
                          (VID, VID_DPD)], rcookie=bytes(8))


def qm1():
    attrs = (basic(1, 1) + basic(2, 3600) + basic(4, 1) + basic(5, 2) +
             basic(6, 128))
    gcm = basic(1, 1) + basic(2, 3600) + basic(4, 1) + basic(6, 256)
    sa = sa_body(1, 1, [(3, bytes.fromhex("c0ffee01"),
                         [(12, attrs), (20, gcm)])])
    return message(QUICK, [(HASH, filled(20, 7)), (SA, sa),
                           (NONCE, filled(16, 8)),
                           (ID, id_body(4, 0, 0, bytes([10, 1, 0, 0, 255,
                                                        255, 0, 0]))),
                           (ID, id_body(4, 0, 0, bytes([10, 2, 0, 0, 255,
                                                        255, 0, 0])))],
                   msgid=0x1a2b3c4d)


def info_n():
    n = struct.pack("!IBBH", 1, 1, 16, 24578) + ICOOKIE + RCOOKIE
    return message(INFO, [(HASH, filled(20, 9)), (N, n)], msgid=0x01020304)


def info_d():
    d = struct.pack("!IBBH", 1, 3, 4, 2) + bytes.fromhex("c0ffee01c0ffee02")
    return message(INFO, [(HASH, filled(20, 10)), (D, d)], msgid=0x05060708)


SEEDS = {"mm1.bin": mm1, "mm3.bin": mm3, "am1.bin": am1, "qm1.bin": qm1,
         "info-n.bin": info_n, "info-d.bin": info_d}


def main():
    outs = sys.argv[1:] or [HERE]
    for out in outs:
        for name, fn in SEEDS.items():
            with open(os.path.join(out, name), "wb") as f:
                f.write(fn())


if __name__ == "__main__":
    main()
