"""The fixtures themselves: does each local server really offer what truth.py
derives from its configuration? Checked with nmap's ssl-enum-ciphers, an
independent client, so that a wrong truth cannot make a tlsgate test pass."""

import subprocess

import pytest

import specs

NMAP_PROTOCOLS = ("SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3")

# nmap's ssl-enum-ciphers does not speak SSLv2, and its sslv2 script only runs
# on ports nmap believes are SSL: the SSLv2 double is checked by its own test.
NMAP_CHECKED = [s for s in specs.SCAN_SERVERS + specs.CLIENT_SERVERS + specs.LEGACY_SERVERS
                if "SSLv2" not in s.versions and not s.nmap_wrong]


@pytest.mark.slow
@pytest.mark.parametrize("spec", NMAP_CHECKED, ids=str)
def test_server_offers_what_truth_says(spec, pool, truths, nmap_cache):
    server = pool.get(spec)
    want = truths(spec)
    seen = nmap_cache(server)

    for proto in NMAP_PROTOCOLS:
        expected = [want.names.get(c, hex(c)) for c in want.suites.get(proto, [])]
        got = [name for name, _ in seen.suites.get(proto, [])]
        assert sorted(got) == sorted(expected), "%s %s" % (spec.name, proto)
        for name in got:
            if "_DHE_" in name:
                assert seen.kex[(proto, name)] == "dh %d" % want.dh_bits, name
        if want.server_order and len(expected) >= 2:
            assert seen.preference[proto] == "server", proto
            assert got == expected, "server order of %s" % proto
        elif want.server_order is False and len(expected) >= 2:
            assert seen.preference[proto] == "client", proto


# Groups OpenSSL's s_client can offer one at a time, by IANA code.
PROBE_GROUPS = {
    0x001D: "X25519", 0x001E: "X448", 0x0017: "P-256", 0x0018: "P-384", 0x0019: "P-521",
    0x0100: "ffdhe2048", 0x0101: "ffdhe3072", 0x0102: "ffdhe4096",
}


def s_client_connects(port, args):
    p = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-brief"]
                       + args, capture_output=True, text=True, timeout=20,
                       stdin=subprocess.DEVNULL)
    return p.returncode == 0 and "Protocol version" in p.stderr + p.stdout


@pytest.mark.parametrize("spec", specs.SCAN_SERVERS + specs.CLIENT_SERVERS, ids=str)
def test_server_groups_are_what_truth_says(spec, pool, truths):
    """Offers one group at a time with s_client: TLS 1.3 for every group, TLS
    1.2 ECDHE for the curves (OpenSSL's client needs SECLEVEL 0 for 1.0/1.1)."""
    server = pool.get(spec)
    want = truths(spec)
    if want.suites.get("TLSv1.3"):
        accepted = {code for code, name in PROBE_GROUPS.items()
                    if s_client_connects(server.port, ["-tls1_3", "-groups", name])}
        assert accepted == {g for g in want.groups13 if g in PROBE_GROUPS}, spec.name
    ecdhe = [c for v, cs in want.suites.items() if v == "TLSv1.2" for c in cs
             if "ECDHE" in want.names.get(c, "")]
    if ecdhe:
        accepted = {code for code, name in PROBE_GROUPS.items() if code < 0x0100
                    and s_client_connects(server.port, ["-tls1_2", "-groups", name,
                                                        "-cipher", "ECDHE:@SECLEVEL=0"])}
        assert accepted == {g for g in want.groups12_ec if g in PROBE_GROUPS}, spec.name
