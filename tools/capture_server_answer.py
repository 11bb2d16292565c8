#!/usr/bin/python3
"""Send one ClientHello to a TLS server on loopback and save its answer as a
test vector (tests/vectors/NAME.hex) with a provenance line.

The hello is built here, independently of src/wire, so that a vector does not
depend on the code it tests. Only loopback addresses are accepted.

usage: capture_server_answer.py --port 4433 --out tests/vectors/x.hex \
           --server "openssl s_server ..." [--version 0x0303] [--suites c02f,009e]
           [--groups 29,23] [--sni name] [--tls13 empty|x25519] [--sslv2 010080,...]
"""
import argparse
import datetime
import ipaddress
import os
import socket
import struct
import sys
import time

DEFAULT_GROUPS = [29, 23, 30, 24, 25, 256, 257, 258, 259, 260]
DEFAULT_SIGALGS = [0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0401,
                   0x0501, 0x0601, 0x0203, 0x0201, 0x0202]


def vec(width, body):
    return len(body).to_bytes(width, "big") + body


def ext(etype, body):
    return struct.pack(">H", etype) + vec(2, body)


def u16s(values):
    return b"".join(struct.pack(">H", v) for v in values)


def client_hello(args):
    version = int(args.version, 16)
    suites = [int(s, 16) for s in args.suites.split(",")]
    groups = [int(g) for g in args.groups.split(",")] if args.groups else DEFAULT_GROUPS
    exts = b""
    if args.sni:
        name = args.sni.encode()
        exts += ext(0, vec(2, b"\x00" + vec(2, name)))
    exts += ext(10, vec(2, u16s(groups)))
    exts += ext(11, vec(1, b"\x00"))
    if version >= 0x0303 or args.tls13:
        exts += ext(13, vec(2, u16s(DEFAULT_SIGALGS)))
    if args.tls13:
        exts += ext(43, vec(1, u16s([0x0304])))
        if args.tls13 == "x25519":
            # Any 32 bytes are a valid X25519 public key (RFC 7748 5).
            shares = struct.pack(">H", 29) + vec(2, os.urandom(32))
        else:
            shares = b""
        exts += ext(51, vec(2, shares))
        exts += ext(45, vec(1, b"\x01"))  # psk_key_exchange_modes: psk_dhe_ke
    exts += ext(0xff01, vec(1, b""))
    exts += ext(23, b"")
    legacy = 0x0303 if args.tls13 else version
    record_version = 0x0301 if args.tls13 else version
    body = struct.pack(">H", legacy) + os.urandom(32) + vec(1, b"")
    body += vec(2, u16s(suites)) + vec(1, b"\x00") + vec(2, exts)
    hs = b"\x01" + vec(3, body)
    return b"\x16" + struct.pack(">H", record_version) + vec(2, hs)


def sslv2_hello(specs_csv):
    specs = b"".join(int(s, 16).to_bytes(3, "big") for s in specs_csv.split(","))
    body = b"\x01" + struct.pack(">HHHH", 0x0002, len(specs), 0, 16) + specs + os.urandom(16)
    return struct.pack(">H", 0x8000 | len(body)) + body


def exchange(host, port, hello, idle, max_bytes):
    data = b""
    with socket.create_connection((host, port), timeout=5) as s:
        s.sendall(hello)
        s.settimeout(idle)
        while len(data) < max_bytes:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
    return data


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--server", required=True, help="the server command, for provenance")
    p.add_argument("--version", default="0x0303")
    p.add_argument("--suites", default="c02f")
    p.add_argument("--groups")
    p.add_argument("--sni")
    p.add_argument("--tls13", choices=["empty", "x25519"])
    p.add_argument("--sslv2")
    p.add_argument("--idle", type=float, default=1.0)
    p.add_argument("--max-bytes", type=int, default=1 << 20)
    args = p.parse_args()

    if not ipaddress.ip_address(args.host).is_loopback:
        sys.exit("capture_server_answer: only loopback targets are allowed")
    hello = sslv2_hello(args.sslv2) if args.sslv2 else client_hello(args)
    answer = exchange(args.host, args.port, hello, args.idle, args.max_bytes)
    if not answer:
        sys.exit("capture_server_answer: the server sent nothing")

    hello_desc = ("sslv2 specs " + args.sslv2) if args.sslv2 else (
        "version %s suites %s%s%s" % (args.version, args.suites,
                                      " tls13=" + args.tls13 if args.tls13 else "",
                                      " sni=" + args.sni if args.sni else ""))
    today = datetime.date.today().isoformat()
    with open(args.out, "w") as f:
        f.write("# provenance: %s on 127.0.0.1, answer to a ClientHello (%s), "
                "captured %s by tools/capture_server_answer.py\n" % (args.server, hello_desc, today))
        hexs = answer.hex()
        for i in range(0, len(hexs), 64):
            f.write(hexs[i:i + 64] + "\n")
    print("%s: %d bytes" % (args.out, len(answer)))


if __name__ == "__main__":
    main()
