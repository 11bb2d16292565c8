"""Keys, certificates and DH parameters for the local test servers.

Everything is generated at test time with the openssl command into a temporary
directory (once per session): nothing secret or dated is committed, and the
certificate facts the tests compare against (key type, size, curve, signature)
are read back from the generated files, not assumed.
"""

import os
import subprocess
from dataclasses import dataclass


@dataclass(frozen=True)
class Credential:
    name: str
    cert: str  # PEM path
    key: str  # PEM path
    key_type: str  # as the JSON report spells it: "RSA", "EC"
    key_bits: int
    curve: str | None  # EC only, OpenSSL short name
    sig_alg: str  # e.g. "sha256WithRSAEncryption"
    der: bytes  # the certificate, DER


def _run(args, **kw):
    return subprocess.run(args, check=True, capture_output=True, **kw)


class Pki:
    """Generates credentials lazily and caches them by name."""

    def __init__(self, workdir):
        self.dir = workdir
        self._creds = {}
        self._dh = {}

    def credential(self, name):
        if name not in self._creds:
            self._creds[name] = self._make(name)
        return self._creds[name]

    def _make(self, name):
        kinds = {
            "rsa2048": (["-newkey", "rsa:2048"], "RSA", 2048, None),
            "rsa1024": (["-newkey", "rsa:1024"], "RSA", 1024, None),
            "ecdsa256": (
                ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"],
                "EC",
                256,
                "prime256v1",
            ),
        }
        newkey, key_type, bits, curve = kinds[name]
        key = os.path.join(self.dir, name + ".key")
        cert = os.path.join(self.dir, name + ".crt")
        _run(
            ["openssl", "req", "-x509", "-nodes", "-sha256", "-days", "30"]
            + newkey
            + ["-keyout", key, "-out", cert, "-subj", "/CN=localhost",
               "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
        )
        text = _run(["openssl", "x509", "-in", cert, "-noout", "-text"]).stdout.decode()
        sig = text.split("Signature Algorithm:")[1].split("\n")[0].strip()
        der = _run(["openssl", "x509", "-in", cert, "-outform", "DER"]).stdout
        return Credential(name, cert, key, key_type, bits, curve, sig, der)

    # RFC 5114 groups by the names OpenSSL knows them: PKCS#3 parameters that
    # OpenSSL (s_server, nginx) and GnuTLS all load, generated instantly, and
    # deliberately not RFC 7919 groups, so a DHE answer cannot be mistaken for
    # a negotiated ffdhe group.
    DH_GROUPS = {1024: "dh_1024_160", 2048: "dh_2048_224"}

    def dhparam(self, bits):
        """A PEM file with DH parameters whose prime has exactly `bits` bits."""
        if bits not in self._dh:
            path = os.path.join(self.dir, "dh%d.pem" % bits)
            _run(["openssl", "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt",
                  "group:" + self.DH_GROUPS[bits], "-out", path])
            text = _run(["openssl", "pkeyparam", "-in", path, "-noout", "-text"]).stdout.decode()
            assert "(%d bit)" % bits in text, text[:200]
            self._dh[bits] = path
        return self._dh[bits]
