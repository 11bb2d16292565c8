/* A guess, made before any probe, at which suites a server accepts and in
 * what order it prefers them: forward secrecy first, then AEAD, then a SHA-2
 * MAC before SHA-1, then more key bits (the "best first" order that
 * OpenSSL's default sorting gives any cipher string, nginx's default
 * HIGH:!aNULL:!MD5 among them). The guess never decides a result; it
 * only lays out the enumeration so that its chains are short where servers
 * usually accept much (many small chunks of likely suites, a few big chunks
 * of the rest), and breaks ties when order.c predicts a server's order before
 * probes confirm it. A wrong guess costs round trips, not correctness. */
#include <stdlib.h>

#include "checks/scan_ctx.h"
#include "registry/registry.h"

/* How likely a server accepts a suite, 0 = most: one tier per chunk size. */
enum prior_tier {
    TIER_MODERN = 0, /* forward secret AEAD with AES or ChaCha20, RSA or ECDSA signed */
    TIER_COMMON,     /* forward secret AES-CBC, RSA or ECDSA signed; RSA key transport with AES */
    TIER_HIGH,       /* the rest of OpenSSL's HIGH: ARIA-GCM, Camellia-CBC, RSA or ECDSA signed */
    TIER_LEGACY,     /* DSS-signed, other ARIA and Camellia, SEED, 3DES, RC4, IDEA */
    TIER_RARE,       /* PSK, SRP, Kerberos, GOST, static DH, anonymous, export, NULL... */
    TIER_COUNT,
};

/* Suites per chunk in each tier. Small where acceptance is dense, so that a
 * chunk's removal chain (one probe per accepted suite, plus a refusal unless
 * the chunk runs out) stays two to four probes long; large where it is
 * sparse, so that one refusal covers many suites. */
static const size_t tier_chunk[TIER_COUNT] = {2, 4, 4, 32, SCAN_CHUNK_SUITES};

static bool prior_fs(const struct suite_info *s)
{
    return (s->flags & SUITE_PFS) &&
           (s->kex == KEX_ECDHE || s->kex == KEX_DHE || s->kex == KEX_TLS13);
}

static enum prior_tier prior_tier_of(const struct suite_info *s)
{
    if (s->flags & (SUITE_EXPORT | SUITE_ANON | SUITE_UNOFFICIAL)) {
        return TIER_RARE;
    }
    bool known_kex = prior_fs(s) || s->kex == KEX_RSA;
    if (!known_kex) {
        return TIER_RARE;
    }
    bool aes_chacha = s->cipher == CIPHER_AES || s->cipher == CIPHER_CHACHA20;
    bool signed_common = s->auth == AUTH_RSA || s->auth == AUTH_ECDSA || s->auth == AUTH_NONE;
    if (aes_chacha && signed_common) {
        if (prior_fs(s) && (s->flags & SUITE_AEAD)) {
            return TIER_MODERN;
        }
        return TIER_COMMON;
    }
    /* The ARIA and Camellia suites OpenSSL has (and so its HIGH list). */
    bool openssl_high = (s->cipher == CIPHER_ARIA && s->mode == MODE_GCM) ||
                        (s->cipher == CIPHER_CAMELLIA && s->mode == MODE_CBC);
    if (openssl_high && signed_common) {
        return TIER_HIGH;
    }
    if (aes_chacha || s->cipher == CIPHER_ARIA || s->cipher == CIPHER_CAMELLIA ||
        s->cipher == CIPHER_SEED || s->cipher == CIPHER_3DES || s->cipher == CIPHER_RC4 ||
        s->cipher == CIPHER_IDEA) {
        return TIER_LEGACY;
    }
    return TIER_RARE;
}

/* Within one MAC class and key size, OpenSSL lists AES-GCM, ChaCha20,
 * AES-CCM_8, AES-CCM, then ARIA and Camellia; AES-CBC leads its class. */
