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
    TIER_FS_CBC,     /* forward secret AES-CBC, RSA or ECDSA signed */
    TIER_RSA,        /* RSA key transport with AES */
    TIER_LEGACY,     /* DSS, Camellia, ARIA, SEED, 3DES, RC4 */
    TIER_RARE,       /* PSK, SRP, Kerberos, GOST, static DH, anonymous, export, NULL... */
    TIER_COUNT,
};

/* Suites per chunk in each tier. Small where acceptance is dense, so that a
 * chunk's removal chain (one probe per accepted suite, plus a refusal unless
 * the chunk runs out) stays two or three probes long; large where it is
 * sparse, so that one refusal covers many suites. */
static const size_t tier_chunk[TIER_COUNT] = {2, 4, 4, 32, SCAN_CHUNK_SUITES};

static bool prior_common_cipher(const struct suite_info *s)
{
    return s->cipher == CIPHER_AES || s->cipher == CIPHER_CHACHA20;
}

static enum prior_tier prior_tier_of(const struct suite_info *s)
{
    if (s->flags & (SUITE_EXPORT | SUITE_ANON | SUITE_UNOFFICIAL)) {
        return TIER_RARE;
    }
    bool signed_common = s->auth == AUTH_RSA || s->auth == AUTH_ECDSA || s->auth == AUTH_NONE;
    bool fs = (s->flags & SUITE_PFS) && (s->kex == KEX_ECDHE || s->kex == KEX_DHE ||
                                         s->kex == KEX_TLS13);
    if (fs && signed_common && prior_common_cipher(s)) {
        return (s->flags & SUITE_AEAD) ? TIER_MODERN : TIER_FS_CBC;
    }
    if (s->kex == KEX_RSA && prior_common_cipher(s)) {
        return TIER_RSA;
    }
    bool known_kex = s->kex == KEX_RSA || s->kex == KEX_DHE || s->kex == KEX_ECDHE;
    bool legacy_cipher = s->cipher == CIPHER_CAMELLIA || s->cipher == CIPHER_ARIA ||
                         s->cipher == CIPHER_SEED || s->cipher == CIPHER_3DES ||
                         s->cipher == CIPHER_RC4 || prior_common_cipher(s);
    if (known_kex && legacy_cipher) {
        return TIER_LEGACY;
    }
    return TIER_RARE;
}

static unsigned prior_mode_rank(uint8_t mode)
{
    switch (mode) {
    case MODE_GCM:
        return 0;
    case MODE_POLY1305:
        return 1;
    case MODE_CCM8: /* OpenSSL sorts the 8-byte tag first */
        return 2;
    case MODE_CCM:
        return 3;
    case MODE_CBC:
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
    /* tier | MAC (AEAD first) | key bits (more first) | mode | kex | auth | code */
    uint64_t key = (uint64_t)prior_tier_of(s);
    key = key << 2 | prior_mac_rank(s->mac);
    key = key << 10 | (1023 - bits);
    key = key << 3 | prior_mode_rank(s->mode);
    key = key << 2 | prior_kex_rank(s->kex);
    key = key << 2 | prior_auth_rank(s->auth);
    key = key << 24 | (code & 0xffffff);
    return key;
}

static int prior_cmp(const void *a, const void *b)
{
    uint64_t x = suite_prior_key(*(const uint32_t *)a);
    uint64_t y = suite_prior_key(*(const uint32_t *)b);
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
