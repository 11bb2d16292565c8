#include <string.h>

#include "registry/registry.h"
#include "wire/reader.h"
#include "wire/server_msgs.h"
#include "wire/tls_const.h"

enum status server_cert_parse(const uint8_t *body, size_t len, struct cert_view *certs, size_t max,
                              size_t *n_stored, size_t *n_seen, char *why, size_t why_cap)
{
    struct reader r = rd_init(body, len);
    struct reader list = rd_vec24(&r);
    if (!rd_done(&r)) {
        why_set(why, why_cap, "Certificate list length disagrees with the message (%zu bytes)",
                len);
        return ST_MALFORMED;
    }

    *n_stored = 0;
    *n_seen = 0;
    while (rd_left(&list) > 0) {
        /* RFC 5246 7.4.2: ASN.1Cert<1..2^24-1>, so an empty entry is malformed. */
        struct reader cert = rd_vec24(&list);
        if (!rd_ok(&list) || rd_len(&cert) == 0) {
            why_set(why, why_cap, "certificate %zu of the chain is %s", *n_seen + 1,
                    rd_ok(&list) ? "empty" : "truncated");
            return ST_MALFORMED;
        }
        if (*n_stored < max) {
            certs[*n_stored].der = rd_ptr(&cert);
            certs[*n_stored].len = rd_left(&cert);
            (*n_stored)++;
        }
        (*n_seen)++;
    }
    return ST_OK;
}

/* Bit length of a big-endian unsigned integer, leading zero bytes and bits
 * skipped; saturates at UINT16_MAX. */
static uint16_t kx_bits(struct reader num)
{
    uint8_t top = 0;
    while (rd_left(&num) > 0 && top == 0) {
        top = rd_u8(&num);
    }
    if (top == 0) {
        return 0;
    }
    size_t bits = rd_left(&num) * 8;
    while (top != 0) {
        bits++;
        top >>= 1;
    }
    return bits > UINT16_MAX ? UINT16_MAX : (uint16_t)bits;
}

/* RFC 5246 7.4.3: ServerDHParams. */
static void kx_dh_read(struct reader *r, struct server_kx *kx)
{
    struct reader p = rd_vec16(r);
    struct reader g = rd_vec16(r);
    struct reader ys = rd_vec16(r);
    kx->is_dh = true;
    kx->dh_p_bits = kx_bits(p);
    if (rd_len(&p) == 0 || rd_len(&g) == 0 || rd_len(&ys) == 0) {
        rd_fail(r);
    }
}

/* RFC 4492 5.4: the curve fields shared by both explicit forms, then the order. */
static void kx_ec_explicit_tail(struct reader *r, struct server_kx *kx)
{
    struct reader a = rd_vec8(r);
    struct reader b = rd_vec8(r);
    struct reader base = rd_vec8(r);
    struct reader order = rd_vec8(r);
    struct reader cofactor = rd_vec8(r);
    kx->explicit_bits = kx_bits(order);
    if (rd_len(&a) == 0 || rd_len(&b) == 0 || rd_len(&base) == 0 || rd_len(&order) == 0 ||
        rd_len(&cofactor) == 0) {
        rd_fail(r);
    }
}

static void kx_ec_char2_read(struct reader *r, struct server_kx *kx)
{
    (void)rd_u16(r); /* m, the field degree */
    uint8_t basis = rd_u8(r);
    int n_k = basis == EC_BASIS_TRINOMIAL ? 1 : basis == EC_BASIS_PENTANOMIAL ? 3 : 0;
    if (n_k == 0) {
        rd_fail(r);
    }
    for (int i = 0; i < n_k; i++) {
        struct reader k = rd_vec8(r);
        (void)k;
    }
    kx_ec_explicit_tail(r, kx);
}

