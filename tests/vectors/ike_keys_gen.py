#!/usr/bin/python3
"""Known answers for engine/ike/ike_keys.c, computed without fleetvpn.

    /usr/bin/python3 tests/vectors/ike_keys_gen.py

prints the C table found between the GENERATED markers of
tests/unit/test_ike_keys.c.  To compare:

    /usr/bin/python3 tests/vectors/ike_keys_gen.py | diff - <(sed -n \
        '/BEGIN GENERATED/,/END GENERATED/p' tests/unit/test_ike_keys.c)

Only the Python standard library is used (hashlib, hmac), and the
formulas are written from RFC 2409 section 5 and appendix B, not from the
C code.  Before anything is printed they are checked against public
vectors: NIST CAVS IKEv1 samples for SKEYID (pre-shared key) and for the
SKEYID_d/a/e chain, and the appendix-B and KEYMAT expansions, all as
carried by Mozilla NSS in gtests/common/testvectors/ike-sha1-vectors.h,
ike-sha256-vectors.h and ike-sha384-vectors.h.

The inputs are arbitrary but fixed: det(label, n) is SHA-256 in counter
mode over the label, so every run prints the same table.
"""
import hashlib
import hmac
import struct
import sys

H = bytes.fromhex

HASHES = {  # C name, hashlib name
    "CRYPTO_MD5": "md5",
    "CRYPTO_SHA1": "sha1",
    "CRYPTO_SHA256": "sha256",
    "CRYPTO_SHA384": "sha384",
    "CRYPTO_SHA512": "sha512",
}
CIPHERS = {  # C name: (key length, block length)
    "CRYPTO_AES128_CBC": (16, 16),
    "CRYPTO_AES192_CBC": (24, 16),
    "CRYPTO_AES256_CBC": (32, 16),
    "CRYPTO_3DES_CBC": (24, 8),
}

# (hash, cipher): each hash at least once, and every way the encryption
# key can come out: SKEYID_e longer, as long, or shorter (appendix B).
CASES = (
    ("CRYPTO_MD5", "CRYPTO_AES128_CBC"),
    ("CRYPTO_MD5", "CRYPTO_3DES_CBC"),
    ("CRYPTO_MD5", "CRYPTO_AES256_CBC"),
    ("CRYPTO_SHA1", "CRYPTO_AES128_CBC"),
    ("CRYPTO_SHA1", "CRYPTO_3DES_CBC"),
    ("CRYPTO_SHA1", "CRYPTO_AES256_CBC"),
    ("CRYPTO_SHA256", "CRYPTO_3DES_CBC"),
    ("CRYPTO_SHA256", "CRYPTO_AES256_CBC"),
    ("CRYPTO_SHA384", "CRYPTO_AES192_CBC"),
    ("CRYPTO_SHA512", "CRYPTO_AES256_CBC"),
)

QM_MSGID = 0x9A3C5E71  # high bit set: catches sign and byte-order slips
INFO_MSGID = 0x8000CAFE
SPI = 0xC0FFEE01
PROTO = 3  # PROTO_IPSEC_ESP
KEYMAT_LEN = 36  # AES-128 + HMAC-SHA1 keys: expands for md5..sha256
KEYMAT_PFS_LEN = 128  # IKE_KEYMAT_MAX: expands for every hash


def prf(h, key, *parts):
    return hmac.new(key, b"".join(parts), h).digest()


def digest(h, *parts):
    return hashlib.new(h, b"".join(parts)).digest()


def expand(h, key, first, seed, n):
    """K1 | K2 | ..., K1 = prf(key, first | seed), Kn+1 = prf(key, Kn | seed)."""
    out, blk = b"", first
    while len(out) < n:
        blk = prf(h, key, blk, seed)
        out += blk
    return out[:n]


def skeyids(h, psk, ni, nr, gxy, cky_i, cky_r):
    """RFC 2409 section 5, pre-shared key authentication."""
    skeyid = prf(h, psk, ni, nr)
    d = prf(h, skeyid, gxy, cky_i, cky_r, b"\x00")
    a = prf(h, skeyid, d, gxy, cky_i, cky_r, b"\x01")
    e = prf(h, skeyid, a, gxy, cky_i, cky_r, b"\x02")
    return skeyid, d, a, e


