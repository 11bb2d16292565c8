#!/usr/bin/python3
"""TEST DOUBLE: a DNS server that answers every query with NXDOMAIN.

The bad-target tests run tlsgate in a private network namespace whose
/etc/resolv.conf points here, so that resolving `nonexistent.invalid` gets a
real "no such name" answer (RFC 1035 4.1.1, RCODE 3) without any packet
leaving the machine. Usage: nxdomain_dns.py ADDRESS (port 53, UDP).
"""

import socket
import sys

FLAGS_NXDOMAIN = 0x8183  # QR, RD, RA, RCODE=3 (name error)
HEADER_LEN = 12


def reply(query):
    if len(query) < HEADER_LEN:
        return None
    qdcount = query[4:6]
    header = query[:2] + FLAGS_NXDOMAIN.to_bytes(2, "big") + qdcount + bytes(6)
    return header + query[HEADER_LEN:]


def main():
    address = sys.argv[1]
    if not address.startswith("127."):
        sys.exit("nxdomain_dns: loopback addresses only")
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((address, 53))
    print("ready", flush=True)
    while True:
        query, peer = sock.recvfrom(4096)
        answer = reply(query)
        if answer:
            sock.sendto(answer, peer)


if __name__ == "__main__":
    main()
