#pragma once

#include <stddef.h>

#include "util/status.h"

/* Syntax check of a target as the user wrote it: "host", "host:port",
 * "[v6]:port", "[v6]" or a bare IPv6 address. Catches what is wrong before
 * anything is scanned (usage errors exit 2 with nothing scanned); name
 * resolution and the rest are the scan's job. ST_USAGE with one sentence in
 * err when the spec is malformed. */
enum status cli_target_check(const char *spec, char *err, size_t errlen) MUST_CHECK;

/* Longest target spec accepted (a DNS name is at most 253 bytes, plus port). */
#define CLI_TARGET_MAX 300
