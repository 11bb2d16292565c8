#!/usr/bin/python3
"""Generate tlsgate's client profiles (data/clients/*.json) from reference facts.

Sources (all read from --ref, default /work/shared/reference):
  clients/testssl_client_profiles.json   recorded ClientHellos of real clients
                                         (testssl.sh etc/client-simulation.txt, GPL-2.0)
  clients/rgl_clienthello_dumps_windows.csv  .NET on Windows Server 2019/2022 (suites,
                                         versions, groups, point formats only)
  apple/ats_cipher_suites.csv            ATS suite lists per OS generation
  schannel/*.csv                         Schannel default suite lists per Windows version
  ciphers/*.csv                          IANA names for suites, groups, signature schemes
and data/clients/captures/*.hex         hellos captured on this machine by
                                         tools/capture_hello.py.

Every ClientHello, captured or derived, is decoded here into fields (suites,
extensions with their structured content) that the C loader rebuilds byte for
byte; a decoded field whose re-encoding differs from the original bytes is kept
as raw hex instead. Stdlib only. Output is deterministic: running it twice
gives the same files.
"""

import argparse
import csv
import json
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "data" / "clients"
CAPTURE_DIR = OUT_DIR / "captures"
FORMAT = 1

TESTSSL_LICENSE = ("GPL-2.0: derived from testssl.sh (etc/client-simulation.txt, branch 3.3dev); "
                   "shipped only as a data file read at run time")
TESTSSL_SOURCE = ("testssl.sh 3.3dev etc/client-simulation.txt (mostly Qualys SSL Labs "
                  "getClients data and Wireshark captures), entry '%s'")
MS_LICENSE = "facts from Microsoft documentation (MicrosoftDocs/win32, CC-BY-4.0)"
APPLE_LICENSE = "facts from Apple documentation and apple-oss-distributions/Security"
OWN_LICENSE = "Apache-2.0 (captured by tlsgate's tools/capture_hello.py)"

VERSION_NAMES = {0x0300: "SSL 3.0", 0x0301: "TLS 1.0", 0x0302: "TLS 1.1", 0x0303: "TLS 1.2",
                 0x0304: "TLS 1.3"}
PROTO_BY_TESTSSL = {"SSLv3": 0x0300, "TLSv1.0": 0x0301, "TLSv1.1": 0x0302, "TLSv1.2": 0x0303,
                    "TLSv1.3": 0x0304}

EXT_SERVER_NAME = 0
EXT_SUPPORTED_GROUPS = 10
EXT_EC_POINT_FORMATS = 11
EXT_SIGNATURE_ALGORITHMS = 13
EXT_ALPN = 16
EXT_PADDING = 21
EXT_PRE_SHARED_KEY = 41
EXT_SUPPORTED_VERSIONS = 43
EXT_PSK_MODES = 45
EXT_SIGALGS_CERT = 50
EXT_KEY_SHARE = 51
EXT_NPN = 0x3374

# Groups whose key shares the C builder generates per hello (src/clients/hello.c).
GENERATED_GROUPS = (0x0017, 0x0018, 0x0019, 0x001D, 0x001E)

# The padding rule OpenSSL and BoringSSL follow (RFC 7685's motivating bug):
# a ClientHello message of 256..511 bytes is padded to exactly 512.
PAD_TARGET = 512


def is_grease(v):
    return (v & 0x0F0F) == 0x0A0A and (v >> 8) == (v & 0xFF)


