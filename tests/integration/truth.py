"""What a correct scan of each test server must report, derived from the
server's own configuration by the server's own library:

- OpenSSL servers (s_server, nginx): `openssl ciphers -stdname -V -s -tls1_X`
  on the configured cipher string, filtered to the suites the certificate can
  authenticate (and DHE only when DH parameters are configured).
- gnutls-serv: `gnutls-cli --priority P -l` on the configured priority string.
- Per-suite grades: `nmap --script ssl-enum-ciphers` against the same server
  (the letters tlsgate promises to reproduce).

Nothing here is a hard-coded expected result; the specs in specs.py are
server configurations.
"""

import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from servers import require_tool
from specs import DOUBLE_SUITE_NAMES

VERSION_CODES = {
    "SSLv2": 0x0002,
    "SSLv3": 0x0300,
    "TLSv1.0": 0x0301,
    "TLSv1.1": 0x0302,
    "TLSv1.2": 0x0303,
    "TLSv1.3": 0x0304,
}
ALL_VERSIONS = list(VERSION_CODES)

# IANA TLS Supported Groups registry code points, by the names OpenSSL and
# GnuTLS configuration strings use.
GROUP_CODES = {
    "secp256r1": 0x0017, "prime256v1": 0x0017, "p-256": 0x0017,
    "secp384r1": 0x0018, "p-384": 0x0018,
    "secp521r1": 0x0019, "p-521": 0x0019,
    "x25519": 0x001D, "x448": 0x001E,
    "ffdhe2048": 0x0100, "ffdhe3072": 0x0101, "ffdhe4096": 0x0102,
    "ffdhe6144": 0x0103, "ffdhe8192": 0x0104,
}
FFDHE_FIRST = 0x0100


@dataclass
class Truth:
    """Expected facts about one server."""

    suites: dict  # protocol name -> list of suite codes (server order when ordered)
    server_order: bool | None  # None: not judged (fewer than two suites)
    groups13: set = field(default_factory=set)  # codes accepted in TLS 1.3
    groups12_ec: set = field(default_factory=set)  # ECDHE curves accepted in TLS <= 1.2
    dh_bits: int | None = None
    names: dict = field(default_factory=dict)  # suite code -> IANA name


def _openssl_list(version_flag, ciphers, ciphersuites):
    args = ["openssl", "ciphers", "-stdname", "-V", "-s", version_flag]
    if ciphersuites is not None:
        args += ["-ciphersuites", ciphersuites]
    args.append(ciphers if ciphers is not None else "DEFAULT")
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        m = re.match(
            r"\s*0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\S+)\s+- (\S+)\s+(\S+)\s+Kx=(\S+)\s+Au=(\S+)",
            line,
        )
        if m:
            code = int(m.group(1) + m.group(2), 16)
            rows.append(dict(code=code, name=m.group(3), min_version=m.group(5),
                             kx=m.group(6), au=m.group(7)))
    return rows


def openssl_truth(spec, cred):
    """Suites an OpenSSL-based server with this spec offers, per protocol."""
    require_tool("openssl")
    auth = {"RSA": "RSA", "EC": "ECDSA"}[cred.key_type]
    suites, names = {}, {}
    for version in spec.versions:
        if version == "TLSv1.3":
            rows = _openssl_list("-tls1_3", "ALL", spec.ciphersuites)
            suites[version] = [r["code"] for r in rows if r["min_version"] == "TLSv1.3"]
            names.update((r["code"], r["name"]) for r in rows)
            continue
        flag = {"TLSv1.0": "-tls1", "TLSv1.1": "-tls1_1", "TLSv1.2": "-tls1_2"}[version]
        rows = _openssl_list(flag, spec.ciphers, spec.ciphersuites)
        names.update((r["code"], r["name"]) for r in rows)
        keep = []
        for r in rows:
            if r["min_version"] == "TLSv1.3" or r["au"] != auth:
                continue
            if r["kx"] == "DH" and not spec.dh_bits:
                continue
            if r["kx"] not in ("RSA", "ECDH", "DH"):
                continue
            keep.append(r["code"])
        suites[version] = keep
    return _finish(spec, suites, names)


