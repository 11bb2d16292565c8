"""Client simulation against real clients (issue 3).

For each local server, what tlsgate says each locally installed client would
negotiate must be what that very client negotiates when it connects to the
same server: protocol and suite, or failure. And the incident: an all-A
server with only RSA key exchange loses every ATS client.
"""

import re

import pytest

import real_clients
import specs
import tlsgate_run
from tlsgate_run import FLAG_REACH, FLAG_STRENGTH

SERVERS = specs.SCAN_SERVERS + specs.CLIENT_SERVERS

# The profiles captured on this machine from each real client (data/clients).
LOCAL_PROFILE_PATTERNS = {
    "openssl": r"openssl-3(\.\d+)*-local",
    "gnutls": r"gnutls-3(\.\d+)*-local",
    "java": r"java-17(\.\d+)*-local",
    "node": r"node-20(\.\d+)*-local",
    "python": r"python-3(\.\d+)*-local",
    "curl": r"curl(-[\d.]+)*-local",
}


def local_profile(report_clients, family):
    pattern = re.compile(LOCAL_PROFILE_PATTERNS[family] + "$")
    found = [c for c in report_clients if pattern.match(c["id"])]
    assert len(found) == 1, "want one profile matching %s among %s" % (
        pattern.pattern, sorted(c["id"] for c in report_clients))
    return found[0]


@pytest.fixture(scope="module", params=SERVERS, ids=str)
def server_scan(request, pool, scans):
    server = pool.get(request.param)
    return server, scans(server)


@pytest.mark.parametrize("family", sorted(real_clients.RUNNERS))
def test_simulation_matches_real_client(server_scan, family, pki, workroot):
    server, run = server_scan
    cred = pki.credential(server.spec.cert)
    real = real_clients.RUNNERS[family](server.port, cred, workroot)
    sim = local_profile(run.target()["clients"], family)

    where = "%s vs %s on %s:\nreal client said:\n%s\ntlsgate said: %s" % (
        family, sim["id"], server.spec.name, real.detail[-1500:], sim)
    if real.connects:
        assert sim["verdict"] == "connects", where
        assert (sim["protocol"], sim["suite"]) == (real.protocol, real.suite), where
    else:
        assert sim["verdict"] == "fails", where
        assert sim["why"], "a failed client needs a reason: %s" % sim


def test_every_client_has_a_verdict(pool, scans):
    run = scans(pool.get(specs.SCAN_SERVERS[1]))
    clients = run.target()["clients"]
    assert len(clients) >= 60, "issue 3 asks for at least 60 profiles"
    for c in clients:
        assert c["verdict"] in ("connects", "fails", "inconclusive"), c
        if c["verdict"] == "connects":
            assert c["protocol"] and c["suite"], c
        else:
            assert c["why"], c


def spec_named(name):
    return next(s for s in SERVERS if s.name == name)


@pytest.fixture(scope="module")
def ats_ids(pool):
    """The ats group, as tlsgate's data defines it (--clients narrows the
    Clients section to exactly the group)."""
    server = pool.get(spec_named("mozilla-intermediate"))
    run = tlsgate_run.run(["scan", server.target, "--clients", "ats"])
    ids = [c["id"] for c in run.target()["clients"]]
    assert ids, "the ats group is empty: %s" % run.describe()
    return ids


def test_incident_rsa_kex_only_loses_every_ats_client(pool, scans, ats_ids):
    server = pool.get(spec_named("rsa-kex-gcm-only"))
    plain = scans(server)
    t = plain.target()
    assert t["grade"] == "A", "the incident server grades all A"

    run = tlsgate_run.run(["scan", server.target, "--require-client", "ats"])
    assert run.rc & FLAG_REACH, run.describe()
    assert run.rc == FLAG_REACH | FLAG_STRENGTH, "no forward secrecy: 1, lost clients: 4"
    assert sorted(run.target()["gate"]["lost_clients"]) == sorted(ats_ids)
    said = run.stderr + "\n".join(run.target()["gate"]["findings"])
    missing = [i for i in ats_ids if i not in said]
    assert not missing, "lost ATS clients not named: %s\n%s" % (missing, run.describe())
    by_id = {c["id"]: c for c in run.target()["clients"]}
    for i in ats_ids:
        assert by_id[i]["verdict"] == "fails", by_id[i]
        assert "forward" in by_id[i]["why"].lower() or "ats" in by_id[i]["why"].lower(), by_id[i]


def connects_where(clients, pattern, what):
    chosen = [c for c in clients if re.search(pattern, c["id"] + " " + c["name"])]
    assert chosen, "no %s profile (%s) among %s" % (what, pattern, [c["id"] for c in clients])
    assert any(c["verdict"] == "connects" for c in chosen), "%s: %s" % (what, chosen)


def test_incident_others_still_connect(pool, scans, ats_ids):
    """Safari itself, old Android and curl take the TLS_RSA suites."""
    run = scans(pool.get(spec_named("rsa-kex-gcm-only")))
    others = [c for c in run.target()["clients"] if c["id"] not in ats_ids]
    connects_where(others, r"Safari", "Safari")
    connects_where(others, r"^android-(4\.4|5)", "old Android")
    connects_where(others, r"^curl", "curl")


def test_incident_fixed_by_one_ecdhe_gcm_suite(pool):
    server = pool.get(spec_named("incident-fixed"))
    run = tlsgate_run.run(["scan", server.target, "--require-client", "ats"])
    assert not run.rc & FLAG_REACH, run.describe()
    assert run.rc == 0, run.describe()
    assert run.target()["gate"]["lost_clients"] == []


def test_dhe_only_server_fails_ats(pool, ats_ids):
    """Forward secret, yet ATS accepts ECDHE only."""
    server = pool.get(spec_named("dhe-only"))
    run = tlsgate_run.run(["scan", server.target, "--require-client", "ats"])
    assert run.rc & FLAG_REACH, run.describe()
    assert not run.rc & FLAG_STRENGTH, "DHE 2048 is forward secret and grades A"
    assert sorted(run.target()["gate"]["lost_clients"]) == sorted(ats_ids)
    said = run.stderr + "\n".join(run.target()["gate"]["findings"])
    assert all(i in said for i in ats_ids), run.describe()


def test_clients_command_lists_profiles_and_groups():
    run = tlsgate_run.run(["clients"], json_out=False)
    assert run.rc == 0, run.describe()
    rows = [line.split()[0] for line in run.stdout.splitlines()[1:] if line.strip()]
    assert len(rows) >= 60, "issue 3 asks for at least 60 profiles: %d" % len(rows)
    for family, pattern in LOCAL_PROFILE_PATTERNS.items():
        assert any(re.fullmatch(pattern, r) for r in rows), (family, rows)
    assert re.search(r"\bats\b", run.stdout), "no profile is in the ats group"


def test_clients_none_skips_the_section(pool):
    server = pool.get(spec_named("mozilla-intermediate"))
    run = tlsgate_run.run(["scan", server.target, "--clients", "none"])
    assert run.rc == 0, run.describe()
    assert run.target()["clients"] == []


def test_unknown_client_name_is_a_usage_error(pool):
    server = pool.get(spec_named("mozilla-intermediate"))
    run = tlsgate_run.run(["scan", server.target, "--require-client", "no-such-client-x"])
    assert run.rc == 2, run.describe()
    assert "no-such-client-x" in run.stderr
