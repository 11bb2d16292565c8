#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "clients/profile.h"
#include "registry/registry.h"
#include "wire/hello_client.h"
#include "wire/writer.h"

/* Rebuilding a profile's ClientHello: the stored fields in their stored
 * order, with the parts a real client makes fresh per connection (random,
 * session id, SNI, generated key shares, padding) filled in here. */

/* Room for the extension bodies made per hello: one server_name (at most 255
 * bytes of name) and one key_share (a few keys of at most CLIENT_MAX_KEY_LEN). */
#define DYN_CAP (512 + CLIENT_MAX_KEY_SHARES * (4 + CLIENT_MAX_KEY_LEN))
#define MAX_SNI 255
#define MAX_PAD 16384

/* RFC 7685 3: the padding extension carries zeros. */
static const uint8_t zero_pad[MAX_PAD];

#define GROUP_SECP256R1 0x0017
#define GROUP_SECP384R1 0x0018
#define GROUP_SECP521R1 0x0019
#define GROUP_X25519    0x001d
#define GROUP_X448      0x001e

/* Key share sizes (RFC 8446 4.2.8.2: uncompressed points; RFC 7748 sizes). */
static const struct {
    uint16_t group;
    uint16_t len;
    const char *evp_type;
    const char *curve;
} keygen_table[] = {
    {GROUP_X25519, 32, "X25519", NULL},    {GROUP_X448, 56, "X448", NULL},
    {GROUP_SECP256R1, 65, "EC", "P-256"},  {GROUP_SECP384R1, 97, "EC", "P-384"},
    {GROUP_SECP521R1, 133, "EC", "P-521"},
};

size_t client_key_share_len(uint16_t group)
{
    for (size_t i = 0; i < sizeof(keygen_table) / sizeof(keygen_table[0]); i++) {
        if (keygen_table[i].group == group) {
            return keygen_table[i].len;
        }
    }
    return 0;
}

/* A fresh public key for the group, as a key_share entry carries it. The
 * private half is thrown away: the simulation stops at the ServerHello. */
static enum status keygen_public(uint16_t group, uint8_t *out, size_t want)
{
    size_t i = 0;
    while (keygen_table[i].group != group) {
        i++;
    }
    EVP_PKEY *pkey = keygen_table[i].curve
                         ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", keygen_table[i].curve)
                         : EVP_PKEY_Q_keygen(NULL, NULL, keygen_table[i].evp_type);
    if (pkey == NULL) {
        return ST_UNSUPPORTED;
    }
    size_t got = want;
    int ok = keygen_table[i].curve ? EVP_PKEY_get_octet_string_param(
                                         pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out, want, &got)
                                   : EVP_PKEY_get_raw_public_key(pkey, out, &got);
    EVP_PKEY_free(pkey);
    return ok == 1 && got == want ? ST_OK : ST_UNSUPPORTED;
}

static enum status write_key_share(const struct client_ext *e, bool mask_keys, struct writer *w)
{
    uint8_t key[CLIENT_MAX_KEY_LEN];
    wr_vec16_open(w);
    for (size_t i = 0; i < e->n_shares; i++) {
        const struct client_key_share *s = &e->shares[i];
        wr_u16(w, s->group);
        wr_vec16_open(w);
        if (!s->generate) {
            wr_bytes(w, s->key, s->key_len);
        } else if (mask_keys) {
            wr_zeros(w, client_key_share_len(s->group));
        } else {
            TRY(keygen_public(s->group, key, client_key_share_len(s->group)));
            wr_bytes(w, key, client_key_share_len(s->group));
        }
        wr_vec_close(w);
    }
    wr_vec_close(w);
    return ST_OK;
}

static void write_sni(const char *sni, struct writer *w)
{
    /* RFC 6066 3: a list holding one host_name (type 0). */
    wr_vec16_open(w);
    wr_u8(w, 0);
    wr_vec16_open(w);
    wr_bytes(w, (const uint8_t *)sni, strlen(sni));
    wr_vec_close(w);
    wr_vec_close(w);
}

struct hello_parts {
    struct hello_ext exts[CLIENT_MAX_EXTS];
    size_t n_exts;
    int pad_index; /* position of the padding extension in exts, -1 if none */
    uint16_t pad_to;
    uint8_t dyn[DYN_CAP];
    uint8_t session_id[32];
};

/* Fills parts->exts in the profile's order; the padding extension is left
 * out here and placed by the caller once the hello's length is known. */
static enum status collect_exts(const struct client_profile *p, const char *sni, bool mask_keys,
                                struct hello_parts *parts)
{
    struct writer w = wr_init(parts->dyn, sizeof(parts->dyn));
    parts->n_exts = 0;
    parts->pad_index = -1;
    for (size_t i = 0; i < p->n_exts; i++) {
        const struct client_ext *e = &p->exts[i];
        struct hello_ext *out = &parts->exts[parts->n_exts];
        size_t start = w.len;
        if (e->kind == CLIENT_EXT_SNI && (sni == NULL || sni[0] == '\0')) {
            continue; /* a client sends no server_name when it connects by address */
        }
        if (e->kind == CLIENT_EXT_SNI) {
            write_sni(sni, &w);
        } else if (e->kind == CLIENT_EXT_KEY_SHARE) {
            TRY(write_key_share(e, mask_keys, &w));
        } else if (e->kind == CLIENT_EXT_PADDING) {
            parts->pad_index = (int)parts->n_exts;
            parts->pad_to = e->pad_to;
        }
        if (!wr_ok(&w)) {
            return ST_TOO_BIG;
        }
        out->type = e->type;
        out->body = e->kind == CLIENT_EXT_RAW ? e->body : parts->dyn + start;
        out->len = e->kind == CLIENT_EXT_RAW ? e->len : w.len - start;
        parts->n_exts++;
    }
    return ST_OK;
}

