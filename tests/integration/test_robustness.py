"""tlsgate against hostile and broken servers (issue 4).

Each test starts tests/tools/badserver.py in one mode on 127.0.0.1, scans it
with a small --timeout and checks that tlsgate: exits by itself with a
documented flag sum (never a signal), within the time bound, with a JSON
report that says in words what happened; that an incomplete result carries
flag 8; that where a standard workaround exists the scan is complete; and
that a broken target does not spoil a good one scanned in the same run.

The badserver's well-behaved core is a TLS 1.0-1.2 server whose suites are
badserver.SERVER_SUITES: those are the truth for the modes that can be
scanned completely.
"""

import os
import sys

import pytest

import servers
import specs
import tlsgate_run
from tlsgate_run import FLAG_INCOMPLETE, FLAG_USAGE

TOOLS = os.path.abspath(servers.TOOLS_DIR)
sys.path.insert(0, TOOLS)
import badserver  # noqa: E402  (the truth about its own suites)

TIMEOUT_S = 1
# Every probe waits at most --timeout for each answer; probes run side by side,
# and a target that only fails may be retried a bounded number of times. A
# scan of one broken target must end within this (measured runs take far less).
BOUND_S = 8 * TIMEOUT_S + 4
VALID_EXIT = set(range(16)) - {2, 3, 6, 7, 10, 11, 14, 15}  # usage (2) stands alone
SCAN_ARGS = ["--clients", "none", "--timeout", str(TIMEOUT_S)]

V_NAMES = {0x0301: "TLSv1.0", 0x0302: "TLSv1.1", 0x0303: "TLSv1.2"}


def core_suites(version):
    """The suites badserver's core accepts in `version`, in its order of preference."""
    return [code for code, _ecdhe, tls12_only in badserver.SERVER_SUITES
            if version >= 0x0303 or not tls12_only]


class BadServers:
    """One badserver process per (mode, options), started on first use."""

    def __init__(self):
        self.running = {}

    def get(self, mode, *opts):
        key = (mode,) + opts
        if key not in self.running:
            port = servers.free_port()
            args = ["/usr/bin/python3", os.path.join(TOOLS, "badserver.py"), "--mode", mode,
                    "--port", str(port), "--lifetime", "900"] + list(opts)
            proc = servers.Process(args, "badserver --mode " + mode)
            proc.wait_listening(port, timeout=60)  # chain100 signs 100 certificates first
            self.running[key] = (proc, port)
        return "127.0.0.1:%d" % self.running[key][1]

    def stop_all(self):
        for proc, _ in self.running.values():
            proc.stop()


@pytest.fixture(scope="module")
def bad():
    b = BadServers()
    yield b
    b.stop_all()


@pytest.fixture(scope="module")
def good_server(pool):
    """A correct, parallel-safe reference server from the shared pool."""
    spec = next(s for s in specs.SCAN_SERVERS if s.name == "rsa-kex-gcm-only")
    return pool.get(spec)


def scan(targets, extra=()):
    return tlsgate_run.run(["scan"] + list(targets) + SCAN_ARGS + list(extra), timeout=120)


def check_sane(run, n_targets=1):
    """What every run must satisfy, whatever the server did."""
    assert run.rc >= 0, "killed by signal %d: %s" % (-run.rc, run.describe())
    assert run.rc in VALID_EXIT and not run.rc & FLAG_USAGE, run.describe()
    if os.environ.get("TLSGATE_VALGRIND") != "1":
        bound = BOUND_S + (n_targets - 1) * 2
        assert run.elapsed < bound, "took %.1f s (bound %d s): %s" % (
            run.elapsed, bound, run.describe())
    assert run.report is not None, run.describe()
    assert len(run.report["targets"]) == n_targets, run.describe()
    assert run.report["exit"] == run.rc, run.describe()


def words(target):
    """Everything the report says about a target in sentences."""
    parts = [target.get("error") or ""]
    parts += [p.get("reason") or "" for p in target.get("protocols") or []]
    parts += [p.get("incomplete_reason") or "" for p in target.get("protocols") or []]
    parts += target.get("notes") or []
    return " ".join(parts).lower()


def supported(target):
    return {p["name"]: p for p in target.get("protocols") or [] if p["status"] == "supported"}


def suite_codes(proto):
    return [int(s["code"], 16) for s in proto["suites"]]


def check_broken(run, said):
    """A target that cannot be scanned: incomplete (8), nothing claimed, and a reason in words."""
    check_sane(run)
    t = run.target()
    assert run.rc & FLAG_INCOMPLETE, run.describe()
    assert not any(p["suites"] for p in supported(t).values()), run.describe()
    text = words(t)
    assert text.strip(), "no words about what happened: %s" % run.describe()
    assert any(w in text for w in said), "expected one of %s in: %s" % (said, text)
    return t


