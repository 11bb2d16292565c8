#include "clients/profile.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"
#include "wire/hello_client.h"
#include "wire/writer.h"

/* Profile JSON -> struct client_profile. Every field is checked; an error
 * names the file, the profile id and the field, so a hand-edited profile
 * fails loudly instead of sending a different hello than it says. */

#define PROFILE_FORMAT   1
#define MAX_DH_BITS      16384
#define MAX_ALPN_PROTO   255
#define MAX_SNI_CAPTURED 255

struct parse_ctx {
    const char *file;
    const char *id;
    char *err;
    size_t errlen;
};

__attribute__((format(printf, 3, 4))) static enum status
perr(const struct parse_ctx *c, const char *field, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(c->err, c->errlen, "%s: profile %s: %s: %s", c->file, c->id ? c->id : "?", field, msg);
    return ST_MALFORMED;
}

bool client_is_grease(uint16_t v)
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* Only these keys may appear in obj: a misspelt key is an error, not a
 * silently ignored rule. */
static enum status check_keys(const struct parse_ctx *c, const char *field, json_t *obj,
                              const char *const *allowed)
{
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val)
    {
        bool ok = false;
        for (size_t i = 0; allowed[i] != NULL && !ok; i++) {
            ok = strcmp(key, allowed[i]) == 0;
        }
        if (!ok) {
            return perr(c, field, "unknown key \"%s\"", key);
        }
    }
    return ST_OK;
}

static enum status req_string(const struct parse_ctx *c, json_t *obj, const char *key, char **out)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v) || json_string_length(v) == 0) {
        return perr(c, key, "missing or not a non-empty string");
    }
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        return perr(c, key, "contains a NUL byte");
    }
    *out = strdup(json_string_value(v));
    return *out ? ST_OK : ST_NO_MEMORY;
}

static int hex_nibble(char ch)
{
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    }
    if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f') {
        return (ch | 0x20) - 'a' + 10;
    }
    return -1;
}

/* A code point is written "0x001d x25519": the hex value decides, the name is
 * for people (tests check names against the registry). */
static enum status parse_code(const struct parse_ctx *c, const char *field, json_t *v,
                              uint16_t *out)
{
    const char *s = json_string_value(v);
    if (s == NULL || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) {
        return perr(c, field, "expected a string \"0xHHHH name\"");
    }
    unsigned long val = 0;
    size_t i = 2;
    for (; s[i] != '\0' && s[i] != ' '; i++) {
        if (hex_nibble(s[i]) < 0 || i >= 6) {
            return perr(c, field, "bad code \"%s\"", s);
        }
        val = val * 16 + (unsigned long)hex_nibble(s[i]);
    }
    if (i == 2) {
        return perr(c, field, "bad code \"%s\"", s);
    }
    *out = (uint16_t)val;
    return ST_OK;
}

static enum status parse_code_list(const struct parse_ctx *c, const char *field, json_t *arr,
                                   uint16_t *out, size_t cap, size_t *n)
{
    if (!json_is_array(arr) || json_array_size(arr) > cap) {
        return perr(c, field, "expected an array of at most %zu codes", cap);
    }
    for (size_t i = 0; i < json_array_size(arr); i++) {
        TRY(parse_code(c, field, json_array_get(arr, i), &out[i]));
    }
    *n = json_array_size(arr);
    return ST_OK;
}

static enum status parse_byte_list(const struct parse_ctx *c, const char *field, json_t *arr,
                                   uint8_t *out, size_t cap, size_t *n)
{
    if (!json_is_array(arr) || json_array_size(arr) > cap) {
        return perr(c, field, "expected an array of at most %zu bytes", cap);
    }
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *v = json_array_get(arr, i);
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 255) {
            return perr(c, field, "element %zu is not an integer 0..255", i);
        }
        out[i] = (uint8_t)json_integer_value(v);
    }
    *n = json_array_size(arr);
    return ST_OK;
}

static enum status parse_hex(const struct parse_ctx *c, const char *field, json_t *v, size_t max,
                             uint8_t **out, size_t *len)
{
    const char *s = json_string_value(v);
    if (s == NULL) {
        return perr(c, field, "expected a hex string");
    }
    size_t n = strlen(s);
    if (n % 2 != 0 || n / 2 > max) {
        return perr(c, field, "hex string of odd length or longer than %zu bytes", max);
    }
    *len = n / 2;
    *out = malloc(n / 2 + 1);
    if (*out == NULL) {
        return ST_NO_MEMORY;
    }
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_nibble(s[2 * i]);
        int lo = hex_nibble(s[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return perr(c, field, "not hex at offset %zu", 2 * i);
        }
        (*out)[i] = (uint8_t)(hi << 4 | lo);
    }
    return ST_OK;
}

