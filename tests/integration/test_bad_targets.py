"""Targets that cannot be scanned: each must give one clear sentence (stderr
or the JSON "error") and an exit status with the incomplete flag (8), within
the time bound that --timeout sets (issue 2)."""

import os
import socket
import threading

import pytest

import servers
import tlsgate_run
from tlsgate_run import FLAG_INCOMPLETE

TOOLS = servers.TOOLS_DIR
TIMEOUT_S = 1
# A scan that only meets silence may retry or probe a few protocols, but must
# stay within a small multiple of the per-handshake timeout.
SILENT_BOUND_S = 4 * TIMEOUT_S + 1


def check_failure(run, status, words):
    assert run.rc & FLAG_INCOMPLETE, run.describe()
    assert run.rc != 2, "exit 2 means a usage error, not an unreachable target"
    t = run.target()
    assert t["status"] == status, run.describe()
    sentence = t["error"]
    assert sentence and sentence.strip(), "no error sentence in JSON: %s" % run.describe()
    assert "\n" not in sentence.strip()
    assert any(w in sentence.lower() for w in words), sentence
    assert t["protocols"] == [] or all(p["status"] != "supported" for p in t["protocols"])


def test_closed_port():
    port = servers.free_port()  # bound, then released: nobody listens
    run = tlsgate_run.run(["scan", "127.0.0.1:%d" % port, "--timeout", str(TIMEOUT_S)])
    check_failure(run, "unreachable", ("refused", "closed", "connect"))


@pytest.fixture(scope="module")
def http_server():
    port = servers.free_port()
    proc = servers.Process(["/usr/bin/python3", "-m", "http.server", "--bind", "127.0.0.1",
                            str(port)], "python http.server")
    proc.wait_listening(port)
    yield port
    proc.stop()


def test_plain_http_port(http_server):
    run = tlsgate_run.run(["scan", "127.0.0.1:%d" % http_server, "--timeout", str(TIMEOUT_S)])
    check_failure(run, "not_tls", ("tls", "http", "ssl"))


def test_plain_http_port_does_not_wait_for_the_timeout(http_server):
    """Two TLS hellos answered in plain text settle it: the SSLv2 hello that the
    HTTP server keeps waiting on is not waited for."""
    run = tlsgate_run.run(["scan", "127.0.0.1:%d" % http_server, "--timeout", "30"])
    check_failure(run, "not_tls", ("tls", "http", "ssl"))
    if os.environ.get("TLSGATE_VALGRIND") != "1":
        assert run.elapsed < 10, run.describe()


@pytest.fixture(scope="module")
def silent_server():
    """Accepts connections and never says a word."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    held, stop = [], threading.Event()

    def accept():
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(sock.accept()[0])
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield sock.getsockname()[1]
    stop.set()
    thread.join()
    for c in held:
        c.close()
    sock.close()


def test_server_that_never_answers(silent_server):
    run = tlsgate_run.run(["scan", "127.0.0.1:%d" % silent_server, "--timeout", str(TIMEOUT_S)])
    assert run.rc & FLAG_INCOMPLETE, run.describe()
    if os.environ.get("TLSGATE_VALGRIND") != "1":
        assert run.elapsed < SILENT_BOUND_S, "took %.1fs with --timeout %d" % (
            run.elapsed, TIMEOUT_S)
    t = run.target()
    assert t["status"] in ("unreachable", "not_tls", "scanned"), run.describe()
    assert t["error"] or any(p["status"] == "inconclusive" for p in t["protocols"]), (
        run.describe())
    text = (t["error"] or "") + " ".join(p["reason"] or "" for p in t["protocols"])
    assert any(w in text.lower() for w in ("time", "did not answer", "no answer")), (
        "the reason should say it timed out: %s" % text)


NETNS_SCRIPT = """
set -e
ip link set lo up
mount --bind "$RESOLV" /etc/resolv.conf
/usr/bin/python3 "$DNS" 127.0.0.1 > "$DNS_LOG" 2>&1 &
dns=$!
trap 'kill $dns' EXIT
for i in $(seq 50); do grep -q ready "$DNS_LOG" && break; sleep 0.05; done
set +e
"$@"
"""


def nxdomain_netns(tmp_path):
    """(wrapper, env) that run tlsgate in a private network namespace whose only
    name server answers NXDOMAIN to every query."""
    servers.require_tool("unshare")
    servers.require_tool("ip")
    resolv = tmp_path / "resolv.conf"
    resolv.write_text("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
    env = dict(RESOLV=str(resolv), DNS=os.path.join(TOOLS, "nxdomain_dns.py"),
               DNS_LOG=str(tmp_path / "dns.log"))
    wrapper = ["unshare", "--net", "--mount", "sh", "-c", NETNS_SCRIPT, "netns"]
    return wrapper, env


def test_name_that_does_not_resolve(tmp_path):
    """Resolved inside a private network namespace whose only name server
    (tests/tools/nxdomain_dns.py on its loopback) says NXDOMAIN: no query
    leaves the machine, and the answer is a real "no such name"."""
    wrapper, env = nxdomain_netns(tmp_path)
    run = tlsgate_run.run(["scan", "nonexistent.invalid", "--timeout", str(TIMEOUT_S)],
                          wrapper=wrapper, env=env)
    check_failure(run, "unresolved", ("resolve", "not known", "no such", "name"))
    assert "nonexistent.invalid" in run.target()["error"] + run.stderr
