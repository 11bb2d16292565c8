#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clients/client.h"
#include "util/status.h"

/* The in-memory form of one client profile (data/clients/<id>.json; the
 * format is described in data/clients/README.md). Private to src/clients and
 * its tests: other modules use the accessors in client.h. */

/* Caps on what a profile may hold. The largest real hellos have ~100 suites
 * (OpenSSL 1.0.2) and ~20 extensions; these leave room without letting a
 * corrupt file make us allocate without bound. */
#define CLIENT_MAX_SUITES      256
#define CLIENT_MAX_EXTS        48
#define CLIENT_MAX_LIST        64 /* groups, sigalgs, versions in one extension */
#define CLIENT_MAX_KEY_SHARES  4
#define CLIENT_MAX_TAGS        8
#define CLIENT_MAX_COMPRESSION 8
#define CLIENT_MAX_FILE        (256 * 1024)
#define CLIENT_MAX_KEY_LEN     2048 /* one key share (ML-KEM-1024 hybrids fit) */

enum client_ext_kind {
    CLIENT_EXT_RAW = 0,   /* body written as stored */
    CLIENT_EXT_SNI,       /* server_name built from the target's name */
    CLIENT_EXT_KEY_SHARE, /* built from shares[]: replayed or generated keys */
    CLIENT_EXT_PADDING,   /* RFC 7685 padding computed from the hello's length */
};

struct client_key_share {
    uint16_t group;
    bool generate; /* a fresh key pair per hello (derived profiles) */
    uint8_t *key;  /* replayed public key bytes (captured profiles) */
    size_t key_len;
};

struct client_ext {
    uint16_t type;
    uint8_t kind;  /* enum client_ext_kind */
    uint8_t *body; /* RAW: the encoded body (may be NULL when len is 0) */
    size_t len;
    uint16_t pad_to; /* PADDING: target length of the handshake message */
    struct client_key_share shares[CLIENT_MAX_KEY_SHARES];
    size_t n_shares;
};

/* Acceptance rules: what the client refuses even when the server answers.
 * Zero means no limit. */
struct client_accepts {
    uint16_t min_version;
    uint16_t min_dh_bits;
    uint16_t max_dh_bits;
    uint16_t min_rsa_bits;
    uint16_t max_rsa_bits;
    uint16_t min_ecdsa_bits;
    bool requires_sha2;
    /* false: refuses the MD5+SHA-1 signature of a TLS 1.0/1.1 ServerKeyExchange,
     * so DHE/ECDHE suites need TLS 1.2 (OpenSSL 3 at security level >= 1) */
    bool legacy_kx_signature;
};

/* App Transport Security (iOS/macOS apps): its own list of TLS 1.2 suites and
 * certificate rules on top of the TLS stack's. */
struct client_ats {
    bool present;
    uint16_t min_version;
    uint16_t suites[CLIENT_MAX_LIST];
    size_t n_suites;
    uint16_t min_rsa_bits;
    uint16_t min_ecc_bits;
    bool sha2_signature; /* SHA-256 or better */
};

struct client_profile {
    char *id;
    char *name;
    char *family;
    char *kind; /* provenance: "captured" or "derived" */
    char *source;
    char *where;
    char *tags[CLIENT_MAX_TAGS]; /* the groups the profile belongs to */
    size_t n_tags;

    uint16_t record_version;
    uint16_t client_version;
    uint8_t session_id_len;
    uint16_t suites[CLIENT_MAX_SUITES];
    size_t n_suites;
    uint8_t compression[CLIENT_MAX_COMPRESSION];
    size_t n_compression;
    bool no_extensions_block;
    struct client_ext *exts; /* n_exts entries, malloc'd: most hellos have ~12 */
    size_t n_exts;

    /* read off the hello for judging (GREASE values left out) */
    uint16_t versions[CLIENT_MAX_LIST]; /* supported_versions; empty when not sent */
    size_t n_versions;
    uint16_t groups[CLIENT_MAX_LIST]; /* supported_groups */
    size_t n_groups;
    bool sends_groups;
    uint16_t max_version;

    struct client_accepts accepts;
    struct client_ats ats;

    uint8_t *capture; /* the recorded hello, when the profile has one */
    size_t capture_len;
    char *capture_sni;

    uint64_t hello_key;
};

/* Parses one profile from JSON text; `file` names it in errors, which read
 * "<file>: profile <id>: <field>: <problem>". NULL on error. */
struct client_profile *client_profile_parse(const char *json, size_t len, const char *file,
                                            char *err, size_t errlen);
void client_profile_free(struct client_profile *p);

/* The GREASE values of RFC 8701: 0x0a0a, 0x1a1a, ... 0xfafa. */
bool client_is_grease(uint16_t v);

/* Builds the hello as client_hello_build does; with mask_keys, generated key
 * shares are written as zeros of the right length (stable bytes for
 * client_hello_key and golden tests). */
enum status client_hello_build_ex(const struct client_profile *p, const char *sni,
                                  const uint8_t random[32], bool mask_keys, uint8_t *out,
                                  size_t cap, size_t *out_len) MUST_CHECK;

/* "TLS 1.2", "SSL 3.0": versions in the words of a verdict's reason. */
const char *client_version_words(uint16_t v);

/* The 64-bit key of a hello's bytes (first 8 bytes of SHA-256). */
uint64_t client_hello_hash(const uint8_t *buf, size_t len);

/* Bytes of a TLS 1.3 key share for a group we can generate; 0 if we cannot. */
size_t client_key_share_len(uint16_t group);