def check_core_complete(run, versions=(0x0301, 0x0302, 0x0303)):
    """The core server scanned completely: each version with exactly its suites."""
    check_sane(run)
    t = run.target()
    got = supported(t)
    for v in versions:
        name = V_NAMES[v]
        assert name in got, "%s missing: %s" % (name, run.describe())
        assert sorted(suite_codes(got[name])) == sorted(core_suites(v)), run.describe()
        assert got[name]["complete"], run.describe()
        if got[name]["server_order"]:
            assert suite_codes(got[name]) == core_suites(v), run.describe()
    assert "TLSv1.3" not in got, run.describe()
    return t


# -- the control: the core itself ---------------------------------------------


def test_core_server_scans_completely(bad):
    run = scan([bad.get("good")])
    check_core_complete(run)
    assert not run.rc & FLAG_INCOMPLETE, run.describe()


def test_client_order_between_favourites_only_loses_no_suite(bad):
    """A server whose order is its own except between its two favourites
    (BoringSSL's equal-preference groups) answers the first hello and its
    reversal as a client-order server would; every suite it takes must still
    be found (the inference is checked by a probe), and it is not reported as
    following the client's order."""
    run = scan([bad.get("equal-pref")])
    check_core_complete(run)
    tls12 = supported(run.target())["TLSv1.2"]
    assert tls12["server_order"] is not False, run.describe()


# -- nothing usable comes back --------------------------------------------------


def test_closes_at_once(bad):
    check_broken(scan([bad.get("close")]), ("closed", "close", "eof", "reset"))


def test_tarpit(bad):
    check_broken(scan([bad.get("tarpit")]), ("timed out", "timeout", "did not answer within"))


def test_dribble_one_byte_per_second_is_bounded(bad):
    """The bytes keep coming, so an idle timer never fires: the bound must still hold."""
    check_broken(scan([bad.get("dribble")]), ("timed out", "timeout", "did not answer within"))


def test_max_time_bounds_a_slow_server(bad):
    """--timeout bounds each wait; --max-time bounds the sum, however slowly the server
    feeds every step."""
    run = tlsgate_run.run(["scan", bad.get("dribble"), "--clients", "none", "--timeout", "30",
                           "--max-time", "2"], timeout=120)
    check_sane(run)
    if os.environ.get("TLSGATE_VALGRIND") != "1":
        assert run.elapsed < 4, run.describe()
    assert run.rc & FLAG_INCOMPLETE, run.describe()
    assert "time limit" in words(run.target()), run.describe()
    assert run.target()["groups_complete"] is False, "groups were never probed"


def test_plain_http(bad):
    t = check_broken(scan([bad.get("http")]), ("http",))
    assert t["status"] in ("not_tls", "scanned"), t


def test_ssh_banner(bad):
    t = check_broken(scan([bad.get("ssh")]), ("ssh",))
    assert t["status"] in ("not_tls", "scanned"), t


def test_random_bytes(bad):
    check_broken(scan([bad.get("random")]), ("not tls", "garbled", "garbage", "malformed",
                                             "invalid", "unexpected", "record"))


def test_truncated_record(bad):
    check_broken(scan([bad.get("truncated")]), ("truncated", "closed", "short", "incomplete"))


def test_record_longer_than_allowed(bad):
    check_broken(scan([bad.get("oversize")]), ("record", "too long", "length", "overflow",
                                               "exceeds", "oversize"))


def test_handshake_length_shorter_than_fields(bad):
    check_broken(scan([bad.get("hs-len-short")]), ("length", "malformed", "truncated",
                                                   "invalid", "decode"))


def test_handshake_length_beyond_any_cap(bad):
    check_broken(scan([bad.get("hs-len-long")]), ("length", "too long", "too large",
                                                  "exceeds", "malformed", "timed out"))


def test_server_hello_with_unoffered_suite(bad):
    check_broken(scan([bad.get("bad-suite")]), ("not offered", "unoffered", "offered",
                                                "unexpected", "invalid"))


def test_server_hello_with_unoffered_version(bad):
    check_broken(scan([bad.get("bad-version")]), ("version", "not offered", "unexpected"))


def test_hello_retry_request_loop(bad):
    """HRR for every hello, also after a second one: must not loop, and an HRR sent to a
    TLS 1.2 hello (illegal there) must not make TLS 1.2 look supported."""
    run = scan([bad.get("hrr-loop")])
    check_sane(run)
    t = run.target()
    got = supported(t)
    for name in ("TLSv1.0", "TLSv1.1", "TLSv1.2"):
        assert name not in got, run.describe()
    assert run.rc & FLAG_INCOMPLETE or "TLSv1.3" in got, run.describe()
    assert words(t).strip(), run.describe()


