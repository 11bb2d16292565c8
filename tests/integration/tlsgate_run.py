"""Runs the tlsgate binary under test and parses its JSON report.

TLSGATE_BIN names the binary (CTest sets it; default build/tlsgate),
TLSGATE_DATA its data directory. With TLSGATE_VALGRIND=1 every run goes
through valgrind, and any valgrind error fails the test.
"""

import json
import os
import re
import subprocess
import time
from dataclasses import dataclass

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
VALGRIND_ERROR = 99

FLAG_STRENGTH = 1
FLAG_USAGE = 2
FLAG_REACH = 4
FLAG_INCOMPLETE = 8


@dataclass
class Run:
    args: list
    rc: int
    stdout: str
    stderr: str
    elapsed: float
    report: dict | None  # the parsed JSON (--json -), or None

    def target(self, i=0):
        assert self.report is not None, "no JSON report: %s" % self.describe()
        return self.report["targets"][i]

    def describe(self):
        return "tlsgate %s -> exit %d\nstderr:\n%s\nstdout:\n%s" % (
            " ".join(self.args), self.rc, self.stderr[-3000:], self.stdout[-3000:])


def binary():
    path = os.environ.get("TLSGATE_BIN") or os.path.join(REPO, "build", "tlsgate")
    if not os.access(path, os.X_OK):
        raise AssertionError(
            "tlsgate binary not found at %s: build it (cmake --build build) or set TLSGATE_BIN"
            % path)
    return path


def run(args, timeout=120, json_out=True, wrapper=(), env=None):
    """Runs `tlsgate ARGS [--json -]` (inside `wrapper`, e.g. a namespace,
    with extra `env`) and returns a Run."""
    full = list(args) + (["--json", "-"] if json_out else [])
    cmd = [binary()] + full
    valgrind = os.environ.get("TLSGATE_VALGRIND") == "1"
    if valgrind:
        cmd = ["valgrind", "--error-exitcode=%d" % VALGRIND_ERROR, "--leak-check=full", "-q"] + cmd
        timeout *= 10
    cmd = list(wrapper) + cmd
    env = dict(os.environ, **(env or {}))
    env.setdefault("TLSGATE_DATA", os.path.join(REPO, "data"))
    env["NO_COLOR"] = "1"
    start = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env,
                       stdin=subprocess.DEVNULL)
    elapsed = time.monotonic() - start
    report = None
    if json_out and p.stdout.strip():
        try:
            report = json.loads(p.stdout)
        except ValueError as e:
            raise AssertionError("stdout is not one JSON document (%s): %s" % (
                e, Run(full, p.returncode, p.stdout, p.stderr, elapsed, None).describe()))
    result = Run(full, p.returncode, p.stdout, p.stderr, elapsed, report)
    if valgrind:
        assert p.returncode != VALGRIND_ERROR, "valgrind found errors:\n" + p.stderr[-5000:]
        assert not re.search(r"^==\d+== ", p.stderr, re.M), "valgrind output:\n" + p.stderr[-5000:]
    return result
