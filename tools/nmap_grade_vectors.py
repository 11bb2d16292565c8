#!/usr/bin/python3
"""Turn `nmap --script ssl-enum-ciphers` output into grade vectors.

  nmap_grade_vectors.py NMAP_OUTPUT --cert "RSA 2048 sha256WithRSAEncryption 65537" \
      --provenance "nmap 7.93 against openssl s_server ..." > tests/vectors/nmap_grades_X.txt

Each vector line is `<protocol> <IANA suite> <kex input> <nmap letter>`, where
the kex input is what nmap printed in parentheses: `dh=N` for "(dh N)",
`group=NAME` for a named group, `none` when nmap used the certificate alone
("(rsa 2048)"). tests/unit/test_grade.c regrades every line with the same
certificate and inputs and requires nmap's letter.
"""

import argparse
import re
import sys

# nmap's names that differ from the IANA ones
NMAP_GROUPS = {"ecdh_x25519": "x25519", "ecdh_x448": "x448"}


def suite_name(nmap_name):
    # nmap calls the TLS 1.3 suites TLS_AKE_WITH_<AEAD>_<hash>.
    return nmap_name.replace("TLS_AKE_WITH_", "TLS_", 1)


def kex_input(extra):
    m = re.fullmatch(r"dh (\d+)", extra)
    if m:
        return "dh=" + m.group(1)
    if re.fullmatch(r"(rsa|dsa|ec) \d+", extra):
        return "none"
    return "group=" + NMAP_GROUPS.get(extra, extra)


def convert(lines):
    proto = None
    out = []
    for line in lines:
        m = re.match(r"\|\s+(SSLv3|TLSv1\.[0-3]):\s*$", line)
        if m:
            proto = m.group(1)
            continue
        m = re.match(r"\|\s+(TLS_\w+)(?: \(([^)]*)\))? - ([A-F]|unknown)\s*$", line)
        if m and proto:
            extra = m.group(2) or ""
            kex = kex_input(extra) if extra else "none"
            out.append("%s %s %s %s" % (proto, suite_name(m.group(1)), kex, m.group(3)))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("nmap_output")
    ap.add_argument("--cert", required=True,
                    help='"TYPE BITS SIGALG EXPONENT [CURVE]" of the server certificate')
    ap.add_argument("--provenance", required=True)
    args = ap.parse_args()
    with open(args.nmap_output, encoding="utf-8") as f:
        vectors = convert(f)
    if not vectors:
        print("nmap_grade_vectors: no graded suites found", file=sys.stderr)
        return 1
    print("# provenance: " + args.provenance)
    print("cert " + args.cert)
    print("\n".join(vectors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