def enckey(h, skeyid_e, keylen):
    """RFC 2409 appendix B: SKEYID_e itself, or Ka = K1 | K2 | ..."""
    if len(skeyid_e) >= keylen:
        return skeyid_e[:keylen]
    return expand(h, skeyid_e, b"\x00", b"", keylen)


def keymat(h, skeyid_d, gqm, proto, spi, ni, nr, n):
    """RFC 2409 section 5.5."""
    seed = gqm + bytes([proto]) + struct.pack(">I", spi) + ni + nr
    return expand(h, skeyid_d, b"", seed, n)


def selfcheck():
    """The formulas above against public vectors (NIST via NSS)."""
    # NSS ike-sha*-vectors.h, "these vectors are from this NIST samples":
    # ikeV1Psk (SKEYID = prf(psk, Ni | Nr)) and ikeV1 (SKEYID_d/a/e from a
    # given SKEYID, g^xy, CKY-I, CKY-R).
    nist = (
        ("sha1", "c0", "03a6f25a83c8c2a3", "9d958a6618f77e7f",
         "ab3be41bc62f2ef0c41a3076d58768be77fadd2e",
         "707197817fb2d90cf54d1842606bdea59b9f4823",
         "8ba4cbc73c0187301dc19a975823854dbd641c597f637f8d053a83b9514673eb",
         "8c3bcd3a69831d7f", "d2d9a7ff4fbe95a7",
         ("384be709a8a5e63c3ed160cfe3921c4b37d5b32d",
          "48b327575abe3adba0f279849e289022a13e2b47",
          "a4a415c8e0c38c0da847c356cc61c24df8025560")),
        ("sha256", "a0", "ead9ced494868f41", "f1aff4f425a94f18",
         "558a99b299773d267cf7c8ef073bf3b7af362c206c75a538403c5ef884d4cace",
         "750c5c94b9c2ec20b68033e024dadf0fa87e8b48c6561b21c72478451a06583d",
         "a1ff3dc6cf9b4c04709943cb4ca1f1789bcf360b03f1d027de3ae8ee039e9155",
         "6c6beb72631ddc3d", "b84e24b22cffbd14",
         ("a4f7ca7de913814813e3312099e7c943bd293483f387532330237f1b20957310",
          "1d4b705746c43b0a6fcbb8db33983c0f24ff6f8b6543e3779fed227c6067f004",
          "03e6f16cd9ce9f64b5cdc5b34cca7163483ba5389a30afebef3d14640b0a815e")),
        ("sha384", "9e", "d6596b7e5b398534", "136fbdfa8d0ceb8e",
         "b54fa27cb4251051e44a659d73591845691d11f1874bf4e4088e5df6462d28e5"
         "7a3a2af3ab4f9b746a8f5766f8785f2b",
         "6e4514610bf82d0ab7bf0260096f6146a153c712071abb633ced813c572156c7"
         "83e36874a65a64690ca701d40d56ea18",
         "1724dbd893523764bfef8c6fa927856fccfb77ae254358cce29c2769a32915c1",
         "1c8aba986a00af0f", "b049d9672f73c920",
         ("b083234e9ed7745911f93eb31faa66fcf88906266830eb17ef166d295cb1f86a"
          "3543b8b8efa5df918533df537e9c809c",
          "938295a374aceb4147a8024c9a007dd313403fd8fd7070dbd0cfbe1ccd308dbf"
          "bb7b9e9c64049e4df44ff551016cb7b5",
          "8595b249dc1fa8599729f87eb6b9dd13bfbfdfd4f9ebd78929bab6ecc402539a"
          "d32cb6e7ef4ba6a0f53da14e4df07ed4")),
    )
    for h, psk, ni, nr, want, skeyid, gxy, ci, cr, dae in nist:
        assert skeyids(h, H(psk), H(ni), H(nr), b"", b"", b"")[0] == H(want)
        d = prf(h, H(skeyid), H(gxy), H(ci), H(cr), b"\x00")
        a = prf(h, H(skeyid), d, H(gxy), H(ci), H(cr), b"\x01")
        e = prf(h, H(skeyid), a, H(gxy), H(ci), H(cr), b"\x02")
        assert (d, a, e) == tuple(H(x) for x in dae), h
    # NSS ikeV1AppB (appendix B, 132 bytes) and ikeV1AppBQuick (KEYMAT
    # expansion with a one-octet seed 0x00), self-generated by NSS.
    appb = (
        ("sha1", "63e81194946ebd05df7df5ebf5d8750056bf1f1d",
         "933347a07de5782247dd36d1562ffe0eecade1eb4134165257e3af1000af8ae3"
         "f165063828cbb60d910b7db38fa3c7f62c4afaaf3203da065c841729853edb23"
         "e9e7ac8286ae65c8cb6c667d79268c0bd6705abb9131698eb822b1c1f9dd142f"
         "c7be2c1010ee0152e10195add98999c6b6d42c8fe9c1b134d56ad5f2c6f20e81"
         "5bd25c52",
         "933347a07de5782247dd36d1562ffe0eecade1ebaeaa476a5f578c34a9b2b710"
         "1a621202f61db924c5ef9efa3bb2698095841603b7ac8a880329a927ecd4ad53"
         "a944b607a5ac2f3d154e2748c188d7370d76be83fc204fdacf0f66b99dd760ba"
         "619ffac65eda1420c8a936dac5a599afaf4043b29ef2b65dc042724355b55087"
         "5316c6fd"),
        ("sha256",
         "5f00d1bd2c58ec224b1e6b71fa0f19a1faa7a193952c444411b47c1a9d8ba6fe",
         "b10fff32cbeaa1e7afe6ab0b191e0bd63cd524849a4b56019146d232a24cf9af"
         "6b89494d2a360b06825db8bb0324c15cecf47fc0bc99e39bf1171a7f4bf1733d"
         "c49ef64c642e73b054b2e82456e34fa3c822da475e27e403b3da3929da50e6aa"
         "9e7f9252c68fa069b4b0edd374e80d35378c4f5e8ec285a1b169c92bbb5353d0"
         "5ba94165",
         "b10fff32cbeaa1e7afe6ab0b191e0bd63cd524849a4b56019146d232a24cf9af"
         "59f18ed9aabbb2dbbafecf48d72a34a8f72fab2ff4f37e5c917288a78ce00933"
         "612e9531a7469995c7f7cc33c7627cac3efbc819330c4fe3bfa3788799630f37"
         "bcb74800d82bbebd17b1906e304a786f4f810c266c15be1a30576039c2932727"
         "48d65966"),
    )
    for h, key, ka, km in appb:
        assert enckey(h, H(key), 132) == H(ka), h
        assert expand(h, H(key), b"", b"\x00", 132) == H(km), h


