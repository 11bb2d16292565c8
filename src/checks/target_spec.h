#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/status.h"

/* Splits "host", "host:port", "[v6]:port" (or a bare IPv6 literal) into host
 * and port; ST_USAGE with one sentence in err when the spec is malformed. */
enum status target_spec_parse(const char *spec, uint16_t default_port, char *host, size_t host_len,
                              uint16_t *port, char *err, size_t errlen) MUST_CHECK;

/* True for a numeric IPv4 or IPv6 address (never sent as SNI, RFC 6066 3). */
bool target_is_ip_literal(const char *host);
