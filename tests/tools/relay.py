#!/usr/bin/python3
"""A userspace TCP relay on 127.0.0.1 that delays each direction (stdlib only).

This kernel has no netem, so round-trip time is simulated here: every chunk
read from one side is written to the other --delay-ms later, in order.
25 ms each way gives a 50 ms round trip. Because the client's connect() to the
relay completes at once on loopback, the relay also holds the client's first
bytes back by one extra round trip, which is what the TCP handshake would have
cost (--no-connect-rtt turns that off). FIN and RST are passed on, delayed
like data.

With --delay-ms 0 it is a plain counting proxy: --stats-file receives the
number of connections accepted so far after each accept, which is how
bench/compare counts connections on the server side for any scanner.

    relay.py --target 127.0.0.1:8443 --delay-ms 25      # prints "PORT <n>"
"""
import argparse
import asyncio
import os
import signal
import socket
import struct
import sys

HOST = "127.0.0.1"
CHUNK = 65536


class Relay:
    def __init__(self, args):
        self.args = args
        self.delay = args.delay_ms / 1000.0
        self.accepted = 0
        self.loop = asyncio.get_running_loop()

    def write_stats(self):
        if not self.args.stats_file:
            return
        tmp = self.args.stats_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % self.accepted)
        os.replace(tmp, self.args.stats_file)

    async def handle(self, c_reader, c_writer):
        self.accepted += 1
        self.write_stats()
        start = self.loop.time()
        host, port = self.args.target.rsplit(":", 1)
        try:
            u_reader, u_writer = await asyncio.open_connection(host, int(port))
        except OSError:
            reset(c_writer)
            return
        # The emulated TCP handshake: the client's first byte leaves one RTT after connect().
        not_before = start + 2 * self.delay if self.args.connect_rtt else start
        ends = await asyncio.gather(self.pump(c_reader, u_writer, not_before),
                                    self.pump(u_reader, c_writer, start))
        await asyncio.sleep(max(0.0, max(ends) - self.loop.time()) + 0.001)
        for w in (u_writer, c_writer):
            w.close()

    async def pump(self, reader, writer, not_before):
        """Copy one direction, each chunk delayed; pass EOF and reset on, delayed too."""
        last = not_before
        try:
            while True:
                data = await reader.read(CHUNK)
                due = max(self.loop.time(), not_before) + self.delay
                last = max(last, due)
                if not data:
                    self.loop.call_at(last, half_close, writer)
                    return last
                self.loop.call_at(last, write, writer, data)
        except (ConnectionError, OSError):
            last = max(last, self.loop.time() + self.delay)
            self.loop.call_at(last, reset, writer)
            return last


def write(writer, data):
    if not writer.is_closing():
        writer.write(data)


def half_close(writer):
    if writer.is_closing():
        return
    try:
        if writer.can_write_eof():
            writer.write_eof()
        else:
            writer.close()
    except (ConnectionError, OSError):
        writer.close()


def reset(writer):
    sock = writer.get_extra_info("socket")
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    writer.transport.abort()


async def serve(args):
    # Stats are on disk after every accept, so a plain exit on SIGTERM loses nothing.
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, os._exit, 0)
    relay = Relay(args)
    relay.write_stats()
    srv = await asyncio.start_server(relay.handle, HOST, args.port, backlog=4096,
                                     reuse_address=True)
    print("PORT %d" % srv.sockets[0].getsockname()[1], flush=True)
    async with srv:
        try:
            await asyncio.wait_for(srv.serve_forever(), args.lifetime)
        except asyncio.TimeoutError:
            pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--target", required=True, help="HOST:PORT on 127.0.0.0/8")
    ap.add_argument("--port", type=int, default=0, help="listen port, 0 picks one")
    ap.add_argument("--delay-ms", type=float, default=25.0, help="delay each way")
    ap.add_argument("--no-connect-rtt", dest="connect_rtt", action="store_false")
    ap.add_argument("--stats-file", help="connections accepted so far, rewritten per accept")
    ap.add_argument("--lifetime", type=float, default=3600)
    args = ap.parse_args()
    if not args.target.startswith("127."):
        ap.error("--target must be on 127.0.0.0/8")
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
