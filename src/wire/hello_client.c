#include "wire/hello_client.h"

#include "wire/tls_const.h"
#include "wire/writer.h"

/* RFC 5246 7.4.1.2: cipher_suites<2..2^16-2>, compression_methods<1..2^8-1>. */
#define HELLO_MAX_SUITES      32767
#define HELLO_MAX_COMPRESSION 255
#define HELLO_RANDOM_LEN      32
#define HELLO_MAX_SESSION_ID  32

/* Every signature scheme a server might sign with, strongest first, so that
 * no server refuses a TLS 1.2+ probe for want of a common one. Codes from the
 * IANA TLS SignatureScheme registry; the 0x0n0m pairs below 0x0700 are RFC
 * 5246 7.4.1.4.1 (hash, signature) values. */
const uint16_t scan_default_sigalgs[] = {
    0x0403, /* ecdsa_secp256r1_sha256 */
    0x0503, /* ecdsa_secp384r1_sha384 */
    0x0603, /* ecdsa_secp521r1_sha512 */
    0x0807, /* ed25519 */
    0x0808, /* ed448 */
    0x081a, /* ecdsa_brainpoolP256r1tls13_sha256 */
    0x081b, /* ecdsa_brainpoolP384r1tls13_sha384 */
    0x081c, /* ecdsa_brainpoolP512r1tls13_sha512 */
    0x0804, /* rsa_pss_rsae_sha256 */
    0x0805, /* rsa_pss_rsae_sha384 */
    0x0806, /* rsa_pss_rsae_sha512 */
    0x0809, /* rsa_pss_pss_sha256 */
    0x080a, /* rsa_pss_pss_sha384 */
    0x080b, /* rsa_pss_pss_sha512 */
    0x0401, /* rsa_pkcs1_sha256 */
    0x0501, /* rsa_pkcs1_sha384 */
    0x0601, /* rsa_pkcs1_sha512 */
    0x0303, /* (sha224, ecdsa) */
    0x0301, /* (sha224, rsa) */
    0x0402, /* (sha256, dsa) */
    0x0502, /* (sha384, dsa) */
    0x0602, /* (sha512, dsa) */
    0x0302, /* (sha224, dsa) */
    0x0203, /* ecdsa_sha1 */
    0x0201, /* rsa_pkcs1_sha1 */
    0x0202, /* (sha1, dsa) */
    0x0101, /* (md5, rsa) */
    0x0708, /* sm2sig_sm3 */
    0x0709, /* gostr34102012_256a */
    0x070a, /* gostr34102012_256b */
    0x070b, /* gostr34102012_256c */
    0x070c, /* gostr34102012_256d */
    0x070d, /* gostr34102012_512a */
    0x070e, /* gostr34102012_512b */
    0x070f, /* gostr34102012_512c */
};
const size_t scan_default_sigalgs_len = sizeof(scan_default_sigalgs) / sizeof(uint16_t);

/* Every group in the IANA TLS Supported Groups registry a server might pick,
 * the common ones first (a server honouring client order then picks what a
 * browser would get). */
const uint16_t scan_default_groups[] = {
    29,     /* x25519 */
    23,     /* secp256r1 */
    30,     /* x448 */
    24,     /* secp384r1 */
    25,     /* secp521r1 */
    4588,   /* X25519MLKEM768 */
    4587,   /* SecP256r1MLKEM768 */
    4589,   /* SecP384r1MLKEM1024 */
    31,     /* brainpoolP256r1tls13 */
    32,     /* brainpoolP384r1tls13 */
    33,     /* brainpoolP512r1tls13 */
    26,     /* brainpoolP256r1 */
    27,     /* brainpoolP384r1 */
    28,     /* brainpoolP512r1 */
    256,    /* ffdhe2048 */
    257,    /* ffdhe3072 */
    258,    /* ffdhe4096 */
    259,    /* ffdhe6144 */
    260,    /* ffdhe8192 */
    22,     /* secp256k1 */
    21,     /* secp224r1 */
    20,     /* secp224k1 */
    19,     /* secp192r1 */
    18,     /* secp192k1 */
    17,     /* secp160r2 */
    16,     /* secp160r1 */
    15,     /* secp160k1 */
    14,     /* sect571r1 */
    13,     /* sect571k1 */
    12,     /* sect409r1 */
    11,     /* sect409k1 */
    10,     /* sect283r1 */
    9,      /* sect283k1 */
    8,      /* sect239k1 */
    7,      /* sect233r1 */
    6,      /* sect233k1 */
    5,      /* sect193r2 */
    4,      /* sect193r1 */
    3,      /* sect163r2 */
    2,      /* sect163r1 */
    1,      /* sect163k1 */
    34,     /* GC256A */
    35,     /* GC256B */
    36,     /* GC256C */
    37,     /* GC256D */
    38,     /* GC512A */
    39,     /* GC512B */
    40,     /* GC512C */
    41,     /* curveSM2 */
    512,    /* MLKEM512 */
    513,    /* MLKEM768 */
    514,    /* MLKEM1024 */
    0xff01, /* arbitrary_explicit_prime_curves */
    0xff02, /* arbitrary_explicit_char2_curves */
};
const size_t scan_default_groups_len = sizeof(scan_default_groups) / sizeof(uint16_t);