static unsigned prior_family_rank(const struct suite_info *s)
{
    if (s->cipher == CIPHER_AES) {
        switch (s->mode) {
        case MODE_GCM:
        case MODE_CBC:
            return 0;
        case MODE_CCM8:
            return 2;
        case MODE_CCM:
            return 3;
        default:
            return 5;
        }
    }
    switch (s->cipher) {
    case CIPHER_CHACHA20:
        return 1;
    case CIPHER_ARIA:
    case CIPHER_CAMELLIA:
        return 4;
    default:
        return 5;
    }
}

static unsigned prior_mac_rank(uint8_t mac)
{
    switch (mac) {
    case MAC_NONE: /* AEAD */
        return 0;
    case MAC_SHA384:
    case MAC_SHA256:
        return 1;
    case MAC_SHA1:
        return 2;
    default:
        return 3;
    }
}

static unsigned prior_kex_rank(uint8_t kex)
{
    switch (kex) {
    case KEX_TLS13:
    case KEX_ECDHE:
        return 0;
    case KEX_DHE:
        return 1;
    case KEX_RSA:
        return 2;
    default:
        return 3;
    }
}

static unsigned prior_auth_rank(uint8_t auth)
{
    switch (auth) {
    case AUTH_NONE:
    case AUTH_ECDSA:
        return 0;
    case AUTH_RSA:
        return 1;
    case AUTH_DSS:
        return 2;
    default:
        return 3;
    }
}

uint64_t suite_prior_key(uint32_t code)
{
    const struct suite_info *s = suite_find(code);
    if (s == NULL) {
        return UINT64_MAX;
    }
    unsigned bits = s->cipher_bits > 1023 ? 1023 : s->cipher_bits;
    /* rare last | forward secret first | MAC (AEAD first) | key bits (more
     * first) | cipher family | kex | auth | code */
    uint64_t key = prior_tier_of(s) == TIER_RARE ? 1 : 0;
    key = key << 1 | (prior_fs(s) ? 0 : 1);
    key = key << 2 | prior_mac_rank(s->mac);
    key = key << 10 | (1023 - bits);
    key = key << 3 | prior_family_rank(s);
    key = key << 2 | prior_kex_rank(s->kex);
    key = key << 2 | prior_auth_rank(s->auth);
    key = key << 24 | (code & 0xffffff);
    return key;
}

/* Chunks are laid out tier by tier, each tier in the predicted order. */
static uint64_t prior_layout_key(uint32_t code)
{
    const struct suite_info *s = suite_find(code);
    uint64_t tier = s != NULL ? prior_tier_of(s) : TIER_RARE;
    return tier << 60 | (suite_prior_key(code) & (((uint64_t)1 << 60) - 1));
}

static int prior_cmp(const void *a, const void *b)
{
    uint64_t x = prior_layout_key(*(const uint32_t *)a);
    uint64_t y = prior_layout_key(*(const uint32_t *)b);
    return x < y ? -1 : x > y;
}

void suite_prior_sort(uint32_t *codes, size_t n)
{
    qsort(codes, n, sizeof(codes[0]), prior_cmp);
}

size_t suite_prior_chunk_len(const uint32_t *sorted, size_t n)
{
    if (n == 0) {
        return 0;
    }
    const struct suite_info *s = suite_find(sorted[0]);
    enum prior_tier tier = s != NULL ? prior_tier_of(s) : TIER_RARE;
    size_t len = 1;
    while (len < n && len < tier_chunk[tier]) {
        const struct suite_info *next = suite_find(sorted[len]);
        if ((next != NULL ? prior_tier_of(next) : TIER_RARE) != tier) {
            break;
        }
        len++;
    }
    return len;
}

bool suite_is_chacha(uint32_t code)
{
    const struct suite_info *s = suite_find(code);
    return s != NULL && s->cipher == CIPHER_CHACHA20;
}

void suite_chacha_last(uint16_t *codes, size_t n)
{
    uint16_t moved[RESULTS_MAX_SUITES];
    size_t k = 0;
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        if (suite_is_chacha(codes[i]) && k < RESULTS_MAX_SUITES) {
            moved[k++] = codes[i];
        } else {
            codes[out++] = codes[i];
        }
    }
    for (size_t i = 0; i < k; i++) {
        codes[out++] = moved[i];
    }
}
