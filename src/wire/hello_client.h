#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/status.h"

/* Building ClientHellos, byte by byte (RFC 5246 7.4.1.2, RFC 8446 4.1.2).
 *
 * Two layers:
 *  - hello_client_build() writes a record-framed hello from a fully explicit
 *    spec: every extension is given as (type, body) in wire order. Client
 *    profiles use it to reproduce a captured hello exactly.
 *  - hello_scan_build() is the scanner's own hello: one protocol version, a
 *    suite list, and the extensions a server needs to answer honestly. */

/* A hello never exceeds one record (2^14): larger offers are split by the
 * caller into chunks instead. */
#define HELLO_MAX_LEN (16384 + 5)

struct hello_ext {
    uint16_t type;
    const uint8_t *body;
    size_t len;
};

struct hello_spec {
    uint16_t record_version; /* version in the record header */
    uint16_t legacy_version; /* ClientHello.client_version */
    const uint8_t *random;   /* 32 bytes */
    const uint8_t *session_id;
    size_t session_id_len; /* 0..32 */
    const uint16_t *suites;
    size_t n_suites;
    const uint8_t *compression; /* NULL means the single method null (0) */
    size_t n_compression;
    const struct hello_ext *exts; /* written in this order */
    size_t n_exts;
    bool no_extensions_block; /* SSLv3-era hellos: omit the extensions length */
};

/* Writes the record header, handshake header and body. *out_len is the total. */
enum status hello_client_build(const struct hello_spec *spec, uint8_t *out, size_t cap,
                               size_t *out_len) MUST_CHECK;

enum scan_hello_flag {
    SCAN_HELLO_NO_SNI = 1 << 0,
    SCAN_HELLO_NO_EXTENSIONS = 1 << 1, /* for extension-intolerant servers */
    /* RFC 7685: some load balancers drop hellos of 256..511 bytes; pad those
     * to 512. */
    SCAN_HELLO_PAD = 1 << 2,
    /* TLS 1.3 probes: send supported_groups but an empty key_share, so the
     * server must answer with a HelloRetryRequest naming its group and suite
     * without us computing a key share (RFC 8446 4.1.4). */
    SCAN_HELLO_EMPTY_KEY_SHARE = 1 << 3,
    SCAN_HELLO_NO_SUPPORTED_VERSIONS = 1 << 4,
};

struct scan_hello {
    uint16_t version; /* the one protocol probed (0x0300..0x0304) */
    const uint16_t *suites;
    size_t n_suites;
    const uint16_t *groups; /* NULL: the scanner's default list for the version */
    size_t n_groups;
    const char *sni; /* NULL or "" for none; IP literals are never sent */
    const uint8_t *random; /* 32 bytes */
    unsigned flags; /* enum scan_hello_flag */
};

enum status hello_scan_build(const struct scan_hello *h, uint8_t *out, size_t cap,
                             size_t *out_len) MUST_CHECK;

/* Every signature algorithm and group in the registry that a scanner should
 * offer so that no server refuses for lack of a common one. */
extern const uint16_t scan_default_sigalgs[];
extern const size_t scan_default_sigalgs_len;
extern const uint16_t scan_default_groups[];
extern const size_t scan_default_groups_len;

/* The SSLv2 CLIENT-HELLO (2-byte header form): specs are 3-byte cipher specs. */
enum status hello_sslv2_build(const uint32_t *specs, size_t n_specs, const uint8_t *challenge16,
                              uint8_t *out, size_t cap, size_t *out_len) MUST_CHECK;
