#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "results/scan_results.h"

/* --all-addresses: how the scans of one name's addresses differ, in words.
 * Pure: results in, phrases out. It judges nothing: a difference sets no
 * exit flag (each address is gated on its own as a target).
 *
 * Compared: whether each address could be scanned; then, between the
 * scanned ones, each protocol's status, each supported protocol's suites (the
 * set, then the server's order), the groups (TLS 1.3, and TLS 1.2 and
 * earlier) and the leaf certificate's SHA-256 fingerprint. */

/* Addresses of one name compared: each is a bit in a uint64_t mask. Those
 * past it are left out, and a phrase says so. */
#define COMPARE_MAX_ADDRESSES 64
/* Phrases kept; past it the last phrase counts the rest. */
#define COMPARE_MAX_DIFFS 32
/* One phrase; a suite list that does not fit ends in "and N more". */
#define COMPARE_TEXT 1024
/* Distinct suite or group codes collected for one comparison. */
#define COMPARE_MAX_CODES (2 * RESULTS_MAX_SUITES)

struct address_comparison {
    bool consistent; /* every address was scanned and nothing compared differs */
    char diffs[COMPARE_MAX_DIFFS][COMPARE_TEXT];
    size_t n_diffs;
    size_t n_dropped; /* phrases past the cap, counted in the last one */
};

/* Compares r[0..n), one name's addresses in the resolver's order (each
 * r[i]->address names one), and fills out: one phrase per difference, e.g.
 * "TLSv1.0 supported on 127.0.0.1 only", "TLSv1.2 suites on ::1 only:
 * TLS_RSA_WITH_AES_128_CBC_SHA", "certificate differs (SHA-256
 * 0123456789abcdef on 127.0.0.1, fedcba9876543210 on ::1)". */
void report_addresses_compare(const struct scan_results *const *r, size_t n,
                              struct address_comparison *out);

/* "127.0.0.1", "127.0.0.1 and ::1", "a, b and c": the addresses of r[0..n). */
void report_addresses_join(const struct scan_results *const *r, size_t n, char *buf, size_t len);
