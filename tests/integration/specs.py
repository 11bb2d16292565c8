"""The local test servers, as configurations. truth.py derives what a scan
must find from these; servers.py runs them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ServerSpec:
    name: str
    kind: str  # openssl | nginx | gnutls | double
    versions: tuple  # protocol names the server is configured for
    cert: str = "rsa2048"
    ciphers: str | None = None  # OpenSSL cipher string (double: IANA codes)
    ciphersuites: str | None = None  # OpenSSL TLS 1.3 ciphersuites
    groups: str | None = None  # OpenSSL group list, ":"-separated
    dh_bits: int | None = None
    server_order: bool = False
    priority: str | None = None  # GnuTLS priority string
    sslv2_specs: str | None = None  # double: SSLv2 cipher specs, "0x%06X,..."
    host: str = "127.0.0.1"  # listening address (nginx also takes "::1")
    # nmap's ssl-enum-ciphers gets this server wrong, so its answer is no
    # reference (why, in the spec's comment)
    nmap_wrong: bool = False
    openssl_options: str | None = None  # nginx: ssl_conf_command Options

    @property
    def group_names(self):
        return self.groups.split(":") if self.groups else []

    def __str__(self):
        return self.name


# Mozilla Server Side TLS 5.7, "intermediate" configuration: the OpenSSL
# cipher string, TLS 1.3 suites, curves, DH size and (no) server order, as
# published in server-side-tls-guidelines-5.7.json.
MOZILLA_INTERMEDIATE_CIPHERS = (
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305"
)
MOZILLA_INTERMEDIATE_SUITES13 = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"
MOZILLA_INTERMEDIATE_CURVES = "X25519:prime256v1:secp384r1"

# Deliberately not OpenSSL's default order, so that following the
# configuration and following OpenSSL's defaults give different answers.
ORDERED_CIPHERS = (
    "ECDHE-RSA-AES128-SHA:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384:"
    "AES256-SHA:ECDHE-RSA-AES128-GCM-SHA256"
)
WEAKEST_FIRST_CIPHERS = (
    "AES128-SHA:AES256-SHA:AES128-SHA256:AES256-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384:"
    "ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA:ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384:"
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305"
)
ORDERED_SUITES13 = "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384"

SCAN_SERVERS = [
    ServerSpec(
        "tls13-only", "openssl", ("TLSv1.3",),
        ciphersuites="TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256",
        groups="X25519:P-256:P-384:ffdhe2048", server_order=True,
    ),
    ServerSpec(
        "mozilla-intermediate", "nginx", ("TLSv1.2", "TLSv1.3"),
        ciphers=MOZILLA_INTERMEDIATE_CIPHERS, ciphersuites=MOZILLA_INTERMEDIATE_SUITES13,
        groups=MOZILLA_INTERMEDIATE_CURVES, dh_bits=2048, server_order=False,
    ),
    ServerSpec(
        "old-3des-rsa-cbc", "gnutls", ("TLSv1.0", "TLSv1.1", "TLSv1.2"),
        priority="NONE:+VERS-TLS1.2:+VERS-TLS1.1:+VERS-TLS1.0:+RSA:+3DES-CBC:+AES-128-CBC:"
        "+AES-256-CBC:+SHA1:+SHA256:+COMP-NULL:+SIGN-ALL:+GROUP-ALL:%SERVER_PRECEDENCE",
        server_order=True,
    ),
    ServerSpec(
        "rsa-kex-gcm-only", "openssl", ("TLSv1.2",),
        ciphers="AES256-GCM-SHA384:AES128-GCM-SHA256", server_order=True,
    ),
    ServerSpec(
        "ecdsa", "openssl", ("TLSv1.2", "TLSv1.3"), cert="ecdsa256",
        # The RSA-authenticated suite must not show up: the certificate is EC.
        ciphers="ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
        "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256",
        # One curve, the certificate's: in TLS 1.2 a client must also accept
        # the certificate's curve (RFC 8422 5.1), so any other curve would be
        # usable or not depending on what else the probe offers.
        groups="P-256", server_order=True,
    ),
    ServerSpec(
        "dhe-1024", "openssl", ("TLSv1.2",),
        ciphers="DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-SHA:@SECLEVEL=1",
        dh_bits=1024, server_order=True,
    ),
    ServerSpec(
        "nginx-order-on", "nginx", ("TLSv1.2", "TLSv1.3"),
        ciphers=ORDERED_CIPHERS, ciphersuites=ORDERED_SUITES13,
        groups="secp384r1:X25519:prime256v1", server_order=True,
    ),
    ServerSpec(
        # Weakest first, the reverse of the guess tlsgate starts from: the
        # order must still come out exactly (checks/order.c).
        "nginx-order-weakest-first", "nginx", ("TLSv1.2",),
        ciphers=WEAKEST_FIRST_CIPHERS, groups="X25519:prime256v1", server_order=True,
    ),
    ServerSpec(
        # Server order, except that a client listing ChaCha20 first gets it:
        # the order reported is the one every other client gets, with a note.
        "nginx-prioritize-chacha", "nginx", ("TLSv1.2", "TLSv1.3"),
        ciphers="ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:"
        "ECDHE-RSA-CHACHA20-POLY1305",
        ciphersuites="TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256",
        groups="X25519:prime256v1", server_order=True, openssl_options="PrioritizeChaCha",
    ),
    ServerSpec(
        "nginx-order-off", "nginx", ("TLSv1.2", "TLSv1.3"),
        ciphers=ORDERED_CIPHERS, ciphersuites=ORDERED_SUITES13,
        groups="secp384r1:X25519:prime256v1", server_order=False,
    ),
    ServerSpec(
        # RFC 7919 4: offered FFDHE groups it has none of (its DH group is its
        # own), GnuTLS refuses every DHE suite; offered none, it takes them,
        # as it does for browsers, curl and OpenSSL. nmap offers FFDHE groups
        # and so misses every DHE suite here.
        "gnutls-dhe-own-group", "gnutls", ("TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"),
        priority="NORMAL:%SERVER_PRECEDENCE:+DHE-RSA:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1",
        dh_bits=2048, server_order=True, nmap_wrong=True,
    ),
    ServerSpec(
        "gnutls-rc4-3des", "gnutls", ("TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"),
        priority="NORMAL:+ARCFOUR-128:+3DES-CBC:-DHE-RSA",
        server_order=False,
    ),
]

# Debian 12 has no SSLv2 or SSLv3 server: tests/tools/recorded_server.py, a
# test double, answers with hellos built to the SSL 2.0 / SSL 3.0 specs.
LEGACY_SERVERS = [
    ServerSpec(
        "sslv3-double", "double", ("SSLv3",),
        ciphers="0x000A,0x0005,0x002F", server_order=True,
    ),
    ServerSpec(
        "sslv2-double", "double", ("SSLv2",),
        sslv2_specs="0x0700C0,0x010080,0x030080",
    ),
]

# IANA names of the suites the SSLv3 double offers (RFC 5246 A.5).
DOUBLE_SUITE_NAMES = {
    0x000A: "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
    0x0005: "TLS_RSA_WITH_RC4_128_SHA",
    0x002F: "TLS_RSA_WITH_AES_128_CBC_SHA",
}

# Servers that tell clients apart (issue 3): each real client's own preference
# shows when the server follows the client's order; the others lock some
# clients out. The incident trio: RSA key exchange only (all A, yet ATS
# refuses it), the same plus one ECDHE-GCM suite, and DHE only.
CLIENT_SERVERS = [
    ServerSpec(
        "tls12-client-order", "nginx", ("TLSv1.2",),
        ciphers="ECDHE-RSA-AES128-SHA:AES128-SHA256:ECDHE-RSA-AES256-GCM-SHA384:"
        "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305:AES256-GCM-SHA384",
        groups="prime256v1:secp384r1", server_order=False,
    ),
    ServerSpec(
        "3des-only", "gnutls", ("TLSv1.0", "TLSv1.1", "TLSv1.2"),
        priority="NONE:+VERS-TLS1.2:+VERS-TLS1.1:+VERS-TLS1.0:+RSA:+3DES-CBC:+SHA1:"
        "+COMP-NULL:+SIGN-ALL:+GROUP-ALL",
    ),
    ServerSpec(
        "tls10-only", "gnutls", ("TLSv1.0",),
        priority="NONE:+VERS-TLS1.0:+ECDHE-RSA:+RSA:+AES-128-CBC:+AES-256-CBC:+SHA1:"
        "+COMP-NULL:+SIGN-ALL:+GROUP-SECP256R1:+GROUP-X25519:%SERVER_PRECEDENCE",
        server_order=True,
    ),
    ServerSpec(
        "incident-fixed", "openssl", ("TLSv1.2",),
        ciphers="AES256-GCM-SHA384:AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256",
        groups="X25519:P-256", server_order=True,
    ),
    ServerSpec(
        "dhe-only", "openssl", ("TLSv1.2",),
        ciphers="DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256",
        dh_bits=2048, server_order=True,
    ),
]

# The same configuration as nginx-order-on, listening on the IPv6 loopback.
IPV6_SERVER = ServerSpec(
    "nginx-ipv6", "nginx", ("TLSv1.2", "TLSv1.3"),
    ciphers=ORDERED_CIPHERS, ciphersuites=ORDERED_SUITES13,
    groups="secp384r1:X25519:prime256v1", server_order=True, host="::1",
)