def _finish(spec, suites, names=None):
    groups = [GROUP_CODES[g.lower()] for g in (spec.group_names or [])]
    has13 = bool(suites.get("TLSv1.3"))
    ecdhe12 = any(_is_ecdhe(code) for v, codes in suites.items() if v != "TLSv1.3"
                  for code in codes)
    counts = [len(c) for c in suites.values() if c]
    return Truth(
        suites=suites,
        server_order=spec.server_order if counts and max(counts) >= 2 else None,
        groups13=set(groups) if has13 else set(),
        groups12_ec={g for g in groups if g < FFDHE_FIRST} if ecdhe12 else set(),
        dh_bits=spec.dh_bits,
        names=names or {},
    )


def _is_ecdhe(code):
    # ECDHE suites live in 0xC0xx and 0xCCA8/0xCCA9/0xCCAC (RFC 8422, 7905).
    return (0xC006 <= code <= 0xC03F and not 0xC01A <= code <= 0xC022) or code in (
        0xC048, 0xC049, 0xC04C, 0xC04D, 0xC05C, 0xC05D, 0xC060, 0xC061, 0xC072, 0xC073,
        0xC076, 0xC077, 0xC086, 0xC087, 0xC08A, 0xC08B, 0xC0AC, 0xC0AD, 0xC0AE, 0xC0AF,
        0xCCA8, 0xCCA9, 0xCCAC)


GNUTLS_VERSIONS = {"TLS1.0": "TLSv1.0", "TLS1.1": "TLSv1.1", "TLS1.2": "TLSv1.2",
                   "TLS1.3": "TLSv1.3"}


def gnutls_list(priority):
    """(suites as (name, code, min version), protocols, groups) from gnutls-cli -l."""
    require_tool("gnutls-cli")
    out = subprocess.run(["gnutls-cli", "-l", "--priority", priority], check=True,
                         capture_output=True, text=True).stdout
    rows, protocols, groups = [], [], []
    for line in out.splitlines():
        m = re.match(r"(TLS_\S+)\s+0x([0-9a-f]{2}), 0x([0-9a-f]{2})\s+(\S+)", line)
        if m:
            rows.append((m.group(1), int(m.group(2) + m.group(3), 16), m.group(4)))
        elif line.startswith("Protocols:"):
            protocols = [p.strip().replace("VERS-", "") for p in line[10:].split(",")]
        elif line.startswith("Groups:"):
            groups = [g.strip().replace("GROUP-", "").lower() for g in line[7:].split(",")]
    return rows, protocols, groups


def gnutls_truth(spec, cred):
    rows, protocols, groups = gnutls_list(spec.priority)
    auth = {"RSA": ("TLS_RSA_", "TLS_ECDHE_RSA_", "TLS_DHE_RSA_"),
            "EC": ("TLS_ECDHE_ECDSA_",)}[cred.key_type]
    order = ["TLS1.0", "TLS1.1", "TLS1.2", "TLS1.3"]
    suites = {}
    for proto in protocols:
        if proto not in GNUTLS_VERSIONS:
            continue  # DTLS
        keep = []
        for name, code, min_version in rows:
            if proto == "TLS1.3":
                if min_version == "TLS1.3":
                    keep.append(code)
                continue
            if min_version == "TLS1.3" or order.index(min_version) > order.index(proto):
                continue
            if not name.startswith(auth):
                continue
            if name.startswith("TLS_DHE_") and not spec.dh_bits:
                continue
            keep.append(code)
        suites[GNUTLS_VERSIONS[proto]] = keep
    names = {code: gnutls_iana_name(name) for name, code, _ in rows}
    spec_groups = [g for g in groups if g in GROUP_CODES]
    return _finish(_with_groups(spec, spec_groups), suites, names)