class Names:
    """IANA names for code points, read from the reference CSVs."""

    def __init__(self, ref):
        self.suites = {}
        with open(ref / "ciphers" / "cipher_suites_testssl_mapping.csv") as f:
            for row in csv.DictReader(f):
                code = int(row["code"], 16)
                if code <= 0xFFFF and row["iana_name"]:
                    self.suites[code] = row["iana_name"]
        self.suites.setdefault(0x00FF, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV")
        self.suites.setdefault(0x5600, "TLS_FALLBACK_SCSV")
        self.groups = {}
        with open(ref / "ciphers" / "iana_tls_supported_groups.csv", newline="") as f:
            for row in csv.DictReader(f):
                if row["Value"].isdigit() and not row["Description"].startswith(("Reserved",
                                                                                 "Unassigned")):
                    self.groups[int(row["Value"])] = row["Description"].split()[0]
        self.sigalgs = {}
        with open(ref / "ciphers" / "iana_tls_signature_schemes.csv", newline="") as f:
            for row in csv.DictReader(f):
                v = row["Value"]
                if "-" in v or not v.startswith("0x"):
                    continue
                d = row["Description"].strip()
                if d and not d.startswith(("Reserved", "Unassigned")):
                    self.sigalgs[int(v, 16)] = d.split()[0]
        self.exts = {}
        with open(ref / "ciphers" / "tls_extension_types.csv", newline="") as f:
            for row in csv.DictReader(f):
                self.exts[int(row["value"])] = row["name"].split(" (")[0].strip()

    @staticmethod
    def _label(table, v, legacy=None):
        if is_grease(v):
            return "0x%04x GREASE" % v
        if v in table:
            return "0x%04x %s" % (v, table[v])
        if legacy and v in legacy:
            return "0x%04x %s" % (v, legacy[v])
        return "0x%04x unknown" % v

    def suite(self, v):
        return self._label(self.suites, v)

    def group(self, v):
        return self._label(self.groups, v)

    def sigalg(self, v):
        # TLS 1.2 hash/signature pairs (RFC 5246 7.4.1.4.1) the IANA scheme list leaves out
        hashes = {1: "md5", 2: "sha1", 3: "sha224", 4: "sha256", 5: "sha384", 6: "sha512"}
        sigs = {1: "rsa", 2: "dsa", 3: "ecdsa"}
        legacy = {}
        if (v >> 8) in hashes and (v & 0xFF) in sigs:
            legacy[v] = "%s_%s" % (sigs[v & 0xFF], hashes[v >> 8])
        return self._label(self.sigalgs, v, legacy)

    def ext(self, v):
        return self._label(self.exts, v)

    @staticmethod
    def version(v):
        if is_grease(v):
            return "0x%04x GREASE" % v
        return "0x%04x %s" % (v, VERSION_NAMES.get(v, "unknown"))


# ---------------------------------------------------------------- decoding


class Reader:
    def __init__(self, data):
        self.data = data
        self.off = 0

    def take(self, n):
        if self.off + n > len(self.data):
            raise ValueError("truncated at %d (+%d of %d)" % (self.off, n, len(self.data)))
        b = self.data[self.off:self.off + n]
        self.off += n
        return b

    def u(self, n):
        return int.from_bytes(self.take(n), "big")

    def vec(self, n):
        return Reader(self.take(self.u(n)))

    def left(self):
        return len(self.data) - self.off


def u16list(body, prefix):
    r = Reader(body)
    inner = r.vec(prefix)
    if r.left():
        raise ValueError("trailing bytes")
    out = []
    while inner.left():
        out.append(inner.u(2))
    return out


def decode_hello(raw):
    """Record bytes -> (record_version, hello dict with raw extension bodies, sni)."""
    r = Reader(raw)
    hs = b""
    record_version = None
    while r.left():
        if r.u(1) != 0x16:
            raise ValueError("not a handshake record")
        rv = r.u(2)
        record_version = record_version if record_version is not None else rv
        hs += r.take(r.u(2))
    h = Reader(hs)
    if h.u(1) != 1:
        raise ValueError("not a ClientHello")
    body = h.vec(3)
    if h.left():
        raise ValueError("bytes after the ClientHello")
    hello = {"record_version": record_version, "client_version": body.u(2)}
    body.take(32)
    hello["session_id_len"] = len(body.vec(1).data)
    suites = body.vec(2)
    hello["suites"] = [suites.u(2) for _ in range(suites.left() // 2)]
    hello["compression"] = list(body.vec(1).data)
    hello["extensions"] = None
    if body.left():
        exts = body.vec(2)
        hello["extensions"] = []
        while exts.left():
            t = exts.u(2)
            hello["extensions"].append((t, exts.vec(2).data))
    if body.left():
        raise ValueError("bytes after the extensions")
    return hello


def sni_of(body):
    r = Reader(body)
    lst = r.vec(2)
    if lst.u(1) != 0:
        raise ValueError("SNI of unknown type")
    return lst.vec(2).data.decode("ascii")


def encode_sni(host):
    h = host.encode("ascii")
    entry = b"\x00" + len(h).to_bytes(2, "big") + h
    return len(entry).to_bytes(2, "big") + entry


def encode_u16list(values, prefix):
    b = b"".join(v.to_bytes(2, "big") for v in values)
    return len(b).to_bytes(prefix, "big") + b


def encode_u8list(values):
    return bytes([len(values)]) + bytes(values)


def encode_alpn(protos):
    b = b"".join(bytes([len(p)]) + p.encode("ascii") for p in protos)
    return len(b).to_bytes(2, "big") + b


def encode_key_share(shares):
    b = b"".join(g.to_bytes(2, "big") + len(k).to_bytes(2, "big") + k for g, k in shares)
    return len(b).to_bytes(2, "big") + b


def structure_ext(t, body, names):
    """(type, raw body) -> the profile's JSON object for the extension."""
    e = {"type": names.ext(t)}
    try:
        if t == EXT_SERVER_NAME:
            sni_of(body)
            e["sni"] = True
            return e
        if t in (EXT_SUPPORTED_GROUPS,):
            vals = u16list(body, 2)
            if encode_u16list(vals, 2) == body:
                e["groups"] = [names.group(v) for v in vals]
                return e
        if t in (EXT_SIGNATURE_ALGORITHMS, EXT_SIGALGS_CERT):
            vals = u16list(body, 2)
            if encode_u16list(vals, 2) == body:
                e["sigalgs"] = [names.sigalg(v) for v in vals]
                return e
        if t == EXT_SUPPORTED_VERSIONS:
            vals = u16list(body, 1)
            if encode_u16list(vals, 1) == body:
                e["versions"] = [names.version(v) for v in vals]
                return e
        if t == EXT_EC_POINT_FORMATS and len(body) >= 1 and body[0] == len(body) - 1:
            e["point_formats"] = list(body[1:])
            return e
        if t == EXT_PSK_MODES and len(body) >= 1 and body[0] == len(body) - 1:
            e["psk_modes"] = list(body[1:])
            return e
        if t == EXT_ALPN:
            r = Reader(body)
            lst = r.vec(2)
            protos = []
            while lst.left():
                protos.append(lst.vec(1).data.decode("ascii"))
            if encode_alpn(protos) == body:
                e["alpn"] = protos
                return e
        if t == EXT_KEY_SHARE:
            r = Reader(body)
            lst = r.vec(2)
            shares = []
            while lst.left():
                g = lst.u(2)
                shares.append((g, lst.vec(2).data))
            if encode_key_share(shares) == body:
                e["key_shares"] = [{"group": names.group(g), "key": k.hex()} for g, k in shares]
                return e
    except (ValueError, UnicodeDecodeError):
        pass
    e["data"] = body.hex()
    return e


def padding_rule_holds(hello_len_without_pad, pad_len):
    """Does the 512-byte padding rule give this padding length?"""
    want = padding_for(hello_len_without_pad)
    return want is not None and want == pad_len


def padding_for(msg_len):
    """Padding body length for a hello message of msg_len bytes (incl. the 4-byte
    handshake header) without the padding extension; None: no padding."""
    if not 256 <= msg_len < PAD_TARGET:
        return None
    n = PAD_TARGET - msg_len
    return n - 4 if n > 4 else 1


def structure_hello(raw, names):
    hello = decode_hello(raw)
    sni = None
    out = {
        "record_version": names.version(hello["record_version"]),
        "client_version": names.version(hello["client_version"]),
        "session_id_len": hello["session_id_len"],
        "suites": [names.suite(s) for s in hello["suites"]],
        "compression": hello["compression"],
    }
    if hello["extensions"] is None:
        out["extensions_block"] = False
        out["extensions"] = []
        return out, sni
    exts = []
    total_ext = sum(4 + len(b) for _, b in hello["extensions"])
    for t, body in hello["extensions"]:
        if t == EXT_SERVER_NAME:
            sni = sni_of(body)
        if t == EXT_PADDING and body == bytes(len(body)):
            # message length without this extension: 4 (hs header) + fixed part + exts
            fixed = 2 + 32 + 1 + hello["session_id_len"] + 2 + 2 * len(hello["suites"]) + 1 + \
                len(hello["compression"]) + 2
            msg_len = 4 + fixed + total_ext - (4 + len(body))
            if padding_rule_holds(msg_len, len(body)):
                exts.append({"type": names.ext(t), "pad_to": PAD_TARGET})
                continue
        exts.append(structure_ext(t, body, names))
    out["extensions"] = exts
    return out, sni


# ------------------------------------------------------------ profile rules


def code_of(label):
    return int(label.split()[0], 16)


def offered_versions(hello):
    for e in hello["extensions"]:
        if "versions" in e:
            return [code_of(v) for v in e["versions"] if not is_grease(code_of(v))]
    return None


def accepts_from(hello, lowest=None, min_dh=0, max_dh=0, min_rsa=0, max_rsa=0, min_ecdsa=0,
                 sha2=False, legacy_kx_sig=True):
    versions = offered_versions(hello)
    if versions:
        min_version = min(versions)
    else:
        min_version = lowest if lowest is not None else code_of(hello["client_version"])
    return {
        "min_version": Names.version(min_version),
        "min_dh_bits": max(min_dh, 0),
        "max_dh_bits": max(max_dh, 0),
        "min_rsa_bits": max(min_rsa, 0),
        "max_rsa_bits": max(max_rsa, 0),
        "min_ecdsa_bits": max(min_ecdsa, 0),
        "requires_sha2": bool(sha2),
        "legacy_kx_signature": legacy_kx_sig,
    }


def make_profile(pid, name, family, groups, provenance, hello, accepts, capture=None, ats=None,
                 notes=None):
    p = {
        "format": FORMAT,
        "id": pid,
        "name": name,
        "family": family,
        "groups": groups,
        "provenance": provenance,
        "hello": hello,
        "accepts": accepts,
    }
    if ats:
        p["ats"] = ats
    if notes:
        p["notes"] = notes
    if capture:
        p["capture"] = capture
    return p


# ------------------------------------------------------------ testssl picks

# OpenSSL 3.x clients at security level 1 or more refuse the MD5+SHA-1
# signature of a TLS 1.0/1.1 ServerKeyExchange ("legacy sigalg disallowed"):
# checked here with s_client and Python against s_server -tls1 with DHE-RSA.
OPENSSL3_IDS = ("openssl-3.0", "openssl-3.5")

# testssl short name -> (id, display name, family, groups)
TESTSSL_PICKS = [
    ("android_237", "android-2.3", "Android 2.3.7", "android", ["android"]),
    ("android_404", "android-4.0", "Android 4.0.4", "android", ["android"]),
    ("android_411", "android-4.1", "Android 4.1.1", "android", ["android"]),
    ("android_43", "android-4.3", "Android 4.3", "android", ["android"]),
    ("android_442", "android-4.4", "Android 4.4.2", "android", ["android"]),
    ("android_500", "android-5.0", "Android 5.0.0", "android", ["android"]),
    ("android_60", "android-6.0", "Android 6.0", "android", ["android"]),
    ("android_70", "android-7.0", "Android 7.0 (native)", "android", ["android"]),
    ("android_81", "android-8.1", "Android 8.1 (native)", "android", ["android"]),
    ("android_90", "android-9", "Android 9 (native)", "android", ["android"]),
    ("android_X", "android-10", "Android 10 (native)", "android", ["android"]),
    ("android_11_12", "android-11", "Android 11 (native)", "android", ["android"]),
    ("android_11_12", "android-12", "Android 12 (native)", "android", ["android"]),
    ("android_13_14", "android-13", "Android 13 (native)", "android", ["android"]),
    ("android_13_14", "android-14", "Android 14 (native)", "android", ["android"]),
    ("android_15_16", "android-15", "Android 15/16 (native)", "android", ["android"]),
    ("chrome_49_xpsp3", "chrome-49-xp", "Chrome 49 (Windows XP SP3)", "chrome", ["chrome"]),
    ("chrome_70_win10", "chrome-70", "Chrome 70 (Windows 10)", "chrome", ["chrome"]),
    ("chrome_79_win10", "chrome-79", "Chrome 79 (Windows 10)", "chrome", ["chrome"]),
    ("chrome_101_win10", "chrome-101", "Chrome 101 (Windows 10)", "chrome", ["chrome"]),
    ("chromium_137_win11", "chrome-137", "Chromium 137 (Windows 11)", "chrome",
     ["chrome", "browsers"]),
    ("firefox_49_xpsp3", "firefox-49-xp", "Firefox 49 (Windows XP SP3)", "firefox", ["firefox"]),
    ("firefox_62_win7", "firefox-62", "Firefox 62 (Windows 7)", "firefox", ["firefox"]),
    ("firefox_71_win10", "firefox-71", "Firefox 71 (Windows 10)", "firefox", ["firefox"]),
    ("firefox_100_win10", "firefox-100", "Firefox 100 (Windows 10)", "firefox", ["firefox"]),
    ("firefox_137_win11", "firefox-137", "Firefox 137 (Windows 11)", "firefox",
     ["firefox", "browsers"]),
    ("edge_15_win10", "edge-15", "Edge 15 (Windows 10)", "edge", ["edge", "windows"]),
    ("edge_17_win10", "edge-17", "Edge 17 (Windows 10)", "edge", ["edge", "windows"]),
    ("edge_101_win10_21h2", "edge-101", "Edge 101 (Windows 10 21H2)", "edge", ["edge"]),
    ("edge_133_win11_23h2", "edge-133", "Edge 133 (Windows 11 23H2)", "edge",
     ["edge", "browsers"]),
    ("ie_8_xp", "ie-8-xp", "IE 8 (Windows XP)", "ie", ["ie", "windows"]),
    ("ie_8-10_win7", "ie-8-win7", "IE 8-10 (Windows 7)", "ie", ["ie", "windows"]),
    ("ie_11_win7", "ie-11-win7", "IE 11 (Windows 7)", "ie", ["ie", "windows"]),
    ("ie_11_win81", "ie-11-win8.1", "IE 11 (Windows 8.1)", "ie", ["ie", "windows"]),
    ("ie_11_win10", "ie-11-win10", "IE 11 (Windows 10)", "ie", ["ie", "windows"]),
    ("opera_66_win10", "opera-66", "Opera 66 (Windows 10)", "opera", ["opera"]),
    ("safari_9_ios9", "safari-9-ios", "Safari 9 (iOS 9)", "safari", ["safari", "ios"]),
    ("safari_10_ios10", "safari-10-ios", "Safari 10 (iOS 10)", "safari", ["safari", "ios"]),
    ("safari_121_ios_122", "safari-12.1-ios", "Safari 12.1 (iOS 12.2)", "safari",
     ["safari", "ios"]),
    ("safari_184_ios_184", "safari-18.4-ios", "Safari 18.4 (iOS 18.4)", "safari",
     ["safari", "ios"]),
    ("safari_iOS_264", "safari-26.4-ios", "Safari 26.4 (iOS/iPadOS 26.4)", "safari",
     ["safari", "ios", "browsers"]),
    ("safari_9_osx1011", "safari-9-macos", "Safari 9 (OS X 10.11)", "safari",
     ["safari", "macos"]),
    ("safari_10_osx1012", "safari-10-macos", "Safari 10 (macOS 10.12)", "safari",
     ["safari", "macos"]),
    ("safari_121_osx_10136", "safari-12.1-macos", "Safari 12.1 (macOS 10.13.6)", "safari",
     ["safari", "macos"]),
    ("safari_130_osx_10146", "safari-13-macos", "Safari 13.0 (macOS 10.14.6)", "safari",
     ["safari", "macos"]),
    ("safari_154_osx_1231", "safari-15.4-macos", "Safari 15.4 (macOS 12.3.1)", "safari",
     ["safari", "macos"]),
    ("safari_184_osx_154", "safari-18.4-macos", "Safari 18.4 (macOS 15.4)", "safari",
     ["safari", "macos"]),
    ("safari_264_all", "safari-26.4-macos", "Safari 26.4 (macOS 26.4)", "safari",
     ["safari", "macos", "browsers"]),
    ("apple_ats_9_ios9", "ios-9", "iOS 9 app (App Transport Security)", "ios-app",
     ["ats", "ios"]),
    ("apple_mail_16_0", "apple-mail-16", "Apple Mail 16.0", "apple-mail", ["mail"]),
    ("thunderbird_91_9", "thunderbird-91", "Thunderbird 91.9", "thunderbird", ["mail"]),
    ("java_7u25", "java-7", "Java 7u25", "java", ["java"]),
    ("java_8u31", "java-8u31", "Java 8u31", "java", ["java"]),
    ("java_8u161", "java-8u161", "Java 8u161", "java", ["java"]),
    ("java_80442", "java-8", "Java 8u442 (OpenJDK)", "java", ["java"]),
    ("java_1102", "java-11", "Java 11.0.2 (OpenJDK)", "java", ["java"]),
    ("java_1703_2106", "java-17", "Java 17.0.3 (OpenJDK)", "java", ["java"]),
    ("java_2106", "java-21", "Java 21.0.6 (OpenJDK)", "java", ["java"]),
    ("openssl_102e", "openssl-1.0.2", "OpenSSL 1.0.2e", "openssl", ["openssl"]),
    ("openssl_111d", "openssl-1.1.1", "OpenSSL 1.1.1d (Debian)", "openssl", ["openssl"]),
    ("openssl_315", "openssl-3.0", "OpenSSL 3.0.15 (Debian)", "openssl", ["openssl"]),
    ("openssl_350", "openssl-3.5", "OpenSSL 3.5.0", "openssl", ["openssl"]),
    ("libressl_336", "libressl-3.3", "LibreSSL 3.3.6 (macOS)", "libressl", ["libressl"]),
    ("go_1178", "go-1.17", "Go 1.17.8", "go", ["go"]),
    ("googlebot_feb_2018", "googlebot-2018", "Googlebot (Feb 2018)", "bot", ["bots"]),
]


# iOS 13 / macOS 10.15 and later apply RSA >= 2048 and SHA-2 signatures to all
# TLS certificate trust, not only to ATS apps (apple/ats_requirements.md, P5).
APPLE_TRUST_2019 = ("safari-18.4-ios", "safari-26.4-ios", "safari-15.4-macos",
                    "safari-18.4-macos", "safari-26.4-macos")


def testssl_profile(entry, names, pick):
    short, pid, name, family, groups = pick
    raw = bytes.fromhex(entry["handshakebytes_hex"])
    hello, sni = structure_hello(raw, names)
    check_against_testssl(pid, hello, entry)
    lowest = PROTO_BY_TESTSSL.get(entry["lowest_protocol_name"])
    acc = accepts_from(hello, lowest, entry["minDhBits"], entry["maxDhBits"], entry["minRsaBits"],
                       entry["maxRsaBits"], entry["minEcdsaBits"], entry["requiresSha2"],
                       legacy_kx_sig=pid not in OPENSSL3_IDS)
    notes = None
    if pid in APPLE_TRUST_2019:
        acc["min_rsa_bits"] = max(acc["min_rsa_bits"], 2048)
        acc["requires_sha2"] = True
        notes = ("certificate rules of iOS 13 / macOS 10.15 and later (RSA >= 2048, SHA-2 "
                 "signatures) added from Apple's documentation")
    prov = {
        "kind": "captured",
        "source": TESTSSL_SOURCE % short,
        "where": "recorded by SSL Labs / testssl.sh from the real client (%s)" % entry["name"],
        "license": TESTSSL_LICENSE,
    }
    if short in ("android_11_12", "android_13_14"):
        notes = "testssl.sh records one hello for %s; this profile shares it" % entry["name"]
    return make_profile(pid, name, family, groups, prov, hello, acc,
                        capture={"sni": sni, "bytes": raw.hex()}, notes=notes)


def check_against_testssl(pid, hello, entry):
    """The decoded fields must agree with testssl's own decoding of the same bytes."""
    ch = entry["clienthello"]
    mine = ["0x%04X" % code_of(s) for s in hello["suites"]]
    if mine != [s.upper().replace("0X", "0x") for s in ch["cipher_suites"]]:
        raise SystemExit("%s: suites disagree with the reference decoding" % pid)
    groups = next((e["groups"] for e in hello["extensions"] if "groups" in e), None)
    if groups is not None and [code_of(g) for g in groups] != ch.get("supported_groups", []):
        raise SystemExit("%s: groups disagree with the reference decoding" % pid)


# ------------------------------------------------------------ local captures

LOCAL_PICKS = [
    # id, name, family, groups, accepts overrides
    ("openssl-3.0-local", "OpenSSL 3.0 s_client (this machine)", "openssl", ["openssl", "local"],
     dict(min_dh=2048, min_rsa=2048, min_ecdsa=224, legacy_kx_sig=False)),
    ("gnutls-3.7-local", "GnuTLS 3.7 gnutls-cli (this machine)", "gnutls", ["gnutls", "local"],
     dict(min_dh=1024, min_rsa=1024)),
    ("java-17-local", "Java 17 SSLSocket (this machine)", "java", ["java", "local"],
     dict(min_dh=1024, min_rsa=1024, min_ecdsa=224)),
    ("node-20-local", "Node.js 20 tls.connect (this machine)", "node", ["node", "local"],
     dict(min_dh=1024, min_rsa=1024, legacy_kx_sig=False)),
    ("python-3.11-local", "Python 3.11 ssl default context (this machine)", "python",
     ["python", "local"], dict(min_dh=2048, min_rsa=2048, min_ecdsa=224, legacy_kx_sig=False)),
    ("curl-local", "curl 7.88 with OpenSSL 3.0 (this machine)", "curl", ["curl", "local"],
     dict(min_dh=2048, min_rsa=2048, min_ecdsa=224, legacy_kx_sig=False)),
]

LOCAL_NOTES = {
    "openssl-3.0-local": "Debian's openssl.cnf sets MinProtocol TLSv1.2 and SECLEVEL=2: DH and "
                         "RSA keys below 2048 bits are refused (the RSA check applies when the "
                         "client verifies the certificate, e.g. s_client -verify_return_error)",
    "gnutls-3.7-local": "GnuTLS NORMAL priority; minimum DH and RSA sizes of its default "
                        "'low' security profile",
    "java-17-local": "jdk.tls.disabledAlgorithms of JDK 17: DH keySize < 1024, TLSv1/TLSv1.1 "
                     "disabled",
    "node-20-local": "Node.js does not read the system openssl.cnf: OpenSSL security level 1",
    "python-3.11-local": "Debian's Python 3.11 keeps OpenSSL's default cipher list (the capture "
                         "offers TLS_RSA suites, unlike upstream 3.10+ builds) and its "
                         "SECLEVEL=2 key-size limits",
    "curl-local": "curl uses Debian's OpenSSL 3.0 defaults: SECLEVEL=2, TLS 1.2 minimum",
}


def local_profiles(names):
    out = []
    for pid, name, family, groups, acc in LOCAL_PICKS:
        path = CAPTURE_DIR / (pid + ".hex")
        if not path.exists():
            print("warning: %s missing: run tools/capture_hello.py" % path, file=sys.stderr)
            continue
        lines = path.read_text().splitlines()
        provenance_line = lines[0].lstrip("# ").strip()
        raw = bytes.fromhex("".join(lines[1:]))
        hello, sni = structure_hello(raw, names)
        prov = {"kind": "captured", "source": "data/clients/captures/%s.hex" % pid,
                "where": provenance_line, "license": OWN_LICENSE}
        out.append(make_profile(pid, name, family, groups, prov, hello, accepts_from(hello, **acc),
                                capture={"sni": sni, "bytes": raw.hex()},
                                notes=LOCAL_NOTES[pid]))
    return out


# ------------------------------------------------------------ derived hellos


def derive_hello(base, names, suites=None, groups=None, versions=None, key_shares=None,
                 drop=(), alpn=None, client_version=None, record_version=None):
    """A copy of a decoded hello with some fields replaced; extensions in `drop`
    (codes) removed; key shares marked "generate" unless given."""
    h = json.loads(json.dumps(base))
    if suites is not None:
        h["suites"] = [names.suite(s) for s in suites]
    if client_version is not None:
        h["client_version"] = names.version(client_version)
    if record_version is not None:
        h["record_version"] = names.version(record_version)
    exts = []
    for e in h["extensions"]:
        t = code_of(e["type"])
        if t in drop:
            continue
        if t == EXT_SUPPORTED_GROUPS and groups is not None:
            e = {"type": e["type"], "groups": [names.group(g) for g in groups]}
        if t == EXT_SUPPORTED_VERSIONS and versions is not None:
            e = {"type": e["type"], "versions": [names.version(v) for v in versions]}
        if t == EXT_ALPN and alpn is not None:
            e = {"type": e["type"], "alpn": alpn}
        if t == EXT_KEY_SHARE:
            if key_shares is not None:
                e = {"type": e["type"], "key_shares": key_shares}
            else:
                # fresh keys where tlsgate can make them (x25519, x448, NIST curves);
                # GREASE filler and ML-KEM hybrid shares stay as captured
                e = {"type": e["type"], "key_shares": [
                    {"group": ks["group"], "key": "generate"}
                    if code_of(ks["group"]) in GENERATED_GROUPS else ks
                    for ks in e["key_shares"]]}
        if t == EXT_PADDING and "pad_to" not in e:
            e = {"type": e["type"], "pad_to": PAD_TARGET}
        exts.append(e)
    h["extensions"] = exts
    return h


def ats_lists(ref):
    cols = {
        "doc": "doc_ats_default_list_ios9_to_ios12",
        "g2": "ats_group_security_58286.200_to_60157",
        "g3": "ats_group_security_60158.100_and_later",
    }
    lists = {k: [] for k in cols}
    with open(ref / "apple" / "ats_cipher_suites.csv") as f:
        for row in csv.DictReader(f):
            for k, col in cols.items():
                if row[col] == "yes":
                    lists[k].append(int(row["code"], 16))
    return lists


ATS_GENERATIONS = {
    "doc": "iOS 9 - 12.1 / OS X 10.11 - macOS 10.14.3: the documented ATS list of 11 suites",
    "g2": "iOS 12.2 - 15.3 / macOS 10.14.4 - 12.2: Security framework ATS group "
          "(Security-58286.200 to 60157)",
    "g3": "iOS 15.4 and later / macOS 12.3 and later: Security framework ATS group "
          "(Security-60158.100 and later), ECDHE CBC-SHA256/384 removed",
}

# id, name, group set, generation, base Safari capture (testssl short), OS groups
ATS_PICKS = [
    ("ios-10", "iOS 10 app (ATS)", "doc", "safari_10_ios10", "ios"),
    ("ios-11", "iOS 11 app (ATS)", "doc", "safari_10_ios10", "ios"),
    ("ios-12", "iOS 12.0-12.1 app (ATS)", "doc", "safari_10_ios10", "ios"),
    ("ios-13", "iOS 13 app (ATS)", "g2", "safari_121_ios_122", "ios"),
    ("ios-14", "iOS 14 app (ATS)", "g2", "safari_121_ios_122", "ios"),
    ("ios-15", "iOS 15.0-15.3 app (ATS)", "g2", "safari_121_ios_122", "ios"),
    ("ios-16", "iOS 16 app (ATS)", "g3", "safari_184_ios_184", "ios"),
    ("ios-17", "iOS 17 app (ATS)", "g3", "safari_184_ios_184", "ios"),
    ("ios-18", "iOS 18 app (ATS)", "g3", "safari_184_ios_184", "ios"),
    ("ios-26", "iOS 26 app (ATS)", "g3", "safari_iOS_264", "ios"),
    ("macos-10.11", "OS X 10.11 app (ATS)", "doc", "safari_9_osx1011", "macos"),
    ("macos-10.15", "macOS 10.15 app (ATS)", "g2", "safari_130_osx_10146", "macos"),
    ("macos-12.3", "macOS 12.3 app (ATS)", "g3", "safari_154_osx_1231", "macos"),
    ("macos-15", "macOS 15 app (ATS)", "g3", "safari_184_osx_154", "macos"),
    ("macos-26", "macOS 26 app (ATS)", "g3", "safari_264_all", "macos"),
]


def ats_rules(names, suites):
    return {
        "min_version": Names.version(0x0303),
        "suites": [names.suite(s) for s in suites],
        "min_rsa_bits": 2048,
        "min_ecc_bits": 256,
        "sha2_signature": True,
    }


def ats_profiles(testssl, names, ref):
    lists = ats_lists(ref)
    out = []
    for pid, name, gen, base_short, osgroup in ATS_PICKS:
        entry = testssl[base_short]
        base, _ = structure_hello(bytes.fromhex(entry["handshakebytes_hex"]), names)
        allowed = lists[gen]
        base_codes = [code_of(s) for s in base["suites"]]
        # the app offers the Safari stack's suites that ATS allows, in Safari's order
        suites = [s for s in base_codes if s in allowed or is_grease(s) or s == 0x00FF]
        versions = None
        if offered_versions(base):
            versions = [v for v in offered_versions_raw(base) if v >= 0x0303 or is_grease(v)]
        hello = derive_hello(base, names, suites=suites, versions=versions,
                             drop=(EXT_PRE_SHARED_KEY, EXT_NPN))
        # 1.2-only stacks: the record stays as captured, client_version 1.2 already
        prov = {
            "kind": "derived",
            "source": "ATS rules (apple/ats_requirements.md, ats_cipher_suites.csv: %s); hello "
                      "layout from the %s capture (testssl.sh entry '%s')"
                      % (ATS_GENERATIONS[gen], entry["name"], base_short),
            "where": "no ATS capture exists for this OS; the app is assumed to send its OS's "
                     "Safari hello restricted to the ATS suites and TLS 1.2+",
            "license": TESTSSL_LICENSE + "; " + APPLE_LICENSE,
        }
        acc = accepts_from(hello, 0x0303, min_dh=max(entry["minDhBits"], 0), min_rsa=2048,
                           min_ecdsa=256, sha2=True)
        out.append(make_profile(pid, name, "ios-app" if osgroup == "ios" else "macos-app",
                                ["ats", osgroup], prov, hello, acc,
                                ats=ats_rules(names, allowed)))
    return out


def offered_versions_raw(hello):
    for e in hello["extensions"]:
        if "versions" in e:
            return [code_of(v) for v in e["versions"]]
    return []


def ats_rules_for_captured(profile, names, ref):
    profile["ats"] = ats_rules(names, ats_lists(ref)["doc"])


# ------------------------------------------------------------ Windows / .NET


def schannel_default_suites(ref, windows_version):
    """Enabled-by-default suites in priority order, _P256/_P384 duplicates collapsed,
    without RC4, NULL and SSLv2 specs (the captured IE 11 hello of the same Schannel
    offers none of those)."""
    out = []
    with open(ref / "schannel" / "schannel_cipher_suites_by_windows_version.csv") as f:
        for row in csv.DictReader(f):
            if row["windows_version"] != windows_version:
                continue
            if not row["list"].startswith("enabled_by_default"):
                continue
            code = int(row["code"], 16)
            name = row["iana_name"]
            if code > 0xFFFF or "_NULL_" in name or "RC4" in name:
                continue
            if code not in out:
                out.append(code)
    return out


# id, name, Windows doc version, base capture (testssl short), groups, max version
DOTNET_DERIVED = [
    ("dotnet-ws2012", ".NET on Windows Server 2012", "Windows 8 / Server 2012", "ie_11_win81",
     [23, 24]),
    ("dotnet-ws2012r2", ".NET on Windows Server 2012 R2", "Windows 8.1 / Server 2012 R2",
     "ie_11_win81", [23, 24]),
    ("dotnet-ws2016", ".NET on Windows Server 2016", "Windows 10 1607 / Server 2016",
     "ie_11_win10", [29, 23, 24]),
]


def dotnet_profiles(testssl, names, ref):
    out = []
    for pid, name, winver, base_short, groups in DOTNET_DERIVED:
        entry = testssl[base_short]
        base, _ = structure_hello(bytes.fromhex(entry["handshakebytes_hex"]), names)
        suites = schannel_default_suites(ref, winver)
        hello = derive_hello(base, names, suites=suites, groups=groups,
                             drop=(EXT_ALPN, EXT_NPN, 0x5500))
        prov = {
            "kind": "derived",
            "source": "Schannel default cipher suites of %s in priority order "
                      "(schannel/schannel_cipher_suites_by_windows_version.csv) and its protocol "
                      "defaults (TLS 1.0-1.2 enabled); extension layout from the Schannel "
                      "hello of %s (testssl.sh entry '%s') without ALPN/NPN"
                      % (winver, entry["name"], base_short),
            "where": ".NET uses the operating system's Schannel; no capture of .NET on this "
                     "Windows version exists",
            "license": MS_LICENSE + "; " + TESTSSL_LICENSE,
        }
        acc = accepts_from(hello, 0x0301, min_dh=1024, min_rsa=1024)
        out.append(make_profile(pid, name, "dotnet", ["dotnet", "windows"], prov, hello, acc))
    return out


RGL_PICKS = [
    ("dotnet-ws2019", ".NET 6 on Windows Server 2019", ".NET 6.0.12", "Windows Server 2019 (1809)",
     "edge_17_win10"),
    ("dotnet-ws2022", ".NET 6 on Windows Server 2022", ".NET 6.0.12", "Windows Server 2022 (21H2)",
     "edge_17_win10"),
]


def rgl_profiles(testssl, names, ref):
    rows = list(csv.DictReader(open(ref / "clients" / "rgl_clienthello_dumps_windows.csv")))
    out = []
    for pid, name, client, host_os, base_short in RGL_PICKS:
        row = next(r for r in rows if r["client"] == client and r["host_os"] == host_os)
        suites = [int(s, 16) for s in row["cipher_suites_hex"].split()]
        groups = [int(g.split("(")[1].rstrip(")")) for g in row["supported_groups"].split()]
        versions = [PROTO_BY_TESTSSL[v] for v in row["offered_versions"].split()]
        entry = testssl[base_short]
        base, _ = structure_hello(bytes.fromhex(entry["handshakebytes_hex"]), names)
        hello = derive_hello(base, names, suites=suites, groups=groups,
                             drop=(EXT_ALPN, 0x0018))
        if 0x0304 in versions:
            # RFC 8446 4.2.3: TLS 1.3 with an RSA certificate needs RSA-PSS, which the
            # TLS 1.2-era Edge 17 list lacks; Schannel 2022 offers it (order not captured)
            for e in hello["extensions"]:
                if "sigalgs" in e:
                    e["sigalgs"] = [names.sigalg(v) for v in (0x0804, 0x0805, 0x0806)] + \
                        e["sigalgs"]
            # Schannel's TLS 1.3 hello: supported_versions, key_share and PSK modes added
            # after the TLS 1.2 extensions (order not captured)
            hello["extensions"] += [
                {"type": names.ext(EXT_SUPPORTED_VERSIONS),
                 "versions": [names.version(v) for v in versions]},
                {"type": names.ext(EXT_PSK_MODES), "psk_modes": [1]},
                {"type": names.ext(EXT_KEY_SHARE),
                 "key_shares": [{"group": names.group(groups[0]), "key": "generate"}]},
            ]
        prov = {
            "kind": "captured",
            "source": "rgl/tls-dump-clienthello example output (%s on %s): offered versions, "
                      "suites, groups and point formats" % (client, host_os),
            "where": "captured on %s by rgl/tls-dump-clienthello; the other extensions follow "
                     "the Schannel hello of %s (testssl.sh entry '%s')%s"
                     % (host_os, entry["name"], base_short,
                        "; with TLS 1.3: RSA-PSS signature schemes, supported_versions, "
                        "psk_key_exchange_modes and an x25519 key share added (RFC 8446 "
                        "requires them; their order was not captured)"
                        if 0x0304 in versions else ""),
            "license": "factual tool output (rgl/tls-dump-clienthello); " + TESTSSL_LICENSE,
        }
        acc = accepts_from(hello, min(versions), min_dh=1024, min_rsa=1024)
        out.append(make_profile(pid, name, "dotnet", ["dotnet", "windows"], prov, hello, acc,
                                notes=".NET Framework 4.8 on the same Windows offered the same "
                                      "versions and suites"))
    return out


# ------------------------------------------------------------ Go


def go_profiles(testssl, names):
    entry = testssl["go_1178"]
    base, _ = structure_hello(bytes.fromhex(entry["handshakebytes_hex"]), names)
    base_codes = [code_of(s) for s in base["suites"]]
    # Go 1.22 dropped TLS_RSA_* and Go 1.23 3DES from the default list
    suites = [s for s in base_codes
              if not names.suites.get(s, "").startswith("TLS_RSA_") and s not in (0xC012, 0x000A)]
    chrome = testssl["chromium_137_win11"]
    chrome_hello, _ = structure_hello(bytes.fromhex(chrome["handshakebytes_hex"]), names)
    ks = next(e for e in chrome_hello["extensions"] if "key_shares" in e)["key_shares"]
    mlkem = next(k for k in ks if k["group"].endswith("X25519MLKEM768"))
    hello = derive_hello(base, names, suites=suites, groups=[0x11EC, 29, 23, 24, 25],
                         versions=[0x0304, 0x0303],
                         key_shares=[mlkem, {"group": names.group(29), "key": "generate"}])
    prov = {
        "kind": "derived",
        "source": "Go 1.17.8 hello (testssl.sh entry 'go_1178') with the documented default "
                  "changes: Go 1.18 TLS 1.2 client minimum, Go 1.22 no TLS_RSA_* suites "
                  "(golang/go#63413), Go 1.23 no 3DES (golang/go#66214), Go 1.24 X25519MLKEM768 "
                  "first (golang/go#69985)",
        "where": "no capture of Go 1.24; the X25519MLKEM768 key share bytes are replayed from "
                 "the Chromium 137 capture (tlsgate cannot generate ML-KEM keys with "
                 "OpenSSL 3.0)",
        "license": TESTSSL_LICENSE,
    }
    acc = accepts_from(hello, min_dh=1024, min_ecdsa=224)
    return [make_profile("go-1.24", "Go 1.24 crypto/tls", "go", ["go"], prov, hello, acc,
                         notes="extensions other than versions, suites, groups and key "
                               "shares are those of Go 1.17; extensions later releases "
                               "added are not modelled")]


# ------------------------------------------------------------ main


def load_testssl(ref):
    with open(ref / "clients" / "testssl_client_profiles.json") as f:
        return {c["short"]: c for c in json.load(f)["clients"]}


def check_schannel_derivation(ref, testssl):
    """The derivation rule must reproduce the real Schannel hellos we have:
    IE 11 on 8.1 (same Schannel as Server 2012 R2) and .NET 6 on Server 2019."""
    ie = [int(c, 16) for c in testssl["ie_11_win81"]["clienthello"]["cipher_suites"]]
    if schannel_default_suites(ref, "Windows 8.1 / Server 2012 R2") != ie:
        raise SystemExit("Schannel 8.1 default list does not match the IE 11 capture")
    rows = list(csv.DictReader(open(ref / "clients" / "rgl_clienthello_dumps_windows.csv")))
    net = next(r for r in rows if r["client"] == ".NET 6.0.12" and "2019" in r["host_os"])
    if schannel_default_suites(ref, "Windows 10 1809 / Server 2019") != \
            [int(c, 16) for c in net["cipher_suites_hex"].split()]:
        raise SystemExit("Schannel 1809 default list does not match the .NET 6 capture")


def build_all(ref):
    names = Names(ref)
    testssl = load_testssl(ref)
    check_schannel_derivation(ref, testssl)
    profiles = []
    for pick in TESTSSL_PICKS:
        p = testssl_profile(testssl[pick[0]], names, pick)
        if p["id"] == "ios-9":
            ats_rules_for_captured(p, names, ref)
            p["accepts"]["min_version"] = Names.version(0x0303)
        profiles.append(p)
    profiles += ats_profiles(testssl, names, ref)
    profiles += dotnet_profiles(testssl, names, ref)
    profiles += rgl_profiles(testssl, names, ref)
    profiles += go_profiles(testssl, names)
    profiles += local_profiles(names)
    ids = [p["id"] for p in profiles]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise SystemExit("duplicate ids: %s" % sorted(dup))
    return profiles


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref", default="/work/shared/reference")
    ap.add_argument("--out", default=str(OUT_DIR))
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    profiles = build_all(pathlib.Path(args.ref))
    for old in out.glob("*.json"):
        old.unlink()
    for p in profiles:
        with open(out / (p["id"] + ".json"), "w") as f:
            json.dump(p, f, indent=2)
            f.write("\n")
    print("wrote %d profiles to %s" % (len(profiles), out), file=sys.stderr)


if __name__ == "__main__":
    main()
