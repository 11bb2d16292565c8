#!/usr/bin/python3
"""Record the first ClientHello that local TLS clients send with their default settings.

A tiny server listens on 127.0.0.1, reads one ClientHello (reassembled across
records if the client splits it), answers with a fatal handshake_failure alert
and closes. Each client on this machine is started against it with its default
configuration; the bytes are written, with one provenance line, to
data/clients/captures/<id>.hex, from which tools/gen_profiles.py builds the
"captured here" profiles.

Usage:
    tools/capture_hello.py                 # capture every known local client
    tools/capture_hello.py --only curl-local
    tools/capture_hello.py --listen 4433 --once out.hex   # capture whatever connects
    tools/capture_hello.py --check         # exit 1 if a local client's hello drifted

Stdlib only; never connects anywhere but 127.0.0.1.
"""

import argparse
import datetime
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import threading

REPO = pathlib.Path(__file__).resolve().parent.parent
CAPTURE_DIR = REPO / "data" / "clients" / "captures"
# A dotted name: Java sends no SNI for single-label names such as "localhost".
SNI = "capture.tlsgate.test"
# RFC 8446 6: a fatal (2) handshake_failure (40) alert in a TLS 1.0 record.
ALERT = bytes([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28])
# A ClientHello larger than this is not something any client sends.
MAX_HELLO = 1 << 16
CLIENT_TIMEOUT = 20


def read_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise EOFError("client closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf


def read_client_hello(conn):
    """Returns the raw records that carry the first handshake message."""
    raw = b""
    hs = b""
    while True:
        hdr = read_exact(conn, 5)
        if hdr[0] != 0x16:
            raise ValueError("first record is type %d, not handshake" % hdr[0])
        length = int.from_bytes(hdr[3:5], "big")
        body = read_exact(conn, length)
        raw += hdr + body
        hs += body
        if len(hs) >= 4:
            need = 4 + int.from_bytes(hs[1:4], "big")
            if need > MAX_HELLO:
                raise ValueError("handshake message of %d bytes" % need)
            if len(hs) >= need:
                if hs[0] != 1:
                    raise ValueError("handshake type %d, not ClientHello" % hs[0])
                return raw


class CaptureServer:
    def __init__(self, port=0):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(1)
        self.sock.settimeout(CLIENT_TIMEOUT)
        self.port = self.sock.getsockname()[1]
        self.hello = None
        self.error = None
        self.thread = threading.Thread(target=self._serve_one, daemon=True)
        self.thread.start()

    def _serve_one(self):
        try:
            conn, _ = self.sock.accept()
            with conn:
                conn.settimeout(CLIENT_TIMEOUT)
                self.hello = read_client_hello(conn)
                conn.sendall(ALERT)
        except (OSError, ValueError, EOFError) as e:
            self.error = str(e)
        finally:
            self.sock.close()

    def wait(self):
        self.thread.join(CLIENT_TIMEOUT + 5)
        return self.hello


def tool_version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    text = (out.stdout + out.stderr).strip().splitlines()
    return text[0].strip() if text else "unknown"


JAVA_SOURCE = """
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.net.InetSocketAddress;
import java.net.Socket;

/* Opens a TLS connection with the JDK's default SSLSocketFactory. */
public class CaptureHello {
    public static void main(String[] args) throws Exception {
        Socket raw = new Socket();
        raw.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[1])), 10000);
        SSLSocketFactory f = (SSLSocketFactory) SSLSocketFactory.getDefault();
        SSLSocket s = (SSLSocket) f.createSocket(raw, args[0], Integer.parseInt(args[1]), true);
        try {
            s.startHandshake();
        } catch (Exception e) {
            System.out.println("handshake ended: " + e);
        }
        s.close();
    }
}
"""

NODE_SOURCE = """
const tls = require('tls');
const s = tls.connect({host: '127.0.0.1', port: Number(process.argv[3]),
                       servername: process.argv[2]});
s.on('error', (e) => { console.log('handshake ended: ' + e.message); });
"""

PYTHON_SOURCE = """
import socket, ssl, sys
ctx = ssl.create_default_context()
raw = socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=10)
try:
    ctx.wrap_socket(raw, server_hostname=sys.argv[1])
except (ssl.SSLError, OSError) as e:
    print("handshake ended:", e)
"""


def java_cmd(tmp, port):
    src = pathlib.Path(tmp) / "CaptureHello.java"
    src.write_text(JAVA_SOURCE)
    subprocess.run(["javac", "-d", tmp, str(src)], check=True, timeout=120)
    return ["java", "-cp", tmp, "CaptureHello", SNI, str(port)]


def node_cmd(tmp, port):
    src = pathlib.Path(tmp) / "capture.js"
    src.write_text(NODE_SOURCE)
    return ["node", str(src), SNI, str(port)]


def python_cmd(tmp, port):
    src = pathlib.Path(tmp) / "capture.py"
    src.write_text(PYTHON_SOURCE)
    return ["/usr/bin/python3", str(src), SNI, str(port)]


# id -> (how the client is run, how its version is read, description)
CLIENTS = {
    "openssl-3.0-local": (
        lambda tmp, port: ["openssl", "s_client", "-connect", "127.0.0.1:%d" % port,
                           "-servername", SNI],
        ["openssl", "version"],
        "openssl s_client, default settings (-servername only)",
    ),
    "gnutls-3.7-local": (
        lambda tmp, port: ["gnutls-cli", "--insecure", "--sni-hostname", SNI, "-p", str(port),
                           "127.0.0.1"],
        ["gnutls-cli", "--version"],
        "gnutls-cli, default priority string (--insecure only skips verification, "
        "which happens after the hello)",
    ),
    "java-17-local": (
        java_cmd,
        ["java", "-version"],
        "SSLSocket from SSLSocketFactory.getDefault(), JDK defaults",
    ),
    "node-20-local": (
        node_cmd,
        ["node", "--version"],
        "tls.connect() with default options",
    ),
    "python-3.11-local": (
        python_cmd,
        ["/usr/bin/python3", "--version"],
        "ssl.create_default_context().wrap_socket()",
    ),
    "curl-local": (
        lambda tmp, port: ["curl", "-s", "-o", "/dev/null", "--resolve",
                           "%s:%d:127.0.0.1" % (SNI, port), "https://%s:%d/" % (SNI, port)],
        ["curl", "--version"],
        "curl https://, default settings (--resolve only maps the name to 127.0.0.1)",
    ),
}


def capture_one(cid):
    make_cmd, version_cmd, how = CLIENTS[cid]
    server = CaptureServer()
    with tempfile.TemporaryDirectory() as tmp:
        cmd = make_cmd(tmp, server.port)
        try:
            subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=CLIENT_TIMEOUT)
        except subprocess.TimeoutExpired:
            pass
    hello = server.wait()
    if hello is None:
        raise RuntimeError("%s: no ClientHello captured (%s)" % (cid, server.error))
    version = tool_version(version_cmd)
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    provenance = "captured on Debian 12, %s, %s; %s; SNI %s" % (today, version, how, SNI)
    return provenance, hello


