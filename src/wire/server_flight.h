#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reading a server's answer to one ClientHello, with no I/O: the engine feeds
 * whatever bytes arrive and asks whether the answer is complete.
 *
 * The flight ends at the first of: an alert; a HelloRetryRequest; a TLS 1.3
 * ServerHello; a TLS <= 1.2 ServerHello (or, when want_full is set, the
 * ServerHelloDone after Certificate and ServerKeyExchange); an SSLv2
 * SERVER-HELLO. Anything that is not a well-formed TLS answer ends it with
 * FLIGHT_GARBLED and a reason in words. */

/* Largest handshake message we reassemble. A Certificate message of 100 RSA
 * certificates is ~150 KB; anything past this is refused, not parsed. */
#define FLIGHT_MAX_HS_MSG (256 * 1024)
/* RFC 8446 5.1/5.2: a record body is at most 2^14 (+2048 for ciphertext). */
#define FLIGHT_MAX_RECORD (16384 + 2048)
/* Certificates kept from a chain; the rest are counted, not stored. */
#define FLIGHT_MAX_CERTS 16
#define FLIGHT_MAX_EXTS  32
/* Warning alerts kept (e.g. unrecognized_name before the ServerHello). */
#define FLIGHT_MAX_WARNINGS 4
/* SSLv2 cipher specs kept from a SERVER-HELLO; the rest are counted. */
#define FLIGHT_MAX_SSL2_SPECS 64
/* Bytes of a non-TLS answer kept to describe it in `why`. */
#define FLIGHT_SNIFF_LEN 64
/* A server that streams this much without finishing its flight is refused. */
#define FLIGHT_MAX_TOTAL (2 * FLIGHT_MAX_HS_MSG)

enum flight_state {
    FLIGHT_NEED_MORE = 0,
    FLIGHT_DONE,    /* a complete answer was read (see `answer`) */
    FLIGHT_GARBLED, /* the bytes are not a TLS answer; `why` says how */
};

enum flight_answer {
    ANSWER_NONE = 0,
    ANSWER_SERVER_HELLO,
    ANSWER_HRR,
    ANSWER_ALERT,
    ANSWER_SSL2_SERVER_HELLO,
    ANSWER_SSL2_ERROR, /* SSLv2 ERROR message: code in ssl2_error */
};

/* RFC 8446 4.1.3: the last 8 bytes of a TLS 1.3 server's random when it
 * negotiates an older version. */
enum downgrade_sentinel {
    DOWNGRADE_NONE = 0,
    DOWNGRADE_TLS12, /* "DOWNGRD" 01: negotiated TLS 1.2 */
    DOWNGRADE_TLS11, /* "DOWNGRD" 00: negotiated TLS 1.1 or below */
};

struct server_hello {
    uint16_t legacy_version;
    uint16_t version; /* negotiated: supported_versions if present, else legacy_version */
    uint8_t random[32];
    uint16_t suite;
    uint8_t compression;
    uint8_t session_id_len;
    uint16_t key_share_group; /* ServerHello key_share or HRR selected_group; 0 if none */
    bool has_supported_versions;
    bool has_renegotiation_info;
    bool has_extended_master_secret;
    bool has_cookie; /* HRR */
    uint16_t ext_types[FLIGHT_MAX_EXTS];
    size_t n_exts;
    uint8_t downgrade; /* enum downgrade_sentinel */
    bool is_hrr;       /* RFC 8446 4.1.3: the random is the HelloRetryRequest value */
};

/* ServerKeyExchange (RFC 5246 7.4.3, RFC 8422 5.4), read only for sizes. */
struct server_kx {
    bool present;
    bool is_dh;                 /* DHE: dh_p_bits is set */
    uint16_t dh_p_bits;         /* bit length of p */
    bool is_ecdh;               /* ECDHE: named_curve or explicit_bits set */
    uint16_t named_curve;       /* group code, 0 for explicit curves */
    uint16_t explicit_bits;     /* log2(order) for explicit curves */
    uint16_t rsa_modulus_bytes; /* RSA_EXPORT temporary key */
    uint16_t sig_alg;           /* TLS 1.2 signature algorithm, 0 before 1.2 */
    uint8_t curve_type;         /* ECDHE: RFC 8422 ECCurveType (3 named, 1/2 explicit) */
    bool is_rsa_export;         /* rsa_modulus_bytes is set */
    bool signed_params;         /* a signature followed the parameters */
};