def test_fatal_alert_for_everything(bad):
    """handshake_failure to every hello is a refusal, not a broken probe: nothing is
    supported, and the report names the alert."""
    run = scan([bad.get("alert")])
    check_sane(run)
    t = run.target()
    assert not supported(t), run.describe()
    assert run.rc == tlsgate_run.FLAG_STRENGTH, run.describe()  # nothing can connect
    assert "handshake_failure" in words(t) or "handshake failure" in words(t), run.describe()


# -- a standard workaround exists ---------------------------------------------


def test_reset_on_unknown_code_points_is_never_read_as_no(bad):
    """A reset is not a refusal. Halving the hello finds every suite the server takes
    (all within the range it knows); a code point it resets on even when offered alone
    stays untested, so TLS 1.2 is incomplete, the exit carries flag 8, and the report
    says why."""
    run = scan([bad.get("rst-unknown")])
    check_sane(run)
    t = run.target()
    got = supported(t)
    for v, name in V_NAMES.items():
        assert name in got, run.describe()
        assert sorted(suite_codes(got[name])) == sorted(core_suites(v)), run.describe()
    assert not got["TLSv1.2"]["complete"], run.describe()
    assert run.rc & FLAG_INCOMPLETE, run.describe()
    assert "reset" in words(t), run.describe()


def test_no_answer_to_hellos_of_256_to_511_bytes(bad):
    """RFC 7685: padding the hello past 511 bytes avoids the hang."""
    run = scan([bad.get("padbug")])
    check_core_complete(run)
    assert not run.rc & FLAG_INCOMPLETE, run.describe()


def test_supported_versions_intolerance(bad):
    run = scan([bad.get("sv-intolerant")])
    t = check_core_complete(run)
    assert "TLSv1.3" not in supported(t), run.describe()


def test_unknown_extension_intolerance(bad):
    run = scan([bad.get("ext-intolerant")])
    check_core_complete(run)


def test_unrecognized_name_without_sni(bad):
    """No SNI can be sent for an IP literal: the report must name the alert and must
    not claim the server supports nothing."""
    run = scan([bad.get("sni-required")])
    check_sane(run)
    t = run.target()
    text = words(t)
    assert "unrecognized_name" in text or "unrecognized name" in text, run.describe()
    assert run.rc & FLAG_INCOMPLETE, run.describe()


def test_unrecognized_name_with_the_right_sni(bad):
    run = scan([bad.get("sni-required")], extra=["--sni", "good.example"])
    check_core_complete(run)
    assert not run.rc & FLAG_INCOMPLETE, run.describe()


# -- the certificate and empty fields -------------------------------------------


def test_chain_of_100_certificates(bad):
    run = scan([bad.get("chain100")])
    t = check_core_complete(run)
    cert = t.get("certificate")
    assert cert is not None, run.describe()
    assert cert["chain_length"] == 100 or "chain" in words(t), run.describe()


def test_malformed_certificate(bad):
    """The suites are still known; the certificate is reported as unreadable, not invented."""
    run = scan([bad.get("bad-cert")])
    check_sane(run)
    t = run.target()
    assert "TLSv1.2" in supported(t), run.describe()
    cert = t.get("certificate")
    assert cert is None or not cert.get("key_bits"), run.describe()
    assert "certificate" in words(t), run.describe()


def test_zero_length_fields(bad):
    """Empty record, session id, extensions block and certificate list."""
    run = scan([bad.get("zero-len")])
    check_sane(run)
    t = run.target()
    cert = t.get("certificate")
    assert cert is None or not cert.get("key_bits"), run.describe()
    assert words(t).strip(), run.describe()


# -- a broken target does not spoil a good one ----------------------------------


def comparable(target):
    return {p["name"]: (p["status"], suite_codes(p)) for p in target["protocols"]}


@pytest.mark.parametrize("mode", ["tarpit", "dribble", "random", "oversize", "hrr-loop",
                                  "rst-unknown", "close"])
def test_bad_target_does_not_spoil_good_one(bad, good_server, mode):
    alone = scan([good_server.target])
    check_sane(alone)
    both = scan([good_server.target, bad.get(mode)])
    check_sane(both, n_targets=2)
    good, broken = both.target(0), both.target(1)
    assert good["target"] == good_server.target, both.describe()
    assert comparable(good) == comparable(alone.target()), both.describe()
    assert good["status"] == "scanned", both.describe()
    assert both.rc & FLAG_INCOMPLETE or mode == "rst-unknown", both.describe()
    assert broken["target"].endswith(bad.get(mode).split(":")[1]), both.describe()
