#!/usr/bin/python3
"""Generate tlsgate's compiled-in registry (suites, groups, signature schemes).

Inputs (facts only; nothing derived from the GPL testssl.sh files is read):
  ../shared/reference/ciphers/iana_tls_cipher_suites.csv     IANA TLS Cipher Suites
  ../shared/reference/ciphers/iana_tls_supported_groups.csv  IANA TLS Supported Groups
  ../shared/reference/ciphers/iana_tls_signature_schemes.csv IANA TLS SignatureScheme
  data/registry/openssl-ciphers.txt  a capture of `openssl ciphers -V -stdname`
                                     (refresh it with --refresh-openssl)

Outputs (committed, so a clone builds without ../shared):
  data/registry/suites.csv groups.csv sigalgs.csv       readable copies
  src/registry/suites_table.c groups_table.c sigalgs_table.c

Every suite's key exchange, authentication, cipher, mode, MAC, bits and flags
are read off its IANA name. Suites that are not in the IANA registry (SSLv2
cipher specs, pre-IANA GOST code points) are listed below as facts from their
specifications.

  tools/gen_registry.py              regenerate every output
  tools/gen_registry.py --check      exit 1 when a committed output is stale
  tools/gen_registry.py --refresh-openssl   re-capture the local OpenSSL names first
"""

import argparse
import csv
import io
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def find_reference():
    """The reference data sits in ../shared beside the main checkout; a
    worktree may be nested deeper, so look in every ancestor."""
    d = os.path.dirname(ROOT)
    while True:
        cand = os.path.join(d, "shared", "reference", "ciphers")
        if os.path.isdir(cand) or os.path.dirname(d) == d:
            return cand
        d = os.path.dirname(d)


