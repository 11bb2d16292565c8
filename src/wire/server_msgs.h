#pragma once

#include <stddef.h>
#include <stdint.h>

#include "util/status.h"
#include "wire/server_flight.h"
#include "wire/suite_kex.h"

/* The parsers of single server messages that server_flight.c strings
 * together, exposed so each can be tested and fuzzed alone. Each takes one
 * message body (without its handshake or record header), reads it through a
 * struct reader, and on ST_MALFORMED writes the reason in words into `why`
 * (`why_cap` bytes, always NUL-terminated). Views in the results point into
 * `body`. */

/* ServerHello or HelloRetryRequest (RFC 5246 7.4.1.3, RFC 8446 4.1.3). */
enum status server_hello_parse(const uint8_t *body, size_t len, struct server_hello *sh, char *why,
                               size_t why_cap) MUST_CHECK;

/* TLS <= 1.2 Certificate (RFC 5246 7.4.2): keeps up to `max` views, counts all. */
enum status server_cert_parse(const uint8_t *body, size_t len, struct cert_view *certs, size_t max,
                              size_t *n_stored, size_t *n_seen, char *why,
                              size_t why_cap) MUST_CHECK;

/* ServerKeyExchange for a suite of key exchange `kex` in protocol `version`
 * (RFC 5246 7.4.3, RFC 8422 5.4, RFC 4279 3, RFC 5054 2.5.3). */
enum status server_kx_parse(const uint8_t *body, size_t len, enum wire_kex kex, uint16_t version,
                            struct server_kx *kx, char *why, size_t why_cap) MUST_CHECK;

/* An SSLv2 server message: SERVER-HELLO or ERROR. */
struct ssl2_server_msg {
    bool is_error;
    uint16_t error_code;
    uint8_t session_id_hit;
    uint8_t cert_type;
    uint16_t version;
    struct cert_view cert;
    uint32_t specs[FLIGHT_MAX_SSL2_SPECS];
    size_t n_specs;
    size_t n_specs_seen;
};

enum status ssl2_server_parse(const uint8_t *body, size_t len, struct ssl2_server_msg *m, char *why,
                              size_t why_cap) MUST_CHECK;

/* One TLS alert: exactly level and description (RFC 5246 7.2). */
enum status alert_parse(const uint8_t *body, size_t len, uint8_t *level, uint8_t *desc, char *why,
                        size_t why_cap) MUST_CHECK;

/* Writes a formatted reason into why (truncating, always terminated). */
void why_set(char *why, size_t why_cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
