#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util/status.h"

/* Syntax check of a target as the user wrote it: "host", "host:port",
 * "[v6]:port", "[v6]" or a bare IPv6 address. Catches what is wrong before
 * anything is scanned (usage errors exit 2 with nothing scanned); name
 * resolution and the rest are the scan's job. ST_USAGE with one sentence in
 * err when the spec is malformed. */
enum status cli_target_check(const char *spec, char *err, size_t errlen) MUST_CHECK;

/* Whether -4 (family AF_INET) or -6 (AF_INET6) can scan a target spec that
 * passed cli_target_check: ST_USAGE, with one sentence in err, for an IP
 * literal of the other family, which no resolver turns into an address of
 * the family asked for. Host names and AF_UNSPEC always pass. */
enum status cli_target_family_check(const char *spec, int family, char *err,
                                    size_t errlen) MUST_CHECK;

/* An RFC 1123 host name as server_name needs it (RFC 6066 3): labels of 1 to
 * 63 letters, digits and hyphens, neither first nor last a hyphen, joined by
 * dots, n characters in all (at most CLI_SNI_MAX, no trailing dot). An IPv4
 * literal passes: check for one first. */
bool cli_hostname_valid(const char *name, size_t n);

/* Longest target spec accepted (a DNS name is at most 253 bytes, plus port). */
#define CLI_TARGET_MAX 300