def gnutls_iana_name(name):
    """GnuTLS spells suites without WITH and with SHA1 / ARCFOUR; IANA names
    (RFC 5246 appendix A.5 style) are what scanners and nmap print."""
    if not name.startswith("TLS_") or name.count("_") < 3:
        return name
    if name in ("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_CCM_SHA256"):
        return name
    for kex in ("ECDHE_ECDSA", "ECDHE_RSA", "DHE_RSA", "DHE_DSS", "RSA"):
        if name.startswith("TLS_" + kex + "_"):
            rest = name[len("TLS_" + kex + "_"):]
            break
    else:
        return name
    rest = rest.replace("ARCFOUR_128", "RC4_128")
    if rest.endswith("_SHA1"):
        rest = rest[:-1]
    if rest == "CHACHA20_POLY1305":
        rest += "_SHA256"
    return "TLS_%s_WITH_%s" % (kex, rest)


def _with_groups(spec, names):
    from dataclasses import replace
    return replace(spec, groups=":".join(names))


def derive(spec, cred):
    if spec.kind in ("openssl", "nginx"):
        return openssl_truth(spec, cred)
    if spec.kind == "gnutls":
        return gnutls_truth(spec, cred)
    if spec.kind == "double":
        suites = {}
        if "SSLv3" in spec.versions:
            suites["SSLv3"] = [int(c, 16) for c in spec.ciphers.split(",")]
        if "SSLv2" in spec.versions:
            suites["SSLv2"] = [int(c, 16) for c in spec.sslv2_specs.split(",")]
        return _finish(spec, suites, dict(DOUBLE_SUITE_NAMES))
    raise ValueError(spec.kind)


@dataclass
class NmapView:
    """nmap's ssl-enum-ciphers answer: per protocol, the suites in the order it
    printed them with their letters, and its cipher preference verdict."""

    suites: dict  # protocol -> [(IANA name, letter)]
    kex: dict  # (protocol, IANA name) -> nmap's kex_info, e.g. "dh 1024", "rsa 2048"
    preference: dict  # protocol -> "server" | "client" | "indeterminate"
    least: str | None

    def letters(self, proto):
        return dict(self.suites.get(proto, []))


def nmap_grades(port):
    require_tool("nmap")
    out = subprocess.run(
        ["nmap", "-Pn", "-n", "-p", str(port), "--script", "ssl-enum-ciphers", "-oX", "-",
         "127.0.0.1"],
        check=True, capture_output=True, text=True, timeout=180,
    ).stdout
    root = ET.fromstring(out)
    script = root.find(".//script[@id='ssl-enum-ciphers']")
    if script is None:
        raise AssertionError("nmap ssl-enum-ciphers found nothing on port %d:\n%s" % (port, out))
    suites, preference, kex, least = {}, {}, {}, None
    for proto in script.findall("table"):
        ciphers = proto.find("table[@key='ciphers']")
        rows = []
        for c in ciphers.findall("table") if ciphers is not None else []:
            name = nmap_suite_name(c.findtext("elem[@key='name']"))
            rows.append((name, c.findtext("elem[@key='strength']")))
            kex[(proto.get("key"), name)] = c.findtext("elem[@key='kex_info']")
        suites[proto.get("key")] = rows
        preference[proto.get("key")] = proto.findtext("elem[@key='cipher preference']")
    for elem in script.findall("elem"):
        if elem.get("key") == "least strength":
            least = elem.text
    return NmapView(suites, kex, preference, least)


def nmap_suite_name(name):
    # nmap spells the TLS 1.3 suites TLS_AKE_WITH_<cipher>; IANA drops "AKE_WITH_".
    return name.replace("TLS_AKE_WITH_", "TLS_", 1)