static bool hello_spec_valid(const struct hello_spec *spec)
{
    if (spec->random == NULL || spec->session_id_len > HELLO_MAX_SESSION_ID) {
        return false;
    }
    if (spec->session_id_len > 0 && spec->session_id == NULL) {
        return false;
    }
    if (spec->n_suites > HELLO_MAX_SUITES || (spec->n_suites > 0 && spec->suites == NULL)) {
        return false;
    }
    if (spec->compression != NULL &&
        (spec->n_compression == 0 || spec->n_compression > HELLO_MAX_COMPRESSION)) {
        return false;
    }
    return spec->n_exts == 0 || spec->exts != NULL;
}

static void hello_exts_write(struct writer *w, const struct hello_spec *spec)
{
    wr_vec16_open(w);
    for (size_t i = 0; i < spec->n_exts; i++) {
        const struct hello_ext *e = &spec->exts[i];
        wr_u16(w, e->type);
        wr_vec16_open(w);
        wr_bytes(w, e->body, e->len);
        wr_vec_close(w);
    }
    wr_vec_close(w);
}

static void hello_body_write(struct writer *w, const struct hello_spec *spec)
{
    wr_u16(w, spec->legacy_version);
    wr_bytes(w, spec->random, HELLO_RANDOM_LEN);

    wr_vec8_open(w);
    wr_bytes(w, spec->session_id, spec->session_id_len);
    wr_vec_close(w);

    wr_vec16_open(w);
    for (size_t i = 0; i < spec->n_suites; i++) {
        wr_u16(w, spec->suites[i]);
    }
    wr_vec_close(w);

    wr_vec8_open(w);
    if (spec->compression == NULL) {
        wr_u8(w, 0);
    } else {
        wr_bytes(w, spec->compression, spec->n_compression);
    }
    wr_vec_close(w);

    if (!spec->no_extensions_block) {
        hello_exts_write(w, spec);
    }
}

enum status hello_client_build(const struct hello_spec *spec, uint8_t *out, size_t cap,
                               size_t *out_len)
{
    if (!hello_spec_valid(spec)) {
        return ST_USAGE;
    }

    /* A hello is one record: the writer's cap enforces the 2^14 body limit. */
    size_t limit = cap < RECORD_HEADER_LEN + RECORD_MAX_PLAINTEXT
                       ? cap
                       : RECORD_HEADER_LEN + RECORD_MAX_PLAINTEXT;
    struct writer w = wr_init(out, limit);
    wr_u8(&w, CT_HANDSHAKE);
    wr_u16(&w, spec->record_version);
    wr_vec16_open(&w);
    wr_u8(&w, HS_CLIENT_HELLO);
    wr_vec24_open(&w);
    hello_body_write(&w, spec);
    wr_vec_close(&w);
    wr_vec_close(&w);

    if (!wr_done(&w)) {
        return ST_TOO_BIG;
    }
    *out_len = w.len;
    return ST_OK;
}

enum status hello_sslv2_build(const uint32_t *specs, size_t n_specs, const uint8_t *challenge16,
                              uint8_t *out, size_t cap, size_t *out_len)
{
    if ((n_specs > 0 && specs == NULL) || challenge16 == NULL) {
        return ST_USAGE;
    }

    /* The 2-byte header form: high bit set, then a 15-bit body length. */
    size_t body = 1 + 2 + 2 + 2 + 2 + n_specs * SSL2_SPEC_LEN + SSL2_CHALLENGE_LEN;
    if (body > SSL2_MAX_RECORD) {
        return ST_TOO_BIG;
    }
    struct writer w = wr_init(out, cap);
    wr_u16(&w, (uint16_t)(0x8000 | body));
    wr_u8(&w, SSL2_MT_CLIENT_HELLO);
    wr_u16(&w, SSL2_VERSION);
    wr_u16(&w, (uint16_t)(n_specs * SSL2_SPEC_LEN));
    wr_u16(&w, 0); /* session_id_length: no session to resume */
    wr_u16(&w, SSL2_CHALLENGE_LEN);
    for (size_t i = 0; i < n_specs; i++) {
        wr_u24(&w, specs[i]);
    }
    wr_bytes(&w, challenge16, SSL2_CHALLENGE_LEN);

    if (!wr_done(&w)) {
        return ST_TOO_BIG;
    }
    *out_len = w.len;
    return ST_OK;
}
