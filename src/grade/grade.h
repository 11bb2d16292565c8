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

#define GRADE_MAX_REASONS 6

struct suite_grade {
    char letter;     /* 'A'..'F', or '?' when nmap would say "unknown" */
    double score;    /* 0..1, nmap's weighted score; meaningless when letter is '?' */
    int kex_bits;    /* RSA-equivalent key exchange strength, -1 unknown */
    int cipher_bits; /* effective cipher strength, -1 unknown */
    const char *reasons[GRADE_MAX_REASONS]; /* static strings, e.g. "64-bit block cipher (SWEET32)" */
    size_t n_reasons;
};

/* cert may be NULL or !present: the certificate step is then skipped (as
 * nmap does without OpenSSL), which leaves plain RSA key exchange unknown. */
void grade_suite(const struct suite_info *suite, const struct suite_result *sr, uint16_t version,
                 const struct cert_result *cert, struct suite_grade *out);

/* Exit-status flags; the process exit status is the OR over all targets. */
#define GATE_STRENGTH  1 /* a suite below the minimum grade, or no forward secrecy anywhere */
#define GATE_USAGE     2 /* nothing was scanned; never combined with others */
#define GATE_REACH     4 /* a required client can no longer connect */
#define GATE_INCOMPLETE 8 /* unreachable, not TLS, or a probe inconclusive */

struct grade_policy {
    char min_grade; /* 'A'..'F': suites graded below this break the gate */
    bool require_forward_secrecy;
};

#define GRADE_MAX_FINDINGS 32

struct scan_verdict {
    char least;     /* the server's grade: the least over all suites, '?' if any unknown, 0 if none */
    unsigned flags; /* GATE_STRENGTH | GATE_INCOMPLETE as found */
    const char *findings[GRADE_MAX_FINDINGS]; /* why each flag is set, in words (owned by out) */
    char findings_buf[GRADE_MAX_FINDINGS][RESULTS_TEXT];
    size_t n_findings;
};

/* Applies the policy to one target's results (strength and completeness; reach
 * is judged by clients/). */
void grade_scan(const struct scan_results *r, const struct grade_policy *policy,
                struct scan_verdict *out);