static enum status parse_bits(const struct parse_ctx *c, json_t *obj, const char *key,
                              uint16_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > MAX_DH_BITS) {
        return perr(c, key, "expected an integer 0..%d (0: no limit)", MAX_DH_BITS);
    }
    *out = (uint16_t)json_integer_value(v);
    return ST_OK;
}

static enum status parse_bool(const struct parse_ctx *c, json_t *obj, const char *key, bool *out)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_boolean(v)) {
        return perr(c, key, "expected true or false");
    }
    *out = json_is_true(v);
    return ST_OK;
}

/* ---------------------------------------------------------------- extensions */

/* Encodes a list of u16 codes with a 1- or 2-byte length prefix. */
static enum status encode_codes(struct client_ext *e, const uint16_t *codes, size_t n, int prefix)
{
    e->len = (size_t)prefix + 2 * n;
    e->body = malloc(e->len);
    if (e->body == NULL) {
        return ST_NO_MEMORY;
    }
    struct writer w = wr_init(e->body, e->len);
    prefix == 1 ? wr_vec8_open(&w) : wr_vec16_open(&w);
    for (size_t i = 0; i < n; i++) {
        wr_u16(&w, codes[i]);
    }
    wr_vec_close(&w);
    return wr_done(&w) ? ST_OK : ST_MALFORMED;
}

static enum status encode_bytes8(struct client_ext *e, const uint8_t *v, size_t n)
{
    e->len = 1 + n;
    e->body = malloc(e->len);
    if (e->body == NULL) {
        return ST_NO_MEMORY;
    }
    struct writer w = wr_init(e->body, e->len);
    wr_vec8_open(&w);
    wr_bytes(&w, v, n);
    wr_vec_close(&w);
    return wr_done(&w) ? ST_OK : ST_MALFORMED;
}

static enum status ext_codes(const struct parse_ctx *c, struct client_profile *p,
                             struct client_ext *e, json_t *arr, const char *field)
{
    uint16_t codes[CLIENT_MAX_LIST];
    size_t n = 0;
    TRY(parse_code_list(c, field, arr, codes, CLIENT_MAX_LIST, &n));
    if (e->type == EXT_SUPPORTED_VERSIONS) {
        for (size_t i = 0; i < n; i++) {
            if (!client_is_grease(codes[i])) {
                p->versions[p->n_versions++] = codes[i];
            }
        }
        return encode_codes(e, codes, n, 1);
    }
    if (e->type == EXT_SUPPORTED_GROUPS) {
        p->sends_groups = true;
        for (size_t i = 0; i < n; i++) {
            if (!client_is_grease(codes[i])) {
                p->groups[p->n_groups++] = codes[i];
            }
        }
    }
    return encode_codes(e, codes, n, 2);
}

static enum status ext_alpn(const struct parse_ctx *c, struct client_ext *e, json_t *arr)
{
    if (!json_is_array(arr) || json_array_size(arr) == 0 ||
        json_array_size(arr) > CLIENT_MAX_LIST) {
        return perr(c, "alpn", "expected a non-empty array of protocol names");
    }
    size_t total = 2;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        size_t n = json_string_length(json_array_get(arr, i));
        if (!json_is_string(json_array_get(arr, i)) || n == 0 || n > MAX_ALPN_PROTO) {
            return perr(c, "alpn", "element %zu is not a protocol name of 1..255 bytes", i);
        }
        total += 1 + n;
    }
    e->body = malloc(total);
    if (e->body == NULL) {
        return ST_NO_MEMORY;
    }
    e->len = total;
    struct writer w = wr_init(e->body, total);
    wr_vec16_open(&w);
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *s = json_array_get(arr, i);
        wr_vec8_open(&w);
        wr_bytes(&w, (const uint8_t *)json_string_value(s), json_string_length(s));
        wr_vec_close(&w);
    }
    wr_vec_close(&w);
    return wr_done(&w) ? ST_OK : ST_MALFORMED;
}

