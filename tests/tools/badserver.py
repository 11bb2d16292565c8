#!/usr/bin/python3
"""A misbehaving TLS server for robustness tests (stdlib only, 127.0.0.1 only).

One process serves one mode on one port and answers many connections at once
(asyncio). Its well-behaved core is a small TLS 1.0-1.2 server built by hand
from real bytes: an RSA-2048 certificate made by openssl at start, a
ServerHello that picks a suite the client offered (server order), a real
ServerKeyExchange signed with that key for ECDHE_RSA suites, and
ServerHelloDone. Each mode changes one thing about that core.

    badserver.py --mode tarpit            # prints "PORT <n>" when listening
    badserver.py --list                   # modes and what they do

The process exits after --lifetime seconds whatever happens, so a test that
forgets it cannot leave it behind for long.
"""
import argparse
import asyncio
import hashlib
import os
import random
import re
import socket
import struct
import subprocess
import sys
import tempfile

HOST = "127.0.0.1"

# Record layer (RFC 5246 6.2).
CT_CHANGE_CIPHER_SPEC = 20
CT_ALERT = 21
CT_HANDSHAKE = 22
MAX_PLAINTEXT = 1 << 14
MAX_CIPHERTEXT = MAX_PLAINTEXT + 2048
MAX_CLIENT_HELLO = 1 << 16

# Handshake types.
HS_CLIENT_HELLO = 1
HS_SERVER_HELLO = 2
HS_CERTIFICATE = 11
HS_SERVER_KEY_EXCHANGE = 12
HS_SERVER_HELLO_DONE = 14

# Alerts (RFC 5246 7.2, RFC 6066 3).
ALERT_FATAL = 2
ALERT_HANDSHAKE_FAILURE = 40
ALERT_PROTOCOL_VERSION = 70
ALERT_UNRECOGNIZED_NAME = 112

# Extensions.
EXT_SERVER_NAME = 0
EXT_SUPPORTED_GROUPS = 10
EXT_EC_POINT_FORMATS = 11
EXT_SUPPORTED_VERSIONS = 43
EXT_KEY_SHARE = 51
EXT_RENEGOTIATION_INFO = 0xFF01
SCSV_RENEGOTIATION = 0x00FF

# Extension types a server from the TLS 1.2 era knew (RFC 6066, 4492, 5246,
# 7301, 6962, 7366, 7627, 5077, 5746, 7685). The ext-intolerant mode drops
# any hello carrying another type, as some old stacks did.
KNOWN_EXTENSIONS = {0, 1, 5, 10, 11, 13, 15, 16, 18, 21, 22, 23, 35, 0xFF01}

GROUP_SECP256R1 = 23
GROUP_X25519 = 29

V_TLS10, V_TLS11, V_TLS12, V_TLS13 = 0x0301, 0x0302, 0x0303, 0x0304

# RFC 8446 4.1.3: the ServerHello.random of a HelloRetryRequest.
HRR_RANDOM = hashlib.sha256(b"HelloRetryRequest").digest()

# RFC 8017 9.2 note 1: DER DigestInfo prefix for SHA-256.
DIGESTINFO_SHA256 = bytes.fromhex("3031300d060960864801650304020105000420")
SIGALG_RSA_PKCS1_SHA256 = 0x0401

# The core server's suites, in its order of preference: (code, ecdhe, tls12_only).
SERVER_SUITES = [
    (0xC02F, True, True),   # ECDHE_RSA_WITH_AES_128_GCM_SHA256
    (0xC030, True, True),   # ECDHE_RSA_WITH_AES_256_GCM_SHA384
    (0xC013, True, False),  # ECDHE_RSA_WITH_AES_128_CBC_SHA
    (0xC014, True, False),  # ECDHE_RSA_WITH_AES_256_CBC_SHA
    (0x009C, False, True),  # RSA_WITH_AES_128_GCM_SHA256
    (0x009D, False, True),  # RSA_WITH_AES_256_GCM_SHA384
    (0x002F, False, False),  # RSA_WITH_AES_128_CBC_SHA
    (0x0035, False, False),  # RSA_WITH_AES_256_CBC_SHA
    (0x000A, False, False),  # RSA_WITH_3DES_EDE_CBC_SHA
]

