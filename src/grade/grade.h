#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "registry/registry.h"
#include "results/scan_results.h"

/* Per-suite letters computed exactly as nmap's ssl-enum-ciphers does (key
 * exchange strength and cipher strength only, with its caps), so a team moving
 * from nmap sees the same letters; plus the words that explain each non-A.
 * Pure: reads results, never touches the network or prints. */

/* Enough for every reason that can apply to one suite at once (an export,
 * MD5, 64-bit CBC suite in SSLv3 with a SHA-1 certificate reaches 10). */
#define GRADE_MAX_REASONS 12

struct suite_grade {
    char letter;     /* 'A'..'F', or '?' when nmap would say "unknown" */
    double score;    /* 0..1, nmap's weighted score; meaningless when letter is '?' */
    int kex_bits;    /* RSA-equivalent key exchange strength, -1 unknown */
    int cipher_bits; /* effective cipher strength, -1 unknown */
    /* Words for each factor below A and each warning, most important first,
     * e.g. "64-bit block cipher (SWEET32)". Static strings, except that one
     * may point into kex_reason below: keep the struct where grade_suite
     * wrote it (like scan_verdict's findings). */
    const char *reasons[GRADE_MAX_REASONS];
    size_t n_reasons;
    /* What the key exchange strength was read from, as nmap shows it beside
     * the suite: "secp256r1", "DH 2048", "RSA 2048"; "" when nothing was. */
    char kex_desc[48];
    char kex_reason[96]; /* backing store, e.g. "key exchange below 2048 bits (DH 1024)" */
};

/* Grades one accepted suite as nmap's ssl-enum-ciphers does (the rules are
 * summarised at the top of grade/grade_suite.c). suite NULL (a code the
 * registry does not know) grades '?'.
 *
 * Inputs from sr, by key exchange: DHE/DH_anon/DHE_PSK use dh_bits (bit length
 * of p, rounded up to whole bytes as nmap counts them); ECDHE/ECDH_anon/
 * ECDHE_PSK use group, or explicit_ec_bits (the bit length of the curve
 * order, as wire/server_kx reports it) for explicit curves; TLS 1.3 uses group (the
 * HelloRetryRequest or ServerHello key_share group); RSA_EXPORT uses
 * rsa_export_bytes; SRP uses dh_bits as the bit length of N (nmap rates SRP by
 * N's byte length, a quirk reproduced here). A zero field means "not seen".
 *
 * cert may be NULL or !present: the certificate step is then skipped (as
 * nmap does without OpenSSL), which leaves plain RSA key exchange unknown.
 * The step also needs cert->key_type to match what the key exchange expects
 * ("RSA" for RSA and *_RSA ephemeral kex, "DSA" for DSS, "EC" for ECDSA and
 * static ECDH, "DH" for static DH), and never runs for TLS 1.3, where the
 * certificate is encrypted and nmap cannot see it. */
void grade_suite(const struct suite_info *suite, const struct suite_result *sr, uint16_t version,
                 const struct cert_result *cert, struct suite_grade *out);

/* Orders letters as nmap's "least strength" does: 'A' = 0 .. 'F' = 5, and
 * '?' (unknown) = 6, after F. Anything else ranks 7. */
int grade_letter_rank(char letter);
/* The worse of two letters by that order; 0 counts as "no grade yet". */
char grade_letter_worse(char a, char b);
/* True when the suite counts as forward-secret for the policy: ephemeral,
 * authenticated and not export-grade (TLS 1.3 always is). */
bool grade_suite_forward_secret(const struct suite_info *suite);

/* Exit-status flags; the process exit status is the OR over all targets. */
#define GATE_STRENGTH   1 /* a suite below the minimum grade, or no forward secrecy anywhere */
#define GATE_USAGE      2 /* nothing was scanned; never combined with others */
#define GATE_REACH      4 /* a required client can no longer connect */
#define GATE_INCOMPLETE 8 /* unreachable, not TLS, or a probe inconclusive */

struct grade_policy {
    char min_grade; /* 'A'..'F': suites graded below this break the gate */
    bool require_forward_secrecy;
};

#define GRADE_MAX_FINDINGS 32

struct scan_verdict {
    char least; /* the server's grade: the least over all suites, '?' if any unknown, 0 if none */
    unsigned flags;                           /* GATE_STRENGTH | GATE_INCOMPLETE as found */
    const char *findings[GRADE_MAX_FINDINGS]; /* why each flag is set, in words (owned by out) */
    char findings_buf[GRADE_MAX_FINDINGS][RESULTS_TEXT];
    size_t n_findings;
};

/* Applies the policy to one target's results (strength and completeness; reach
 * is judged by clients/). policy NULL means min_grade 'A' with forward
 * secrecy required. Suites count as forward-secret by
 * grade_suite_forward_secret(); the forward-secrecy finding is only raised
 * when at least one suite was accepted. Findings past GRADE_MAX_FINDINGS are
 * summarised in the last one ("and N more findings"). */
void grade_scan(const struct scan_results *r, const struct grade_policy *policy,
                struct scan_verdict *out);