static enum status ext_key_shares(const struct parse_ctx *c, struct client_ext *e, json_t *arr)
{
    if (!json_is_array(arr) || json_array_size(arr) > CLIENT_MAX_KEY_SHARES) {
        return perr(c, "key_shares", "expected an array of at most %d shares",
                    CLIENT_MAX_KEY_SHARES);
    }
    static const char *const keys[] = {"group", "key", NULL};
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *ks = json_array_get(arr, i);
        struct client_key_share *s = &e->shares[i];
        e->n_shares = i + 1;
        if (!json_is_object(ks)) {
            return perr(c, "key_shares", "element %zu is not an object", i);
        }
        TRY(check_keys(c, "key_shares", ks, keys));
        TRY(parse_code(c, "key_shares.group", json_object_get(ks, "group"), &s->group));
        json_t *key = json_object_get(ks, "key");
        if (json_is_string(key) && strcmp(json_string_value(key), "generate") == 0) {
            if (client_key_share_len(s->group) == 0) {
                return perr(c, "key_shares.key", "cannot generate a key for group 0x%04x",
                            s->group);
            }
            s->generate = true;
            continue;
        }
        TRY(parse_hex(c, "key_shares.key", key, CLIENT_MAX_KEY_LEN, &s->key, &s->key_len));
    }
    return ST_OK;
}

/* Which structured key goes with which extension type. */
struct ext_rule {
    const char *key;
    uint16_t type;
    uint16_t type2; /* signature_algorithms_cert shares "sigalgs" */
};

static const struct ext_rule ext_rules[] = {
    {"sni", EXT_SERVER_NAME, EXT_SERVER_NAME},
    {"groups", EXT_SUPPORTED_GROUPS, EXT_SUPPORTED_GROUPS},
    {"sigalgs", EXT_SIGNATURE_ALGORITHMS, EXT_SIGNATURE_ALGORITHMS_CERT},
    {"versions", EXT_SUPPORTED_VERSIONS, EXT_SUPPORTED_VERSIONS},
    {"point_formats", EXT_EC_POINT_FORMATS, EXT_EC_POINT_FORMATS},
    {"psk_modes", EXT_PSK_KEY_EXCHANGE_MODES, EXT_PSK_KEY_EXCHANGE_MODES},
    {"alpn", EXT_ALPN, EXT_ALPN},
    {"key_shares", EXT_KEY_SHARE, EXT_KEY_SHARE},
    {"pad_to", EXT_PADDING, EXT_PADDING},
    {"data", 0, 0}, /* any type */
};

static enum status ext_content(const struct parse_ctx *c, struct client_profile *p,
                               struct client_ext *e, const char *key, json_t *v)
{
    if (strcmp(key, "data") == 0) {
        return parse_hex(c, "data", v, HELLO_MAX_LEN, &e->body, &e->len);
    }
    if (strcmp(key, "sni") == 0) {
        e->kind = CLIENT_EXT_SNI;
        return json_is_true(v) ? ST_OK : perr(c, "sni", "must be true (omit the extension)");
    }
    if (strcmp(key, "key_shares") == 0) {
        e->kind = CLIENT_EXT_KEY_SHARE;
        return ext_key_shares(c, e, v);
    }
    if (strcmp(key, "pad_to") == 0) {
        e->kind = CLIENT_EXT_PADDING;
        if (!json_is_integer(v) || json_integer_value(v) < 64 || json_integer_value(v) > 16384) {
            return perr(c, "pad_to", "expected an integer 64..16384");
        }
        e->pad_to = (uint16_t)json_integer_value(v);
        return ST_OK;
    }
    if (strcmp(key, "alpn") == 0) {
        return ext_alpn(c, e, v);
    }
    if (strcmp(key, "point_formats") == 0 || strcmp(key, "psk_modes") == 0) {
        uint8_t b[CLIENT_MAX_LIST];
        size_t n = 0;
        TRY(parse_byte_list(c, key, v, b, sizeof(b), &n));
        return encode_bytes8(e, b, n);
    }
    return ext_codes(c, p, e, v, key);
}

