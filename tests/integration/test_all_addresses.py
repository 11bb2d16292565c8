"""`scan --all-addresses`: a name with an A and an AAAA record is scanned once
per address, each a target of its own, and the addresses are compared.

The name is dual.test, resolved by libnss-wrapper (LD_PRELOAD) from a hosts
file holding "127.0.0.1 dual.test" and "::1 dual.test", so no query leaves
the machine. Servers listen on 127.0.0.1 and ::1 only, on one port number.
"""

import json
import os
import socket

import pytest

import servers
import tlsgate_run
from test_bad_targets import nxdomain_netns
from tlsgate_run import FLAG_INCOMPLETE

NAME = "dual.test"
NSS_WRAPPER = "libnss_wrapper.so"
COMMON = ["--clients", "none", "--timeout", "2"]


@pytest.fixture(scope="module")
def nss_env(tmp_path_factory):
    """The environment that makes dual.test resolve to 127.0.0.1, then ::1."""
    for lib in ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib"):
        if os.path.exists(os.path.join(lib, NSS_WRAPPER)):
            break
    else:
        pytest.fail("%s is not installed: run tools/setup (package libnss-wrapper)" % NSS_WRAPPER)
    d = tmp_path_factory.mktemp("nss")
    (d / "hosts").write_text("127.0.0.1 %s\n::1 %s\n" % (NAME, NAME))
    (d / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    (d / "group").write_text("root:x:0:\n")
    # For a -DTLSGATE_SANITIZE=ON build: ASan wants its runtime first in the
    # library list (the wrapper is preloaded before it, harmless here), and
    # refuses the RTLD_DEEPBIND with which the wrapper may dlopen libc.
    asan = os.environ.get("ASAN_OPTIONS", "")
    return {
        "LD_PRELOAD": NSS_WRAPPER,
        "NSS_WRAPPER_HOSTS": str(d / "hosts"),
        "NSS_WRAPPER_PASSWD": str(d / "passwd"),
        "NSS_WRAPPER_GROUP": str(d / "group"),
        "NSS_WRAPPER_DISABLE_DEEPBIND": "1",
        "ASAN_OPTIONS": (asan + ":" if asan else "") + "verify_asan_link_order=0",
    }


def dual_free_port():
    """A port free on both 127.0.0.1 and ::1 (checked, then released)."""
    for _ in range(50):
        port = servers.free_port("127.0.0.1")
        try:
            with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
                s.bind(("::1", port))
        except OSError:
            continue
        return port
    raise RuntimeError("no port free on both 127.0.0.1 and ::1")


# Two configurations: "wide" on both addresses makes a consistent name;
# "narrow" on ::1 (TLS 1.3 only, one suite, another certificate) next to
# "wide" on 127.0.0.1 makes three differences.
WIDE = dict(cert="rsa2048", args=[
    "-min_protocol", "TLSv1.2", "-max_protocol", "TLSv1.3",
    "-cipher", "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384", "-serverpref",
    "-ciphersuites", "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384", "-groups", "X25519"])
NARROW = dict(cert="ecdsa256", args=[
    "-min_protocol", "TLSv1.3", "-max_protocol", "TLSv1.3",
    "-ciphersuites", "TLS_AES_128_GCM_SHA256", "-groups", "X25519"])


def start_server(pki, host, port, config, what):
    cred = pki.credential(config["cert"])
    accept = "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)
    args = ["openssl", "s_server", "-accept", accept, "-www", "-cert", cred.cert,
            "-key", cred.key] + config["args"]
    proc = servers.Process(args, "openssl s_server (%s on %s)" % (what, host))
    try:
        proc.wait_listening(port, host=host)
    except RuntimeError:
        proc.stop()
        raise
    return proc


@pytest.fixture(scope="module")
def pair(pki):
    """Starts one server on 127.0.0.1:P and one on [::1]:P; yields P."""
    procs = []

    def start(v4_config, v6_config):
        servers.require_tool("openssl")
        port = dual_free_port()
        procs.append(start_server(pki, "127.0.0.1", port, v4_config, "v4"))
        procs.append(start_server(pki, "::1", port, v6_config, "v6"))
        return port

    yield start
    for p in procs:
        p.stop()


@pytest.fixture(scope="module")
def same_port(pair):
    return pair(WIDE, WIDE)


@pytest.fixture(scope="module")
def differing_port(pair):
    return pair(WIDE, NARROW)


def scan(nss_env, port, *extra, json_out=True):
    return tlsgate_run.run(["scan", "%s:%d" % (NAME, port)] + COMMON + list(extra),
                           env=nss_env, json_out=json_out)


def addresses(run):
    return [t["address"] for t in run.report["targets"]]


def test_same_server_on_both_addresses(nss_env, same_port):
    run = scan(nss_env, same_port, "--all-addresses")
    assert run.rc == 0, run.describe()
    assert addresses(run) == ["127.0.0.1", "::1"], run.describe()
    for t in run.report["targets"]:
        assert t["status"] == "scanned", run.describe()
        assert t["target"] == "%s:%d" % (NAME, same_port)
        assert t["host"] == NAME and t["sni"] == NAME, "the name stays the SNI at every address"
        assert t["port"] == same_port
    assert run.report["address_groups"] == [{
        "target": "%s:%d" % (NAME, same_port),
        "addresses": ["127.0.0.1", "::1"],
        "consistent": True,
        "differences": [],
    }], run.describe()


def test_different_servers_are_named_exactly(nss_env, differing_port):
    run = scan(nss_env, differing_port, "--all-addresses")
    assert addresses(run) == ["127.0.0.1", "::1"], run.describe()
    v4, v6 = run.report["targets"]
    assert v4["status"] == "scanned" and v6["status"] == "scanned", run.describe()
    fp4, fp6 = v4["certificate"]["sha256"], v6["certificate"]["sha256"]
    assert fp4 != fp6
    group, = run.report["address_groups"]
    assert group["consistent"] is False
    assert group["differences"] == [
        "TLSv1.2 supported on 127.0.0.1 only",
        "TLSv1.3 suite on 127.0.0.1 only: TLS_AES_256_GCM_SHA384",
        "certificate differs (SHA-256 %s on 127.0.0.1, %s on ::1)" % (fp4[:16], fp6[:16]),
    ], run.describe()
    # A difference alone sets no exit flag: each address is gated on its own.
    assert run.report["exit"] == v4["gate"]["exit"] | v6["gate"]["exit"]
    assert run.rc == run.report["exit"]


def test_differences_in_the_table(nss_env, differing_port):
    run = scan(nss_env, differing_port, "--all-addresses", json_out=False)
    line = next((l for l in run.stdout.splitlines() if l.startswith("  %s:" % NAME)), None)
    assert line is not None and "\nAddresses\n" in run.stdout, run.describe()
    assert line.startswith("  %s:%d: 127.0.0.1 and ::1 differ: TLSv1.2 supported on 127.0.0.1 "
                           "only; " % (NAME, differing_port)), line


def test_ipv4_only(nss_env, differing_port):
    run = scan(nss_env, differing_port, "--all-addresses", "-4")
    assert addresses(run) == ["127.0.0.1"], run.describe()
    assert run.report["address_groups"] == []


def test_ipv6_only(nss_env, differing_port):
    run = scan(nss_env, differing_port, "--all-addresses", "-6")
    assert addresses(run) == ["::1"], run.describe()
    assert run.target()["sni"] == NAME
    assert run.report["address_groups"] == []


def test_without_the_option_one_address(nss_env, differing_port):
    run = scan(nss_env, differing_port)
    assert len(run.report["targets"]) == 1, run.describe()
    assert run.target()["address"] in ("127.0.0.1", "::1")
    assert run.report["address_groups"] == []


def test_ip_literal_unaffected(nss_env, same_port):
    run = tlsgate_run.run(["scan", "[::1]:%d" % same_port, "--all-addresses"] + COMMON,
                          env=nss_env)
    assert addresses(run) == ["::1"], run.describe()
    assert run.target()["sni"] is None
    assert run.report["address_groups"] == []


def test_jsonl_carries_every_address(nss_env, same_port):
    """A fleet: the name's two addresses and a literal, one JSON line each.
    --jobs 1: libnss-wrapper (1.1.12) is not thread-safe, and two lookups
    at once on libuv's thread pool can crash it or make it fail to read its
    hosts file; a system resolver has no such limit."""
    run = tlsgate_run.run(["scan", "%s:%d" % (NAME, same_port), "127.0.0.1:%d" % same_port,
                           "--all-addresses", "--jsonl", "-", "--jobs", "1"] + COMMON,
                          env=nss_env, json_out=False)
    assert run.rc == 0, run.describe()
    lines = [json.loads(l) for l in run.stdout.splitlines()]
    assert sorted((t["target"], t["address"]) for t in lines) == sorted([
        ("%s:%d" % (NAME, same_port), "127.0.0.1"),
        ("%s:%d" % (NAME, same_port), "::1"),
        ("127.0.0.1:%d" % same_port, "127.0.0.1"),
    ]), run.describe()


def test_name_that_does_not_resolve_is_one_target(tmp_path):
    """As in test_bad_targets: a private network namespace whose only name
    server says NXDOMAIN. The failure reads the same with the option (up to
    the resolver's reason: a name server still starting says "temporary
    failure" instead)."""
    wrapper, env = nxdomain_netns(tmp_path)
    runs = [tlsgate_run.run(["scan", "nonexistent.invalid"] + extra + COMMON,
                            wrapper=wrapper, env=env)
            for extra in ([], ["--all-addresses"])]
    plain, every = runs
    assert every.rc == plain.rc and every.rc & FLAG_INCOMPLETE, every.describe()
    assert len(every.report["targets"]) == 1, every.describe()
    t = every.target()
    assert t["status"] == "unresolved" and t["address"] is None
    sentence = "cannot resolve nonexistent.invalid: "
    assert t["error"].startswith(sentence), every.describe()
    assert plain.target()["error"].startswith(sentence), plain.describe()
    assert every.report["address_groups"] == []


# -- without --all-addresses: fall back to the next address --------------------

FALLBACK_NAME = "fallback.test"


@pytest.fixture(scope="module")
def v6_first_env(nss_env, tmp_path_factory):
    """fallback.test resolves to ::1 first (as "localhost" does on Debian), then 127.0.0.1."""
    d = tmp_path_factory.mktemp("nss-v6-first")
    (d / "hosts").write_text("::1 %s\n127.0.0.1 %s\n" % (FALLBACK_NAME, FALLBACK_NAME))
    return dict(nss_env, NSS_WRAPPER_HOSTS=str(d / "hosts"))


@pytest.fixture(scope="module")
def v4_only_port(pki):
    port = dual_free_port()  # free on ::1 too: nothing listens there
    proc = start_server(pki, "127.0.0.1", port, WIDE, "v4 only")
    yield port
    proc.stop()


def test_refused_first_address_falls_back_to_the_next(v6_first_env, v4_only_port):
    run = tlsgate_run.run(["scan", "%s:%d" % (FALLBACK_NAME, v4_only_port)] + COMMON,
                          env=v6_first_env)
    t = run.target()
    assert t["status"] == "scanned" and t["address"] == "127.0.0.1", run.describe()
    assert run.rc == 0, run.describe()
    assert any(n.startswith("tried ::1 first:") and "refused" in n for n in t["notes"]), t["notes"]
    assert t["connections"] > 6, "the refused attempts are counted too"


def test_pinned_addresses_do_not_fall_back(v6_first_env, v4_only_port):
    run = tlsgate_run.run(["scan", "%s:%d" % (FALLBACK_NAME, v4_only_port), "--all-addresses"]
                          + COMMON, env=v6_first_env)
    assert addresses(run) == ["::1", "127.0.0.1"], run.describe()
    v6, v4 = run.report["targets"]
    assert v6["status"] == "unreachable" and v4["status"] == "scanned", run.describe()
    assert run.rc & FLAG_INCOMPLETE, run.describe()
