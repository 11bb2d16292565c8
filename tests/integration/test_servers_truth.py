"""The fixtures themselves: does each local server really offer what truth.py
derives from its configuration? Checked with nmap's ssl-enum-ciphers, an
independent client, so that a wrong truth cannot make a tlsgate test pass."""

import pytest

import specs

NMAP_PROTOCOLS = ("SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3")

# nmap's ssl-enum-ciphers does not speak SSLv2, and its sslv2 script only runs
# on ports nmap believes are SSL: the SSLv2 double is checked by its own test.
NMAP_CHECKED = specs.SCAN_SERVERS + specs.CLIENT_SERVERS + [s for s in specs.LEGACY_SERVERS if "SSLv2" not in s.versions]


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
        if want.server_order and len(expected) >= 2:
            assert seen.preference[proto] == "server", proto
            assert got == expected, "server order of %s" % proto
        elif want.server_order is False and len(expected) >= 2:
            assert seen.preference[proto] == "client", proto