static enum status parse_ext(const struct parse_ctx *c, struct client_profile *p, json_t *obj,
                             struct client_ext *e)
{
    if (!json_is_object(obj) || json_object_size(obj) != 2) {
        return perr(c, "extensions", "each extension is {\"type\": ..., one content key}");
    }
    TRY(parse_code(c, "extensions.type", json_object_get(obj, "type"), &e->type));
    for (size_t i = 0; i < sizeof(ext_rules) / sizeof(ext_rules[0]); i++) {
        json_t *v = json_object_get(obj, ext_rules[i].key);
        if (v == NULL) {
            continue;
        }
        bool data = strcmp(ext_rules[i].key, "data") == 0;
        if (!data && e->type != ext_rules[i].type && e->type != ext_rules[i].type2) {
            return perr(c, "extensions", "\"%s\" given for extension type 0x%04x", ext_rules[i].key,
                        e->type);
        }
        return ext_content(c, p, e, ext_rules[i].key, v);
    }
    return perr(c, "extensions", "extension 0x%04x has no known content key", e->type);
}

static enum status parse_exts(const struct parse_ctx *c, struct client_profile *p, json_t *arr)
{
    if (!json_is_array(arr) || json_array_size(arr) > CLIENT_MAX_EXTS) {
        return perr(c, "hello.extensions", "expected an array of at most %d extensions",
                    CLIENT_MAX_EXTS);
    }
    p->exts = calloc(json_array_size(arr) + 1, sizeof(p->exts[0]));
    if (p->exts == NULL) {
        return ST_NO_MEMORY;
    }
    for (size_t i = 0; i < json_array_size(arr); i++) {
        p->n_exts = i + 1;
        TRY(parse_ext(c, p, json_array_get(arr, i), &p->exts[i]));
        /* RFC 8446 4.2: no extension type appears twice in one hello. */
        for (size_t j = 0; j < i; j++) {
            if (p->exts[j].type == p->exts[i].type) {
                return perr(c, "hello.extensions", "extension 0x%04x appears twice",
                            p->exts[i].type);
            }
        }
    }
    return ST_OK;
}

/* ---------------------------------------------------------------- sections */

static enum status parse_hello(const struct parse_ctx *c, struct client_profile *p, json_t *h)
{
    static const char *const keys[] = {
        "record_version", "client_version", "session_id_len",   "suites",
        "compression",    "extensions",     "extensions_block", NULL};
    if (!json_is_object(h)) {
        return perr(c, "hello", "missing or not an object");
    }
    TRY(check_keys(c, "hello", h, keys));
    TRY(parse_code(c, "hello.record_version", json_object_get(h, "record_version"),
                   &p->record_version));
    TRY(parse_code(c, "hello.client_version", json_object_get(h, "client_version"),
                   &p->client_version));
    json_t *sid = json_object_get(h, "session_id_len");
    if (!json_is_integer(sid) || json_integer_value(sid) < 0 || json_integer_value(sid) > 32) {
        return perr(c, "hello.session_id_len", "expected an integer 0..32");
    }
    p->session_id_len = (uint8_t)json_integer_value(sid);
    TRY(parse_code_list(c, "hello.suites", json_object_get(h, "suites"), p->suites,
                        CLIENT_MAX_SUITES, &p->n_suites));
    if (p->n_suites == 0) {
        return perr(c, "hello.suites", "a hello offers at least one suite");
    }
    TRY(parse_byte_list(c, "hello.compression", json_object_get(h, "compression"), p->compression,
                        CLIENT_MAX_COMPRESSION, &p->n_compression));
    if (p->n_compression == 0) {
        return perr(c, "hello.compression", "a hello offers at least one method");
    }
    json_t *block = json_object_get(h, "extensions_block");
    if (block != NULL) {
        if (!json_is_boolean(block)) {
            return perr(c, "hello.extensions_block", "expected true or false");
        }
        p->no_extensions_block = json_is_false(block);
    }
    TRY(parse_exts(c, p, json_object_get(h, "extensions")));
    if (p->no_extensions_block && p->n_exts > 0) {
        return perr(c, "hello.extensions", "extensions given with extensions_block false");
    }
    return ST_OK;
}