def det(label, n):
    out, i = b"", 0
    while len(out) < n:
        out += hashlib.sha256(b"%s/%d" % (label.encode(), i)).digest()
        i += 1
    return out[:n]


def inputs():
    gxy = bytearray(det("g^xy", 256))
    gxy[0] = 0  # a leading zero is part of the value, never stripped
    return {
        "psk": b"fleetvpn known-answer psk",
        "ni": det("Ni_b", 24),
        "nr": det("Nr_b", 32),
        "gxy": bytes(gxy),
        "cky_i": det("CKY-I", 8),
        "cky_r": det("CKY-R", 8),
        "gxi": det("g^xi", 256),
        "gxr": det("g^xr", 256),
        "sai": det("SAi_b", 52),
        # ID_IPV4_ADDR, UDP, port 500: 192.0.2.1 and 198.51.100.1
        "idii": H("011101f4c0000201"),
        "idir": H("011101f4c6336401"),
        "qm_ni": det("QM Ni_b", 16),
        "qm_nr": det("QM Nr_b", 20),
        "qm_rest1": det("QM HASH(1) rest", 96),  # SA | Ni | IDci | IDcr
        "qm_rest2": det("QM HASH(2) rest", 88),  # SA | Nr | IDci | IDcr
        "info": det("informational N/D", 16),
        "gqm": det("g(qm)^xy", 256),
        "last_block": det("last phase-1 CBC block", 16),
    }