struct cert_view {
    const uint8_t *der;
    size_t len;
};

struct server_flight {
    /* set by the caller before the first feed */
    bool want_full;    /* TLS <= 1.2: read on to ServerHelloDone */
    bool expect_sslv2; /* the hello sent was SSLv2 */
    uint8_t *hs_buf;   /* caller-owned reassembly buffer of hs_cap bytes */
    size_t hs_cap;

    /* results */
    enum flight_answer answer;
    uint8_t alert_level;
    uint8_t alert_desc;
    struct server_hello sh;
    struct server_kx kx;
    struct cert_view certs[FLIGHT_MAX_CERTS]; /* views into hs_buf; first = leaf */
    size_t n_certs;                           /* stored */
    size_t n_certs_seen;                      /* in the message, may exceed FLIGHT_MAX_CERTS */
    uint32_t ssl2_specs[FLIGHT_MAX_SSL2_SPECS];
    size_t n_ssl2_specs;
    bool got_server_hello_done;
    char why[160];         /* garbled: what was wrong, in words */
    bool plain_text;       /* garbled: the answer is a line of text (HTTP, SSH, SMTP...) */
    bool got_server_hello; /* sh is valid (even if the flight later failed) */
    bool got_certificate;
    uint8_t warn_alerts[FLIGHT_MAX_WARNINGS]; /* warning alert descriptions, in order */
    size_t n_warn_alerts;                     /* all seen, may exceed the array */
    uint16_t ssl2_error;                      /* ANSWER_SSL2_ERROR: the error code */
    size_t n_ssl2_specs_seen;                 /* may exceed FLIGHT_MAX_SSL2_SPECS */

    /* parser state: private to server_flight.c */
    uint8_t rec_hdr[5];
    size_t rec_hdr_have;
    size_t rec_need;
    uint8_t rec_type;
    size_t hs_len;      /* bytes of handshake data held in hs_buf */
    size_t hs_consumed; /* bytes of whole messages already parsed */
    size_t total_bytes;
    bool saw_record;
    enum flight_state state;
    uint8_t sniff[FLIGHT_SNIFF_LEN]; /* the start of an answer that is not TLS */
    size_t sniff_have;
    uint8_t alert_byte; /* first half of an alert split across records */
    bool alert_half;
    bool sslv2_record; /* the current record has an SSLv2 2-byte header */
};

/* Prepares a flight; hs_buf must hold FLIGHT_MAX_HS_MSG bytes for full reads
 * (a smaller buffer makes large certificate messages FLIGHT_GARBLED). */
void server_flight_init(struct server_flight *f, uint8_t *hs_buf, size_t hs_cap, bool want_full,
                        bool expect_sslv2);

/* Feeds bytes as they arrive; once DONE or GARBLED, further calls return the
 * same state and ignore the data. */
enum flight_state server_flight_feed(struct server_flight *f, const uint8_t *data, size_t len);

/* The peer closed the connection, or the caller gave up waiting: returns the
 * final state. An answer cut short (a partial record, a handshake message
 * longer than the records that carried it, a non-TLS answer shorter than the
 * sniff window) becomes FLIGHT_GARBLED with `why`; NEED_MORE remains only
 * when nothing conclusive arrived (no bytes, or only warning alerts). */
enum flight_state server_flight_end(struct server_flight *f);

/* Human words for an alert description (RFC 8446 6), e.g. "handshake_failure". */
const char *alert_name(uint8_t desc);

/* TLS alert descriptions we act on. */
#define ALERT_CLOSE_NOTIFY           0
#define ALERT_UNEXPECTED_MESSAGE     10
#define ALERT_RECORD_OVERFLOW        22
#define ALERT_HANDSHAKE_FAILURE      40
#define ALERT_ILLEGAL_PARAMETER      47
#define ALERT_DECODE_ERROR           50
#define ALERT_PROTOCOL_VERSION       70
#define ALERT_INSUFFICIENT_SECURITY  71
#define ALERT_INTERNAL_ERROR         80
#define ALERT_INAPPROPRIATE_FALLBACK 86
#define ALERT_UNRECOGNIZED_NAME      112