static enum status parse_accepts(const struct parse_ctx *c, struct client_profile *p, json_t *a)
{
    static const char *const keys[] = {"min_version",   "min_dh_bits",         "max_dh_bits",
                                       "min_rsa_bits",  "max_rsa_bits",        "min_ecdsa_bits",
                                       "requires_sha2", "legacy_kx_signature", NULL};
    struct client_accepts *acc = &p->accepts;
    if (!json_is_object(a)) {
        return perr(c, "accepts", "missing or not an object");
    }
    TRY(check_keys(c, "accepts", a, keys));
    TRY(parse_code(c, "accepts.min_version", json_object_get(a, "min_version"), &acc->min_version));
    TRY(parse_bits(c, a, "min_dh_bits", &acc->min_dh_bits));
    TRY(parse_bits(c, a, "max_dh_bits", &acc->max_dh_bits));
    TRY(parse_bits(c, a, "min_rsa_bits", &acc->min_rsa_bits));
    TRY(parse_bits(c, a, "max_rsa_bits", &acc->max_rsa_bits));
    TRY(parse_bits(c, a, "min_ecdsa_bits", &acc->min_ecdsa_bits));
    TRY(parse_bool(c, a, "requires_sha2", &acc->requires_sha2));
    TRY(parse_bool(c, a, "legacy_kx_signature", &acc->legacy_kx_signature));
    if (acc->min_version > p->max_version) {
        return perr(c, "accepts.min_version", "above the highest version the hello offers");
    }
    return ST_OK;
}

static enum status parse_ats(const struct parse_ctx *c, struct client_profile *p, json_t *a)
{
    static const char *const keys[] = {"min_version",  "suites",         "min_rsa_bits",
                                       "min_ecc_bits", "sha2_signature", NULL};
    struct client_ats *ats = &p->ats;
    if (a == NULL) {
        return ST_OK;
    }
    if (!json_is_object(a)) {
        return perr(c, "ats", "not an object");
    }
    TRY(check_keys(c, "ats", a, keys));
    ats->present = true;
    TRY(parse_code(c, "ats.min_version", json_object_get(a, "min_version"), &ats->min_version));
    TRY(parse_code_list(c, "ats.suites", json_object_get(a, "suites"), ats->suites, CLIENT_MAX_LIST,
                        &ats->n_suites));
    TRY(parse_bits(c, a, "min_rsa_bits", &ats->min_rsa_bits));
    TRY(parse_bits(c, a, "min_ecc_bits", &ats->min_ecc_bits));
    return parse_bool(c, a, "sha2_signature", &ats->sha2_signature);
}

static enum status parse_provenance(const struct parse_ctx *c, struct client_profile *p, json_t *v)
{
    static const char *const keys[] = {"kind", "source", "where", "license", NULL};
    if (!json_is_object(v)) {
        return perr(c, "provenance", "missing or not an object");
    }
    TRY(check_keys(c, "provenance", v, keys));
    TRY(req_string(c, v, "kind", &p->kind));
    if (strcmp(p->kind, "captured") != 0 && strcmp(p->kind, "derived") != 0) {
        return perr(c, "provenance.kind", "must be \"captured\" or \"derived\"");
    }
    TRY(req_string(c, v, "source", &p->source));
    TRY(req_string(c, v, "where", &p->where));
    char *license = NULL;
    enum status st = req_string(c, v, "license", &license);
    free(license);
    return st;
}

static enum status parse_tags(const struct parse_ctx *c, struct client_profile *p, json_t *arr)
{
    if (!json_is_array(arr) || json_array_size(arr) == 0 ||
        json_array_size(arr) > CLIENT_MAX_TAGS) {
        return perr(c, "groups", "expected an array of 1..%d group names", CLIENT_MAX_TAGS);
    }
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const char *s = json_string_value(json_array_get(arr, i));
        if (s == NULL || s[0] == '\0' || strpbrk(s, ", *?[") != NULL) {
            return perr(c, "groups", "element %zu is not a plain name", i);
        }
        p->tags[i] = strdup(s);
        p->n_tags = i + 1;
        if (p->tags[i] == NULL) {
            return ST_NO_MEMORY;
        }
    }
    return ST_OK;
}

static enum status parse_capture(const struct parse_ctx *c, struct client_profile *p, json_t *v)
{
    static const char *const keys[] = {"sni", "bytes", NULL};
    if (v == NULL) {
        return ST_OK;
    }
    if (!json_is_object(v)) {
        return perr(c, "capture", "not an object");
    }
    TRY(check_keys(c, "capture", v, keys));
    json_t *sni = json_object_get(v, "sni");
    if (json_is_string(sni)) {
        if (json_string_length(sni) > MAX_SNI_CAPTURED) {
            return perr(c, "capture.sni", "longer than 255 bytes");
        }
        TRY(req_string(c, v, "sni", &p->capture_sni));
    } else if (!json_is_null(sni)) {
        return perr(c, "capture.sni", "expected a name or null");
    }
    return parse_hex(c, "capture.bytes", json_object_get(v, "bytes"), HELLO_MAX_LEN, &p->capture,
                     &p->capture_len);
}

