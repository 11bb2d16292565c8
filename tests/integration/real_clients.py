"""The real clients installed on this machine, each run with its default
settings against a local server, reporting what it really negotiated:
protocol name and IANA suite name, or None for a failed handshake.

The server certificate is passed as the trust anchor so that a handshake
fails only for TLS reasons (protocol, suites, key sizes), which is what the
simulation judges. SNI and everything else stay the client's defaults.
"""

import os
import re
import subprocess
from dataclasses import dataclass

from servers import HOST, require_tool
from truth import gnutls_iana_name

TIMEOUT = 20


@dataclass
class Negotiated:
    protocol: str | None  # "TLSv1.2"; None when the handshake failed
    suite: str | None  # IANA name
    detail: str  # the client's own output, for failure messages

    @property
    def connects(self):
        return self.protocol is not None


_openssl_names = None


def iana_from_openssl(name):
    """OpenSSL suite name -> IANA name, from `openssl ciphers -stdname`."""
    global _openssl_names
    if _openssl_names is None:
        out = subprocess.run(
            ["openssl", "ciphers", "-stdname", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"],
            check=True, capture_output=True, text=True).stdout
        _openssl_names = {}
        for line in out.splitlines():
            parts = [p.strip() for p in line.split(" - ")]
            if len(parts) >= 2:
                _openssl_names[parts[1].split()[0]] = parts[0]
    return _openssl_names.get(name, name)


def _run(args, **kw):
    try:
        p = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT,
                           stdin=subprocess.DEVNULL, **kw)
    except subprocess.TimeoutExpired:
        return None, "timed out"
    return p, p.stdout + p.stderr


def openssl_s_client(port, cred, workdir):
    require_tool("openssl")
    p, out = _run(["openssl", "s_client", "-connect", "%s:%d" % (HOST, port),
                   "-CAfile", cred.cert, "-brief"])
    proto = re.search(r"^Protocol version: (\S+)", out, re.M)
    suite = re.search(r"^Ciphersuite: (\S+)", out, re.M)
    if p is None or p.returncode != 0 or not proto or not suite:
        return Negotiated(None, None, out)
    return Negotiated(proto.group(1), iana_from_openssl(suite.group(1)), out)


GNUTLS_VERSION = {"TLS1.0": "TLSv1.0", "TLS1.1": "TLSv1.1", "TLS1.2": "TLSv1.2",
                  "TLS1.3": "TLSv1.3", "SSL3.0": "SSLv3"}


def gnutls_cli(port, cred, workdir):
    require_tool("gnutls-cli")
    p, out = _run(["gnutls-cli", "--x509cafile", cred.cert, "--port", str(port), HOST])
    # "- Description: (TLS1.2)-(ECDHE-SECP256R1)-(RSA-SHA256)-(AES-128-GCM)" and,
    # for TLS 1.2 and older, the suite by GnuTLS name on its own line.
    desc = re.search(r"^- Description: \((TLS[0-9.]+|SSL3\.0)", out, re.M)
    if p is None or p.returncode != 0 or not desc:
        return Negotiated(None, None, out)
    protocol = GNUTLS_VERSION[desc.group(1)]
    suite = _gnutls_suite(out, protocol, {"RSA": "RSA", "EC": "ECDSA"}[cred.key_type])
    return Negotiated(protocol, suite, out)


TLS13_BY_CIPHER = {"AES-128-GCM": "TLS_AES_128_GCM_SHA256", "AES-256-GCM": "TLS_AES_256_GCM_SHA384",
                   "CHACHA20-POLY1305": "TLS_CHACHA20_POLY1305_SHA256",
                   "AES-128-CCM": "TLS_AES_128_CCM_SHA256"}
_gnutls_rows = None