def write_capture(path, provenance, hello):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as f:
        f.write("# " + provenance + "\n")
        f.write(hello.hex() + "\n")


class CodesOnly:
    """Labels code points by value alone (no reference tables needed)."""

    def _code(self, v):
        return "0x%04x" % v

    suite = group = sigalg = ext = version = _code


def comparable(raw):
    """The hello's fields with the per-connection bytes (random, session id,
    key share keys) left out, via the profile generator's decoder."""
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    import gen_profiles
    hello, _ = gen_profiles.structure_hello(raw, CodesOnly())
    for e in hello["extensions"]:
        for ks in e.get("key_shares", []):
            ks["key"] = len(ks["key"])
    return hello


def check_drift(ids, capture_dir):
    drifted = 0
    for cid in ids:
        path = pathlib.Path(capture_dir) / (cid + ".hex")
        stored = bytes.fromhex("".join(path.read_text().splitlines()[1:]))
        _, fresh = capture_one(cid)
        if comparable(stored) != comparable(fresh):
            print("%s: the client's hello changed; rerun tools/capture_hello.py and "
                  "tools/gen_profiles.py" % cid, file=sys.stderr)
            drifted = 1
        else:
            print("%s: unchanged" % cid, file=sys.stderr)
    return drifted


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", action="append", help="capture only this client id")
    ap.add_argument("--listen", type=int, help="just listen on this port (with --once)")
    ap.add_argument("--once", help="write the one captured hello to this file")
    ap.add_argument("--out", default=str(CAPTURE_DIR), help="capture directory")
    ap.add_argument("--check", action="store_true",
                    help="capture again and compare with the stored hellos")
    args = ap.parse_args()

    if args.check:
        sys.exit(check_drift(args.only or sorted(CLIENTS), args.out))

    if args.listen is not None:
        server = CaptureServer(args.listen)
        print("listening on 127.0.0.1:%d" % server.port, file=sys.stderr)
        hello = server.wait()
        if hello is None:
            sys.exit("no ClientHello: %s" % server.error)
        write_capture(pathlib.Path(args.once or "hello.hex"), "captured by hand", hello)
        return

    failed = 0
    for cid in args.only or sorted(CLIENTS):
        if shutil.which(CLIENTS[cid][1][0]) is None:
            print("%s: client not installed, skipped" % cid, file=sys.stderr)
            failed = 1
            continue
        try:
            provenance, hello = capture_one(cid)
        except (RuntimeError, subprocess.CalledProcessError, OSError) as e:
            print(str(e), file=sys.stderr)
            failed = 1
            continue
        write_capture(pathlib.Path(args.out) / (cid + ".hex"), provenance, hello)
        print("%s: %d bytes" % (cid, len(hello)), file=sys.stderr)
    sys.exit(failed)


if __name__ == "__main__":
    main()
