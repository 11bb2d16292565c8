"""The command line as a new user meets it: how the process starts and
stops, whatever its standard streams and signals, and what it reads and
writes around the scan itself."""

import json
import os
import signal
import subprocess
import time

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


@pytest.fixture(scope="module")
def tarpit():
    """Accepts, reads, never answers: a scan of it lasts until --timeout."""
    port = servers.free_port()
    args = ["/usr/bin/python3", os.path.join(servers.TOOLS_DIR, "badserver.py"), "--mode",
            "tarpit", "--port", str(port), "--lifetime", "300"]
    proc = servers.Process(args, "badserver --mode tarpit")
    proc.wait_listening(port)
    yield "127.0.0.1:%d" % port
    proc.stop()


OLD_REPORT = '{"an": "earlier report"}\n'


def leftovers(directory, name):
    """Files beside `name` other than itself: temporary reports left behind."""
    return sorted(f for f in os.listdir(directory) if f != name)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_json_report_survives_an_interrupted_scan(tmp_path, tarpit, sig):
    """--json FILE is replaced only by a complete report: a scan stopped by
    a signal leaves the previous FILE as it was, and no temporary file."""
    report = tmp_path / "report.json"
    report.write_text(OLD_REPORT)
    p = subprocess.Popen([tlsgate_run.binary(), "scan", tarpit, "--timeout", "5", "--clients",
                          "none", "--json", str(report)], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env_plain())
    time.sleep(1)
    assert p.poll() is None, "the scan of a tarpit ended within 1 s"
    p.send_signal(sig)
    _, stderr = p.communicate(timeout=30)
    assert p.returncode == -sig, (p.returncode, stderr)
    assert report.read_text() == OLD_REPORT
    assert leftovers(tmp_path, "report.json") == []


def test_json_report_replaced_when_complete(tmp_path):
    """A finished scan replaces FILE by a new file (rename), leaving nothing else."""
    report = tmp_path / "report.json"
    report.write_text(OLD_REPORT)
    old_inode = report.stat().st_ino
    port = servers.free_port()
    p = subprocess.run([tlsgate_run.binary(), "scan", "127.0.0.1:%d" % port, "--timeout", "1",
                        "--clients", "none", "--json", str(report)], capture_output=True,
                       text=True, timeout=60, env=env_plain(), stdin=subprocess.DEVNULL)
    assert p.returncode == FLAG_INCOMPLETE, p.stderr
    doc = json.loads(report.read_text())
    assert doc["exit"] == FLAG_INCOMPLETE
    assert report.stat().st_ino != old_inode, "FILE was rewritten in place, not replaced"
    assert leftovers(tmp_path, "report.json") == []
    umask = os.umask(0)
    os.umask(umask)
    assert report.stat().st_mode & 0o777 == 0o666 & ~umask


def test_json_report_unwritable_is_a_usage_error(tmp_path):
    """The report's directory is checked before the scan: exit 2, nothing scanned."""
    missing = tmp_path / "no-such-dir" / "report.json"
    run = tlsgate_run.run(["scan", "127.0.0.1:1", "--json", str(missing)], json_out=False)
    assert run.rc == 2, run.describe()
    assert str(missing) in run.stderr
    assert not missing.parent.exists()


def test_installed_binary_finds_its_data(tmp_path):
    """cmake --install puts the binary, the client profiles and the docs
    under the prefix, and a binary built with TLSGATE_DATA_DIR set to the
    installed data needs neither the source tree nor TLSGATE_DATA."""
    for tool in ("cmake", "cc"):
        servers.require_tool(tool)
    build, prefix, elsewhere = tmp_path / "build", tmp_path / "prefix", tmp_path / "elsewhere"
    elsewhere.mkdir()
    steps = [
        ["cmake", "-S", tlsgate_run.REPO, "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
         "-DCMAKE_INSTALL_PREFIX=%s" % prefix, "-DTLSGATE_DATA_DIR=%s/share/tlsgate" % prefix],
        ["cmake", "--build", str(build), "-j2", "--target", "tlsgate"],
        ["cmake", "--install", str(build)],
    ]
    for cmd in steps:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, "%s:\n%s%s" % (" ".join(cmd), p.stdout[-3000:], p.stderr[-3000:])

    installed = prefix / "bin" / "tlsgate"
    assert os.access(installed, os.X_OK)
    def profiles(d):
        return sorted(f for f in os.listdir(d) if f.endswith(".json"))
    data = prefix / "share" / "tlsgate" / "clients"
    assert profiles(data) == profiles(os.path.join(tlsgate_run.REPO, "data", "clients"))
    assert (data / "README.md").exists()  # it states the profiles' licence
    docdir = prefix / "share" / "doc" / "tlsgate"
    for name in ("LICENSE", "NOTICE", "README.md", "docs/cli.md", "docs/json-report.md"):
        assert (docdir / name).exists(), name

    env = {k: v for k, v in os.environ.items() if k != "TLSGATE_DATA"}
    env["NO_COLOR"] = "1"
    p = subprocess.run([str(installed), "clients"], capture_output=True, text=True, timeout=60,
                       env=env, cwd=str(elsewhere), stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr
    assert "ios-17" in p.stdout and "android-" in p.stdout, p.stdout

    # and it is the installed copy that was read, not the source tree's
    os.rename(prefix / "share" / "tlsgate", tmp_path / "moved")
    p = subprocess.run([str(installed), "clients"], capture_output=True, text=True, timeout=60,
                       env=env, cwd=str(elsewhere), stdin=subprocess.DEVNULL)
    assert p.returncode == 2, p.stdout
    assert "%s/share/tlsgate/clients" % prefix in p.stderr, p.stderr