DEFAULT_REF = find_reference()
OPENSSL_CAPTURE = os.path.join(ROOT, "data", "registry", "openssl-ciphers.txt")
OPENSSL_CMD = ["openssl", "ciphers", "-V", "-stdname", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"]

# Names OpenSSL 0.9.8 .. 1.1.1 gave to suites that OpenSSL 3 no longer lists
# (RC4, DES, 3DES, IDEA, SEED, export, Kerberos). Used only when the local
# capture has no name for the code point.
LEGACY_OPENSSL_NAMES = {
    0x0003: "EXP-RC4-MD5", 0x0004: "RC4-MD5", 0x0005: "RC4-SHA",
    0x0006: "EXP-RC2-CBC-MD5", 0x0007: "IDEA-CBC-SHA", 0x0008: "EXP-DES-CBC-SHA",
    0x0009: "DES-CBC-SHA", 0x000A: "DES-CBC3-SHA", 0x000B: "EXP-DH-DSS-DES-CBC-SHA",
    0x000C: "DH-DSS-DES-CBC-SHA", 0x000D: "DH-DSS-DES-CBC3-SHA",
    0x000E: "EXP-DH-RSA-DES-CBC-SHA", 0x000F: "DH-RSA-DES-CBC-SHA",
    0x0010: "DH-RSA-DES-CBC3-SHA", 0x0011: "EXP-EDH-DSS-DES-CBC-SHA",
    0x0012: "EDH-DSS-DES-CBC-SHA", 0x0013: "EDH-DSS-DES-CBC3-SHA",
    0x0014: "EXP-EDH-RSA-DES-CBC-SHA", 0x0015: "EDH-RSA-DES-CBC-SHA",
    0x0016: "EDH-RSA-DES-CBC3-SHA", 0x0017: "EXP-ADH-RC4-MD5", 0x0018: "ADH-RC4-MD5",
    0x0019: "EXP-ADH-DES-CBC-SHA", 0x001A: "ADH-DES-CBC-SHA", 0x001B: "ADH-DES-CBC3-SHA",
    0x001E: "KRB5-DES-CBC-SHA", 0x001F: "KRB5-DES-CBC3-SHA", 0x0020: "KRB5-RC4-SHA",
    0x0021: "KRB5-IDEA-CBC-SHA", 0x0022: "KRB5-DES-CBC-MD5", 0x0023: "KRB5-DES-CBC3-MD5",
    0x0024: "KRB5-RC4-MD5", 0x0025: "KRB5-IDEA-CBC-MD5", 0x0026: "EXP-KRB5-DES-CBC-SHA",
    0x0027: "EXP-KRB5-RC2-CBC-SHA", 0x0028: "EXP-KRB5-RC4-SHA",
    0x0029: "EXP-KRB5-DES-CBC-MD5", 0x002A: "EXP-KRB5-RC2-CBC-MD5",
    0x002B: "EXP-KRB5-RC4-MD5", 0x008A: "PSK-RC4-SHA", 0x008B: "PSK-3DES-EDE-CBC-SHA",
    0x008E: "DHE-PSK-RC4-SHA", 0x008F: "DHE-PSK-3DES-EDE-CBC-SHA",
    0x0092: "RSA-PSK-RC4-SHA", 0x0093: "RSA-PSK-3DES-EDE-CBC-SHA", 0x0096: "SEED-SHA",
    0x0097: "DH-DSS-SEED-SHA", 0x0098: "DH-RSA-SEED-SHA", 0x0099: "DHE-DSS-SEED-SHA",
    0x009A: "DHE-RSA-SEED-SHA", 0x009B: "ADH-SEED-SHA", 0xC002: "ECDH-ECDSA-RC4-SHA",
    0xC003: "ECDH-ECDSA-DES-CBC3-SHA", 0xC007: "ECDHE-ECDSA-RC4-SHA",
    0xC008: "ECDHE-ECDSA-DES-CBC3-SHA", 0xC00C: "ECDH-RSA-RC4-SHA",
    0xC00D: "ECDH-RSA-DES-CBC3-SHA", 0xC011: "ECDHE-RSA-RC4-SHA",
    0xC012: "ECDHE-RSA-DES-CBC3-SHA", 0xC016: "AECDH-RC4-SHA",
    0xC017: "AECDH-DES-CBC3-SHA", 0xC01A: "SRP-3DES-EDE-CBC-SHA",
    0xC01B: "SRP-RSA-3DES-EDE-CBC-SHA", 0xC01C: "SRP-DSS-3DES-EDE-CBC-SHA",
    0xC033: "ECDHE-PSK-RC4-SHA", 0xC034: "ECDHE-PSK-3DES-EDE-CBC-SHA",
}

# Suites outside the IANA registry: (code, name, openssl name).
# SSL 2.0 (draft-hickman-netscape-ssl-00, appendix C) cipher specs; all use MD5.
SSLV2_SPECS = [
    (0x010080, "SSL_CK_RC4_128_WITH_MD5", "RC4-MD5"),
    (0x020080, "SSL_CK_RC4_128_EXPORT40_WITH_MD5", "EXP-RC4-MD5"),
    (0x030080, "SSL_CK_RC2_128_CBC_WITH_MD5", "RC2-CBC-MD5"),
    (0x040080, "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5", "EXP-RC2-CBC-MD5"),
    (0x050080, "SSL_CK_IDEA_128_CBC_WITH_MD5", "IDEA-CBC-MD5"),
    (0x060040, "SSL_CK_DES_64_CBC_WITH_MD5", "DES-CBC-MD5"),
    (0x0700C0, "SSL_CK_DES_192_EDE3_CBC_WITH_MD5", "DES-CBC3-MD5"),
    (0x080080, "SSL_CK_RC4_64_WITH_MD5", "RC4-64-MD5"),
]
# Pre-IANA GOST suites (draft-chudov-cryptopro-cptls): GOST R 34.10-94 and
# 34.10-2001 key exchange, GOST 28147-89 in counter mode with its IMIT MAC, or
# no cipher with a GOST R 34.11-94 HMAC.
GOST_DRAFT = [
    (0x0080, "TLS_GOSTR341094_WITH_28147_CNT_IMIT", "GOST94-GOST89-GOST89"),
    (0x0081, "TLS_GOSTR341001_WITH_28147_CNT_IMIT", "GOST2001-GOST89-GOST89"),
    (0x0082, "TLS_GOSTR341094_WITH_NULL_GOSTR3411", "GOST94-NULL-GOST94"),
    (0x0083, "TLS_GOSTR341001_WITH_NULL_GOSTR3411", "GOST2001-NULL-GOST94"),
]

# Key-exchange part of a name (between TLS_ and _WITH_) -> (kex, auth, flags).
KEX_PARTS = {
    "NULL": ("KEX_NONE", "AUTH_ANON", ["SUITE_ANON"]),
    "RSA": ("KEX_RSA", "AUTH_RSA", []),
    "RSA_EXPORT": ("KEX_RSA_EXPORT", "AUTH_RSA", ["SUITE_EXPORT"]),
    "DH_DSS": ("KEX_DH", "AUTH_DSS", []),
    "DH_RSA": ("KEX_DH", "AUTH_RSA", []),
    "DH_DSS_EXPORT": ("KEX_DH", "AUTH_DSS", ["SUITE_EXPORT"]),
    "DH_RSA_EXPORT": ("KEX_DH", "AUTH_RSA", ["SUITE_EXPORT"]),
    "DHE_DSS": ("KEX_DHE", "AUTH_DSS", ["SUITE_PFS"]),
    "DHE_RSA": ("KEX_DHE", "AUTH_RSA", ["SUITE_PFS"]),
    "DHE_DSS_EXPORT": ("KEX_DHE", "AUTH_DSS", ["SUITE_EXPORT", "SUITE_PFS"]),
    "DHE_RSA_EXPORT": ("KEX_DHE", "AUTH_RSA", ["SUITE_EXPORT", "SUITE_PFS"]),
    # Anonymous (EC)DH is ephemeral but unauthenticated: an active attacker
    # reads everything, so it is not counted as forward secrecy (nmap agrees).
    "DH_anon": ("KEX_DHE", "AUTH_ANON", ["SUITE_ANON"]),
    "DH_anon_EXPORT": ("KEX_DHE", "AUTH_ANON", ["SUITE_ANON", "SUITE_EXPORT"]),
    "ECDH_ECDSA": ("KEX_ECDH", "AUTH_ECDSA", []),
    "ECDH_RSA": ("KEX_ECDH", "AUTH_RSA", []),
    "ECDHE_ECDSA": ("KEX_ECDHE", "AUTH_ECDSA", ["SUITE_PFS"]),
    "ECDHE_RSA": ("KEX_ECDHE", "AUTH_RSA", ["SUITE_PFS"]),
    "ECDH_anon": ("KEX_ECDHE", "AUTH_ANON", ["SUITE_ANON"]),
    "PSK": ("KEX_PSK", "AUTH_PSK", []),
    "DHE_PSK": ("KEX_DHE_PSK", "AUTH_PSK", ["SUITE_PFS"]),
    "PSK_DHE": ("KEX_DHE_PSK", "AUTH_PSK", ["SUITE_PFS"]),
    "ECDHE_PSK": ("KEX_ECDHE_PSK", "AUTH_PSK", ["SUITE_PFS"]),
    "RSA_PSK": ("KEX_RSA_PSK", "AUTH_RSA", []),
    # SRP derives fresh secrets per connection; nmap counts it as forward secret.
    "SRP_SHA": ("KEX_SRP", "AUTH_SRP", ["SUITE_PFS"]),
    "SRP_SHA_RSA": ("KEX_SRP", "AUTH_RSA", ["SUITE_PFS"]),
    "SRP_SHA_DSS": ("KEX_SRP", "AUTH_DSS", ["SUITE_PFS"]),
    "KRB5": ("KEX_KRB5", "AUTH_KRB5", []),
    "KRB5_EXPORT": ("KEX_KRB5", "AUTH_KRB5", ["SUITE_EXPORT"]),
    # RFC 8492 (dragonfly) uses fresh random scalars per handshake.
    "ECCPWD": ("KEX_ECCPWD", "AUTH_ECCPWD", ["SUITE_PFS"]),
    "GOSTR341094": ("KEX_GOST", "AUTH_GOST", []),
    "GOSTR341001": ("KEX_GOST", "AUTH_GOST", []),
    "GOSTR341112_256": ("KEX_GOST", "AUTH_GOST", []),
}

# Cipher part (after _WITH_, before the MAC) -> (cipher, mode, bits, 64-bit block).
CIPHER_PARTS = {
    "NULL": ("CIPHER_NULL", "MODE_NONE", 0, False),
    "RC4_40": ("CIPHER_RC4", "MODE_NONE", 40, False),
    "RC4_128": ("CIPHER_RC4", "MODE_NONE", 128, False),
    "RC2_CBC_40": ("CIPHER_RC2", "MODE_CBC", 40, True),
    "DES40_CBC": ("CIPHER_DES40", "MODE_CBC", 40, True),
    "DES_CBC_40": ("CIPHER_DES40", "MODE_CBC", 40, True),
    "DES_CBC": ("CIPHER_DES", "MODE_CBC", 56, True),
    # Three-key 3DES has 168 key bits but 112 bits of strength (SP 800-57).
    "3DES_EDE_CBC": ("CIPHER_3DES", "MODE_CBC", 112, True),
    "IDEA_CBC": ("CIPHER_IDEA", "MODE_CBC", 128, True),
    "SEED_CBC": ("CIPHER_SEED", "MODE_CBC", 128, False),
    "CHACHA20_POLY1305": ("CIPHER_CHACHA20", "MODE_POLY1305", 256, False),
    # GOST 28147-89 and Magma have 64-bit blocks, Kuznyechik 128; all 256-bit keys.
    "28147_CNT": ("CIPHER_GOST28147", "MODE_CTR", 256, True),
    "KUZNYECHIK_CTR": ("CIPHER_KUZNYECHIK", "MODE_CTR", 256, False),
    "MAGMA_CTR": ("CIPHER_MAGMA", "MODE_CTR", 256, True),
    "KUZNYECHIK_MGM": ("CIPHER_KUZNYECHIK", "MODE_AEAD_OTHER", 256, False),
    "MAGMA_MGM": ("CIPHER_MAGMA", "MODE_AEAD_OTHER", 256, True),
    "SM4_GCM": ("CIPHER_SM4", "MODE_GCM", 128, False),
    "SM4_CCM": ("CIPHER_SM4", "MODE_CCM", 128, False),
    "AEGIS_256": ("CIPHER_AEGIS", "MODE_AEAD_OTHER", 256, False),
    "AEGIS_128L": ("CIPHER_AEGIS", "MODE_AEAD_OTHER", 128, False),
}
SIZED_CIPHERS = {"AES": "CIPHER_AES", "CAMELLIA": "CIPHER_CAMELLIA", "ARIA": "CIPHER_ARIA"}
SIZED_MODES = {"CBC": "MODE_CBC", "GCM": "MODE_GCM", "CCM": "MODE_CCM", "CCM_8": "MODE_CCM8"}
MACS = {"MD5": "MAC_MD5", "SHA": "MAC_SHA1", "SHA256": "MAC_SHA256", "SHA384": "MAC_SHA384",
        "SM3": "MAC_SM3", "IMIT": "MAC_GOST", "OMAC": "MAC_GOST", "GOSTR3411": "MAC_GOST"}
AEAD_MODES = {"MODE_GCM", "MODE_CCM", "MODE_CCM8", "MODE_POLY1305", "MODE_AEAD_OTHER"}

FLAG_ORDER = ["SUITE_EXPORT", "SUITE_ANON", "SUITE_PFS", "SUITE_AEAD", "SUITE_BLOCK64",
              "SUITE_TLS13", "SUITE_TLS12", "SUITE_SCSV", "SUITE_SSLV2", "SUITE_UNOFFICIAL"]


class GenError(Exception):
    pass


def split_cipher(rest):
    """Splits 'AES_128_GCM_SHA256' into (cipher, mode, bits, block64, mac token)."""
    for part, (cipher, mode, bits, b64) in sorted(CIPHER_PARTS.items(), key=lambda kv: -len(kv[0])):
        if rest == part or rest.startswith(part + "_"):
            tail = rest[len(part) + 1:]
            if tail.startswith("L_") or tail.startswith("S_") or tail in ("L", "S"):
                tail = ""  # MGM_L / MGM_S: TLS 1.3 GOST suites name no hash
            return cipher, mode, bits, b64, tail
    m = re.fullmatch(r"(AES|CAMELLIA|ARIA)_(128|256)_(CBC|GCM|CCM_8|CCM)(?:_(\w+))?", rest)
    if not m:
        raise GenError("cannot parse cipher part %r" % rest)
    return SIZED_CIPHERS[m.group(1)], SIZED_MODES[m.group(3)], int(m.group(2)), False, \
        m.group(4) or ""


def mac_of(token, mode):
    if token.endswith("_OMAC") or token == "OMAC":
        return "MAC_GOST"
    if token.startswith("IMIT"):
        return "MAC_GOST"
    if mode in AEAD_MODES:
        return "MAC_NONE"  # the trailing hash names the PRF, not a MAC
    if token == "":
        return "MAC_NONE"
    if token not in MACS:
        raise GenError("unknown MAC %r" % token)
    return MACS[token]


def derive_tls13(code, name):
    """TLS 1.3 suites name only the AEAD and the hash (RFC 8446 B.4)."""
    rest = name[len("TLS_"):]
    flags = ["SUITE_TLS13", "SUITE_PFS", "SUITE_AEAD"]
    m = re.fullmatch(r"(SHA256|SHA384)_(SHA256|SHA384)", rest)
    if m:
        # RFC 9150 integrity-only suites: HMAC, no encryption.
        return dict(kex="KEX_TLS13", auth="AUTH_NONE", cipher="CIPHER_NULL", mode="MODE_NONE",
                    mac=MACS[m.group(1)], bits=0, flags=flags)
    cipher, mode, bits, b64, _ = split_cipher(rest)
    if b64:
        flags.append("SUITE_BLOCK64")
    return dict(kex="KEX_TLS13", auth="AUTH_NONE", cipher=cipher, mode=mode, mac="MAC_NONE",
                bits=bits, flags=flags)


def is_tls13_gost(kex_part, rest):
    return kex_part == "GOSTR341112_256" and "_MGM_" in "_" + rest + "_"


def derive(code, name):
    """Reads kex, auth, cipher, mode, MAC, bits and flags off an IANA name."""
    if name.endswith("_SCSV"):
        return dict(kex="KEX_NONE", auth="AUTH_NONE", cipher="CIPHER_NULL", mode="MODE_NONE",
                    mac="MAC_NONE", bits=0, flags=["SUITE_SCSV"])
    if "_WITH_" not in name:
        return derive_tls13(code, name)
    kex_part, rest = name[len("TLS_"):].split("_WITH_", 1)
    if is_tls13_gost(kex_part, rest):
        # RFC 9367: GOST suites for TLS 1.3 keep the old naming style.
        d = derive_tls13(code, "TLS_" + rest)
        return d
    if kex_part not in KEX_PARTS:
        raise GenError("unknown key exchange %r in %s" % (kex_part, name))
    kex, auth, flags = KEX_PARTS[kex_part]
    flags = list(flags)
    if rest == "NULL_NULL":
        cipher, mode, bits, b64, mac_tok = "CIPHER_NULL", "MODE_NONE", 0, False, ""
    else:
        cipher, mode, bits, b64, mac_tok = split_cipher(rest)
    mac = mac_of(mac_tok, mode)
    if b64:
        flags.append("SUITE_BLOCK64")
    if mode in AEAD_MODES:
        flags.append("SUITE_AEAD")
    # RFC 5246: AEAD modes and SHA-2 MACs exist only from TLS 1.2; the GOST
    # suites of RFC 9189 are defined for TLS 1.2 only.
    if mode in AEAD_MODES or mac in ("MAC_SHA256", "MAC_SHA384") or kex_part == "GOSTR341112_256":
        flags.append("SUITE_TLS12")
    return dict(kex=kex, auth=auth, cipher=cipher, mode=mode, mac=mac, bits=bits, flags=flags)


def derive_sslv2(code, name):
    m = re.fullmatch(r"SSL_CK_([A-Z0-9]+?)_(\d+)(?:_EDE3)?(_CBC)?(_EXPORT40)?_WITH_MD5", name)
    if not m:
        raise GenError("cannot parse SSLv2 spec %s" % name)
    algo, size, cbc, export = m.group(1), int(m.group(2)), m.group(3), m.group(4)
    ciphers = {"RC4": "CIPHER_RC4", "RC2": "CIPHER_RC2", "IDEA": "CIPHER_IDEA", "DES": "CIPHER_DES"}
    cipher = ciphers[algo]
    flags = ["SUITE_SSLV2", "SUITE_UNOFFICIAL"]
    # SSL 2.0 names give the key length including parity bits (DES_64 is
    # 56-bit DES, DES_192_EDE3 is three-key 3DES, 112 bits of strength).
    bits = {64: 56, 192: 112}.get(size, size) if algo == "DES" else size
    if algo == "DES" and size == 192:
        cipher = "CIPHER_3DES"
    if export:
        bits = 40
        flags.insert(0, "SUITE_EXPORT")
    if algo in ("RC2", "IDEA", "DES"):
        flags.append("SUITE_BLOCK64")
    return dict(kex="KEX_SSL2", auth="AUTH_RSA", cipher=cipher,
                mode="MODE_CBC" if cbc else "MODE_NONE", mac="MAC_MD5", bits=bits, flags=flags)


def parse_iana_code(value):
    """'0xC0,0x2F' -> 0xC02F; None for ranges and wildcards."""
    m = re.fullmatch(r"0x([0-9A-Fa-f]{2}),0x([0-9A-Fa-f]{2})", value.strip())
    if not m:
        return None
    return int(m.group(1), 16) << 8 | int(m.group(2), 16)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def load_openssl_names():
    names = {}
    if not os.path.exists(OPENSSL_CAPTURE):
        raise GenError("missing %s: run with --refresh-openssl" % OPENSSL_CAPTURE)
    with open(OPENSSL_CAPTURE, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\s*0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\S+)\s+- (\S+)", line)
            if m:
                code = int(m.group(1), 16) << 8 | int(m.group(2), 16)
                names[code] = (m.group(3), m.group(4))
    return names


def refresh_openssl():
    version = subprocess.run(["openssl", "version"], check=True, capture_output=True,
                             text=True).stdout.strip()
    out = subprocess.run(OPENSSL_CMD, check=True, capture_output=True, text=True).stdout
    lines = sorted(out.splitlines())
    with open(OPENSSL_CAPTURE, "w", encoding="utf-8") as f:
        f.write("# %s\n# %s\n" % (" ".join(OPENSSL_CMD[:-1]) + " '" + OPENSSL_CMD[-1] + "'",
                                   version))
        f.write("\n".join(lines) + "\n")


def build_suites(ref):
    ossl = load_openssl_names()
    suites = {}
    for row in read_csv(os.path.join(ref, "iana_tls_cipher_suites.csv")):
        code = parse_iana_code(row["Value"])
        name = row["Description"].strip()
        if code is None or not name.startswith("TLS_"):
            continue  # ranges, Unassigned, Reserved (incl. GREASE)
        d = derive(code, name)
        d.update(code=code, name=name)
        suites[code] = d
    for code, name, oname in GOST_DRAFT:
        if code in suites:
            raise GenError("0x%04X is now assigned by IANA" % code)
        d = derive(code, name)
        d["flags"].append("SUITE_UNOFFICIAL")
        d.update(code=code, name=name, openssl=oname)
        suites[code] = d
    for code, d in suites.items():
        if "openssl" in d:
            continue
        if code in ossl:
            if ossl[code][0] != d["name"]:
                raise GenError("OpenSSL calls 0x%04X %s, IANA %s" % (code, ossl[code][0],
                                                                    d["name"]))
            d["openssl"] = ossl[code][1]
        else:
            d["openssl"] = LEGACY_OPENSSL_NAMES.get(code)
    out = [suites[c] for c in sorted(suites)]
    for code, name, oname in SSLV2_SPECS:
        d = derive_sslv2(code, name)
        d.update(code=code, name=name, openssl=oname)
        out.append(d)
    return out


def group_facts(name):
    """(kind, bits, share_len) for a group name; share_len is the client's
    TLS 1.3 key_share length (0 where TLS 1.3 defines none or it is not known)."""
    mlkem_ek = {512: 800, 768: 1184, 1024: 1568}  # FIPS 203 encapsulation key sizes
    m = re.fullmatch(r"ffdhe(\d+)", name)
    if m:
        return "GROUP_FFDHE", int(m.group(1)), int(m.group(1)) // 8
    m = re.fullmatch(r"MLKEM(\d+)", name)
    if m:
        return "GROUP_PQ", 0, mlkem_ek[int(m.group(1))]
    m = re.fullmatch(r"(X25519|SecP256r1|SecP384r1)(?:MLKEM|Kyber)(\d+)(?:Draft00)?", name)
    if m:
        classical = {"X25519": (256, 32), "SecP256r1": (256, 65), "SecP384r1": (384, 97)}
        bits, share = classical[m.group(1)]
        return "GROUP_HYBRID", bits, share + mlkem_ek[int(m.group(2))]
    if name.startswith("arbitrary_explicit"):
        return "GROUP_EXPLICIT", 0, 0
    if name == "x25519":
        return "GROUP_EC", 256, 32
    if name == "x448":
        return "GROUP_EC", 448, 56
    if name == "curveSM2":
        return "GROUP_EC", 256, 65
    m = re.fullmatch(r"(secp|sect|brainpoolP|GC)(\d+)\w*", name)
    if not m:
        raise GenError("unknown group %s" % name)
    bits = int(m.group(2))
    # Uncompressed X9.62 point (0x04 || x || y) for prime curves; binary and
    # GOST curves have no TLS 1.3 share format we send.
    share = 1 + 2 * ((bits + 7) // 8) if m.group(1) in ("secp", "brainpoolP") else 0
    return "GROUP_EC", bits, share


def build_groups(ref):
    groups = []
    for row in read_csv(os.path.join(ref, "iana_tls_supported_groups.csv")):
        value, desc = row["Value"].strip(), row["Description"].strip()
        if not value.isdigit() or desc.startswith(("Reserved", "Unassigned")):
            continue
        name = desc.replace(" (OBSOLETE)", "")
        kind, bits, share = group_facts(name)
        groups.append(dict(code=int(value), name=name, kind=kind, bits=bits, share=share))
    return sorted(groups, key=lambda g: g["code"])


# RFC 5246 7.4.1.4.1 hash/signature pairs that TLS 1.3 left reserved but that
# TLS 1.2 servers still use in ServerKeyExchange.
LEGACY_HASHES = {1: "md5", 2: "sha1", 3: "sha224", 4: "sha256", 5: "sha384", 6: "sha512"}
LEGACY_SIGS = {1: "rsa", 2: "dsa", 3: "ecdsa"}


def build_sigalgs(ref):
    algs = {}
    for row in read_csv(os.path.join(ref, "iana_tls_signature_schemes.csv")):
        value, desc = row["Value"].strip(), row["Description"].strip()
        if not re.fullmatch(r"0x[0-9A-Fa-f]{4}", value):
            continue
        if desc.startswith(("Reserved", "Unassigned")):
            continue
        algs[int(value, 16)] = desc
    for h, hname in LEGACY_HASHES.items():
        for s, sname in LEGACY_SIGS.items():
            algs.setdefault(h << 8 | s, "%s_%s" % (sname, hname))
    return [dict(code=c, name=algs[c]) for c in sorted(algs)]


def fmt_code(code):
    return "0x%06X" % code if code > 0xFFFF else "0x%04X" % code


def flags_expr(flags):
    ordered = [f for f in FLAG_ORDER if f in flags]
    return " | ".join(ordered) if ordered else "0"


def c_str(s):
    return '"%s"' % s if s is not None else "NULL"


def header(sources):
    return ("/* Generated by tools/gen_registry.py from %s.\n"
            " * Do not edit: change the generator and re-run it. */\n\n"
            "#include \"registry/registry.h\"\n\n/* clang-format off */\n" % sources)


def render_suites_c(suites):
    lines = [header("the IANA TLS Cipher Suites registry,\n * `openssl ciphers -V -stdname` "
                    "(data/registry/openssl-ciphers.txt) and the SSL 2.0\n * and GOST "
                    "draft specifications")]
    lines.append("const struct suite_info suite_table[] = {")
    for s in suites:
        lines.append("    {%s, %s, %s," % (fmt_code(s["code"]), c_str(s["name"]),
                                          c_str(s["openssl"])))
        lines.append("     %s, %s, %s, %s, %s, %d,\n     %s}," % (
            s["kex"], s["auth"], s["cipher"], s["mode"], s["mac"], s["bits"],
            flags_expr(s["flags"])))
    lines.append("};\n/* clang-format on */\n")
    lines.append("const size_t suite_table_len = sizeof(suite_table) / sizeof(suite_table[0]);")
    return "\n".join(lines) + "\n"


def render_groups_c(groups):
    lines = [header("the IANA TLS Supported Groups registry")]
    lines.append("const struct group_info group_table[] = {")
    for g in groups:
        lines.append("    {%d, %s, %s, %d, %d}," % (g["code"], c_str(g["name"]), g["kind"],
                                                  g["bits"], g["share"]))
    lines.append("};\n/* clang-format on */\n")
    lines.append("const size_t group_table_len = sizeof(group_table) / sizeof(group_table[0]);")
    return "\n".join(lines) + "\n"


def render_sigalgs_c(algs):
    lines = [header("the IANA TLS SignatureScheme registry and\n * the RFC 5246 hash/signature "
                    "pairs")]
    lines.append("const struct sigalg_info sigalg_table[] = {")
    for a in algs:
        lines.append("    {0x%04X, %s}," % (a["code"], c_str(a["name"])))
    lines.append("};\n/* clang-format on */\n")
    lines.append("const size_t sigalg_table_len = sizeof(sigalg_table) / sizeof(sigalg_table[0]);")
    return "\n".join(lines) + "\n"


def strip_prefix(value, prefix):
    return value[len(prefix):].lower() if value.startswith(prefix) else value


def render_csv(fields, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(fields)
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def render_suites_csv(suites):
    rows = []
    for s in suites:
        flags = [strip_prefix(f, "SUITE_") for f in FLAG_ORDER if f in s["flags"]]
        rows.append([fmt_code(s["code"]), s["name"], s["openssl"] or "",
                     strip_prefix(s["kex"], "KEX_"), strip_prefix(s["auth"], "AUTH_"),
                     strip_prefix(s["cipher"], "CIPHER_"), strip_prefix(s["mode"], "MODE_"),
                     strip_prefix(s["mac"], "MAC_"), s["bits"], " ".join(flags)])
    return render_csv(["code", "name", "openssl_name", "kex", "auth", "cipher", "mode", "mac",
                       "cipher_bits", "flags"], rows)


def render_groups_csv(groups):
    rows = [[g["code"], "0x%04X" % g["code"], g["name"], strip_prefix(g["kind"], "GROUP_"),
             g["bits"], g["share"]] for g in groups]
    return render_csv(["code", "hex", "name", "kind", "bits", "share_len"], rows)


def render_sigalgs_csv(algs):
    return render_csv(["code", "name"], [["0x%04X" % a["code"], a["name"]] for a in algs])


def generate(ref):
    suites = build_suites(ref)
    groups = build_groups(ref)
    algs = build_sigalgs(ref)
    return {
        "data/registry/suites.csv": render_suites_csv(suites),
        "data/registry/groups.csv": render_groups_csv(groups),
        "data/registry/sigalgs.csv": render_sigalgs_csv(algs),
        "src/registry/suites_table.c": render_suites_c(suites),
        "src/registry/groups_table.c": render_groups_c(groups),
        "src/registry/sigalgs_table.c": render_sigalgs_c(algs),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="exit 1 when a committed output differs from a fresh generation")
    ap.add_argument("--refresh-openssl", action="store_true",
                    help="re-capture the local `openssl ciphers -V -stdname` output first")
    ap.add_argument("--reference", default=DEFAULT_REF,
                    help="directory holding the IANA CSVs (default: %(default)s)")
    args = ap.parse_args()

    if not os.path.isdir(args.reference):
        if args.check:
            print("gen_registry: %s not found, skipping the check" % args.reference)
            return 0
        print("gen_registry: %s not found" % args.reference, file=sys.stderr)
        return 2
    if args.refresh_openssl:
        refresh_openssl()
    try:
        outputs = generate(args.reference)
    except GenError as e:
        print("gen_registry: %s" % e, file=sys.stderr)
        return 2

    stale = []
    for rel, text in outputs.items():
        path = os.path.join(ROOT, rel)
        old = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                old = f.read()
        if old == text:
            continue
        stale.append(rel)
        if not args.check:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    if args.check and stale:
        print("gen_registry: stale, re-run tools/gen_registry.py: %s" % " ".join(stale))
        return 1
    for rel in stale:
        print("gen_registry: wrote %s" % rel)
    return 0


if __name__ == "__main__":
    sys.exit(main())
