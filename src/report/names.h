#pragma once

#include <stddef.h>
#include <stdint.h>

/* Words for the codes in struct scan_results. Only report/ turns wire values
 * into text (see STYLE.md). Each returns a static string. */

/* "SSLv2", "SSLv3", "TLSv1.0" ... "TLSv1.3"; "unknown" otherwise. */
const char *report_version_name(uint16_t version);
/* "ECDHE", "DHE", "RSA", ... from enum suite_kex. */
const char *report_kex_name(unsigned kex);
/* The key exchange words for a suite as negotiated: for TLS 1.3 suites,
 * from the group ("ECDHE", "DHE", "HYBRID"); s may be NULL ("unknown"). */
struct suite_info;
const char *report_suite_kex(const struct suite_info *s, uint16_t group);
const char *report_target_state_name(unsigned state);     /* "scanned", "not_tls", ... */
const char *report_proto_state_name(unsigned state);      /* "supported", ... */
const char *report_client_verdict_name(unsigned verdict); /* "connects", ... */

/* The IANA group name, or "0x%04X" when unknown, into buf. */
const char *report_group_name(uint16_t code, char *buf, size_t len);
/* "0x%04X" for TLS suites, "0x%06X" for SSLv2 cipher specs. */
const char *report_suite_code(uint32_t code, char *buf, size_t len);
/* The suite's IANA name, or its code when the registry does not know it. */
const char *report_suite_name(uint32_t code, char *buf, size_t len);
