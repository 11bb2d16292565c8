"""A server with two certificates, one per key type (RSA and ECDSA), sends each
with the suites that need it. Each suite must be graded with its own
certificate, as nmap does: a weak RSA certificate behind a good ECDSA one must
not pass the gate, and the report must show both certificates."""

import hashlib
import os
import subprocess

import pytest

import servers
import tlsgate_run
import truth
from tlsgate_run import FLAG_STRENGTH

SUITES = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0"
ECDSA_SUITE = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
RSA_SUITE = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"


def weak_rsa(tmp):
    """RSA 1024, signed with SHA-1: nmap grades suites that rely on it F."""
    key, cert = os.path.join(tmp, "weak.key"), os.path.join(tmp, "weak.crt")
    subprocess.run(["openssl", "req", "-x509", "-nodes", "-sha1", "-days", "30", "-newkey",
                    "rsa:1024", "-keyout", key, "-out", cert, "-subj", "/CN=localhost"],
                   check=True, capture_output=True)
    return cert, key


@pytest.fixture(scope="module")
def dual(pki, tmp_path_factory):
    tmp = str(tmp_path_factory.mktemp("dual-cert"))
    rsa_cert, rsa_key = weak_rsa(tmp)
    ec = pki.credential("ecdsa256")
    port = servers.free_port()
    proc = servers.Process(["openssl", "s_server", "-accept", "127.0.0.1:%d" % port, "-quiet",
                            "-cert", rsa_cert, "-key", rsa_key, "-dcert", ec.cert, "-dkey",
                            ec.key, "-tls1_2", "-cipher", SUITES], "s_server, two certificates")
    proc.wait_listening(port)
    yield port, ec
    proc.stop()


def test_each_suite_is_graded_with_its_own_certificate(dual):
    port, ec = dual
    run = tlsgate_run.run(["scan", "127.0.0.1:%d" % port, "--clients", "none"])
    t = run.target()
    suites = {s["name"]: s for p in t["protocols"] for s in p["suites"]}
    assert set(suites) == {ECDSA_SUITE, RSA_SUITE}, run.describe()
    assert suites[ECDSA_SUITE]["grade"] == "A", run.describe()
    assert suites[RSA_SUITE]["grade"] == "F", run.describe()
    assert any("SHA-1" in r for r in suites[RSA_SUITE]["reasons"]), run.describe()
    assert run.rc & FLAG_STRENGTH, run.describe()

    certs = [t["certificate"]] + t["other_certificates"]
    assert sorted((c["key_type"], c["key_bits"]) for c in certs) == [("EC", 256), ("RSA", 1024)]
    rsa = next(c for c in certs if c["key_type"] == "RSA")
    assert rsa["signature_algorithm"] == "sha1WithRSAEncryption", run.describe()


def test_letters_match_nmap(dual):
    port, _ = dual
    run = tlsgate_run.run(["scan", "127.0.0.1:%d" % port, "--clients", "none"])
    ours = {s["name"]: s["grade"] for p in run.target()["protocols"] for s in p["suites"]}
    theirs = dict(truth.nmap_grades(port).suites["TLSv1.2"])
    assert ours == theirs, "tlsgate %s, nmap %s" % (ours, theirs)


def scan_s_server(args, what):
    """Starts `openssl s_server -accept 127.0.0.1:PORT -quiet ARGS`, scans it with
    --clients none and stops it."""
    port = servers.free_port()
    proc = servers.Process(["openssl", "s_server", "-accept", "127.0.0.1:%d" % port, "-quiet"]
                           + args, what)
    try:
        proc.wait_listening(port)
        return tlsgate_run.run(["scan", "127.0.0.1:%d" % port, "--clients", "none"])
    finally:
        proc.stop()


def test_tls13_ccm_only_server_certificate_is_read(pki):
    """libssl's default TLS 1.3 list has no CCM suite: the certificate handshake
    offers all five, so a CCM-only server still shows its certificate."""
    rsa = pki.credential("rsa2048")
    run = scan_s_server(["-cert", rsa.cert, "-key", rsa.key, "-tls1_3", "-ciphersuites",
                         "TLS_AES_128_CCM_8_SHA256:TLS_AES_128_CCM_SHA256"],
                        "s_server, TLS 1.3 CCM only")
    t = run.target()
    assert t["certificate"] is not None, run.describe()
    assert t["certificate"]["sha256"] == hashlib.sha256(rsa.der).hexdigest(), run.describe()
    assert not run.rc & tlsgate_run.FLAG_INCOMPLETE, run.describe()


@pytest.mark.parametrize("server_order", [False, True], ids=["client-order", "server-order"])
def test_ecdsa_server_groups_in_tls12(pki, server_order):
    """RFC 8422 5.1: supported_groups also limits the ECDSA certificate's curve, so
    each TLS 1.2 group probe must offer P-256. A server that follows the client's
    order then shows every group; one that prefers P-256 itself hides those it
    likes less, and (no TLS 1.3 to judge them by) the list says it is incomplete
    instead of leaving them out."""
    ec = pki.credential("ecdsa256")
    args = ["-cert", ec.cert, "-key", ec.key, "-tls1_2", "-groups", "X25519:P-256:P-384"]
    run = scan_s_server(args + (["-serverpref"] if server_order else []), "s_server, ECDSA")
    t = run.target()
    names = sorted(g["name"] for g in t["groups"] if g["tls12"])
    if server_order:
        assert names == ["secp256r1", "x25519"], run.describe()
        assert t["groups_complete"] is False, run.describe()
        assert any("ECDSA certificate's curve" in n for n in t["notes"]), run.describe()
    else:
        assert names == ["secp256r1", "secp384r1", "x25519"], run.describe()
        assert t["groups_complete"] is True, run.describe()
