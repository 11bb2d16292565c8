#!/usr/bin/python3
"""Seed tests/fuzz/corpus/<parser>/ from the captured answers in tests/vectors/.

Each vector's records are walked, its handshake messages split out, and each
message body written to the corpus of the parser that reads it. The flight
corpus gets whole answers behind a mode byte (see tests/fuzz/fuzz_flight.c).
SSLv2 seeds are built here (no local server speaks SSLv2).

usage: tools/seed_fuzz_corpus.py   (run from the repository root)
"""
import glob
import os
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VECTORS = os.path.join(ROOT, "tests", "vectors")
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")

# enum wire_kex values (src/wire/suite_kex.h) for the suites in the vectors
KEX_DHE, KEX_ECDHE = 1, 3
SUITE_KEX = {0xc02f: KEX_ECDHE, 0xc030: KEX_ECDHE, 0xc02c: KEX_ECDHE, 0xc02b: KEX_ECDHE,
             0xc013: KEX_ECDHE, 0x009e: KEX_DHE, 0x009f: KEX_DHE}


def load(path):
    hexs = "".join(l.strip() for l in open(path) if not l.startswith("#"))
    return bytes.fromhex(hexs)


def handshake_messages(data):
    stream = b""
    off = 0
    while off + 5 <= len(data):
        ctype, _, length = struct.unpack(">BHH", data[off:off + 5])
        body = data[off + 5:off + 5 + length]
        off += 5 + length
        if ctype == 22:
            stream += body
        elif ctype != 21:
            break
    msgs = []
    off = 0
    while off + 4 <= len(stream):
        mtype = stream[off]
        mlen = int.from_bytes(stream[off + 1:off + 4], "big")
        if off + 4 + mlen > len(stream):
            break
        msgs.append((mtype, stream[off + 4:off + 4 + mlen]))
        off += 4 + mlen
    return msgs


def put(parser, name, blob):
    d = os.path.join(CORPUS, parser)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(blob)


def sslv2_seeds():
    cert = bytes.fromhex("3082") + b"\x01\x00" + b"\x5a" * 256
    specs = bytes.fromhex("010080" "020080" "030080" "040080" "050080" "060040" "0700c0")
    conn_id = b"\x11" * 16
    body = b"\x04\x00\x01" + struct.pack(">HHHH", 0x0002, len(cert), len(specs), len(conn_id))
    body += cert + specs + conn_id
    put("sslv2", "server_hello_body", body)
    put("sslv2", "server_hello_record", struct.pack(">H", 0x8000 | len(body)) + body)
    err = b"\x00\x00\x01"
    put("sslv2", "error_body", err)
    put("sslv2", "error_record", struct.pack(">H", 0x8000 | len(err)) + err)
    put("flight", "sslv2_server_hello", b"\x03" + struct.pack(">H", 0x8000 | len(body)) + body)


def main():
    for path in sorted(glob.glob(os.path.join(VECTORS, "*.hex"))):
        name = os.path.basename(path)[:-4]
        data = load(path)
        put("flight", name + "_full", b"\x01" + data)
        put("flight", name + "_hello", b"\x00" + data)
        put("flight", name + "_bytewise", bytes([0x01 | (1 << 3)]) + data)
        if data[:1] == b"\x15":
            put("alert", name, data[5:7])
        suite = 0
        version = 0
        for i, (mtype, body) in enumerate(handshake_messages(data)):
            if mtype == 2:
                put("server_hello", name, body)
                version = struct.unpack(">H", body[:2])[0]
                sid_len = body[34]
                suite = struct.unpack(">H", body[35 + sid_len:37 + sid_len])[0]
            elif mtype == 11 and len(body) < 65536:
                put("certificate", name, body)
            elif mtype == 12:
                mode = SUITE_KEX.get(suite, 0) | (0x10 if version >= 0x0303 else 0)
                put("ske", name, bytes([mode]) + body)
    sslv2_seeds()
    put("alert", "warning_unrecognized_name", b"\x01\x70")
    put("alert", "split", b"\x01\x02\x28")


if __name__ == "__main__":
    main()