/* The highest final version the hello offers: supported_versions when sent.
 * Draft TLS 1.3 code points (0x7fxx) are offered but are not a version a
 * current server negotiates. */
static void profile_summarize(struct client_profile *p)
{
    p->max_version = p->n_versions > 0 ? 0 : p->client_version;
    for (size_t i = 0; i < p->n_versions; i++) {
        if (p->versions[i] <= VERSION_TLS13 && p->versions[i] > p->max_version) {
            p->max_version = p->versions[i];
        }
    }
}

static enum status parse_identity(const struct parse_ctx *c, struct client_profile *p, json_t *root)
{
    static const char *const keys[] = {"format", "id",         "name",    "family",
                                       "groups", "provenance", "hello",   "accepts",
                                       "ats",    "notes",      "capture", NULL};
    TRY(check_keys(c, "(top level)", root, keys));
    json_t *fmt = json_object_get(root, "format");
    if (!json_is_integer(fmt) || json_integer_value(fmt) != PROFILE_FORMAT) {
        return perr(c, "format", "expected %d", PROFILE_FORMAT);
    }
    TRY(req_string(c, root, "name", &p->name));
    TRY(req_string(c, root, "family", &p->family));
    TRY(parse_tags(c, p, json_object_get(root, "groups")));
    return parse_provenance(c, p, json_object_get(root, "provenance"));
}

static enum status parse_root(struct parse_ctx *c, struct client_profile *p, json_t *root)
{
    if (!json_is_object(root)) {
        return perr(c, "(top level)", "not a JSON object");
    }
    TRY(req_string(c, root, "id", &p->id));
    if (strpbrk(p->id, ", *?[/") != NULL) {
        return perr(c, "id", "must not contain ',', '/' or glob characters");
    }
    c->id = p->id;
    TRY(parse_identity(c, p, root));
    TRY(parse_hello(c, p, json_object_get(root, "hello")));
    profile_summarize(p);
    TRY(parse_accepts(c, p, json_object_get(root, "accepts")));
    TRY(parse_ats(c, p, json_object_get(root, "ats")));
    return parse_capture(c, p, json_object_get(root, "capture"));
}

struct client_profile *client_profile_parse(const char *json, size_t len, const char *file,
                                            char *err, size_t errlen)
{
    struct parse_ctx c = {.file = file, .id = NULL, .err = err, .errlen = errlen};
    if (len > CLIENT_MAX_FILE) {
        perr(&c, "(file)", "larger than %d bytes", CLIENT_MAX_FILE);
        return NULL;
    }
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        snprintf(err, errlen, "%s: line %d: %s", file, jerr.line, jerr.text);
        return NULL;
    }
    struct client_profile *p = calloc(1, sizeof(*p));
    enum status st = p ? parse_root(&c, p, root) : ST_NO_MEMORY;
    json_decref(root);
    if (st == ST_NO_MEMORY) {
        snprintf(err, errlen, "%s: out of memory", file);
    }
    if (st != ST_OK) {
        client_profile_free(p);
        return NULL;
    }
    uint8_t zero[32] = {0};
    uint8_t buf[HELLO_MAX_LEN];
    size_t n = 0;
    if (client_hello_build_ex(p, "tlsgate.invalid", zero, true, buf, sizeof(buf), &n) != ST_OK) {
        perr(&c, "hello", "does not fit in one record");
        client_profile_free(p);
        return NULL;
    }
    p->hello_key = client_hello_hash(buf, n);
    return p;
}

void client_profile_free(struct client_profile *p)
{
    if (p == NULL) {
        return;
    }
    free(p->id);
    free(p->name);
    free(p->family);
    free(p->kind);
    free(p->source);
    free(p->where);
    for (size_t i = 0; i < p->n_tags; i++) {
        free(p->tags[i]);
    }
    for (size_t i = 0; i < p->n_exts; i++) {
        free(p->exts[i].body);
        for (size_t j = 0; j < p->exts[i].n_shares; j++) {
            free(p->exts[i].shares[j].key);
        }
    }
    free(p->exts);
    free(p->capture);
    free(p->capture_sni);
    free(p);
}