/* RFC 8422 5.4: ServerECDHParams = ECParameters + ECPoint. */
static void kx_ecdh_read(struct reader *r, struct server_kx *kx)
{
    kx->is_ecdh = true;
    kx->curve_type = rd_u8(r);
    if (kx->curve_type == EC_CURVE_NAMED) {
        kx->named_curve = rd_u16(r);
    } else if (kx->curve_type == EC_CURVE_EXPLICIT_PRIME) {
        struct reader prime = rd_vec8(r);
        if (rd_len(&prime) == 0) {
            rd_fail(r);
        }
        kx_ec_explicit_tail(r, kx);
    } else if (kx->curve_type == EC_CURVE_EXPLICIT_CHAR2) {
        kx_ec_char2_read(r, kx);
    } else {
        rd_fail(r);
    }
    struct reader point = rd_vec8(r);
    if (rd_len(&point) == 0) {
        rd_fail(r);
    }
}

/* RFC 2246 7.4.3: ServerRSAParams, the temporary export key. */
static void kx_rsa_read(struct reader *r, struct server_kx *kx)
{
    struct reader modulus = rd_vec16(r);
    struct reader exponent = rd_vec16(r);
    kx->is_rsa_export = true;
    uint16_t bits = kx_bits(modulus);
    kx->rsa_modulus_bytes = (uint16_t)((bits + 7) / 8);
    if (rd_len(&modulus) == 0 || rd_len(&exponent) == 0) {
        rd_fail(r);
    }
}

/* RFC 5054 2.5.3: N, g, s, B; read to find where the signature starts. */
static void kx_srp_read(struct reader *r)
{
    struct reader n = rd_vec16(r);
    struct reader g = rd_vec16(r);
    struct reader s = rd_vec8(r);
    struct reader b = rd_vec16(r);
    (void)n;
    (void)g;
    (void)s;
    (void)b;
}

static bool kx_params_read(struct reader *r, enum wire_kex kex, struct server_kx *kx)
{
    /* RFC 4279 2/3 and RFC 5489 2: PSK variants lead with the identity hint. */
    if (kex == WIRE_KEX_PSK || kex == WIRE_KEX_DHE_PSK || kex == WIRE_KEX_ECDHE_PSK) {
        struct reader hint = rd_vec16(r);
        (void)hint;
    }
    switch (kex) {
    case WIRE_KEX_DHE:
    case WIRE_KEX_DHE_PSK:
        kx_dh_read(r, kx);
        return true;
    case WIRE_KEX_ECDHE:
    case WIRE_KEX_ECDHE_PSK:
        kx_ecdh_read(r, kx);
        return true;
    case WIRE_KEX_RSA_EXPORT:
        kx_rsa_read(r, kx);
        return true;
    case WIRE_KEX_SRP:
        kx_srp_read(r);
        return true;
    case WIRE_KEX_PSK:
        return true;
    default:
        return false;
    }
}

/* RFC 5246 7.4.3: signed params end with a DigitallySigned, which carries a
 * SignatureAndHashAlgorithm from TLS 1.2 on. Anonymous and PSK suites end
 * with the params. */
static void kx_signature_read(struct reader *r, uint16_t version, struct server_kx *kx)
{
    if (rd_left(r) == 0) {
        return;
    }
    kx->signed_params = true;
    if (version >= VERSION_TLS12) {
        kx->sig_alg = rd_u16(r);
    }
    struct reader sig = rd_vec16(r);
    if (rd_len(&sig) == 0) {
        rd_fail(r);
    }
}

enum status server_kx_parse(const uint8_t *body, size_t len, enum wire_kex kex, uint16_t version,
                            struct server_kx *kx, char *why, size_t why_cap)
{
    memset(kx, 0, sizeof(*kx));
    struct reader r = rd_init(body, len);
    if (!kx_params_read(&r, kex, kx)) {
        why_set(why, why_cap, "ServerKeyExchange for a suite whose key exchange sends none");
        return ST_MALFORMED;
    }
    if (!rd_ok(&r)) {
        why_set(why, why_cap, "ServerKeyExchange parameters malformed (%zu bytes)", len);
        return ST_MALFORMED;
    }
    kx_signature_read(&r, version, kx);
    if (!rd_done(&r)) {
        why_set(why, why_cap, "ServerKeyExchange signature malformed (%zu bytes)", len);
        return ST_MALFORMED;
    }
    kx->present = true;
    return ST_OK;
}