# Suites the bad-suite mode picks from: the first one the client did not offer.
UNOFFERED_CANDIDATES = [0x0005, 0x002F, 0xC02F, 0x009C, 0x1301, 0x0000, 0xFEFE]


class Hello:
    """The fields of a ClientHello that the modes look at."""

    def __init__(self, record_version, body, record_len):
        self.record_version = record_version
        self.record_len = record_len  # handshake message bytes incl. its 4-byte header
        self.version = 0
        self.random = b""
        self.session_id = b""
        self.suites = []
        self.extensions = []  # (type, data) in order
        self.parse(body)

    def parse(self, body):
        r = Reader(body)
        self.version = r.u16()
        self.random = r.take(32)
        self.session_id = r.vec(1)
        suites = Reader(r.vec(2))
        while suites.left() >= 2:
            self.suites.append(suites.u16())
        r.vec(1)  # compression methods
        if r.left() >= 2:
            exts = Reader(r.vec(2))
            while exts.left() >= 4:
                typ = exts.u16()
                self.extensions.append((typ, exts.vec(2)))

    def ext(self, typ):
        for t, data in self.extensions:
            if t == typ:
                return data
        return None

    def sni(self):
        data = self.ext(EXT_SERVER_NAME)
        if data is None:
            return None
        names = Reader(Reader(data).vec(2))
        while names.left() >= 3:
            kind = names.u8()
            name = names.vec(2)
            if kind == 0:
                return name.decode("ascii", "replace")
        return None

    def groups(self):
        data = self.ext(EXT_SUPPORTED_GROUPS)
        if data is None:
            return []
        r = Reader(Reader(data).vec(2))
        return [r.u16() for _ in range(r.left() // 2)]

    def key_share_groups(self):
        data = self.ext(EXT_KEY_SHARE)
        if data is None:
            return []
        r = Reader(Reader(data).vec(2))
        out = []
        while r.left() >= 4:
            out.append(r.u16())
            r.vec(2)
        return out

    def offered_versions(self):
        data = self.ext(EXT_SUPPORTED_VERSIONS)
        if data is None:
            return []
        r = Reader(Reader(data).vec(1))
        return [r.u16() for _ in range(r.left() // 2)]


class Reader:
    """Bounded reader; raises ValueError on overrun (a broken hello ends the connection)."""

    def __init__(self, data):
        self.data = data
        self.off = 0

    def left(self):
        return len(self.data) - self.off

    def take(self, n):
        if n > self.left():
            raise ValueError("overrun")
        out = self.data[self.off:self.off + n]
        self.off += n
        return out

    def u8(self):
        return self.take(1)[0]

    def u16(self):
        return struct.unpack("!H", self.take(2))[0]

    def vec(self, width):
        n = int.from_bytes(self.take(width), "big")
        return self.take(n)


def u16(v):
    return struct.pack("!H", v)


def u24(v):
    return v.to_bytes(3, "big")


def vec(width, data):
    return len(data).to_bytes(width, "big") + data


def record(ctype, version, payload):
    return bytes([ctype]) + u16(version) + u16(len(payload)) + payload


def records(ctype, version, payload):
    """Fragment a handshake stream into records of at most 2^14 bytes."""
    out = b""
    for i in range(0, max(len(payload), 1), MAX_PLAINTEXT):
        out += record(ctype, version, payload[i:i + MAX_PLAINTEXT])
    return out


def handshake(typ, body, declared_len=None):
    n = len(body) if declared_len is None else declared_len
    return bytes([typ]) + u24(n) + body


def alert(version, desc):
    return record(CT_ALERT, version, bytes([ALERT_FATAL, desc]))


class Keys:
    """Certificate material made with openssl once at start."""

    def __init__(self, workdir, chain_len):
        self.dir = workdir
        key = os.path.join(workdir, "rsa.key")
        crt = os.path.join(workdir, "rsa.crt")
        run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
             "-out", crt, "-days", "30", "-subj", "/CN=localhost"])
        self.cert_der = run(["openssl", "x509", "-in", crt, "-outform", "DER"], binary=True)
        self.rsa = parse_rsa_key(run(["openssl", "rsa", "-in", key, "-text", "-noout"]))
        ec = os.path.join(workdir, "p256.key")
        run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", ec])
        text = run(["openssl", "ec", "-in", ec, "-text", "-noout"])
        self.p256_point = hex_field(text, "pub")
        self.chain = [self.cert_der]
        if chain_len > 1:
            self.chain = make_chain(workdir, key, chain_len)


def run(argv, binary=False):
    res = subprocess.run(argv, capture_output=True, check=True)
    return res.stdout if binary else res.stdout.decode()


def hex_field(text, name):
    """The colon-hex block after 'name:' in openssl -text output."""
    m = re.search(r"^%s:\s*\n((?:\s+[0-9a-f:]+\n)+)" % name, text, re.M)
    if not m:
        raise RuntimeError("openssl output lacks " + name)
    return bytes.fromhex(re.sub(r"[\s:]", "", m.group(1)))


def parse_rsa_key(text):
    field = {}
    for name in ("modulus", "privateExponent", "prime1", "prime2", "exponent1", "exponent2",
                 "coefficient"):
        field[name] = int.from_bytes(hex_field(text, name), "big")
    return field


def make_chain(workdir, leaf_key, n):
    """A real chain of n certificates: leaf, then n-1 CAs, each signed by the next."""
    ca_key = os.path.join(workdir, "ca.key")
    run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", ca_key])
    top = os.path.join(workdir, "ca%d.crt" % (n - 1))
    run(["openssl", "req", "-x509", "-new", "-key", ca_key, "-out", top, "-days", "30",
         "-subj", "/CN=badserver CA %d" % (n - 1)])
    ca_csr = os.path.join(workdir, "ca.csr")
    ext = os.path.join(workdir, "ca.ext")
    with open(ext, "w") as f:
        f.write("basicConstraints=critical,CA:TRUE\n")
    ders = [run(["openssl", "x509", "-in", top, "-outform", "DER"], binary=True)]
    for i in range(n - 2, 0, -1):
        crt = os.path.join(workdir, "ca%d.crt" % i)
        run(["openssl", "req", "-new", "-key", ca_key, "-out", ca_csr,
             "-subj", "/CN=badserver CA %d" % i])
        run(["openssl", "x509", "-req", "-in", ca_csr, "-CA", top, "-CAkey", ca_key,
             "-CAcreateserial", "-out", crt, "-days", "30", "-extfile", ext])
        ders.append(run(["openssl", "x509", "-in", crt, "-outform", "DER"], binary=True))
        top = crt
    leaf_csr = os.path.join(workdir, "leaf.csr")
    leaf = os.path.join(workdir, "leaf.crt")
    run(["openssl", "req", "-new", "-key", leaf_key, "-out", leaf_csr, "-subj", "/CN=localhost"])
    run(["openssl", "x509", "-req", "-in", leaf_csr, "-CA", top, "-CAkey", ca_key,
         "-CAcreateserial", "-out", leaf, "-days", "30"])
    ders.append(run(["openssl", "x509", "-in", leaf, "-outform", "DER"], binary=True))
    ders.reverse()
    return ders


def rsa_sign(key, digest_info):
    """RSASSA-PKCS1-v1_5 (RFC 8017 8.2.1) with CRT."""
    n = key["modulus"]
    k = (n.bit_length() + 7) // 8
    em = b"\x00\x01" + b"\xff" * (k - len(digest_info) - 3) + b"\x00" + digest_info
    m = int.from_bytes(em, "big")
    p, q = key["prime1"], key["prime2"]
    s1 = pow(m, key["exponent1"], p)
    s2 = pow(m, key["exponent2"], q)
    h = (key["coefficient"] * (s1 - s2)) % p
    return (s2 + h * q).to_bytes(k, "big")


class Server:
    def __init__(self, args, keys):
        self.args = args
        self.keys = keys
        self.rng = random.Random(args.seed)
        self.conns = 0
        self.active = 0
        self.equal_first = ()  # equal-pref mode: suites picked in the client's order

    # -- the well-behaved core ------------------------------------------------

    def negotiate(self, hello):
        """(version, suite, ecdhe, group) or (None, alert) when no agreement."""
        version = min(hello.version, V_TLS12)
        if version < V_TLS10:
            return None, ALERT_PROTOCOL_VERSION
        groups = hello.groups()
        group = next((g for g in groups if g in (GROUP_X25519, GROUP_SECP256R1)), None)
        usable = []
        for code, ecdhe, tls12_only in SERVER_SUITES:
            if code not in hello.suites or (tls12_only and version < V_TLS12):
                continue
            if ecdhe and group is None:
                continue
            usable.append((version, code, ecdhe, group))
        if not usable:
            return None, ALERT_HANDSHAKE_FAILURE
        # equal-pref mode: among its two favourites the client's order decides
        # (BoringSSL's equal-preference groups); below them the server's does.
        equal = [u for u in usable if u[1] in self.equal_first]
        if equal:
            return min(equal, key=lambda u: hello.suites.index(u[1])), None
        return usable[0], None

    def server_hello(self, hello, version, suite, ecdhe, session_id=None, random_=None,
                     extensions=None):
        if extensions is None:
            extensions = b""
            if SCSV_RENEGOTIATION in hello.suites or hello.ext(EXT_RENEGOTIATION_INFO) is not None:
                extensions += u16(EXT_RENEGOTIATION_INFO) + vec(2, b"\x00")
            if ecdhe and hello.ext(EXT_EC_POINT_FORMATS) is not None:
                extensions += u16(EXT_EC_POINT_FORMATS) + vec(2, vec(1, b"\x00"))
        sid = os.urandom(32) if session_id is None else session_id
        rnd = os.urandom(32) if random_ is None else random_
        body = u16(version) + rnd + vec(1, sid) + u16(suite) + b"\x00"
        if extensions is not None:
            body += vec(2, extensions)
        return handshake(HS_SERVER_HELLO, body), rnd

    def certificate(self, chain):
        body = b"".join(vec(3, der) for der in chain)
        return handshake(HS_CERTIFICATE, vec(3, body))

    def server_key_exchange(self, hello, server_random, version, group):
        point = os.urandom(32) if group == GROUP_X25519 else self.keys.p256_point
        params = b"\x03" + u16(group) + vec(1, point)  # named_curve (RFC 8422 5.4)
        signed = hello.random + server_random + params
        if version >= V_TLS12:
            sig = rsa_sign(self.keys.rsa, DIGESTINFO_SHA256 + hashlib.sha256(signed).digest())
            return handshake(HS_SERVER_KEY_EXCHANGE,
                             params + u16(SIGALG_RSA_PKCS1_SHA256) + vec(2, sig))
        # RFC 4346 7.4.3: TLS 1.0/1.1 sign MD5 || SHA-1 without DigestInfo.
        digest = hashlib.md5(signed).digest() + hashlib.sha1(signed).digest()
        return handshake(HS_SERVER_KEY_EXCHANGE, params + vec(2, rsa_sign(self.keys.rsa, digest)))

    def flight(self, hello, chain=None, suite_override=None, version_override=None):
        """The bytes of a complete server flight, or a fatal alert."""
        agreed, why = self.negotiate(hello)
        if agreed is None and suite_override is None:
            return alert(hello.record_version, why)
        if agreed is None:
            agreed = (min(max(hello.version, V_TLS10), V_TLS12), 0, False, None)
        version, suite, ecdhe, group = agreed
        if suite_override is not None:
            suite, ecdhe = suite_override, False
        wire_version = version if version_override is None else version_override
        sh, srv_random = self.server_hello(hello, wire_version, suite, ecdhe)
        msgs = sh + self.certificate(self.keys.chain if chain is None else chain)
        if ecdhe:
            msgs += self.server_key_exchange(hello, srv_random, version, group)
        msgs += handshake(HS_SERVER_HELLO_DONE, b"")
        return records(CT_HANDSHAKE, version, msgs)

    # -- connection plumbing ---------------------------------------------------

    async def read_record(self, reader):
        head = await reader.readexactly(5)
        n = struct.unpack("!H", head[3:5])[0]
        if n > MAX_CIPHERTEXT:
            raise ValueError("client record too long")
        return head[0], struct.unpack("!H", head[1:3])[0], await reader.readexactly(n)

    async def read_hello(self, reader):
        """The next ClientHello, reassembled across records; None if the client sent SSLv2
        or something else."""
        buf = b""
        record_version = None
        while True:
            first = await reader.readexactly(1)
            if first[0] != CT_HANDSHAKE and first[0] != CT_CHANGE_CIPHER_SPEC:
                return None
            rest = await reader.readexactly(4)
            n = struct.unpack("!H", rest[2:4])[0]
            if n > MAX_CIPHERTEXT:
                return None
            payload = await reader.readexactly(n)
            if first[0] == CT_CHANGE_CIPHER_SPEC:
                continue  # RFC 8446 D.4 middlebox compatibility CCS before the 2nd hello
            record_version = record_version or struct.unpack("!H", rest[0:2])[0]
            buf += payload
            if len(buf) > MAX_CLIENT_HELLO:
                return None
            if len(buf) >= 4:
                want = int.from_bytes(buf[1:4], "big") + 4
                if buf[0] != HS_CLIENT_HELLO or want > MAX_CLIENT_HELLO:
                    return None
                if len(buf) >= want:
                    return Hello(record_version, buf[4:want], want)

    async def handle(self, reader, writer):
        self.conns += 1
        self.active += 1
        conn_id = self.conns
        try:
            if self.active > self.args.max_conns:
                return
            mode = MODES[self.args.mode][0]
            await asyncio.wait_for(mode(self, reader, writer, conn_id), self.args.conn_lifetime)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.TimeoutError, ValueError,
                OSError) as e:
            if self.args.verbose:
                print("badserver: conn %d: %s" % (conn_id, e or type(e).__name__),
                      file=sys.stderr)
        finally:
            self.active -= 1
            try:
                writer.close()
            except (ConnectionError, OSError):
                pass

    async def send(self, writer, data):
        writer.write(data)
        await writer.drain()

    async def linger(self, reader):
        """Hold the connection open, reading and discarding, until the client leaves."""
        while await reader.read(4096):
            pass


def reset(writer):
    """Close with RST: SO_LINGER on, timeout 0."""
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


# -- modes: each is async (server, reader, writer, conn_id) ------------------


async def mode_good(s, reader, writer, conn_id):
    hello = await s.read_hello(reader)
    if hello is None:
        return
    await s.send(writer, s.flight(hello))
    await s.linger(reader)


async def mode_equal_pref(s, reader, writer, conn_id):
    s.equal_first = (0xC02F, 0xC030)
    await mode_good(s, reader, writer, conn_id)


async def mode_close(s, reader, writer, conn_id):
    return


async def mode_tarpit(s, reader, writer, conn_id):
    await s.linger(reader)


async def mode_dribble(s, reader, writer, conn_id):
    hello = await s.read_hello(reader)
    if hello is None:
        return
    data = s.flight(hello)
    for i in range(len(data)):
        await s.send(writer, data[i:i + 1])
        await asyncio.sleep(s.args.dribble_interval)
    await s.linger(reader)


async def mode_http(s, reader, writer, conn_id):
    await reader.read(4096)
    body = b"<html><body><h1>400 Bad Request</h1></body></html>\r\n"
    await s.send(writer, b"HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n"
                 b"Content-Type: text/html\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                 % len(body) + body)


async def mode_ssh(s, reader, writer, conn_id):
    # An SSH server speaks first (RFC 4253 4.2) and drops a peer whose line is not SSH.
    await s.send(writer, b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")
    await reader.read(4096)
    await s.send(writer, b"Invalid SSH identification string.\r\n")


async def mode_random(s, reader, writer, conn_id):
    await reader.read(4096)
    rng = random.Random(s.args.seed * 100003 + conn_id)
    await s.send(writer, bytes(rng.getrandbits(8) for _ in range(s.args.random_len)))


async def mode_truncated(s, reader, writer, conn_id):
    hello = await s.read_hello(reader)
    if hello is None:
        return
    data = s.flight(hello)
    await s.send(writer, data[:5 + (len(data) - 5) // 3])  # header promises more than comes


async def mode_oversize(s, reader, writer, conn_id):
    hello = await s.read_hello(reader)
    if hello is None:
        return
    agreed, _ = s.negotiate(hello)
    version = agreed[0] if agreed else V_TLS12
    sh, _ = s.server_hello(hello, version, agreed[1] if agreed else 0x002F, False)
    payload = sh + handshake(HS_CERTIFICATE, vec(3, vec(3, b"\x30" * (MAX_CIPHERTEXT + 256))))
    await s.send(writer, record(CT_HANDSHAKE, version, payload))
    await s.linger(reader)


async def mode_hs_len_short(s, reader, writer, conn_id):
    # The ServerHello header declares fewer bytes than its fields take; the rest of the
    # record would then parse as a stray message. Then the server closes.
    hello = await s.read_hello(reader)
    if hello is None:
        return
    data = s.flight(hello)
    if data[0] != CT_HANDSHAKE:
        await s.send(writer, data)
        return
    version = data[1] << 8 | data[2]
    payload = bytearray(data[5:])
    declared = int.from_bytes(payload[1:4], "big")
    payload[1:4] = u24(declared - 20)
    await s.send(writer, record(CT_HANDSHAKE, version, bytes(payload[:MAX_PLAINTEXT])))


async def mode_hs_len_long(s, reader, writer, conn_id):
    # The ServerHello header declares 16 MiB - 1 inside a normal record, then nothing more.
    hello = await s.read_hello(reader)
    if hello is None:
        return
    agreed, _ = s.negotiate(hello)
    version = agreed[0] if agreed else V_TLS12
    sh, _ = s.server_hello(hello, version, agreed[1] if agreed else 0x002F, False)
    await s.send(writer, record(CT_HANDSHAKE, version, sh[:1] + u24(0xFFFFFF) + sh[4:]))
    await s.linger(reader)


async def mode_bad_suite(s, reader, writer, conn_id):
    hello = await s.read_hello(reader)
    if hello is None:
        return
    suite = next(c for c in UNOFFERED_CANDIDATES if c not in hello.suites or c == 0xFEFE)
    await s.send(writer, s.flight(hello, suite_override=suite))
    await s.linger(reader)


async def mode_bad_version(s, reader, writer, conn_id):
    # One above the highest version offered: never allowed (RFC 5246 E.1, RFC 8446 4.1.3).
    hello = await s.read_hello(reader)
    if hello is None:
        return
    offered = max([hello.version] + [v for v in hello.offered_versions() if v >> 8 == 3])
    await s.send(writer, s.flight(hello, version_override=offered + 1))
    await s.linger(reader)


async def mode_hrr_loop(s, reader, writer, conn_id):
    # RFC 8446 4.1.4: a second HelloRetryRequest is forbidden; this server sends one for
    # every hello, on the same connection, forever (up to --hrr-max).
    for _ in range(s.args.hrr_max):
        hello = await s.read_hello(reader)
        if hello is None:
            return
        suite = next((c for c in hello.suites if c >> 8 == 0x13), 0x1301)
        shared = hello.key_share_groups()
        group = next((g for g in hello.groups() if g not in shared),
                     (hello.groups() or [GROUP_SECP256R1])[0])
        exts = u16(EXT_SUPPORTED_VERSIONS) + vec(2, u16(V_TLS13))
        exts += u16(EXT_KEY_SHARE) + vec(2, u16(group))
        sh, _ = s.server_hello(hello, V_TLS12, suite, False, session_id=hello.session_id,
                               random_=HRR_RANDOM, extensions=exts)
        await s.send(writer, record(CT_HANDSHAKE, V_TLS12, sh))


async def mode_alert(s, reader, writer, conn_id):
    hello = await s.read_hello(reader)
    version = hello.record_version if hello else V_TLS10
    await s.send(writer, alert(version, s.args.alert))


async def mode_rst_unknown(s, reader, writer, conn_id):
    hello = await s.read_hello(reader)
    if hello is None:
        return
    if any(c > s.args.max_known_suite for c in hello.suites):
        reset(writer)
        return
    await s.send(writer, s.flight(hello))
    await s.linger(reader)


async def mode_padbug(s, reader, writer, conn_id):
    # Some F5 load balancers hang on hellos of 256..511 bytes (RFC 7685 section 1).
    hello = await s.read_hello(reader)
    if hello is None:
        return
    if 256 <= hello.record_len <= 511:
        await s.linger(reader)
        return
    await s.send(writer, s.flight(hello))
    await s.linger(reader)


async def mode_sv_intolerant(s, reader, writer, conn_id):
    hello = await s.read_hello(reader)
    if hello is None or hello.ext(EXT_SUPPORTED_VERSIONS) is not None:
        return
    await s.send(writer, s.flight(hello))
    await s.linger(reader)


async def mode_ext_intolerant(s, reader, writer, conn_id):
    hello = await s.read_hello(reader)
    if hello is None or any(t not in KNOWN_EXTENSIONS for t, _ in hello.extensions):
        return
    await s.send(writer, s.flight(hello))
    await s.linger(reader)


async def mode_sni_required(s, reader, writer, conn_id):
    hello = await s.read_hello(reader)
    if hello is None:
        return
    if hello.sni() != s.args.sni_name:
        await s.send(writer, alert(hello.record_version, ALERT_UNRECOGNIZED_NAME))
        return
    await s.send(writer, s.flight(hello))
    await s.linger(reader)


async def mode_chain100(s, reader, writer, conn_id):
    await mode_good(s, reader, writer, conn_id)


async def mode_bad_cert(s, reader, writer, conn_id):
    # Framing stays right; the DER inside lies: its outer SEQUENCE claims 64 more bytes.
    hello = await s.read_hello(reader)
    if hello is None:
        return
    der = bytearray(s.keys.cert_der)
    if der[1] == 0x82:
        der[2:4] = u16((der[2] << 8 | der[3]) + 64)
    await s.send(writer, s.flight(hello, chain=[bytes(der)]))
    await s.linger(reader)


async def mode_zero_len(s, reader, writer, conn_id):
    # An empty handshake record, an empty session id, an empty extensions block, an
    # empty certificate list, then ServerHelloDone.
    hello = await s.read_hello(reader)
    if hello is None:
        return
    agreed, why = s.negotiate(hello)
    if agreed is None:
        await s.send(writer, alert(hello.record_version, why))
        return
    version = agreed[0]
    suite = next((c for c, ecdhe, tls12 in SERVER_SUITES
                  if not ecdhe and c in hello.suites and (version >= V_TLS12 or not tls12)), None)
    if suite is None:
        await s.send(writer, alert(hello.record_version, ALERT_HANDSHAKE_FAILURE))
        return
    sh, _ = s.server_hello(hello, version, suite, False, session_id=b"", extensions=b"")
    msgs = sh + handshake(HS_CERTIFICATE, vec(3, b"")) + handshake(HS_SERVER_HELLO_DONE, b"")
    await s.send(writer, record(CT_HANDSHAKE, version, b"") + record(CT_HANDSHAKE, version, msgs))
    await s.linger(reader)


MODES = {
    "good": (mode_good, "a correct TLS 1.0-1.2 server (the core every mode alters)"),
    "equal-pref": (mode_equal_pref, "server order, but the client's order between its two "
                   "favourites"),
    "close": (mode_close, "accepts and closes at once"),
    "tarpit": (mode_tarpit, "accepts, reads, never answers"),
    "dribble": (mode_dribble, "a valid flight, one byte per --dribble-interval seconds"),
    "http": (mode_http, "answers HTTP/1.1 400 and closes"),
    "ssh": (mode_ssh, "sends an SSH banner first, then rejects the hello"),
    "random": (mode_random, "answers --random-len random bytes and closes"),
    "truncated": (mode_truncated, "a record header promising more bytes than come, then FIN"),
    "oversize": (mode_oversize, "a handshake record longer than 2^14+2048"),
    "hs-len-short": (mode_hs_len_short, "ServerHello length shorter than its fields, then FIN"),
    "hs-len-long": (mode_hs_len_long, "ServerHello length 2^24-1 inside one normal record"),
    "bad-suite": (mode_bad_suite, "ServerHello picks a suite the client did not offer"),
    "bad-version": (mode_bad_version, "ServerHello picks a version above every one offered"),
    "hrr-loop": (mode_hrr_loop, "HelloRetryRequest for every hello, also the second"),
    "alert": (mode_alert, "a fatal alert (--alert) for every hello"),
    "rst-unknown": (mode_rst_unknown, "TCP reset if a suite code exceeds --max-known-suite"),
    "padbug": (mode_padbug, "no answer to hellos of 256..511 bytes (RFC 7685's F5 bug)"),
    "sv-intolerant": (mode_sv_intolerant, "closes on a hello with supported_versions"),
    "ext-intolerant": (mode_ext_intolerant, "closes on a hello with an extension unknown "
                       "in 2012"),
    "sni-required": (mode_sni_required, "fatal unrecognized_name unless SNI is --sni-name"),
    "chain100": (mode_chain100, "a correct server sending a real chain of 100 certificates"),
    "bad-cert": (mode_bad_cert, "a Certificate message whose DER is malformed"),
    "zero-len": (mode_zero_len, "empty record, empty session id, empty extensions, empty "
                 "certificate list"),
}


async def serve(args):
    with tempfile.TemporaryDirectory(prefix="badserver-") as workdir:
        keys = Keys(workdir, 100 if args.mode == "chain100" else 1)
        server = Server(args, keys)
        srv = await asyncio.start_server(server.handle, HOST, args.port, backlog=1024,
                                         reuse_address=True)
        port = srv.sockets[0].getsockname()[1]
        print("PORT %d" % port, flush=True)
        if args.port_file:
            with open(args.port_file + ".tmp", "w") as f:
                f.write("%d\n" % port)
            os.replace(args.port_file + ".tmp", args.port_file)
        async with srv:
            try:
                await asyncio.wait_for(srv.serve_forever(), args.lifetime)
            except asyncio.TimeoutError:
                pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mode", choices=sorted(MODES))
    ap.add_argument("--list", action="store_true", help="list the modes and exit")
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--port-file", help="also write the port here once listening")
    ap.add_argument("--lifetime", type=float, default=600, help="exit after this many seconds")
    ap.add_argument("--conn-lifetime", type=float, default=120,
                    help="drop any one connection after this many seconds")
    ap.add_argument("--max-conns", type=int, default=1000)
    ap.add_argument("--dribble-interval", type=float, default=1.0)
    ap.add_argument("--random-len", type=int, default=2048)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--alert", type=int, default=ALERT_HANDSHAKE_FAILURE)
    ap.add_argument("--hrr-max", type=int, default=64)
    ap.add_argument("--max-known-suite", type=lambda v: int(v, 0), default=0xC0FF)
    ap.add_argument("--sni-name", default="good.example")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if args.list:
        for name in sorted(MODES):
            print("%-15s %s" % (name, MODES[name][1]))
        return 0
    if not args.mode:
        ap.error("--mode is required")
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
