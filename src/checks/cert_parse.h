#pragma once

#include <stddef.h>
#include <stdint.h>

#include "results/scan_results.h"
#include "util/status.h"

/* Reads a DER X.509 certificate with libcrypto into the facts the report and
 * the grader need (key, signature algorithm, names, validity, fingerprint).
 * ST_MALFORMED when libcrypto cannot parse it; out is then untouched. */
enum status cert_parse_der(const uint8_t *der, size_t len, int chain_len, uint16_t version,
                           struct cert_result *out) MUST_CHECK;
