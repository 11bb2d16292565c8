#!/usr/bin/python3
"""TEST DOUBLE -- not a TLS implementation.

Debian 12 ships no server that still speaks SSL 2.0 or SSL 3.0 (OpenSSL and
GnuTLS dropped both), so the integration tests use this stand-in. It reads a
client's hello and answers with the server's first flight, built byte by byte
to the specs with a real certificate generated at test time:

- SSL 3.0 (RFC 6101 5.6): ServerHello (version 3.0, a suite from --suites in
  the configured order), Certificate, ServerHelloDone; handshake_failure when
  no suite is shared.
- SSL 2.0 (draft-hickman-netscape-ssl-00): SERVER-HELLO carrying the
  certificate and the intersection of the client's and --sslv2-specs cipher
  specs; ERROR (NO-CIPHER-ERROR) when none is shared.

It never completes a handshake (no key exchange, no Finished): a scanner only
needs the first flight to tell that the protocol and a suite are accepted.
Anything else (e.g. a TLS hello to an SSLv2-only double) is met with a close,
which is what a server that does not speak the protocol would do at best.
Listens on the given loopback address only.
"""

import argparse
import os
import socket
import socketserver
import struct
import subprocess
import sys

REC_ALERT = 21
REC_HANDSHAKE = 22
HS_CLIENT_HELLO = 1
HS_SERVER_HELLO = 2
HS_CERTIFICATE = 11
HS_SERVER_HELLO_DONE = 14
ALERT_FATAL = 2
ALERT_HANDSHAKE_FAILURE = 40
SSL3_VERSION = 0x0300
SSL2_VERSION = 0x0002
SSL2_MT_ERROR = 0
SSL2_MT_CLIENT_HELLO = 1
SSL2_MT_SERVER_HELLO = 4
SSL2_CT_X509_CERTIFICATE = 1
SSL2_PE_NO_CIPHER = 0x0001
MAX_RECORD = 16384 + 2048
MAX_HELLO = 65536


class Config:
    def __init__(self, args):
        self.protocols = set(args.protocol)
        self.suites = [int(s, 16) for s in args.suites.split(",")] if args.suites else []
        self.v2_specs = [int(s, 16) for s in args.sslv2_specs.split(",")] if args.sslv2_specs else []
        self.cert = subprocess.run(["openssl", "x509", "-in", args.cert, "-outform", "DER"],
                                   check=True, capture_output=True).stdout


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def vec(n_bytes, data):
    return len(data).to_bytes(n_bytes, "big") + data


def handshake(msg_type, body):
    return bytes([msg_type]) + vec(3, body)


def record(content_type, body):
    return struct.pack(">BHH", content_type, SSL3_VERSION, len(body)) + body


def read_tls_client_hello(sock, first):
    """Reassembles the ClientHello from handshake records; returns its body."""
    data = b""
    header = first + recv_exact(sock, 4)
    while True:
        ctype, _, length = struct.unpack(">BHH", header)
        if ctype != REC_HANDSHAKE or length > MAX_RECORD:
            return None
        data += recv_exact(sock, length)
        if len(data) >= 4:
            need = int.from_bytes(data[1:4], "big")
            if data[0] != HS_CLIENT_HELLO or need > MAX_HELLO:
                return None
            if len(data) >= 4 + need:
                return data[4:4 + need]
        header = recv_exact(sock, 5)


def offered_suites(hello):
    """Cipher suites of a ClientHello body (RFC 6101 5.6.1.2 layout)."""
    pos = 2 + 32
    sid_len = hello[pos]
    pos += 1 + sid_len
    n = int.from_bytes(hello[pos:pos + 2], "big")
    raw = hello[pos + 2:pos + 2 + n]
    if len(raw) != n or n % 2:
        raise ValueError("truncated cipher_suites")
    return [int.from_bytes(raw[i:i + 2], "big") for i in range(0, n, 2)]


