"""The command line as a new user meets it: how the process starts and
stops, whatever its standard streams and signals, and what it reads and
writes around the scan itself."""

import os
import subprocess

import pytest

import servers
import tlsgate_run
from tlsgate_run import FLAG_INCOMPLETE


def env_plain():
    env = dict(os.environ, NO_COLOR="1")
    env.setdefault("TLSGATE_DATA", os.path.join(tlsgate_run.REPO, "data"))
    return env


@pytest.mark.parametrize("redirect", ["<&-", ">&-", "2>&-"])
def test_closed_standard_stream(redirect):
    """A closed stdin, stdout or stderr is no crash: sockets must not take
    fds 0-2 (libuv asserts when it closes one of them)."""
    port = servers.free_port()  # bound, then released: nobody listens
    script = 'exec "$0" "$@" %s' % redirect
    p = subprocess.run(["sh", "-c", script, tlsgate_run.binary(), "scan",
                        "127.0.0.1:%d" % port, "--timeout", "1", "--clients", "none"],
                       capture_output=True, text=True, timeout=60, env=env_plain(),
                       stdin=subprocess.DEVNULL)
    assert p.returncode >= 0, "killed by signal %d: %s" % (-p.returncode, p.stderr)
    assert p.returncode == FLAG_INCOMPLETE, (p.returncode, p.stderr)
