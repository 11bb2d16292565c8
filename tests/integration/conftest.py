"""Shared fixtures: credentials, the loopback shim, and a session-wide pool
of real servers on 127.0.0.1 (started on first use, killed at the end)."""

import os

import pytest

import pki as pki_mod
import servers
import tlsgate_run
import truth


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes more than a few seconds (still run by default)")


@pytest.fixture(scope="session")
def workroot(tmp_path_factory):
    return str(tmp_path_factory.mktemp("tlsgate-it"))


@pytest.fixture(scope="session")
def pki(workroot):
    d = os.path.join(workroot, "pki")
    os.makedirs(d)
    return pki_mod.Pki(d)


@pytest.fixture(scope="session")
def shim(workroot):
    return servers.loopback_shim(workroot)


class ServerPool:
    """Starts each spec once per session and hands out the same server."""

    def __init__(self, workroot, pki, shim):
        self.workroot = workroot
        self.pki = pki
        self.shim = shim
        self.running = {}

    def get(self, spec):
        if spec.name not in self.running:
            d = os.path.join(self.workroot, "srv-" + spec.name)
            os.makedirs(d, exist_ok=True)
            try:
                self.running[spec.name] = servers.start(spec, self.pki, d, self.shim)
            except servers.ToolMissing as e:
                pytest.fail(str(e))
        return self.running[spec.name]

    def stop(self, spec):
        srv = self.running.pop(spec.name, None)
        if srv:
            srv.stop()

    def stop_all(self):
        for srv in self.running.values():
            srv.stop()
        self.running.clear()


@pytest.fixture(scope="session")
def pool(workroot, pki, shim):
    p = ServerPool(workroot, pki, shim)
    yield p
    p.stop_all()


@pytest.fixture(scope="session")
def truths(pki):
    cache = {}

    def get(spec):
        if spec.name not in cache:
            cache[spec.name] = truth.derive(spec, pki.credential(spec.cert))
        return cache[spec.name]

    return get


@pytest.fixture(scope="session")
def nmap_cache():
    cache = {}

    def get(server):
        if server.spec.name not in cache:
            cache[server.spec.name] = truth.nmap_grades(server.port)
        return cache[server.spec.name]

    return get


@pytest.fixture(scope="session")
def scans():
    """One `tlsgate scan TARGET --clients none --json -` per server (cached)."""
    cache = {}

    def get(server, extra=()):
        key = (server.spec.name, tuple(extra))
        if key not in cache:
            cache[key] = tlsgate_run.run(["scan", server.target] + list(extra))
        return cache[key]

    return get