def ssl3_answer(cfg, offered):
    chosen = next((s for s in cfg.suites if s in offered), None)
    if chosen is None:
        return record(REC_ALERT, bytes([ALERT_FATAL, ALERT_HANDSHAKE_FAILURE]))
    hello = (struct.pack(">H", SSL3_VERSION) + os.urandom(32) + vec(1, os.urandom(32))
             + struct.pack(">HB", chosen, 0))
    cert = handshake(HS_CERTIFICATE, vec(3, vec(3, cfg.cert)))
    flight = handshake(HS_SERVER_HELLO, hello) + cert + handshake(HS_SERVER_HELLO_DONE, b"")
    return record(REC_HANDSHAKE, flight)


def ssl2_record(body):
    return struct.pack(">H", 0x8000 | len(body)) + body


def read_ssl2_client_hello(sock, first):
    second = recv_exact(sock, 1)
    length = ((first[0] & 0x7F) << 8) | second[0]
    body = recv_exact(sock, length)
    if len(body) < 9 or body[0] != SSL2_MT_CLIENT_HELLO:
        return None
    version, spec_len, sid_len, chal_len = struct.unpack(">HHHH", body[1:9])
    specs = body[9:9 + spec_len]
    if len(specs) != spec_len or spec_len % 3 or 9 + spec_len + sid_len + chal_len > len(body):
        return None
    return version, [int.from_bytes(specs[i:i + 3], "big") for i in range(0, spec_len, 3)]


def ssl2_answer(cfg, offered):
    shared = [s for s in cfg.v2_specs if s in offered]
    if not shared:
        return ssl2_record(bytes([SSL2_MT_ERROR]) + struct.pack(">H", SSL2_PE_NO_CIPHER))
    specs = b"".join(s.to_bytes(3, "big") for s in shared)
    conn_id = os.urandom(16)
    body = (bytes([SSL2_MT_SERVER_HELLO, 0, SSL2_CT_X509_CERTIFICATE])
            + struct.pack(">HHHH", SSL2_VERSION, len(cfg.cert), len(specs), len(conn_id))
            + cfg.cert + specs + conn_id)
    return ssl2_record(body)


def answer(cfg, sock):
    first = sock.recv(1)
    if not first:
        return None
    if first[0] == REC_HANDSHAKE and "SSLv3" in cfg.protocols:
        hello = read_tls_client_hello(sock, first)
        if hello is None or int.from_bytes(hello[:2], "big") < SSL3_VERSION:
            return None
        return ssl3_answer(cfg, offered_suites(hello))
    if first[0] & 0x80:
        parsed = read_ssl2_client_hello(sock, first)
        if parsed is None:
            return None
        version, specs = parsed
        if version >= SSL3_VERSION and "SSLv3" in cfg.protocols:
            # SSLv2-compatible hello for SSL 3.0 (RFC 6101 E.1): TLS suites are
            # the specs whose first byte is zero.
            return ssl3_answer(cfg, [s & 0xFFFF for s in specs if s >> 16 == 0])
        if "SSLv2" in cfg.protocols:
            return ssl2_answer(cfg, specs)
    return None


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        sock.settimeout(10)
        try:
            reply = answer(self.server.cfg, sock)
            if reply:
                sock.sendall(reply)
                # Wait for the client to give up (it cannot go on): a close
                # right after the flight could race ahead of its read.
                while sock.recv(4096):
                    pass
        except (EOFError, OSError, ValueError):
            pass


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--cert", required=True, help="PEM certificate to send")
    ap.add_argument("--protocol", action="append", choices=["SSLv2", "SSLv3"], required=True)
    ap.add_argument("--suites", help="SSLv3 suites, server order: 0x000A,0x002F")
    ap.add_argument("--sslv2-specs", help="SSLv2 cipher specs: 0x0700C0,0x010080")
    args = ap.parse_args()
    if not args.host.startswith("127.") and args.host != "::1":
        sys.exit("recorded_server: loopback addresses only")
    server = Server((args.host, args.port), Handler)
    server.cfg = Config(args)
    server.serve_forever()


if __name__ == "__main__":
    main()