/* The session id a client sends is random bytes; ours come from the hello's
 * random so that a fixed random gives a fixed hello. */
static void make_session_id(const uint8_t random[32], uint8_t out[32])
{
    unsigned int n = 0;
    static const uint8_t label[] = "tlsgate session id";
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
        EVP_DigestUpdate(md, label, sizeof(label)) != 1 || EVP_DigestUpdate(md, random, 32) != 1 ||
        EVP_DigestFinal_ex(md, out, &n) != 1) {
        memcpy(out, random, 32); /* still unpredictable to the server */
    }
    EVP_MD_CTX_free(md);
}

static void remove_ext(struct hello_parts *parts, size_t at)
{
    memmove(&parts->exts[at], &parts->exts[at + 1],
            (parts->n_exts - at - 1) * sizeof(parts->exts[0]));
    parts->n_exts--;
}

/* RFC 7685 padding, as OpenSSL and BoringSSL apply it: a hello message of
 * 256..pad_to-1 bytes grows to exactly pad_to; other hellos carry no
 * padding. The extension's own 4-byte header counts, and it is never empty. */
static size_t padding_len(size_t msg_len, uint16_t pad_to)
{
    if (msg_len < 256 || msg_len >= pad_to) {
        return SIZE_MAX;
    }
    size_t n = pad_to - msg_len;
    return n > 4 ? n - 4 : 1;
}

/* Measures the hello without the padding extension, then puts the extension
 * back with the length the rule asks for (or leaves it out). */
static enum status place_padding(struct hello_parts *parts, struct hello_spec *spec, uint8_t *out,
                                 size_t cap, size_t *out_len)
{
    size_t pad = (size_t)parts->pad_index;
    remove_ext(parts, pad);
    spec->n_exts = parts->n_exts;
    TRY(hello_client_build(spec, out, cap, out_len));
    /* the record header is not part of the handshake message */
    size_t n = padding_len(*out_len - 5, parts->pad_to);
    if (n != SIZE_MAX) {
        memmove(&parts->exts[pad + 1], &parts->exts[pad],
                (parts->n_exts - pad) * sizeof(parts->exts[0]));
        parts->exts[pad] = (struct hello_ext){EXT_PADDING, zero_pad, n};
        parts->n_exts++;
        spec->n_exts = parts->n_exts;
    }
    return ST_OK;
}

static enum status build_parts(const struct client_profile *p, const char *sni,
                               const uint8_t random[32], bool mask_keys, struct hello_parts *parts,
                               uint8_t *out, size_t cap, size_t *out_len)
{
    if (sni != NULL && strlen(sni) > MAX_SNI) {
        return ST_USAGE;
    }
    TRY(collect_exts(p, sni, mask_keys, parts));
    make_session_id(random, parts->session_id);
    struct hello_spec spec = {
        .record_version = p->record_version,
        .legacy_version = p->client_version,
        .random = random,
        .session_id = parts->session_id,
        .session_id_len = p->session_id_len,
        .suites = p->suites,
        .n_suites = p->n_suites,
        .compression = p->compression,
        .n_compression = p->n_compression,
        .exts = parts->exts,
        .n_exts = parts->n_exts,
        .no_extensions_block = p->no_extensions_block,
    };
    if (parts->pad_index >= 0) {
        TRY(place_padding(parts, &spec, out, cap, out_len));
    }
    return hello_client_build(&spec, out, cap, out_len);
}

enum status client_hello_build_ex(const struct client_profile *p, const char *sni,
                                  const uint8_t random[32], bool mask_keys, uint8_t *out,
                                  size_t cap, size_t *out_len)
{
    /* on the heap: the scratch for extension bodies is several KB */
    struct hello_parts *parts = calloc(1, sizeof(*parts));
    if (parts == NULL) {
        return ST_NO_MEMORY;
    }
    enum status st = build_parts(p, sni, random, mask_keys, parts, out, cap, out_len);
    free(parts);
    return st;
}

enum status client_hello_build(const struct client_profile *p, const char *sni,
                               const uint8_t random[32], uint8_t *out, size_t cap, size_t *out_len)
{
    return client_hello_build_ex(p, sni, random, false, out, cap, out_len);
}

uint64_t client_hello_hash(const uint8_t *buf, size_t len)
{
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    uint64_t key = 0;
    if (EVP_Digest(buf, len, md, &n, EVP_sha256(), NULL) != 1) {
        return 0;
    }
    for (int i = 0; i < 8; i++) {
        key = key << 8 | md[i];
    }
    return key;
}

uint64_t client_hello_key(const struct client_profile *p)
{
    return p->hello_key;
}
