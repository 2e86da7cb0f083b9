#!/usr/bin/python3
"""An independent ESP implementation for the tests: scapy's.

    esp_scapy.py decrypt PCAP KEYS SPI      decrypt every ESP packet of SPI
                                            in PCAP; print the inner packets
    esp_scapy.py send KEYS SPI SEQ MODE SRC DST ISRC IDST TEXT
                                            build an ICMP echo from ISRC to
                                            IDST carrying TEXT, encrypt it
                                            under SPI with sequence SEQ, send
                                            it from SRC to DST; MODE: good,
                                            replay (send twice), truncate,
                                            tamper

KEYS is the file fleetvpnd writes with "ipsec key-export" (JSON lines).
Runs in a network namespace as root (the send mode uses a raw socket).
"""
import json
import sys

from scapy.all import ICMP, IP, UDP, Raw, rdpcap, send  # noqa: E402
from scapy.layers.ipsec import ESP, SecurityAssociation  # noqa: E402

ALGOS = {
    "aes-128-gcm": "AES-GCM", "aes-192-gcm": "AES-GCM",
    "aes-256-gcm": "AES-GCM", "aes-128": "AES-CBC", "aes-192": "AES-CBC",
    "aes-256": "AES-CBC", "3des": "3DES",
}
AUTH = {"none": None, "md5": "HMAC-MD5-96", "sha1": "HMAC-SHA1-96",
        "sha256": "SHA2-256-128", "sha384": "SHA2-384-192",
        "sha512": "SHA2-512-256"}


def key_entry(path, spi):
    with open(path) as f:
        for line in f:
            e = json.loads(line)
            if int(e["spi"], 16) == spi:
                return e
    raise SystemExit("no key for SPI 0x%08x" % spi)


def make_sa(e, seq=0):
    kw = dict(spi=int(e["spi"], 16), crypt_algo=ALGOS[e["enc"]],
              crypt_key=bytes.fromhex(e["enckey"]), seq_num=seq)
    if AUTH[e["integ"]]:
        kw["auth_algo"] = AUTH[e["integ"]]
        kw["auth_key"] = bytes.fromhex(e["authkey"])
    return SecurityAssociation(ESP, **kw)


def decrypt(pcap, keys, spi):
    sa = make_sa(key_entry(keys, spi))
    out = []
    for p in rdpcap(pcap):
        if IP not in p:
            continue
        ip = p[IP]
        if UDP in ip and ip[UDP].dport == 4500:
            raw = bytes(ip[UDP].payload)
            if raw[:4] == b"\0\0\0\0" or len(raw) < 8:
                continue
            ip = IP(src=ip.src, dst=ip.dst, proto=50) / ESP(raw)
        if ESP not in ip or ip[ESP].spi != spi:
            continue
        # Tunnel mode: the decrypted payload is the inner IP packet.
        inner = IP(bytes(sa.decrypt(IP(bytes(ip))).payload))
        out.append({"src": inner.src, "dst": inner.dst,
                    "proto": inner.proto,
                    "payload": bytes(inner.payload).hex()})
    print(json.dumps(out))


def send_one(keys, spi, seq, mode, src, dst, isrc, idst, text):
    e = key_entry(keys, spi)
    sa = make_sa(e, seq)
    inner = IP(src=isrc, dst=idst) / ICMP(id=0x4242, seq=1) / Raw(
        text.encode())
    esp = bytes(sa.encrypt(IP(src=src, dst=dst) / inner)[ESP])
    # Damage the ESP bytes themselves; the outer headers stay valid
    # (a broken UDP checksum would be dropped by the kernel, not by us).
    if mode == "truncate":
        esp = esp[:-5]
    elif mode == "tamper":
        esp = esp[:-20] + bytes([esp[-20] ^ 0x01]) + esp[-19:]
    if e["dport"]:
        # NAT-T: ESP inside UDP 4500 (RFC 3948).
        p = IP(src=src, dst=dst) / UDP(sport=4500, dport=4500) / Raw(esp)
    else:
        p = IP(src=src, dst=dst, proto=50) / Raw(esp)
    send(p, verbose=False)
    if mode == "replay":
        send(p, verbose=False)


def main():
    if sys.argv[1] == "decrypt":
        decrypt(sys.argv[2], sys.argv[3], int(sys.argv[4], 0))
    elif sys.argv[1] == "send":
        a = sys.argv[2:]
        send_one(a[0], int(a[1], 0), int(a[2]), a[3], *a[4:9])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
