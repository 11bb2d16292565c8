#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Everything a scan of one target found. checks/ and clients/ fill it; grade/
 * and report/ only read it. Nothing here is a verdict of ours except where a
 * field says so: grades are computed from it by grade/. */

#define RESULTS_NUM_PROTOS      6 /* SSLv2, SSLv3, TLS 1.0, 1.1, 1.2, 1.3 */
#define RESULTS_MAX_SUITES      512
#define RESULTS_MAX_GROUPS      64
#define RESULTS_MAX_NOTES       16
#define RESULTS_TEXT            256
#define RESULTS_MAX_OTHER_CERTS 3

enum proto_state {
    PROTO_NOT_TESTED = 0,
    PROTO_SUPPORTED,
    PROTO_NOT_SUPPORTED,
    PROTO_INCONCLUSIVE, /* the probe broke (timeout, reset, garbage): see reason */
};

enum suite_order {
    ORDER_UNKNOWN = 0, /* fewer than two suites, or the probes broke */
    ORDER_SERVER,      /* the server picks by its own preference */
    ORDER_CLIENT,      /* the server follows the client's order */
};

/* One accepted (protocol, suite) pair and what the key exchange looked like
 * when the server picked it. */
struct suite_result {
    uint32_t code;
    uint16_t group;            /* ECDHE curve or TLS 1.3 group the server chose; 0 if none */
    uint16_t dh_bits;          /* DHE: bit length of p */
    uint16_t explicit_ec_bits; /* ECDHE with an explicit curve: log2(order) */
    uint16_t rsa_export_bytes; /* RSA_EXPORT temporary modulus, in bytes */
};

struct proto_result {
    uint16_t version;
    uint8_t state;             /* enum proto_state */
    char reason[RESULTS_TEXT]; /* why not supported or inconclusive, in words */
    uint8_t order;             /* enum suite_order */
    bool order_partial;        /* ORDER_SERVER, but the probes did not settle all of it */
    struct suite_result suites[RESULTS_MAX_SUITES]; /* server order when ORDER_SERVER */
    size_t n_suites;
    bool suites_complete; /* false: a probe broke mid-enumeration; see incomplete_reason */
    char incomplete_reason[RESULTS_TEXT];
};

struct group_result {
    uint16_t code;
    bool tls13; /* accepted in TLS 1.3 (HelloRetryRequest or ServerHello key_share) */
    bool tls12; /* accepted for ECDHE/FFDHE in TLS <= 1.2 */
};

struct cert_result {
    bool present;
    uint16_t seen_in_version; /* protocol of the handshake that delivered it */
    char key_type[16];        /* "RSA", "EC", "DSA", "Ed25519", "Ed448" */
    int key_bits;
    long rsa_exponent; /* 0 unless RSA */
    char curve[32];    /* EC: e.g. "prime256v1" */
    char sig_alg[64];  /* e.g. "sha256WithRSAEncryption" */
    char subject[RESULTS_TEXT];
    char issuer[RESULTS_TEXT];
    char not_before[32]; /* ISO 8601 UTC */
    char not_after[32];
    bool expired;
    bool self_signed;
    int chain_len;
    char sha256[65]; /* hex fingerprint of the leaf */
};

enum client_verdict {
    CLIENT_NOT_RUN = 0,
    CLIENT_CONNECTS,
    CLIENT_FAILS,        /* the handshake would fail: why says so */
    CLIENT_INCONCLUSIVE, /* the probe broke: why says how */
};

struct client_result {
    const char *id;  /* profile id, owned by the profile database */
    uint8_t verdict; /* enum client_verdict */
    uint16_t version;
    uint32_t suite;
    uint16_t group;
    uint16_t dh_bits;
    char why[RESULTS_TEXT];
};

enum target_state {
    TARGET_SCANNED = 0, /* reached and spoke TLS (some probes may still be inconclusive) */
    TARGET_UNRESOLVED,  /* the name does not resolve */
    TARGET_UNREACHABLE, /* refused, timed out or unroutable */
    TARGET_NOT_TLS,     /* answered, but not with TLS (e.g. plain HTTP, SSH) */
};

struct scan_results {
    char target[RESULTS_TEXT]; /* as the user wrote it */
    char host[RESULTS_TEXT];
    char address[64]; /* numeric address scanned */
    uint16_t port;
    char sni[RESULTS_TEXT]; /* "" when none was sent */
    uint8_t state;          /* enum target_state */
    char error[RESULTS_TEXT];

    struct proto_result protos[RESULTS_NUM_PROTOS]; /* index: results_proto_index() */

    struct group_result groups[RESULTS_MAX_GROUPS];
    size_t n_groups;
    bool groups_complete;

    struct cert_result cert; /* the first leaf seen */
    /* Why no certificate could be read where one was sent or expected; "" when
     * one was read or none was expected (anonymous suites). */
    char cert_error[RESULTS_TEXT];
    /* Leaves of other key types: a server with an RSA and an ECDSA
     * certificate sends each with the suites that need it. */
    struct cert_result other_certs[RESULTS_MAX_OTHER_CERTS];
    size_t n_other_certs;

    struct client_result *clients; /* malloc'd, n_clients entries */
    size_t n_clients;

    /* workarounds applied and other things a reader should know */
    char notes[RESULTS_MAX_NOTES][RESULTS_TEXT];
    size_t n_notes;

    unsigned connections; /* TCP connections opened for this target */
    double elapsed_s;
};

/* Index into protos[] for a wire version (0x0002 SSLv2 .. 0x0304), or -1. */
int results_proto_index(uint16_t version);
/* Allocates zeroed results with protos[].version filled in; NULL on OOM. */
struct scan_results *results_new(void);
/* The certificate that authenticates suite `code` (the leaf of the key type
 * its key exchange relies on), else the first leaf seen. */
const struct cert_result *results_cert_for_suite(const struct scan_results *r, uint32_t code);
/* The kept certificate of this key type ("RSA", "EC", ...), or NULL. */
const struct cert_result *results_cert_for_key_type(const struct scan_results *r,
                                                    const char *key_type);
void results_free(struct scan_results *r);
/* Appends a note (printf-style); silently dropped past RESULTS_MAX_NOTES. */
void results_note(struct scan_results *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Finds or adds a group entry; NULL when the table is full. */
struct group_result *results_group(struct scan_results *r, uint16_t code);
