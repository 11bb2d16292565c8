#!/usr/bin/python3
"""Prints the table of docs/robustness.md: what tlsgate reports for each
misbehaviour of tests/tools/badserver.py, measured now, not written by hand.

For every mode it starts badserver on 127.0.0.1, runs
`tlsgate scan --clients none --timeout 1 --json -` against it and prints one
Markdown row: the mode, what the server does, tlsgate's exit status and
wall time, and what the report says in words (the target's error, the
reasons of protocols that are not supported or inconclusive, and the
notes), beside the test in tests/integration/test_robustness.py that checks
it.

    tools/robustness_table.py [--tlsgate build-plain/tlsgate]
"""
import argparse
import json
import os
import subprocess
import sys
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
BADSERVER = os.path.join(REPO, "tests", "tools", "badserver.py")

# mode -> (extra tlsgate arguments, the test that checks it)
MODES = [
    ("good", [], "test_core_server_scans_completely"),
    ("equal-pref", [], "test_client_order_between_favourites_only_loses_no_suite"),
    ("close", [], "test_closes_at_once"),
    ("tarpit", [], "test_tarpit"),
    ("dribble", [], "test_dribble_one_byte_per_second_is_bounded"),
    ("dribble", ["--timeout", "30", "--max-time", "2"], "test_max_time_bounds_a_slow_server"),
    ("http", [], "test_plain_http"),
    ("ssh", [], "test_ssh_banner"),
    ("random", [], "test_random_bytes"),
    ("truncated", [], "test_truncated_record"),
    ("oversize", [], "test_record_longer_than_allowed"),
    ("hs-len-short", [], "test_handshake_length_shorter_than_fields"),
    ("hs-len-long", [], "test_handshake_length_beyond_any_cap"),
    ("bad-suite", [], "test_server_hello_with_unoffered_suite"),
    ("bad-version", [], "test_server_hello_with_unoffered_version"),
    ("hrr-loop", [], "test_hello_retry_request_loop"),
    ("alert", [], "test_fatal_alert_for_everything"),
    ("rst-unknown", [], "test_reset_on_unknown_code_points_is_never_read_as_no"),
    ("padbug", [], "test_no_answer_to_hellos_of_256_to_511_bytes"),
    ("sv-intolerant", [], "test_supported_versions_intolerance"),
    ("ext-intolerant", [], "test_unknown_extension_intolerance"),
    ("sni-required", [], "test_unrecognized_name_without_sni"),
    ("sni-required", ["--sni", "good.example"], "test_unrecognized_name_with_the_right_sni"),
    ("chain100", [], "test_chain_of_100_certificates"),
    ("bad-cert", [], "test_malformed_certificate"),
    ("zero-len", [], "test_zero_length_fields"),
]


def mode_descriptions():
    out = subprocess.run(["/usr/bin/python3", BADSERVER, "--list"], capture_output=True,
                         text=True, check=True).stdout
    return {line.split()[0]: line[16:].strip() for line in out.splitlines() if line.strip()}


def start(mode):
    p = subprocess.Popen(["/usr/bin/python3", BADSERVER, "--mode", mode, "--port", "0",
                          "--lifetime", "300"], stdout=subprocess.PIPE, text=True,
                         stdin=subprocess.DEVNULL)
    line = p.stdout.readline()  # "PORT n", once listening (chain100 signs 100 certificates)
    if not line.startswith("PORT "):
        p.kill()
        raise RuntimeError("badserver --mode %s did not start" % mode)
    return p, int(line.split()[1])


def summary(target):
    """What the report says about the target, in its own words, shortened."""
    if target.get("error"):
        return target["error"]
    parts = []
    for p in target.get("protocols") or []:
        if p["status"] == "supported":
            n = len(p["suites"])
            text = "%s: %d suite%s" % (p["name"], n, "" if n == 1 else "s")
            if not p["complete"]:
                text += " (incomplete: %s)" % p["incomplete_reason"]
            parts.append(text)
        elif p["status"] == "inconclusive":
            parts.append("%s inconclusive: %s" % (p["name"], p["reason"]))
    cert = target.get("certificate")
    if cert:
        parts.append("certificate %s %s, chain %s" % (cert.get("key_type"), cert.get("key_bits"),
                                                      cert.get("chain_length")))
    notes = target.get("notes") or []
    for n in notes[:3]:
        parts.append("note: " + n)
    if len(notes) > 3:
        parts.append("%d more notes" % (len(notes) - 3))
    if not parts:
        reasons = sorted({p["reason"] for p in target.get("protocols") or [] if p["reason"]})
        parts.append("every protocol not supported (%s)" % ", ".join(reasons))
    return "; ".join(parts)


def cell(text):
    return text.replace("|", "\\|").replace("\n", " ")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tlsgate", default=os.path.join(REPO, "build-plain", "tlsgate"))
    args = ap.parse_args()
    desc = mode_descriptions()
    env = dict(os.environ, TLSGATE_DATA=os.path.join(REPO, "data"), NO_COLOR="1")
    print("| server (badserver mode) | what it does | exit | time | what tlsgate reports | test |")
    print("|---|---|---|---|---|---|")
    for mode, extra, test in MODES:
        proc, port = start(mode)
        try:
            # An option given twice is a usage error: a mode's own --timeout
            # replaces the table's.
            timeout = [] if "--timeout" in extra else ["--timeout", "1"]
            argv = [args.tlsgate, "scan", "127.0.0.1:%d" % port, "--clients", "none",
                    "--json", "-"] + timeout + extra
            t0 = time.monotonic()
            run = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300,
                                 stdin=subprocess.DEVNULL)
            elapsed = time.monotonic() - t0
        finally:
            proc.kill()
            proc.wait()
        target = json.loads(run.stdout)["targets"][0]
        name = mode + ("" if not extra else " (`%s`)" % " ".join(extra))
        print("| %s | %s | %d | %.1f s | %s | `%s` |" % (
            name, cell(desc.get(mode, "")), run.returncode, elapsed, cell(summary(target)), test))
    return 0


if __name__ == "__main__":
    sys.exit(main())
