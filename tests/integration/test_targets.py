"""Ways of naming a target (issue 2): IPv6 literal in brackets, a host name
with -4, and the SNI that follows from each."""

import re

import specs
import tlsgate_run


def suite_codes(target, version):
    p = next(p for p in target["protocols"] if p["name"] == version)
    return [int(s["code"], 16) for s in p["suites"]]


def test_ipv6_literal_target(pool, truths):
    spec = specs.IPV6_SERVER
    server = pool.get(spec)
    want = truths(spec)
    run = tlsgate_run.run(["scan", server.target, "--clients", "none"])
    t = run.target()
    assert t["status"] == "scanned", run.describe()
    assert t["address"] == "::1" and t["port"] == server.port
    assert t["sni"] is None, "no SNI for an IP literal (RFC 6066 3)"
    for version in ("TLSv1.2", "TLSv1.3"):
        assert suite_codes(t, version) == want.suites[version], version


def test_ipv6_only_flag_on_ipv4_server_fails_cleanly(pool):
    server = pool.get(specs.SCAN_SERVERS[0])
    run = tlsgate_run.run(["scan", "localhost:%d" % server.port, "-6", "--timeout", "1",
                           "--clients", "none"])
    assert run.rc & tlsgate_run.FLAG_INCOMPLETE or run.rc == 2, run.describe()


def test_host_name_target_sends_sni(pool, truths):
    spec = next(s for s in specs.SCAN_SERVERS if s.name == "nginx-order-on")
    server = pool.get(spec)
    run = tlsgate_run.run(["scan", "localhost:%d" % server.port, "-4", "--clients", "none"])
    t = run.target()
    assert t["status"] == "scanned", run.describe()
    assert t["host"] == "localhost" and t["address"] == "127.0.0.1"
    assert t["sni"] == "localhost"
    assert suite_codes(t, "TLSv1.2") == truths(spec).suites["TLSv1.2"]


def test_sni_option_overrides(pool):
    spec = next(s for s in specs.SCAN_SERVERS if s.name == "nginx-order-on")
    server = pool.get(spec)
    run = tlsgate_run.run(["scan", server.target, "--sni", "example.test", "--clients", "none"])
    assert run.target()["sni"] == "example.test", run.describe()
    assert run.target()["status"] == "scanned"


def test_jobs_fitted_to_the_open_file_limit(pool):
    """--jobs x --parallel connections that the open-file limit cannot hold
    scan fewer targets at once, with a warning, and every target completes
    (instead of probes breaking on EMFILE)."""
    spec = next(s for s in specs.SCAN_SERVERS if s.name == "rsa-kex-gcm-only")
    server = pool.get(spec)
    targets = [server.target] * 3
    run = tlsgate_run.run(["scan", "--jobs", "16", "--parallel", "32", "--clients", "none"]
                          + targets, wrapper=("prlimit", "--nofile=100:100"))
    # 100 here; valgrind keeps a few descriptors for itself and shows less.
    assert re.search(r"exceed the limit of (100|\d\d) open files: scanning [12] targets? at once",
                     run.stderr), run.describe()
    assert run.rc & 8 == 0, run.describe()  # nothing incomplete (flag 1 is this server's policy)
    assert [t["status"] for t in run.report["targets"]] == ["scanned"] * 3