def case(c_hash, c_cipher, i):
    h = HASHES[c_hash]
    keylen, blocklen = CIPHERS[c_cipher]
    skeyid, d, a, e = skeyids(h, i["psk"], i["ni"], i["nr"], i["gxy"],
                              i["cky_i"], i["cky_r"])
    mid = struct.pack(">I", QM_MSGID)
    return {
        "skeyid": skeyid,
        "skeyid_d": d,
        "skeyid_a": a,
        "skeyid_e": e,
        "enckey": enckey(h, e, keylen),
        "iv": digest(h, i["gxi"], i["gxr"])[:blocklen],
        "hash_i": prf(h, skeyid, i["gxi"], i["gxr"], i["cky_i"],
                      i["cky_r"], i["sai"], i["idii"]),
        "hash_r": prf(h, skeyid, i["gxr"], i["gxi"], i["cky_r"],
                      i["cky_i"], i["sai"], i["idir"]),
        "qm_hash1": prf(h, a, mid, i["qm_rest1"]),
        "qm_hash2": prf(h, a, mid, i["qm_ni"], i["qm_rest2"]),
        "qm_hash3": prf(h, a, b"\x00", mid, i["qm_ni"], i["qm_nr"]),
        "info_hash": prf(h, a, struct.pack(">I", INFO_MSGID), i["info"]),
        "keymat": keymat(h, d, b"", PROTO, SPI, i["qm_ni"], i["qm_nr"],
                         KEYMAT_LEN),
        "keymat_pfs": keymat(h, d, i["gqm"], PROTO, SPI, i["qm_ni"],
                             i["qm_nr"], KEYMAT_PFS_LEN),
        "iv_p2": digest(h, i["last_block"][:blocklen], mid)[:blocklen],
    }


def c_hex(b, indent):
    s = b.hex()
    if not s:
        return '""'
    lines = [s[j:j + 64] for j in range(0, len(s), 64)]
    return ("\n" + indent).join('"%s"' % x for x in lines)


def emit(out):
    i = inputs()
    w = out.write
    w("/* BEGIN GENERATED by /usr/bin/python3 tests/vectors/ike_keys_gen.py */\n")
    w("/* clang-format off */\n")
    w("#define KAT_QM_MSGID 0x%08xu\n" % QM_MSGID)
    w("#define KAT_INFO_MSGID 0x%08xu\n" % INFO_MSGID)
    w("#define KAT_SPI 0x%08xu\n" % SPI)
    w("#define KAT_PROTO %d\n" % PROTO)
    w("#define KAT_KEYMAT_LEN %d\n" % KEYMAT_LEN)
    w("#define KAT_KEYMAT_PFS_LEN %d\n\n" % KEYMAT_PFS_LEN)
    w("static const struct kat_inputs kat_in = {\n")
    for k, v in i.items():
        w("\t.%s =\n\t    %s,\n" % (k, c_hex(v, "\t    ")))
    w("};\n\n")
    w("static const struct kat_case kat_cases[] = {\n")
    for c_hash, c_cipher in CASES:
        r = case(c_hash, c_cipher, i)
        keylen = CIPHERS[c_cipher][0]
        prflen = hashlib.new(HASHES[c_hash]).digest_size
        how = "SKEYID_e %d bytes %s key %d" % (
            prflen, "<" if prflen < keylen else ">=", keylen)
        w("\t/* %s, %s: %s */\n" % (HASHES[c_hash], c_cipher[7:].lower(),
                                     how))
        w("\t{%s, %s,\n" % (c_hash, c_cipher))
        for k, v in r.items():
            w("\t .%s =\n\t     %s,\n" % (k, c_hex(v, "\t     ")))
        w("\t},\n")
    w("};\n")
    w("/* clang-format on */\n")
    w("/* END GENERATED */\n")


if __name__ == "__main__":
    selfcheck()
    emit(sys.stdout)