def _gnutls_suite(out, protocol, cert_auth):
    """The suite from gnutls-cli's session description, e.g.
    (TLS1.2-X.509)-(ECDHE-SECP256R1)-(RSA-SHA256)-(AES-256-GCM) or
    (TLS1.2-X.509)-(RSA)-(AES-128-CBC)-(SHA1), looked up in GnuTLS's own suite
    list (gnutls-cli -l) by key exchange, authentication, cipher and MAC.
    Before TLS 1.2 the signature part is absent: the certificate's key type
    is then the authentication."""
    global _gnutls_rows
    m = re.search(r"^- Description: (.*)$", out, re.M)
    parts = re.findall(r"\(([^)]*)\)", m.group(1))[1:]
    if protocol == "TLSv1.3":
        return TLS13_BY_CIPHER.get(parts[-1])
    if _gnutls_rows is None:
        from truth import gnutls_list
        _gnutls_rows = gnutls_list("NORMAL:+ARCFOUR-128:+3DES-CBC:+SHA256:+SHA384:+DHE-RSA:"
                                   "+DHE-DSS:+RSA")[0]
    kx = parts[0].split("-")[0]
    if kx == "RSA":
        prefix, rest = "TLS_RSA_", parts[1:]
    elif re.match(r"(RSA|ECDSA|EdDSA|DSA)", parts[1]):
        auth = parts[1].split("-")[0]
        prefix, rest = "TLS_%s_%s_" % (kx, auth), parts[2:]
    else:
        prefix, rest = "TLS_%s_%s_" % (kx, cert_auth), parts[1:]
    cipher = rest[0].replace("-", "_")
    mac = rest[1] if len(rest) > 1 else None
    for name, _, _ in _gnutls_rows:
        if not name.startswith(prefix + cipher):
            continue
        tail = name[len(prefix + cipher):]
        if (mac and tail == "_" + mac) or (not mac and tail in ("", "_SHA256", "_SHA384")):
            return gnutls_iana_name(name)
    return "unknown(%s)" % m.group(1)


JAVA_CLIENT = r"""
import java.io.FileInputStream;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import javax.net.ssl.*;

public class TlsProbe {
    public static void main(String[] a) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        ks.setCertificateEntry("server",
            CertificateFactory.getInstance("X.509").generateCertificate(new FileInputStream(a[2])));
        TrustManagerFactory tmf =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(a[0],
                 Integer.parseInt(a[1]))) {
            s.startHandshake();
            SSLSession ss = s.getSession();
            System.out.println("NEGOTIATED " + ss.getProtocol() + " " + ss.getCipherSuite());
        }
    }
}
"""


def _java_class(workdir):
    d = os.path.join(workdir, "java")
    if not os.path.exists(os.path.join(d, "TlsProbe.class")):
        require_tool("javac")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "TlsProbe.java"), "w") as f:
            f.write(JAVA_CLIENT)
        subprocess.run(["javac", "TlsProbe.java"], cwd=d, check=True, capture_output=True)
    return d


def java(port, cred, workdir):
    require_tool("java")
    d = _java_class(workdir)
    p, out = _run(["java", "-cp", d, "TlsProbe", HOST, str(port), cred.cert])
    return _negotiated_line(p, out)


def _negotiated_line(p, out, to_iana=lambda s: s):
    m = re.search(r"^NEGOTIATED (\S+) (\S+)", out, re.M)
    if p is None or p.returncode != 0 or not m:
        return Negotiated(None, None, out)
    protocol = {"TLSv1": "TLSv1.0"}.get(m.group(1), m.group(1))
    return Negotiated(protocol, to_iana(m.group(2)), out)


NODE_CLIENT = r"""
const tls = require('tls');
const fs = require('fs');
const [host, port, ca] = process.argv.slice(1);
const s = tls.connect({host, port: +port, ca: fs.readFileSync(ca)}, () => {
  console.log('NEGOTIATED ' + s.getProtocol() + ' ' + s.getCipher().standardName);
  s.destroy();
});
s.on('error', (e) => { console.log('FAILED ' + e.message); process.exit(1); });
"""


def node(port, cred, workdir):
    require_tool("node")
    p, out = _run(["node", "-e", NODE_CLIENT, HOST, str(port), cred.cert])
    return _negotiated_line(p, out)


PYTHON_CLIENT = r"""
import socket, ssl, sys
host, port, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
with socket.create_connection((host, port), timeout=10) as raw:
    with ctx.wrap_socket(raw, server_hostname=host) as s:
        print("NEGOTIATED", s.version(), s.cipher()[0])
"""


def python(port, cred, workdir):
    p, out = _run(["/usr/bin/python3", "-c", PYTHON_CLIENT, HOST, str(port), cred.cert])
    return _negotiated_line(p, out, iana_from_openssl)


def curl(port, cred, workdir):
    require_tool("curl")
    p, out = _run(["curl", "-sv", "--cacert", cred.cert, "-o", "/dev/null",
                   "https://%s:%d/" % (HOST, port)])
    m = re.search(r"SSL connection using (\S+) / (\S+)", out)
    if p is None or not m:
        return Negotiated(None, None, out)
    return Negotiated(m.group(1), iana_from_openssl(m.group(2)), out)


# Which local profile each real client is (profile ids in data/clients).
RUNNERS = {
    "openssl": openssl_s_client,
    "gnutls": gnutls_cli,
    "java": java,
    "node": node,
    "python": python,
    "curl": curl,
}
